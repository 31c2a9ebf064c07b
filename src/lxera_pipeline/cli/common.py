"""Helpers every command shares: settings, logging, the DSN, exit codes, errors."""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

import click
from pydantic import AliasChoices, ValidationError

from lxera_pipeline.cli.errors import known_secrets
from lxera_pipeline.db.dsn import resolve_dsn, with_connect_timeout
from lxera_pipeline.errors import ConfigurationError
from lxera_pipeline.log import configure_logging
from lxera_pipeline.redact import redact
from lxera_pipeline.settings import Settings

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_NOT_FOUND = 3
EXIT_REFUSED = 4


def setting_source(field: str, from_option: bool) -> str:
    """Where an operator sets ``field``: its command-line option or its environment variable."""
    if from_option:
        return f"--{field.replace('_', '-')}"
    info = Settings.model_fields.get(field)
    alias = info.validation_alias if info is not None else None
    if isinstance(alias, AliasChoices) and isinstance(alias.choices[0], str):
        return alias.choices[0]
    return f"LXERA_{field.upper()}"


def invalid_settings(exc: ValidationError, options: set[str]) -> ConfigurationError:
    """One line naming each bad setting by its variable (or option); never the value given."""
    problems = []
    for err in exc.errors():
        field = str(err["loc"][0]) if err["loc"] else "settings"
        message = str(err["msg"]).removeprefix("Value error, ")
        problems.append(f"{setting_source(field, field in options)}: {message}")
    return ConfigurationError(
        f"invalid configuration: {'; '.join(problems)} (fix the environment variable or option)"
    )


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment plus command-line overrides; a clear error when invalid."""
    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        settings = Settings(**given)
    except ValidationError as exc:
        raise invalid_settings(exc, set(given)) from None
    configure_logging(settings.log_format, settings.log_level)
    return settings


def database_dsn(settings: Settings) -> str:
    """DATABASE_URL, or the embedded server (and say where it lives)."""
    if not settings.database_url:
        click.echo(f"Using the embedded PostgreSQL in {settings.data_dir / 'pgdata'}", err=True)
    return with_connect_timeout(resolve_dsn(settings), settings.connect_timeout_seconds)


def fail(message: str, code: int = EXIT_FAILURE) -> NoReturn:
    """Print ``message`` as the one error line (known secret values masked) and exit."""
    line = " ".join(part.strip() for part in message.splitlines() if part.strip())
    click.echo(f"error: {redact(line, known_secrets())}", err=True)
    sys.exit(code)


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, default=str, indent=2))
