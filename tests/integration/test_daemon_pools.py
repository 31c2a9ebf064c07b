"""The daemon's one pool builder (`Connector`): dict rows, autocommit, keepalives, a named
application per role, and a connection broken while idle replaced before it is handed out."""

from __future__ import annotations

import anyio
import psycopg
import pytest
from pydantic import ValidationError

from lxera_pipeline.listeners.connection import FRESH_SECONDS, KEEPALIVES, Connector
from lxera_pipeline.settings import Settings
from tests.integration.daemon_support import daemon_config

pytestmark = pytest.mark.anyio


async def test_pool_connections_are_configured(db_dsn: str) -> None:
    config = daemon_config(db_dsn)
    async with Connector(config) as connector:
        for pool in (connector.pool, connector.control):
            async with pool.connection() as conn:
                params = conn.info.get_parameters()
                row = await (
                    await conn.execute("select current_setting('application_name') as app")
                ).fetchone()
                assert conn.autocommit is True
            assert row == {"app": f"lxera-pipeline:{config.worker_id}:worker"}  # dict rows
            assert {key: params.get(key) for key in KEEPALIVES} == {
                key: str(value) for key, value in KEEPALIVES.items()
            }


async def test_control_connections_never_jit_compile_the_claim(db_dsn: str) -> None:
    """The claim's estimated cost grows with the backlog; past jit_above_cost its generic plan
    compiled code on every run (~50 ms against ~2 ms of work). The control pool turns JIT off
    and keeps generic plans; the handlers' pool keeps the server's default."""
    async with Connector(daemon_config(db_dsn)) as connector:
        async with connector.control.connection() as conn:
            control = await (
                await conn.execute(
                    "select current_setting('jit') as jit,"
                    " current_setting('plan_cache_mode') as plans"
                )
            ).fetchone()
        async with connector.pool.connection() as conn:
            handlers = await (
                await conn.execute("select current_setting('plan_cache_mode') as plans")
            ).fetchone()
    assert control == {"jit": "off", "plans": "force_generic_plan"}
    assert handlers == {"plans": "auto"}


async def test_pool_replaces_a_connection_killed_while_idle(db_dsn: str) -> None:
    config = daemon_config(db_dsn, pool_size=1)
    async with Connector(config) as connector:
        async with connector.pool.connection() as conn:
            pid = conn.info.backend_pid
        with psycopg.connect(db_dsn, autocommit=True) as admin:
            admin.execute("select pg_terminate_backend(%s)", [pid])
        await anyio.sleep(FRESH_SECONDS * 1.2)  # idle long enough to be checked
        async with connector.pool.connection() as conn:  # the check finds it dead, reconnects
            row = await (await conn.execute("select 1 as one")).fetchone()
            new_pid = conn.info.backend_pid
    assert row == {"one": 1}
    assert new_pid != pid


@pytest.mark.parametrize("size", [0, 201])
def test_pool_sizes_are_validated(size: int) -> None:
    with pytest.raises(ValidationError, match="pool_size"):
        Settings(pool_size=size)
