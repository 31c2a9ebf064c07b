"""Fixtures of the acceptance tests: a database with the acceptance table, and daemon processes."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from lxera_pipeline.db.migrate import migrate
from lxera_pipeline.handlers.registry import registry
from lxera_pipeline.handlers.sync import sync_subscriptions_sync
from tests.acceptance.private_server import PrivateServer
from tests.acceptance.support import HANDLERS_MODULE, DaemonPool, Jobs

SCHEMA = Path(__file__).with_name("schema.sql")


def prepare_database(dsn: str) -> None:
    """Create the acceptance table and sync the acceptance handlers' subscriptions.

    The status trigger only fans events out to subscriptions that exist, so events written before
    any daemon started need these rows first.
    """
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(SCHEMA.read_text())
    sync_subscriptions_sync(dsn, registry.select(HANDLERS_MODULE))


@pytest.fixture
def acc_dsn(db_dsn: str) -> str:
    prepare_database(db_dsn)
    return db_dsn


@pytest.fixture
def jobs(acc_dsn: str) -> Jobs:
    return Jobs(acc_dsn)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item) -> Iterator[None]:
    report = yield
    item.stash.setdefault(_FAILED, False)
    if report.failed:  # type: ignore[attr-defined]
        item.stash[_FAILED] = True
    return report


_FAILED = pytest.StashKey[bool]()


@pytest.fixture
def pool(acc_dsn: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[DaemonPool]:
    daemons = DaemonPool(acc_dsn, tmp_path)
    try:
        yield daemons
    finally:
        daemons.close()
        if request.node.stash.get(_FAILED, False):
            print(daemons.logs())


@pytest.fixture
def private_server() -> Iterator[PrivateServer]:
    server = PrivateServer.start_in(Path(tempfile.mkdtemp(prefix="lxera-acc-pg-")))
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def private_pool(private_server: PrivateServer, tmp_path: Path) -> Iterator[DaemonPool]:
    dsn = private_server.create_database("acceptance")
    migrate(dsn)
    prepare_database(dsn)
    daemons = DaemonPool(dsn, tmp_path)
    try:
        yield daemons
    finally:
        daemons.close()
