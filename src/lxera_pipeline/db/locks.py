"""The advisory-lock keys of the pipeline, named once for Python and the named queries.

Queries take them as parameters (``lock_params()``); the SQL functions of the migrations spell the
same numbers (docs/architecture.md, "The lock protocol", says where).

- ``PIPELINE_CLASS`` (two-int form, first key) with second key
  ``WAKE`` (1): held exclusively for its session by the one armed listener; writers NOTIFY only
  while they cannot take it shared;
  ``ROUTE`` (2): taken shared by a writer while a listener is armed, so routing knows which
  writers are still committing;
  ``ROUTER`` (3): one router at a time.
- ``SERVED_CLASS``: a daemon's LISTEN session holds ``(SERVED_CLASS, hashtext(handler))`` shared
  for every handler it serves, so claims know which handlers some running daemon serves.
"""

from __future__ import annotations

from typing import Final

PIPELINE_CLASS: Final = 1819826802
WAKE: Final = 1
ROUTE: Final = 2
ROUTER: Final = 3
SERVED_CLASS: Final = 1819826803


def lock_params() -> dict[str, int]:
    """The keys as query parameters."""
    return {
        "pipeline_lock_class": PIPELINE_CLASS,
        "wake_key": WAKE,
        "served_lock_class": SERVED_CLASS,
    }
