"""`tail`: events are printed within a second of their commit, each exactly once, including an
event whose id is lower than one already printed because its transaction committed later."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from typing import IO, Any

import psycopg
import pytest
from psycopg import AsyncConnection
from psycopg.rows import dict_row

from lxera_pipeline.operate.common import EventFilter
from lxera_pipeline.operate.tail import TailFeed
from tests.integration.operate_support import new_content, seed_company, set_status


def reader(stream: IO[str], lines: queue.Queue[tuple[float, str]]) -> None:
    for line in stream:
        lines.put((time.monotonic(), line))


def next_line(lines: queue.Queue[tuple[float, str]], timeout: float = 20) -> tuple[float, str]:
    return lines.get(timeout=timeout)


def test_tail_prints_an_event_within_a_second_of_its_commit(db_dsn: str) -> None:
    with psycopg.connect(db_dsn, autocommit=True) as conn:
        content = new_content(conn, seed_company(conn))
    env = {**os.environ, "DATABASE_URL": db_dsn, "LXERA_LOG_LEVEL": "warning"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "lxera_pipeline",
            "tail",
            "--json",
            "--entity",
            str(content),
            "--max-events",
            "2",
            "--poll",
            "5",
        ],
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out: queue.Queue[tuple[float, str]] = queue.Queue()
    err: queue.Queue[tuple[float, str]] = queue.Queue()
    assert proc.stdout is not None
    assert proc.stderr is not None
    for stream, lines in ((proc.stdout, out), (proc.stderr, err)):
        threading.Thread(target=reader, args=(stream, lines), daemon=True).start()
    try:
        assert "tailing pipeline events" in next_line(err)[1]
        latencies = []
        for status in ("quality_check", "approved"):
            time.sleep(0.3)  # let the tail settle into its wait
            with psycopg.connect(db_dsn, autocommit=True) as conn:
                committed = time.monotonic()  # an upper bound: the commit happens after this
                set_status(conn, content, status)
            printed, line = next_line(out)
            event: dict[str, Any] = json.loads(line)
            assert event["entity_id"] == str(content)
            assert event["new_status"] == status
            latencies.append(printed - committed)
        assert proc.wait(timeout=10) == 0
    finally:
        proc.kill()
    print(f"tail latency: {[f'{value * 1000:.0f} ms' for value in latencies]}")
    # --poll 5: only the NOTIFY path can make this in time
    assert max(latencies) < 1.0, latencies


@pytest.mark.anyio
async def test_a_lower_id_that_commits_late_is_printed_once(db_dsn: str) -> None:
    with psycopg.connect(db_dsn, autocommit=True) as setup:
        company = seed_company(setup)
        early, late = new_content(setup, company, "Early"), new_content(setup, company, "Late")
    feed = TailFeed(EventFilter(table="cm_module_content"), lookback_seconds=0)
    async with await AsyncConnection.connect(db_dsn, autocommit=True, row_factory=dict_row) as conn:
        assert await feed.start(conn) == []
        with psycopg.connect(db_dsn) as slow, psycopg.connect(db_dsn, autocommit=True) as fast:
            set_status(slow, early, "quality_check")  # takes the lower event id, not committed
            set_status(fast, late, "quality_check")
            first = await feed.poll(conn)
            assert [row["entity_id"] for row in first] == [late]
            slow.commit()
        second = await feed.poll(conn)
        assert [row["entity_id"] for row in second] == [early]
        assert second[0]["event_id"] < first[0]["event_id"]
        assert await feed.poll(conn) == []
        assert feed.cursor.params()["gaps"] == []
