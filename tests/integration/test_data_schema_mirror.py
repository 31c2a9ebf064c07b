"""The data API's Python mirrors of the schema agree with the migrated database: every row model
has exactly its table's columns, every value set equals the CHECK it mirrors, every named query
of the data API parses."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import psycopg
import pytest

from lxera_pipeline.data.content_models import EnhancementSession, ModuleContent, QualityAssessment
from lxera_pipeline.data.media_models import (
    AudioNarration,
    MultimediaAsset,
    MultimediaSession,
    SlidePresentation,
)
from lxera_pipeline.data.plan_models import CoursePlan, ResearchResult
from lxera_pipeline.data.row_base import Row
from lxera_pipeline.data.vocabulary import CHECKED_COLUMNS
from lxera_pipeline.db.queries import load_query, query_names

MODELS: tuple[type[Row], ...] = (
    CoursePlan,
    ResearchResult,
    ModuleContent,
    QualityAssessment,
    EnhancementSession,
    MultimediaSession,
    MultimediaAsset,
    SlidePresentation,
    AudioNarration,
)
DATA_QUERY_FILES = ("plans", "content", "assessments", "multimedia", "deliverables")


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.TABLE)
def test_row_model_has_exactly_the_table_columns(
    schema_db: psycopg.Connection[Any], model: type[Row]
) -> None:
    rows = schema_db.execute(
        "select column_name from information_schema.columns "
        "where table_schema = 'public' and table_name = %s order by ordinal_position",
        [model.TABLE],
    ).fetchall()
    assert [name for (name,) in rows] == list(model.model_fields)


@pytest.mark.parametrize(("table", "column"), list(CHECKED_COLUMNS), ids=".".join)
def test_value_set_equals_its_check(
    schema_db: psycopg.Connection[Any], table: str, column: str
) -> None:
    row = schema_db.execute(
        "select pg_get_constraintdef(oid) from pg_constraint "
        "where conrelid = %s::regclass and conname = %s",
        [f"public.{table}", f"{table}_{column}_check"],
    ).fetchone()
    assert row is not None, f"no CHECK named {table}_{column}_check"
    allowed = re.findall(r"'([^']*)'::text", row[0])
    assert sorted(allowed) == sorted(CHECKED_COLUMNS[(table, column)])


def test_every_data_query_parses(schema_db: psycopg.Connection[Any]) -> None:
    folder = Path(load_query.__code__.co_filename).parent / "queries"
    names = [
        name
        for file in DATA_QUERY_FILES
        for name in re.findall(r"^-- name: (\w+)$", (folder / f"{file}.sql").read_text(), re.M)
    ]
    assert set(names) <= set(query_names())
    for name in names:
        text = load_query(name).as_string()
        schema_db.execute("prepare probe as " + re.sub(r"%\((\w+)\)s", "NULL", text))
        schema_db.execute("deallocate probe")
