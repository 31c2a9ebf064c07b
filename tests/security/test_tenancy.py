"""Tenancy across tables, replayed as a hostile company admin (API role `authenticated` with a
company_admin's JWT claims): no reference from company A's rows reaches company B's, A cannot
hang events into B's timeline, the API roles reach nothing in the `pipeline` schema, and no
SECURITY DEFINER function can be steered by the caller's search_path or temporary tables."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
import pytest
from psycopg import errors, sql

from lxera_pipeline.handlers.registry import load_builtin_handlers, registry
from lxera_pipeline.handlers.sync import sync_subscriptions_sync
from tests.integration.schema_rows import Conn, acting_as, insert_row, seed_company, set_column

Ids = dict[str, uuid.UUID]

# (table, column, referenced table): every reference from one company-owned row to another.
ROW_LINKS = (
    ("employees", "manager_id", "employees"),
    ("cm_module_content", "parent_content_id", "cm_module_content"),
    ("cm_module_content", "last_enhancement_id", "cm_enhancement_sessions"),
    ("cm_enhancement_sessions", "quality_assessment_id", "cm_quality_assessments"),
    ("mm_multimedia_assets", "parent_asset_id", "mm_multimedia_assets"),
    ("mm_slide_presentations", "pdf_asset_id", "mm_multimedia_assets"),
    ("mm_slide_presentations", "pptx_asset_id", "mm_multimedia_assets"),
    ("mm_slide_presentations", "html_asset_id", "mm_multimedia_assets"),
    ("mm_audio_narrations", "master_audio_id", "mm_multimedia_assets"),
)
USER_LINKS = (
    ("cm_course_plans", "approved_by"),
    ("cm_module_content", "created_by"),
    ("cm_module_content", "last_edited_by"),
    ("cm_quality_assessments", "assessed_by"),
    ("cm_enhancement_sessions", "initiated_by"),
    ("mm_multimedia_sessions", "initiated_by"),
)


@pytest.fixture(scope="module")
def companies(schema_db: Conn) -> tuple[Ids, Ids]:
    """Companies A and B, each with one row in every workflow table."""
    return seed_company(schema_db), seed_company(schema_db)


def _admin(ids: Ids) -> dict[str, Any]:
    return {"sub": str(ids["users"]), "role": "company_admin", "company_id": str(ids["companies"])}


# A foreign reference is refused to the admin: by the same-company key, or earlier by the column
# privileges where the column is the pipeline's own.
REFUSED = (errors.ForeignKeyViolation, errors.InsufficientPrivilege)


@pytest.mark.parametrize(("table", "column", "target"), ROW_LINKS)
def test_an_admin_cannot_point_a_reference_at_another_companys_row(
    schema_db: Conn, companies: tuple[Ids, Ids], table: str, column: str, target: str
) -> None:
    mine, theirs = companies
    with (
        acting_as(schema_db, "authenticated", _admin(mine)) as conn,
        pytest.raises(REFUSED) as refused,
    ):
        set_column(conn, table, mine[table], column, theirs[target])
    assert str(theirs["companies"]) not in str(refused.value)
    # The key itself holds for every writer, the service key's too.
    with acting_as(schema_db, "service_role") as conn:
        assert set_column(conn, table, mine[table], column, mine[target]) == 1
        with pytest.raises(errors.ForeignKeyViolation), conn.transaction():
            set_column(conn, table, mine[table], column, theirs[target])


@pytest.mark.parametrize(("table", "column"), [*USER_LINKS, ("employees", "user_id")])
def test_an_admin_cannot_name_another_companys_user(
    schema_db: Conn, companies: tuple[Ids, Ids], table: str, column: str
) -> None:
    mine, theirs = companies
    super_admin = insert_row(schema_db, "users", mine, role="super_admin", company_id=None)
    with acting_as(schema_db, "authenticated", _admin(mine)) as conn:
        if column != "user_id":  # an employee's user is unique: only the foreign one is tried
            assert set_column(conn, table, mine[table], column, mine["users"]) == 1
            assert set_column(conn, table, mine[table], column, super_admin) == 1
        with (
            pytest.raises(errors.ForeignKeyViolation, match="a user of the row's company"),
            conn.transaction(),
        ):
            set_column(conn, table, mine[table], column, theirs["users"])


def test_a_narrations_segments_stay_in_its_company(
    schema_db: Conn, companies: tuple[Ids, Ids]
) -> None:
    mine, theirs = companies
    narration, asset = mine["mm_audio_narrations"], mine["mm_multimedia_assets"]
    column = "segments_audio_ids"
    with (
        acting_as(schema_db, "authenticated", _admin(mine)) as conn,
        pytest.raises(REFUSED),
    ):
        set_column(conn, "mm_audio_narrations", narration, column, [theirs["mm_multimedia_assets"]])
    with acting_as(schema_db, "service_role") as conn:
        assert set_column(conn, "mm_audio_narrations", narration, column, [asset])
        for foreign in ([theirs["mm_multimedia_assets"]], [asset, uuid.uuid4()]):
            with (
                pytest.raises(errors.ForeignKeyViolation, match="assets of the row's company"),
                conn.transaction(),
            ):
                set_column(conn, "mm_audio_narrations", narration, column, foreign)


def test_every_reference_between_company_rows_carries_the_company(schema_db: Conn) -> None:
    """The catalog itself: a foreign key between two tables that both have company_id pairs the
    two company_id columns; a reference to users has its same-company trigger."""
    single = schema_db.execute(
        """
        select c.conrelid::regclass::text, c.conname
          from pg_constraint c
         where c.contype = 'f'
           and c.connamespace = 'public'::regnamespace
           and exists (select 1 from pg_attribute a where a.attrelid = c.conrelid
                          and a.attname = 'company_id' and not a.attisdropped)
           and exists (select 1 from pg_attribute a where a.attrelid = c.confrelid
                          and a.attname = 'company_id' and not a.attisdropped)
           and not exists (
               select 1 from unnest(c.conkey, c.confkey) as k(mine, theirs)
                 join pg_attribute m on m.attrelid = c.conrelid and m.attnum = k.mine
                 join pg_attribute t on t.attrelid = c.confrelid and t.attnum = k.theirs
                where m.attname = 'company_id' and t.attname = 'company_id')
           and c.confrelid not in ('public.companies'::regclass, 'public.users'::regclass)
        """
    ).fetchall()
    assert single == []
    user_refs = schema_db.execute(
        """
        select c.conrelid::regclass::text || '.' || a.attname
          from pg_constraint c
          join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
         where c.contype = 'f' and c.confrelid = 'public.users'::regclass
           and c.conrelid <> 'public.users'::regclass
           and not exists (select 1 from pg_trigger t
                            where t.tgrelid = c.conrelid
                              and t.tgname = c.conrelid::regclass::text || '_' || a.attname
                                             || '_company')
        """
    ).fetchall()
    assert user_refs == []


def _events_of(conn: Conn, entity: uuid.UUID) -> list[tuple[Any, ...]]:
    return conn.execute(
        "select correlation_id, causation_id from pipeline.events where entity_id = %s "
        "order by event_id",
        (entity,),
    ).fetchall()


def test_an_api_writer_cannot_add_events_to_another_companys_timeline(
    schema_db: Conn, companies: tuple[Ids, Ids]
) -> None:
    mine, theirs = companies
    their_plan = theirs["cm_course_plans"]
    row = schema_db.execute(
        "select max(event_id) from pipeline.events where company_id = %s", (theirs["companies"],)
    ).fetchone()
    assert row is not None
    their_event = row[0]
    assert their_event is not None
    content = insert_row(schema_db, "cm_module_content", mine)
    with acting_as(schema_db, "authenticated", _admin(mine)) as conn:
        conn.execute("select set_config('pipeline.correlation_id', %s, true)", (str(their_plan),))
        conn.execute("select set_config('pipeline.causation_id', %s, true)", (str(their_event),))
        assert set_column(conn, "cm_module_content", content, "status", "quality_check") == 1
        conn.execute("reset role")
        assert _events_of(conn, content)[-1] == (content, None)
        # What the operator's timeline of B's plan reads (correlation and causation) holds
        # nothing of company A.
        foreign = conn.execute(
            "select count(*) from pipeline.events where company_id = %s "
            "and (correlation_id = %s or causation_id = %s)",
            (mine["companies"], their_plan, their_event),
        ).fetchone()
        assert foreign == (0,)


def test_the_daemon_still_chains_the_events_its_handlers_cause(
    schema_db: Conn, companies: tuple[Ids, Ids]
) -> None:
    mine, _ = companies
    content, correlation = insert_row(schema_db, "cm_module_content", mine), uuid.uuid4()
    with schema_db.transaction(force_rollback=True):
        schema_db.execute(
            "select set_config('pipeline.correlation_id', %s, true)", (str(correlation),)
        )
        schema_db.execute("select set_config('pipeline.causation_id', '77', true)")
        set_column(schema_db, "cm_module_content", content, "status", "quality_check")
        assert _events_of(schema_db, content)[-1] == (correlation, 77)


@pytest.mark.parametrize("role", ["anon", "authenticated"])
def test_api_roles_can_neither_read_nor_write_the_pipeline_schema(
    schema_db: Conn, role: str
) -> None:
    tables = [
        name
        for (name,) in schema_db.execute(
            "select 'pipeline.' || quote_ident(relname) from pg_class "
            "where relnamespace = 'pipeline'::regnamespace and relkind in ('r', 'p', 'v', 'S')"
        )
    ]
    assert "pipeline.events" in tables
    row = schema_db.execute("select has_schema_privilege(%s, 'pipeline', 'usage')", (role,))
    assert row.fetchone() == (False,)
    for table in tables:
        for privilege in ("select", "insert", "update", "delete"):
            if table.endswith("_seq"):
                continue
            granted = schema_db.execute(
                "select has_table_privilege(%s, %s, %s)", (role, table, privilege)
            ).fetchone()
            assert granted == (False,), (role, table, privilege)
    claims = {"role": "super_admin", "company_id": str(uuid.uuid4())}
    attempts = (
        "select count(*) from pipeline.events",
        "select count(*) from pipeline.audit_log",
        "insert into pipeline.events (event_type, table_name, status_column, entity_id, "
        "new_status, correlation_id, actor_role) values ('x', 'x', 'x', gen_random_uuid(), 'x', "
        "gen_random_uuid(), 'x')",
        "select count(*) from pipeline.unrouted_events()",
        "select pipeline.route_events()",
    )
    for attempt in attempts:
        with (
            acting_as(schema_db, role, claims) as conn,
            pytest.raises(errors.InsufficientPrivilege),
        ):
            conn.execute(attempt)


def test_every_security_definer_function_pins_its_search_path(schema_dsn: str) -> None:
    """After migrate, the handler sync and a newly tracked table (which generates its status
    trigger function), no SECURITY DEFINER function in the database may run with the caller's
    search_path, nor search pg_temp before the catalog."""
    load_builtin_handlers()
    sync_subscriptions_sync(schema_dsn, list(registry))
    with (
        psycopg.connect(schema_dsn, autocommit=True) as conn,
        conn.transaction(force_rollback=True),
    ):
        conn.execute("create table public.sec_tracked (id uuid primary key, status text)")
        conn.execute(
            "select pipeline.allow_transitions('sec_tracked', 'status', "
            "array[['new', 'a'], ['a', 'b']])"
        )
        conn.execute("select pipeline.track_status('public.sec_tracked', 'status', 'id')")
        rows = conn.execute(
            """
            select p.oid::regprocedure::text,
                   (select c from unnest(p.proconfig) as c where c like 'search_path=%%')
              from pg_proc p
             where p.prosecdef
            """
        ).fetchall()
    names = [name for name, _ in rows]
    assert "pipeline.emit_sec_tracked_status()" in names
    assert "pipeline.route_events(text[])" in names
    unpinned = [name for name, path in rows if path is None]
    assert unpinned == []
    temp_first = [name for name, path in rows if not path.rstrip().endswith("pg_temp")]
    assert temp_first == []


def _writer_in_flight(dsn: str, company: uuid.UUID) -> tuple[psycopg.Connection[Any], int]:
    """A writer that recorded an event and has not committed yet."""
    writer = psycopg.connect(dsn)
    ids = {"companies": company}
    ids["users"] = insert_row(writer, "users", ids)
    ids["employees"] = insert_row(writer, "employees", ids)
    ids["cm_course_plans"] = insert_row(writer, "cm_course_plans", ids)
    row = writer.execute("select max(event_id) from pipeline.events").fetchone()
    assert row is not None
    return writer, int(row[0])


@pytest.mark.parametrize("decoy", ["pg_locks", "pg_database"])
def test_a_temporary_catalog_look_alike_does_not_change_routing(
    schema_dsn: str, companies: tuple[Ids, Ids], decoy: str
) -> None:
    """The router must not count an event whose writer is still in flight as routed; a temporary
    table named like a catalog it could read must not change that."""
    mine, _ = companies
    writer, event_id = _writer_in_flight(schema_dsn, mine["companies"])
    try:
        txid = writer.execute(
            "select txid from pipeline.events where event_id = %s", (event_id,)
        ).fetchone()
        assert txid is not None
        with psycopg.connect(schema_dsn, autocommit=True) as router:
            router.execute(
                sql.SQL("create temp table {} as select * from pg_catalog.{} where false").format(
                    sql.Identifier(decoy), sql.Identifier(decoy)
                )
            )
            router.execute("select pipeline.route_events()")
            row = router.execute(
                "select pg_visible_in_snapshot(%s::xid8, last_snapshot) from pipeline.router_state",
                (str(txid[0]),),
            ).fetchone()
            assert row == (False,)
    finally:
        writer.rollback()
        writer.close()
