"""What the operator commands share: the database connection, filter options, error -> exit code."""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click
import psycopg
from psycopg.rows import DictRow, dict_row

from lxera_pipeline.cli.common import (
    EXIT_NOT_FOUND,
    EXIT_REFUSED,
    EXIT_USAGE,
    database_dsn,
    fail,
    load_settings,
)
from lxera_pipeline.cli.errors import describe
from lxera_pipeline.listeners.ops.errors import OpsInputError, RefusedError, UnknownIdError
from lxera_pipeline.listeners.ops.filters import DELIVERY_STATES, EventFilter, event_filter
from lxera_pipeline.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])
FILTER_KEYS = ("table", "entity", "company", "event_type", "status", "state", "since", "until")


@contextmanager
def operator_errors() -> Iterator[None]:
    """Turn the operator errors into their exit codes with a clear message."""
    try:
        yield
    except OpsInputError as exc:
        fail(str(exc), EXIT_USAGE)
    except UnknownIdError as exc:
        fail(str(exc.args[0]) if exc.args else str(exc), EXIT_NOT_FOUND)
    except RefusedError as exc:
        fail(str(exc), EXIT_REFUSED)
    except psycopg.Error as exc:
        failure = describe(exc)
        fail(failure.message, failure.code)


def dsn_from_settings() -> tuple[Settings, str]:
    settings = load_settings()
    return settings, database_dsn(settings)


@contextmanager
def connect(dsn: str) -> Iterator[psycopg.Connection[DictRow]]:
    with psycopg.connect(
        dsn, autocommit=True, row_factory=dict_row, application_name="lxera-pipeline:cli"
    ) as conn:
        yield conn


def operator_name() -> str:
    """Who is running the command: the OS user (or $USER when there is no passwd entry)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER", "unknown")


def event_filter_options(func: F) -> F:
    """The filters `events list`, `tail` and `replay` share."""
    options = [
        click.option("--table", help="Only events of this table (e.g. cm_module_content)."),
        click.option("--entity", help="Only events of this row (UUID)."),
        click.option("--company", help="Only events of this company (UUID)."),
        click.option(
            "--type",
            "event_type",
            help="Event type: <table>.created, <table>.status_changed, or just "
            "created / status_changed.",
        ),
        click.option("--status", help="Only events whose new status is this."),
        click.option(
            "--state",
            type=click.Choice(DELIVERY_STATES),
            help="Only events with a delivery in this state.",
        ),
        click.option("--since", help="From this time: ISO 8601 or relative (90s, 15m, 2h, 7d)."),
        click.option("--until", help="Before this time: ISO 8601 or relative."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def pop_event_filter(kwargs: dict[str, Any]) -> EventFilter:
    """Take the filter options out of a command's keyword arguments and build the filter."""
    return event_filter(**{key: kwargs.pop(key) for key in FILTER_KEYS})
