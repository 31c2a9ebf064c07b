"""The end-to-end benchmark (writers and one worker together, ours and PgQueuer) in CI size: it
runs, prints its figures, and every change of both systems was handled exactly once with the
backlog drained. The rates are printed, not asserted (a shared CI machine's figures say little;
bench/results/ holds full-size runs)."""

from __future__ import annotations

import pytest

from tests.support import servers

pytestmark = pytest.mark.acceptance
pytest.importorskip("pgqueuer", reason="the bench extra (pgqueuer) is not installed")


def test_end_to_end_benchmark_in_ci_size(pg_server: servers.TestServer) -> None:
    from bench import end_to_end

    rows = end_to_end.main(
        [
            "--seconds", "2",
            "--clients", "1,4",
            "--latency-seconds", "1",
            "--rate", "200",
            "--settle", "60",
            "--admin-dsn", pg_server.admin_dsn,
        ]
    )  # fmt: skip
    handled = [row for row in rows if row.name.endswith("handled/s")]
    assert len(handled) == 4
    for row in handled:
        assert "every change handled exactly once" in row.note, row
        assert "backlog drained" in row.note, row
        assert "NOT drained" not in row.note, row
        assert row.value > 0
    # Where the time goes: each worker's CPU (process and backends) per handled event, measured.
    cpu = [row for row in rows if row.name.endswith("worker CPU per handled event")]
    assert len(cpu) == 4
    assert all(row.value > 0 and "% of the host's CPU" in row.note for row in cpu), cpu
    latencies = [row for row in rows if "p99 commit->start" in row.name]
    assert {row.name.split(" @")[0] for row in latencies} == {"ours", "pgqueuer"}
    assert all("never started" not in row.note for row in latencies)
