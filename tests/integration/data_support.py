"""Helpers of the data API tests: a connection that records every statement it sends, and seed
rows (company, user, employee, plan, content, session) made with plain SQL or the API.

Each test seeds a company of its own and looks only at its own rows, so the tests of one module
share one database clone (`schema_dsn`) instead of paying for a clone per test.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from psycopg import AsyncConnection, AsyncCursor
from psycopg.rows import dict_row

from lxera_pipeline.data import content, multimedia, plans
from lxera_pipeline.data.content_models import ModuleContent
from lxera_pipeline.data.media_models import MultimediaSession
from lxera_pipeline.data.plan_models import CoursePlan


class RecordingConnection(AsyncConnection[Any]):
    """An autocommit connection whose cursors log ``(method, query text)`` of every call."""

    statements: list[tuple[str, str]]

    def forget(self) -> None:
        self.statements.clear()


class RecordingCursor(AsyncCursor[Any]):
    def _log(self, method: str, query: Any) -> None:
        text = query.as_string(self.connection) if hasattr(query, "as_string") else str(query)
        conn = self.connection
        assert isinstance(conn, RecordingConnection)
        conn.statements.append((method, text))

    async def execute(self, query: Any, params: Any = None, **kwargs: Any) -> RecordingCursor:
        self._log("execute", query)
        await super().execute(query, params, **kwargs)
        return self

    async def executemany(self, query: Any, params_seq: Any, **kwargs: Any) -> None:
        self._log("executemany", query)
        await super().executemany(query, params_seq, **kwargs)


async def recording_connection(dsn: str) -> RecordingConnection:
    conn = await RecordingConnection.connect(dsn, autocommit=True, cursor_factory=RecordingCursor)
    conn.statements = []
    return conn


@dataclass(frozen=True)
class Seed:
    company_id: uuid.UUID
    user_id: uuid.UUID
    employee_id: uuid.UUID


@dataclass(frozen=True)
class DataCtx:
    """What a data API test works with: a recording connection and one seeded company."""

    conn: RecordingConnection
    seed: Seed


@asynccontextmanager
async def data_context(dsn: str) -> AsyncIterator[DataCtx]:
    conn = await recording_connection(dsn)
    try:
        seed = await seed_company(conn)
        conn.forget()
        yield DataCtx(conn, seed)
    finally:
        await conn.close()


async def _one(conn: AsyncConnection[Any], query: str, params: Iterable[Any]) -> Any:
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(query, list(params))
        row = await cur.fetchone()
        assert row is not None
        return row["id"]


async def seed_company(conn: AsyncConnection[Any]) -> Seed:
    """A company with one user who is an employee."""
    tag = uuid.uuid4().hex[:10]
    company = await _one(
        conn,
        "insert into public.companies (name, domain) values (%s, %s) returning id",
        [f"Company {tag}", f"{tag}.example"],
    )
    user = await _one(
        conn,
        "insert into public.users (email, full_name, company_id) values (%s, %s, %s) returning id",
        [f"{tag}@example.com", "Ada Lovelace", company],
    )
    employee = await _one(
        conn,
        "insert into public.employees (user_id, company_id) values (%s, %s) returning id",
        [user, company],
    )
    return Seed(company, user, employee)


async def make_plan(conn: AsyncConnection[Any], seed: Seed, **values: Any) -> CoursePlan:
    return await plans.create_course_plan(
        conn,
        company_id=seed.company_id,
        employee_id=seed.employee_id,
        employee_name="Ada Lovelace",
        session_id="session-1",
        **values,
    )


async def make_content(conn: AsyncConnection[Any], seed: Seed, **values: Any) -> ModuleContent:
    defaults: dict[str, Any] = {
        "module_name": "Financial Analysis Fundamentals",
        "employee_name": "Ada Lovelace",
        "session_id": "session-1",
        "sections": {"introduction": "Welcome to financial analysis", "core_content": "Ratios"},
    }
    return await content.create_module_content(
        conn, company_id=seed.company_id, **(defaults | values)
    )


async def make_session(
    conn: AsyncConnection[Any], seed: Seed, **values: Any
) -> tuple[ModuleContent, MultimediaSession]:
    module = await make_content(conn, seed)
    session = await multimedia.create_multimedia_session(
        conn, content_id=module.content_id, **values
    )
    return module, session


async def events_of(conn: AsyncConnection[Any], entity_id: uuid.UUID) -> list[dict[str, Any]]:
    """The entity's events, oldest first."""
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            "select event_type, status_column, old_status, new_status, company_id"
            "  from pipeline.events where entity_id = %s order by event_id",
            [entity_id],
        )
        return await cur.fetchall()


async def row_of(conn: AsyncConnection[Any], table: str, key: str, value: Any) -> dict[str, Any]:
    """The raw row (for 'unchanged' checks), read with plain SQL."""
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(f"select * from public.{table} where {key} = %s", [value])
        row = await cur.fetchone()
        assert row is not None
        return row
