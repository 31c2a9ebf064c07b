"""Where the tests' PostgreSQL comes from, and database create/clone/drop helpers."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql


@dataclass
class TestServer:
    """A PostgreSQL server the tests may create databases on."""

    admin_dsn: str
    kind: str
    _closers: list[Any] = field(default_factory=list)

    def dsn_for(self, database: str) -> str:
        return psycopg.conninfo.make_conninfo(self.admin_dsn, dbname=database)

    def _admin(self, statement: sql.Composed) -> None:
        with psycopg.connect(self.admin_dsn, autocommit=True) as conn:
            conn.execute(statement)

    def recreate_database(self, name: str) -> None:
        self.drop_database(name)
        self._admin(sql.SQL("create database {}").format(sql.Identifier(name)))

    def clone_database(self, template: str, name: str) -> None:
        self._admin(
            sql.SQL("create database {} template {}").format(
                sql.Identifier(name), sql.Identifier(template)
            )
        )

    def drop_database(self, name: str) -> None:
        self._admin(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))

    def server_version(self) -> int:
        with psycopg.connect(self.admin_dsn) as conn:
            return conn.info.server_version

    def close(self) -> None:
        for closer in reversed(self._closers):
            closer()


def _docker_answers() -> bool:
    if not shutil.which("docker"):
        return False
    try:
        import docker  # type: ignore[import-untyped]

        docker.from_env().ping()
    except Exception:
        return False
    return True


def _from_testcontainers() -> TestServer:
    from testcontainers.postgres import PostgresContainer

    container = PostgresContainer("postgres:15", driver=None)
    container.start()
    server = TestServer(container.get_connection_url(), "testcontainers")
    server._closers.append(container.stop)
    return server


def _from_embedded() -> TestServer:
    from lxera_pipeline.db.embedded import start_embedded, stop_embedded

    keep = os.environ.get("LXERA_TEST_EMBEDDED_DIR")
    data_dir = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="lxera-embedded-"))
    dsn = start_embedded(data_dir)
    server = TestServer(psycopg.conninfo.make_conninfo(dsn, dbname="postgres"), "embedded")
    if not keep:
        server._closers.append(lambda: shutil.rmtree(data_dir, ignore_errors=True))
        server._closers.append(lambda: stop_embedded(data_dir))
    return server


def pick_server() -> TestServer:
    url = os.environ.get("LXERA_TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if url:
        return TestServer(psycopg.conninfo.make_conninfo(url, dbname="postgres"), "url")
    if _docker_answers():
        return _from_testcontainers()
    return _from_embedded()
