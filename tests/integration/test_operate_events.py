"""`events list` / `events show` and the exit codes of the operator commands."""

from __future__ import annotations

import json
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner, Result

from lxera_pipeline.cli import cli
from tests.integration.operate_support import (
    BEHAVIOUR,
    new_content,
    run_daemon,
    seed_company,
    set_status,
    subscribe_test_handlers,
)


def invoke(dsn: str, *args: str) -> Result:
    env = {"DATABASE_URL": dsn, "COLUMNS": "250", "LXERA_LOG_LEVEL": "warning"}
    return CliRunner().invoke(cli, list(args), env=env)


@pytest.fixture
def history(db_dsn: str) -> dict[str, Any]:
    """Two content rows: one graded and approved, one whose grader died twice."""
    subscribe_test_handlers(db_dsn)
    with psycopg.connect(db_dsn, autocommit=True) as conn:
        company = seed_company(conn)
        good, bad = new_content(conn, company, "Good"), new_content(conn, company, "Bad")
        set_status(conn, good, "quality_check")
    run_daemon(db_dsn)
    BEHAVIOUR.broken = True
    try:
        with psycopg.connect(db_dsn, autocommit=True) as conn:
            set_status(conn, bad, "quality_check")
        run_daemon(db_dsn)
    finally:
        BEHAVIOUR.broken = False
    return {"dsn": db_dsn, "company": company, "good": good, "bad": bad}


def rows(result: Result) -> list[dict[str, Any]]:
    assert result.exit_code == 0, result.output
    data: list[dict[str, Any]] = json.loads(result.output)
    return data


def transitions(data: list[dict[str, Any]]) -> list[tuple[str | None, str]]:
    return [(row["old_status"], row["new_status"]) for row in data]


def test_list_filters(history: dict[str, Any]) -> None:
    dsn, good, bad = history["dsn"], str(history["good"]), str(history["bad"])
    everything = rows(invoke(dsn, "events", "list", "--json"))
    assert [row["event_id"] for row in everything] == sorted(row["event_id"] for row in everything)
    assert len(everything) == 5  # 2 creations, 2 quality checks, 1 approval
    assert transitions(rows(invoke(dsn, "events", "list", "--entity", good, "--json"))) == [
        (None, "draft"),
        ("draft", "quality_check"),
        ("quality_check", "approved"),
    ]
    dead = rows(invoke(dsn, "events", "list", "--state", "dead", "--json"))
    assert [(row["entity_id"], row["delivery_states"]) for row in dead] == [(bad, {"dead": 1})]
    assert len(rows(invoke(dsn, "events", "list", "--type", "created", "--json"))) == 2
    full_type = "cm_module_content.status_changed"
    assert len(rows(invoke(dsn, "events", "list", "--type", full_type, "--json"))) == 3
    assert len(rows(invoke(dsn, "events", "list", "--status", "approved", "--json"))) == 1
    assert len(rows(invoke(dsn, "events", "list", "--since", "1h", "--json"))) == 5
    assert rows(invoke(dsn, "events", "list", "--until", "1h", "--json")) == []
    assert (
        len(
            rows(
                invoke(
                    dsn,
                    "events",
                    "list",
                    "--company",
                    str(history["company"]),
                    "--table",
                    "cm_module_content",
                    "--json",
                )
            )
        )
        == 5
    )
    newest = rows(invoke(dsn, "events", "list", "--limit", "2", "--json"))
    assert [row["event_id"] for row in newest] == [e["event_id"] for e in everything[-2:]]


def test_list_table_output(history: dict[str, Any]) -> None:
    result = invoke(history["dsn"], "events", "list", "--entity", str(history["bad"]))
    assert result.exit_code == 0, result.output
    assert str(history["bad"]) in result.output
    assert "draft -> quality_check" in result.output
    assert "dead 1" in result.output


def test_show_has_deliveries_audit_tracebacks_cause_and_effects(history: dict[str, Any]) -> None:
    dsn = history["dsn"]
    [gate] = rows(
        invoke(
            dsn,
            "events",
            "list",
            "--entity",
            str(history["good"]),
            "--status",
            "quality_check",
            "--json",
        )
    )
    detail = json.loads(invoke(dsn, "events", "show", str(gate["event_id"]), "--json").output)
    assert [d["state"] for d in detail["deliveries"]] == ["done"]
    assert [a["outcome"] for a in detail["audit"]] == ["succeeded"]
    assert [(e["old_status"], e["new_status"]) for e in detail["caused"]] == [
        ("quality_check", "approved")
    ]
    approval = detail["caused"][0]["event_id"]
    caused_detail = json.loads(invoke(dsn, "events", "show", str(approval), "--json").output)
    assert caused_detail["cause"]["event_id"] == gate["event_id"]

    [failed] = rows(invoke(dsn, "events", "list", "--state", "dead", "--json"))
    shown = invoke(dsn, "events", "show", str(failed["event_id"]))
    assert shown.exit_code == 0, shown.output
    assert shown.output.count("grader bug: division by zero") >= 3  # delivery + 2 audit rows
    assert "Traceback (most recent call last)" in shown.output
    assert "traceback of optest.grader (attempt 1, 2)" in shown.output
    assert "dead" in shown.output


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("events", "show", "999999"), 3, "no event with id 999999"),
        (("events", "list", "--since", "yesterday"), 2, "--since: 'yesterday' is neither"),
        (("events", "list", "--entity", "not-a-uuid"), 2, "--entity: 'not-a-uuid' is not a UUID"),
        (("events", "list", "--table", "nope"), 2, "--table: 'nope' has no tracked status"),
        (("events", "list", "--state", "lost"), 2, "'lost' is not one of"),
        (("events", "list", "--since", "1h", "--until", "2h"), 2, "must be before --until"),
        (("timeline", "00000000-0000-0000-0000-000000000000"), 3, "no events for entity"),
        (("replay", "--dry-run"), 2, "choose events with --event"),
        (("replay", "--event", "999999", "--reason", "x"), 3, "event 999999 not found"),
        (("dead", "retry"), 2, "name deliveries (--delivery), a filter, or --all"),
        (("dead", "retry", "--delivery", "999999"), 3, "no dead delivery with id 999999"),
        (("prune", "--older-than", "soon"), 2, "--older-than: 'soon' is not a duration"),
    ],
)
def test_exit_codes(schema_dsn: str, args: tuple[str, ...], code: int, message: str) -> None:
    result = invoke(schema_dsn, *args)
    assert result.exit_code == code, result.output
    assert message in result.output
