"""Video analytics with a running daemon: learners record views of their company's video through
public.record_video_view (bounded, RLS-checked), the daemon refreshes the analytics views on its
schedule, and the aggregates equal what was recorded; the pipeline's stage statistics come from
the audit log; `analytics refresh` refreshes on demand."""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import anyio
import psycopg
import pytest
from click.testing import CliRunner

from lxera_pipeline.cli import cli
from lxera_pipeline.cli.demo.daemon import in_process_daemon
from lxera_pipeline.cli.demo.seed import seed_course
from lxera_pipeline.handlers.workflow.resources import build_resources
from tests.integration.schema_rows import acting_as
from tests.integration.workflow_support import (
    course,
    fetch,
    module,
    plan_settled,
    workflow_settings,
)


def _claims(role: str, company: uuid.UUID, sub: uuid.UUID) -> dict[str, Any]:
    return {"sub": str(sub), "role": role, "company_id": str(company)}


def record(dsn: str, claims: dict[str, Any], video: uuid.UUID, seconds: float, done: bool) -> Any:
    with psycopg.connect(dsn, autocommit=True) as conn, acting_as(conn, "authenticated", claims):
        row = conn.execute(
            "select public.record_video_view(%s, %s::numeric, %s)", (video, seconds, done)
        ).fetchone()
        conn.execute("commit")
    assert row is not None
    return row[0]


def refused(dsn: str, role: str, claims: dict[str, Any] | None, *call: Any) -> str:
    with psycopg.connect(dsn, autocommit=True) as conn, acting_as(conn, role, claims):
        try:
            conn.execute("select public.record_video_view(%s, %s::numeric, %s)", call)
        except psycopg.Error as exc:
            return f"{exc.sqlstate}: {str(exc).splitlines()[0]}"
    raise AssertionError(f"record_video_view{call} was accepted")


