"""Resolving the DSN the process talks to, and the checks a DSN must pass."""

from __future__ import annotations

from urllib.parse import urlsplit

import psycopg.conninfo

from lxera_pipeline.settings import Settings

TRANSACTION_POOLER_PORT = 6543


class DsnError(ValueError):
    """A DSN that cannot be used for what it was given for."""


def resolve_dsn(settings: Settings) -> str:
    """DATABASE_URL when set, otherwise the embedded server (started on demand)."""
    if settings.database_url:
        return settings.database_url.get_secret_value()
    from lxera_pipeline.db.embedded import start_embedded

    return start_embedded(settings.data_dir)


def _port_of(dsn: str) -> int | None:
    if "://" in dsn:
        port = urlsplit(dsn).port
        return int(port) if port else None
    params = psycopg.conninfo.conninfo_to_dict(dsn)
    port_value = params.get("port")
    return int(str(port_value)) if port_value else None


def check_listen_dsn(dsn: str) -> None:
    """Refuse a transaction-mode pooler for LISTEN: it drops notifications silently."""
    if _port_of(dsn) == TRANSACTION_POOLER_PORT:
        raise DsnError(
            "the LISTEN connection points at port 6543, a transaction-mode pooler, where "
            "LISTEN/NOTIFY is silently lost; use the direct connection (db.<ref>.supabase.co:5432) "
            "or the session-mode pooler (port 5432) via LXERA_LISTEN_DATABASE_URL"
        )


def with_connect_timeout(dsn: str, seconds: float) -> str:
    """``dsn`` with libpq's ``connect_timeout`` (whole seconds) unless it sets one itself, so no
    connection waits forever on a server that does not answer."""
    try:
        if "connect_timeout" in psycopg.conninfo.conninfo_to_dict(dsn):
            return dsn
    except psycopg.ProgrammingError:
        return dsn  # reported, without the DSN, where it is first used
    return with_params(dsn, connect_timeout=max(1, round(seconds)))


def with_params(dsn: str, **params: str | int) -> str:
    """Return ``dsn`` with extra libpq parameters (application_name, keepalives, ...)."""
    return psycopg.conninfo.make_conninfo(dsn, **params)
