"""Supabase Realtime: where a `supabase_realtime` publication exists, the migration's function puts
the progress tables into it (a stand-in publication here), once."""

from __future__ import annotations

from typing import Any

import psycopg

PROGRESS = {"cm_module_content", "mm_multimedia_sessions", "mm_multimedia_assets"}


def _published(conn: psycopg.Connection[Any]) -> set[str]:
    return {
        row[0]
        for row in conn.execute(
            "select tablename from pg_publication_tables"
            " where pubname = 'supabase_realtime' and schemaname = 'public'"
        )
    }


def test_without_the_publication_nothing_happens(db: psycopg.Connection[Any]) -> None:
    row = db.execute("select pipeline.publish_progress_tables()").fetchone()
    assert row == ([],)


def test_the_progress_tables_join_an_existing_publication(db: psycopg.Connection[Any]) -> None:
    db.execute("create publication supabase_realtime for table public.companies")
    row = db.execute("select pipeline.publish_progress_tables()").fetchone()
    assert row is not None
    assert set(row[0]) >= PROGRESS
    assert _published(db) >= PROGRESS | {"companies"}
    again = db.execute("select pipeline.publish_progress_tables()").fetchone()
    assert again == ([],)  # already members: left alone
