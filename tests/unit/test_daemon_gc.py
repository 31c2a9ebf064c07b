"""A daemon process tunes its garbage collector before it serves: start-up's objects frozen out of
the collector's way and a young-generation threshold above a claim's allocations. Checked in a
fresh interpreter (the settings are process-wide; the test process keeps its own)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import lxera_pipeline
from lxera_pipeline.cli.daemon import GC_THRESHOLD

SOURCE_ROOT = Path(lxera_pipeline.__file__).resolve().parents[1]
PROBE = """
import gc, json
from lxera_pipeline.cli.daemon import tune_garbage_collector
before = (gc.get_threshold(), gc.get_freeze_count())
tune_garbage_collector()
print(json.dumps({"before": before, "after": (gc.get_threshold(), gc.get_freeze_count())}))
"""


def test_a_daemon_process_freezes_start_up_objects_and_collects_young_objects_less_often() -> None:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(SOURCE_ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
    )
    seen = json.loads(done.stdout.splitlines()[-1])
    (threshold, older_1, older_2), frozen = seen["after"]
    assert threshold == GC_THRESHOLD > seen["before"][0][0]
    assert [older_1, older_2] == seen["before"][0][1:]  # the older generations keep their own
    assert frozen > seen["before"][1] + 10_000  # modules, settings, the handler registry
