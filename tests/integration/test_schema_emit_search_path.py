"""The generated emit trigger runs with its owner's rights, so nothing a caller puts on its path
may change what it does: an API user with temporary look-alike types and tables still records the
right event in pipeline.events (and, being an API writer, starts its own event chain whatever
pipeline.correlation_id / causation_id it set)."""

from __future__ import annotations

import uuid

from tests.integration.schema_rows import Conn, acting_as, seed_company, set_column

DECOYS = (
    "create type pg_temp.uuid as enum ('decoy')",
    "create type pg_temp.int8 as enum ('decoy')",
    "create type pg_temp.text as enum ('decoy')",
    "create temp table events (event_id int)",
    "set local search_path = pg_temp, public",
)


def _chain_of_quality_check(conn: Conn, content: uuid.UUID) -> tuple[object, ...] | None:
    """(correlation_id, causation_id, actor_role) of the content's move to quality_check."""
    return conn.execute(
        "select correlation_id, causation_id, actor_role from pipeline.events"
        " where entity_id = %s and new_status = 'quality_check'",
        (content,),
    ).fetchone()


def test_an_api_users_hostile_search_path_changes_nothing(schema_db: Conn) -> None:
    ids = seed_company(schema_db)
    content, correlation = ids["cm_module_content"], uuid.uuid4()
    claims = {
        "sub": str(ids["users"]),
        "role": "company_admin",
        "company_id": str(ids["companies"]),
    }
    with acting_as(schema_db, "authenticated", claims) as conn:
        for statement in DECOYS:
            conn.execute(statement)
        conn.execute("select set_config('pipeline.correlation_id', %s, true)", (str(correlation),))
        conn.execute("select set_config('pipeline.causation_id', '77', true)")
        set_column(conn, "cm_module_content", content, "status", "quality_check")
        assert conn.execute("select count(*) from pg_temp.events").fetchone() == (0,)
        conn.execute("reset role")
        row = _chain_of_quality_check(conn, content)
    assert row == (content, None, "authenticated")


def test_a_regenerated_status_trigger_is_pinned_without_the_event_trigger(
    schema_db: Conn,
) -> None:
    """Where migrations run without a superuser there is no event trigger to pin functions
    created later; the generated status trigger carries its search_path itself."""
    with schema_db.transaction(force_rollback=True):
        schema_db.execute("drop event trigger pipeline_pin_definer_search_path")
        schema_db.execute(
            "select pipeline.allow_transitions('cm_module_content', 'status',"
            " array[array['draft', 'draft']])"
        )
        row = schema_db.execute(
            "select p.prosecdef, p.proconfig from pg_proc p"
            " where p.oid = 'pipeline.emit_cm_module_content_status'::regproc"
        ).fetchone()
    assert row == (True, ["search_path=pg_catalog, pg_temp"])


def test_an_api_writer_without_chain_settings_starts_its_own_chain(schema_db: Conn) -> None:
    """The common path (no correlation or causation setting) records the entity as its own
    correlation and no causation, for API writers and others alike."""
    ids = seed_company(schema_db)
    content = ids["cm_module_content"]
    claims = {
        "sub": str(ids["users"]),
        "role": "company_admin",
        "company_id": str(ids["companies"]),
    }
    with acting_as(schema_db, "authenticated", claims) as conn:
        set_column(conn, "cm_module_content", content, "status", "quality_check")
        conn.execute("reset role")
        row = _chain_of_quality_check(conn, content)
    assert row == (content, None, "authenticated")