@pytest.mark.anyio
async def test_recorded_views_match_the_refreshed_aggregates(db_dsn: str, tmp_path: Path) -> None:
    settings = workflow_settings(db_dsn, tmp_path, analytics_refresh_seconds=0.5)
    async with (
        await psycopg.AsyncConnection.connect(db_dsn, autocommit=True) as conn,
        in_process_daemon(settings, db_dsn, build_resources(settings)),
    ):
        seeded = await seed_course(conn, course(module("Pivot tables", "full")))
        with anyio.fail_after(120):
            while not await plan_settled(conn, seeded.plan_id):  # noqa: ASYNC110
                await anyio.sleep(0.3)
        (video,) = fetch(
            db_dsn,
            "select asset_id, content_id, duration_seconds from mm_multimedia_assets"
            " where company_id = %(c)s and asset_type = 'video'",
            {"c": seeded.company_id},
        )
        duration = float(video["duration_seconds"])
        ada, bob = uuid.uuid4(), uuid.uuid4()
        views = [
            (ada, round(duration / 2, 2), False),
            (ada, duration, True),
            (bob, duration + 2, True),  # within the slack: a player's rounding
        ]
        for who, seconds, done in views:
            claims = _claims("learner", seeded.company_id, who)
            await anyio.to_thread.run_sync(record, db_dsn, claims, video["asset_id"], seconds, done)

        # refused: out of bounds, another company's learner, anon
        learner = _claims("learner", seeded.company_id, ada)
        stranger = _claims("learner", uuid.uuid4(), ada)
        assert refused(db_dsn, "authenticated", learner, video["asset_id"], -1, False) == (
            f"22003: seconds_watched -1.00 is out of range for video {video['asset_id']} "
            f"(0 to {Decimal(str(duration)) + 5:.2f})"
        )
        assert refused(
            db_dsn, "authenticated", learner, video["asset_id"], duration + 60, True
        ).startswith("22003: seconds_watched")
        assert refused(db_dsn, "authenticated", stranger, video["asset_id"], 1, False) == (
            f"P0002: no video {video['asset_id']}"
        )
        assert refused(db_dsn, "authenticated", learner, video["asset_id"], None, False).startswith(
            "22004: a video view needs"
        )
        assert refused(db_dsn, "anon", None, video["asset_id"], 1, False).startswith(
            "42501: permission denied for function record_video_view"
        )
        # a learner reads its own views only; a company admin reads the company's
        with psycopg.connect(db_dsn, autocommit=True) as sync:
            with acting_as(sync, "authenticated", learner) as api:
                assert api.execute("select count(*) from mm_video_analytics").fetchone() == (2,)
            admin = _claims("company_admin", seeded.company_id, uuid.uuid4())
            with acting_as(sync, "authenticated", admin) as api:
                assert api.execute("select count(*) from mm_video_analytics").fetchone() == (3,)
            with acting_as(sync, "authenticated", stranger) as api:
                assert api.execute("select count(*) from mm_video_analytics").fetchone() == (0,)

        def refreshed() -> bool:
            rows = fetch(
                db_dsn,
                "select views from pipeline.analytics_video_views where asset_id = %(a)s",
                {"a": video["asset_id"]},
            )
            return rows == [{"views": 3}]

        with anyio.fail_after(30):  # the daemon's periodic refresh
            while not await anyio.to_thread.run_sync(refreshed):  # noqa: ASYNC110
                await anyio.sleep(0.3)

    watched = [Decimal(str(seconds)) for _, seconds, _ in views]
    expected = {
        "views": 3,
        "viewers": 2,
        "avg_seconds_watched": round(sum(watched) / 3, 2),
        "completion_rate": Decimal("0.6667"),
    }
    (per_video,) = fetch(
        db_dsn,
        "select views, viewers, avg_seconds_watched, completion_rate"
        " from pipeline.analytics_video_views where asset_id = %(a)s",
        {"a": video["asset_id"]},
    )
    (per_module,) = fetch(
        db_dsn,
        "select views, viewers, avg_seconds_watched, completion_rate"
        " from pipeline.analytics_module_views where content_id = %(c)s",
        {"c": video["content_id"]},
    )
    assert per_video == per_module == expected

    stages = {
        row["handler"]: row for row in fetch(db_dsn, "select * from pipeline.analytics_stage_stats")
    }
    (tokens,) = fetch(db_dsn, "select sum(total_tokens) as t from mm_script_generations")
    assert stages["media.script"]["tokens"] == tokens["t"] > 0
    audit = fetch(
        db_dsn,
        "select handler, count(*) as runs from pipeline.audit_log group by handler",
    )
    assert {row["handler"]: row["runs"] for row in audit} == {
        handler: row["runs"] for handler, row in stages.items()
    }
    assert all(row["failure_rate"] == 0 for row in stages.values())
    (loops,) = fetch(
        db_dsn,
        "select enhancement_rounds from pipeline.analytics_enhancement_loops"
        " where content_id = %(c)s",
        {"c": video["content_id"]},
    )
    assert loops["enhancement_rounds"] == 0  # "full" passes its first gate

    record(db_dsn, _claims("learner", seeded.company_id, bob), video["asset_id"], 1, False)
    result = CliRunner().invoke(cli, ["analytics", "refresh"], env={"DATABASE_URL": db_dsn})
    assert result.exit_code == 0, result.output
    assert "refreshed the analytics views" in result.output
    assert fetch(
        db_dsn,
        "select views from pipeline.analytics_video_views where asset_id = %(a)s",
        {"a": video["asset_id"]},
    ) == [{"views": 4}]


@pytest.mark.anyio
async def test_the_run_command_refreshes_beside_the_daemon(
    db_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`lxera-pipeline run` starts serve() with the periodic refresh beside it, and stops the
    refresh when serve() returns."""
    from types import SimpleNamespace

    from lxera_pipeline.cli import daemon as run_module
    from tests.integration.schema_rows import seed_company

    with psycopg.connect(db_dsn, autocommit=True) as conn:
        asset = seed_company(conn)["mm_multimedia_assets"]  # a video without a duration
        conn.execute(
            "insert into mm_video_analytics (asset_id, seconds_watched, completed)"
            " values (%s, 1, false)",
            (asset,),
        )

    def views() -> list[dict[str, Any]]:
        return fetch(
            db_dsn,
            "select views from pipeline.analytics_video_views where asset_id = %(a)s",
            {"a": asset},
        )

    assert views() == []  # not refreshed since the video and its view were recorded

    async def serve_until_refreshed(*_: Any) -> int:
        with anyio.fail_after(20):
            while await anyio.to_thread.run_sync(views) != [{"views": 1}]:  # noqa: ASYNC110
                await anyio.sleep(0.1)
        return 7

    monkeypatch.setattr(run_module, "serve", serve_until_refreshed)
    config = SimpleNamespace(dsn=db_dsn)
    settings = SimpleNamespace(
        analytics_refresh_seconds=0.2, partition_maintenance_seconds=0, dashboard_in_daemon=False
    )
    code = await run_module.serve_with_side_tasks(config, None, None, settings)  # type: ignore[arg-type]
    assert code == 7
