"""Deterministic output file names and atomic writes for the media generators.

A retried stage writes the same names again; each file is written to a temporary name in the
same directory and renamed into place, so a crash never leaves a half-written file behind.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from lxera_pipeline.generators.media.errors import UnsafePathError

DECK_PDF = "deck.pdf"
DECK_PPTX = "deck.pptx"
DECK_HTML = "deck.html"
NARRATION_MASTER = "narration_master.wav"


def slide_filename(slide_number: int) -> str:
    return f"slide_{slide_number:03d}.png"


def segment_filename(slide_number: int) -> str:
    return f"narration_{slide_number:03d}.wav"


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path next to `target`; rename it onto `target` if the block succeeds."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.stem}.{uuid.uuid4().hex[:8]}.tmp{target.suffix}")
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_atomic(target: Path, writer: Callable[[Path], object]) -> Path:
    """Call `writer(tmp_path)` and move the result onto `target`."""
    with atomic_path(target) as tmp:
        writer(tmp)
    return target


def write_bytes_atomic(target: Path, data: bytes) -> Path:
    return write_atomic(target, lambda tmp: tmp.write_bytes(data))


def confine(path: str | os.PathLike[str], root: Path) -> Path:
    """``path`` with every symlink followed, if it lies inside ``root``; else UnsafePathError.

    The one check for a path that came from a row before anything reads it: a relative path is
    taken relative to ``root``, ``..`` segments and symlinks are resolved first, and the result
    must be ``root`` itself or below it (``root`` is resolved the same way).
    """
    try:
        base = root.resolve()
        candidate = Path(path)
        resolved = (candidate if candidate.is_absolute() else base / candidate).resolve()
    except (OSError, RuntimeError, ValueError, TypeError):  # loops, NUL bytes, non-paths
        raise UnsafePathError() from None
    if not resolved.is_relative_to(base):
        raise UnsafePathError()
    return resolved
