"""The advisory-lock keys of the pipeline, named once for Python and the named queries.

Queries take them as parameters (``lock_params()``); the SQL functions of the migrations name the
same numbers once, in ``pipeline.lock_key()`` (migrations/20261125000100_pipeline_core.sql).

- ``PIPELINE_CLASS`` (two-int form, first key) with second key
  ``WAKE`` (1): held exclusively for its session by the one armed listener; writers NOTIFY only
  while they cannot take it shared;
  ``ROUTER`` (3): one router at a time.
- ``SERVED_CLASS``: a daemon's LISTEN session holds ``(SERVED_CLASS, hashtext(handler))`` shared
  for every handler it serves, so claims know which handlers some running daemon serves.
"""

from __future__ import annotations

from typing import Final

PIPELINE_CLASS: Final = 1819826802
WAKE: Final = 1
ROUTER: Final = 3
SERVED_CLASS: Final = 1819826803


def lock_params() -> dict[str, int]:
    """The keys as query parameters."""
    return {
        "pipeline_lock_class": PIPELINE_CLASS,
        "wake_key": WAKE,
        "served_lock_class": SERVED_CLASS,
    }
