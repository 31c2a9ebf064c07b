"""Every failure of a command as one line on stderr and an exit code; a traceback only with --debug.

Exit codes: 0 ok, 2 usage or configuration (a bad argument, a bad environment value, a missing
extra), 1 a failure at run time (database unreachable or refusing the login, unsupported server
version, port in use, a crash). The operator commands add 3 (unknown id) and 4 (refused).
Messages never carry a secret: a known secret value is replaced by ``***`` wherever it appears.
"""

from __future__ import annotations

import os
import sys
import traceback
from dataclasses import dataclass

import click
import psycopg
from psycopg_pool import PoolTimeout

from lxera_pipeline.errors import EXIT_FAILURE, EXIT_USAGE, OperatorError
from lxera_pipeline.redact import redact, secret_values

EXIT_INTERRUPTED = 130
# Environment variables that may hold a secret, read when the settings themselves do not load.
SECRET_ENV = (
    "DATABASE_URL",
    "LXERA_DATABASE_URL",
    "LXERA_LISTEN_DATABASE_URL",
    "LXERA_LLM_API_KEY",
    "LXERA_TTS_API_KEY",
    "SUPABASE_SERVICE_ROLE_KEY",
    "SUPABASE_KEY",
    "LXERA_SUPABASE_KEY",
    "LXERA_STORAGE_SIGNING_KEY",
    "LXERA_DASHBOARD_TOKEN",
)


@dataclass(frozen=True)
class Failure:
    message: str
    code: int


def known_secrets() -> list[str]:
    """The secret values this process was configured with (DSNs, their passwords, API keys)."""
    values = secret_values(*(os.environ.get(name) for name in SECRET_ENV))
    try:
        from lxera_pipeline.settings import get_settings

        values += get_settings().secret_values()
    except Exception:  # settings that do not load: the environment values above still count
        pass
    return sorted(set(values), key=len, reverse=True)


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def _leaf(exc: BaseException) -> BaseException:
    """The exception that matters inside task-group exception groups."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        leaves: list[BaseException] = list(exc.exceptions)
        reportable = [e for e in leaves if isinstance(e, OperatorError | click.ClickException)]
        exc = (reportable or leaves)[0]
    return exc


def describe(exc: BaseException) -> Failure:
    """The one-line message and the exit code for ``exc``."""
    exc = _leaf(exc)
    if isinstance(exc, click.ClickException):
        hint = ""
        if isinstance(exc, click.UsageError) and exc.ctx is not None:
            hint = f" (see '{exc.ctx.command_path} --help')"
        return Failure(exc.format_message() + hint, exc.exit_code)
    if isinstance(exc, OperatorError):
        return Failure(_first_line(exc), exc.exit_code)
    if isinstance(exc, PoolTimeout):
        return Failure(
            "the database gave no connection in time: it became unreachable or refused the "
            "connections; check DATABASE_URL and the server",
            EXIT_FAILURE,
        )
    if isinstance(exc, psycopg.errors.ConnectionTimeout):
        return Failure(
            "the database did not answer within LXERA_CONNECT_TIMEOUT_SECONDS; check DATABASE_URL "
            "(host, port) and that the server is running and reachable",
            EXIT_FAILURE,
        )
    if isinstance(exc, psycopg.OperationalError):
        return Failure(
            f"database error: {_first_line(exc)}; check DATABASE_URL and the server", EXIT_FAILURE
        )
    if isinstance(exc, psycopg.errors.UndefinedTable | psycopg.errors.InvalidSchemaName):
        return Failure(
            f"the database lacks the pipeline's schema ({_first_line(exc)}); run "
            "`lxera-pipeline migrate` first",
            EXIT_FAILURE,
        )
    if isinstance(exc, psycopg.Error):
        return Failure(f"database error: {_first_line(exc)}", EXIT_FAILURE)
    return Failure(
        f"unexpected {type(exc).__name__}: {_first_line(exc)} (run with --debug for the traceback)",
        EXIT_FAILURE,
    )


def report(exc: BaseException, *, debug: bool) -> int:
    """Print ``exc`` as one line (after its traceback, without locals, when ``debug``)."""
    secrets = known_secrets()
    if debug:
        text = "".join(traceback.format_exception(exc))
        sys.stderr.write(redact(text, secrets))
    failure = describe(exc)
    click.echo(f"error: {redact(failure.message, secrets)}", err=True)
    return failure.code


def undecodable_argument(argv: list[str]) -> Failure | None:
    """An argument that is not valid UTF-8 (Python keeps such bytes as lone surrogates)."""
    for position, arg in enumerate(argv, start=1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            shown = os.fsencode(arg).decode("ascii", "backslashreplace")
            return Failure(
                f"argument {position} ({shown}) is not valid UTF-8; pass arguments as UTF-8 text",
                EXIT_USAGE,
            )
    return None
