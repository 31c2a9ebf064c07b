"""Helpers every command shares: settings, logging, the DSN, exit codes, errors."""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

import click
from pydantic import ValidationError

from lxera_pipeline.db.dsn import resolve_dsn
from lxera_pipeline.log import configure_logging
from lxera_pipeline.settings import Settings

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_NOT_FOUND = 3
EXIT_REFUSED = 4


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment plus command-line overrides; a clear error when invalid."""
    try:
        settings = Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        fail(f"invalid configuration: {problems}", EXIT_USAGE)
    configure_logging(settings.log_format, settings.log_level)
    return settings


def database_dsn(settings: Settings) -> str:
    """DATABASE_URL, or the embedded server (and say where it lives)."""
    if not settings.database_url:
        click.echo(f"Using the embedded PostgreSQL in {settings.data_dir / 'pgdata'}", err=True)
    return resolve_dsn(settings)


def fail(message: str, code: int = EXIT_FAILURE) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, default=str, indent=2))
