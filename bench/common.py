"""What every benchmark script shares: scratch databases, named SQL, statistics, result tables."""

from __future__ import annotations

import math
import os
import re
import statistics
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import psycopg
from psycopg import sql

ADMIN_DSN = os.environ.get("BENCH_ADMIN_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
SQL_DIR = Path(__file__).resolve().parent / "sql"
REPO_ROOT = Path(__file__).resolve().parents[1]
_NAME = re.compile(r"^--\s*name:\s*(?P<name>[a-z_][a-z0-9_]*)\s*$", re.MULTILINE)


class BenchError(RuntimeError):
    """A benchmark could not run as set up (missing tool, server, or a wrong result)."""


@cache
def _sections(file_name: str) -> dict[str, str]:
    text = (SQL_DIR / file_name).read_text()
    marks = list(_NAME.finditer(text))
    return {
        mark["name"]: text[mark.end() : (marks[i + 1].start() if i + 1 < len(marks) else None)]
        for i, mark in enumerate(marks)
    }


def bench_sql(file_name: str, name: str) -> sql.SQL:
    """The SQL section ``-- name: <name>`` of ``bench/sql/<file_name>``."""
    try:
        return sql.SQL(_sections(file_name)[name].strip())
    except KeyError:
        raise BenchError(f"no section {name!r} in bench/sql/{file_name}") from None


def dsn_for(database: str, admin_dsn: str = ADMIN_DSN) -> str:
    return psycopg.conninfo.make_conninfo(admin_dsn, dbname=database)


def _admin(statement: sql.Composed, admin_dsn: str) -> None:
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(statement)


def database_name(dsn: str) -> str:
    return str(psycopg.conninfo.conninfo_to_dict(dsn)["dbname"])


@contextmanager
def scratch_database(
    label: str, *, template: str | None = None, admin_dsn: str = ADMIN_DSN
) -> Iterator[str]:
    """Create ``bench_<label>_<pid>`` (a copy of database ``template`` if given), yield its
    DSN, drop it afterwards (even on error)."""
    name = f"bench_{label}_{os.getpid()}"
    drop = sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name))
    _admin(drop, admin_dsn)
    create = sql.SQL("create database {}").format(sql.Identifier(name))
    if template is not None:
        create = sql.SQL("{} template {}").format(create, sql.Identifier(template))
    _admin(create, admin_dsn)
    try:
        yield dsn_for(name, admin_dsn)
    finally:
        _admin(drop, admin_dsn)


def migrated_database_dsn(dsn: str) -> str:
    """Apply the project's migrations to ``dsn`` (the schema our daemon needs)."""
    from lxera_pipeline.db.migrate import migrate

    migrate(dsn)
    return dsn


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (``fraction`` in 0..1) of a non-empty sample."""
    if not values:
        raise BenchError("percentile of an empty sample")
    ordered = sorted(values)
    rank = max(1, round(fraction * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


@dataclass(frozen=True)
class Figure:
    """One measured figure and, when it has one, its ratio to a baseline of the same run."""

    section: str
    name: str
    value: float
    unit: str
    baseline: str = ""
    ratio: float | None = None
    note: str = ""

    def cells(self) -> list[str]:
        ratio = "" if self.ratio is None else f"{self.ratio:.2f}x {self.baseline}"
        value = "n/a" if math.isnan(self.value) else f"{self.value:,.1f} {self.unit}"
        return [self.name, value, ratio, self.note]


def ratio(value: float, base: float) -> float | None:
    return None if base == 0 else value / base


def markdown_table(figures: Sequence[Figure]) -> str:
    """Figures as a Markdown table (measure, value, ratio, note)."""
    lines = ["| measure | value | ratio | note |", "|---|---:|---|---|"]
    lines += ["| " + " | ".join(figure.cells()) + " |" for figure in figures]
    return "\n".join(lines)


def print_figures(title: str, figures: Sequence[Figure]) -> None:
    print(f"\n## {title}\n")
    print(markdown_table(figures), flush=True)
