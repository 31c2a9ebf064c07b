"""The first contact with the database server: reachable, login accepted, version supported.

`migrate` and `run` call :func:`check_server` before anything else, so an unreachable server, a
refused login or a server older than PostgreSQL 15 is reported in one line within the connect
timeout (10 s by default) instead of as a pool timeout or a traceback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import psycopg
import psycopg.conninfo

from lxera_pipeline.errors import OperatorError

# The oldest server the project is tested on (PostgreSQL 15; the embedded server is 18). Older
# servers are refused rather than run untested.
MIN_SERVER_VERSION = 150000
MIN_SERVER_VERSION_TEXT = "15"
_AUTH_FAILURE = re.compile(
    r"password authentication failed|authentication failed|no password supplied|"
    r"password is required|no pg_hba\.conf entry|role \"[^\"]*\" does not exist|"
    r"permission denied for database",
    re.IGNORECASE,
)
_NO_DATABASE = re.compile(r'database "[^"]*" does not exist', re.IGNORECASE)


class DatabaseServerError(OperatorError):
    """The database server cannot be used; the message names what is wrong and the fix."""


class DatabaseUnreachable(DatabaseServerError):
    """No answer from the server (down, wrong host or port, firewall, timeout)."""


class DatabaseLoginRefused(DatabaseServerError):
    """The server answered and refused the login (password, user, pg_hba.conf, database)."""


class UnsupportedServer(DatabaseServerError):
    """The server's PostgreSQL version is older than the minimum."""


@dataclass(frozen=True)
class ServerInfo:
    version_num: int
    user: str
    database: str

    @property
    def version(self) -> str:
        return version_text(self.version_num)


def version_text(number: int) -> str:
    """``150004`` -> ``15.4``; ``90624`` -> ``9.6.24``."""
    if number >= 100000:
        return f"{number // 10000}.{number % 10000}"
    return f"{number // 10000}.{number // 100 % 100}.{number % 100}"


def where(dsn: str) -> str:
    """``host:port/dbname as user`` of a DSN, never its password."""
    try:
        params = psycopg.conninfo.conninfo_to_dict(dsn)
    except psycopg.ProgrammingError:
        return "the configured database"
    host = str(params.get("host") or params.get("hostaddr") or "localhost")
    port = str(params.get("port") or "5432")
    spot = f"{host}:{port}/{params.get('dbname') or params.get('user') or ''}"
    return f"{spot} as {params['user']}" if params.get("user") else spot


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0].removeprefix("connection failed: ") if text else type(exc).__name__


def check_server(dsn: str, timeout_seconds: float = 10.0) -> ServerInfo:
    """Connect once and check the server's version; a :class:`DatabaseServerError` otherwise."""
    spot = where(dsn)
    timeout = max(1, round(timeout_seconds))
    try:
        conn = psycopg.connect(
            dsn, connect_timeout=timeout, application_name="lxera-pipeline:check"
        )
    except psycopg.ProgrammingError:
        raise DatabaseLoginRefused(
            "DATABASE_URL cannot be parsed as a PostgreSQL connection string; "
            "use postgresql://user:password@host:5432/dbname"
        ) from None
    except psycopg.errors.ConnectionTimeout:
        raise DatabaseUnreachable(
            f"the database at {spot} did not answer within {timeout} s; check DATABASE_URL "
            "(host, port) and that the server is running and reachable"
        ) from None
    except psycopg.OperationalError as exc:
        detail = _first_line(exc)
        if _NO_DATABASE.search(detail):
            raise DatabaseLoginRefused(
                f"the database server refused {spot}: {detail}; create the database or fix "
                "the database name in DATABASE_URL"
            ) from None
        if _AUTH_FAILURE.search(detail):
            raise DatabaseLoginRefused(
                f"the database server refused the login to {spot}: {detail}; check the user "
                "and password in DATABASE_URL"
            ) from None
        raise DatabaseUnreachable(
            f"cannot reach the database at {spot}: {detail}; check DATABASE_URL (host, port) "
            "and that the server is running"
        ) from None
    with conn:
        info = ServerInfo(conn.info.server_version, conn.info.user, conn.info.dbname)
    check_version(info.version_num, spot)
    return info


def check_version(version_num: int, spot: str = "the database") -> None:
    if version_num < MIN_SERVER_VERSION:
        raise UnsupportedServer(
            f"{spot} runs PostgreSQL {version_text(version_num)}; lxera-pipeline needs "
            f"PostgreSQL {MIN_SERVER_VERSION_TEXT} or newer: upgrade the server or point "
            "DATABASE_URL at a newer one"
        )
