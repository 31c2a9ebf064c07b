"""open_pool: dict rows, keepalives, application_name, and broken idle connections replaced."""

from __future__ import annotations

import psycopg
import pytest

from lxera_pipeline.data.errors import DataValidationError
from lxera_pipeline.data.pool import KEEPALIVES, open_pool

pytestmark = pytest.mark.anyio


async def test_pool_connections_are_configured(schema_dsn: str) -> None:
    pool = await open_pool(schema_dsn, min_size=1, max_size=2, application_name="data-pool-test")
    try:
        async with pool.connection() as conn:
            params = conn.info.get_parameters()
            row = await (
                await conn.execute("select current_setting('application_name') as app")
            ).fetchone()
            assert conn.autocommit is True
    finally:
        await pool.close()
    assert row == {"app": "data-pool-test"}  # dict rows, name set on the server
    assert {key: params.get(key) for key in KEEPALIVES} == {
        key: str(value) for key, value in KEEPALIVES.items()
    }


async def test_pool_replaces_a_connection_killed_while_idle(schema_dsn: str) -> None:
    pool = await open_pool(schema_dsn, min_size=1, max_size=1, application_name="data-pool-kill")
    try:
        async with pool.connection() as conn:
            pid = conn.info.backend_pid
        with psycopg.connect(schema_dsn, autocommit=True) as admin:
            admin.execute("select pg_terminate_backend(%s)", [pid])
        async with pool.connection() as conn:  # the check finds it dead and reconnects
            row = await (await conn.execute("select 1 as one")).fetchone()
            new_pid = conn.info.backend_pid
    finally:
        await pool.close()
    assert row == {"one": 1}
    assert new_pid != pid


@pytest.mark.parametrize(
    ("min_size", "max_size", "argument"), [(-1, 2, "min_size"), (3, 2, "max_size")]
)
async def test_pool_sizes_are_validated(min_size: int, max_size: int, argument: str) -> None:
    with pytest.raises(DataValidationError, match=f"invalid {argument}"):
        await open_pool("dbname=never_contacted", min_size=min_size, max_size=max_size)
