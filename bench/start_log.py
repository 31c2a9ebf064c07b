"""Handler start times for the latency benchmark: one ``<seq> <unix time>`` line per call.

A no-op handler (ours, Procrastinate's, PgQueuer's) calls :func:`record_start` first thing. When
``BENCH_LATENCY_DIR`` is unset (the drain benchmark) it does nothing. Each process appends to its
own file, ``<dir>/<label>-<pid>.txt``, line-buffered so a SIGTERM loses nothing written.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TextIO

ENV_DIR = "BENCH_LATENCY_DIR"
_FOLDER = os.environ.get(ENV_DIR)  # read once: a worker's environment is fixed at its start
_files: dict[str, TextIO] = {}


def record_start(label: str, seq: object) -> None:
    """Record that the handler for write ``seq`` started now (if latency recording is on)."""
    folder = _FOLDER
    if not folder or seq is None:
        return
    stamp = time.time()
    out = _files.get(label)
    if out is None:
        path = Path(folder) / f"{label}-{os.getpid()}.txt"
        out = _files[label] = path.open("a", buffering=1)
    out.write(f"{seq} {stamp:.6f}\n")


def read_starts(folder: Path) -> dict[int, float]:
    """Earliest recorded start per seq across every file in ``folder``."""
    starts: dict[int, float] = {}
    for path in sorted(folder.glob("*.txt")):
        for line in path.read_text().splitlines():
            seq_text, _, stamp_text = line.partition(" ")
            if not stamp_text:
                continue
            seq, stamp = int(seq_text), float(stamp_text)
            starts[seq] = min(stamp, starts.get(seq, stamp))
    return starts
