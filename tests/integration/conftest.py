"""Fixtures of the integration tests.

``schema_db`` is one database clone shared by a whole test module: tests that seed companies of
their own and look only at their own rows cannot disturb one another, and the module pays for one
clone instead of one per test (cloning dominates the run time on a small machine).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from tests.support.servers import TestServer


@pytest.fixture
def empty_dsn(pg_server: TestServer) -> Iterator[str]:
    """A database with nothing migrated yet."""
    name = f"lxera_m_{uuid.uuid4().hex[:12]}"
    pg_server.recreate_database(name)
    try:
        yield pg_server.dsn_for(name)
    finally:
        pg_server.drop_database(name)


@pytest.fixture(scope="module")
def schema_dsn(pg_server: TestServer, template_db: str) -> Iterator[str]:
    """A clone of the migrated template shared by one test module."""
    name = f"lxera_s_{uuid.uuid4().hex[:12]}"
    pg_server.clone_database(template_db, name)
    try:
        yield pg_server.dsn_for(name)
    finally:
        pg_server.drop_database(name)


@pytest.fixture(scope="module")
def schema_db(schema_dsn: str) -> Iterator[psycopg.Connection[Any]]:
    """An autocommit connection to the module's shared clone."""
    with psycopg.connect(schema_dsn, autocommit=True) as conn:
        yield conn
