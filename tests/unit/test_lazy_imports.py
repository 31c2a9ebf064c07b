"""A daemon that serves no media handler starts without the media stack and the operator commands.

`lxera-pipeline run --handlers bench.noop_handlers` still registers every built-in handler (their
subscriptions are synced at start) and builds the workflow's resources, but Pillow, reportlab,
python-pptx, imageio-ffmpeg, httpx and the Supabase client load only when a handler first uses
them. Checked in a fresh interpreter, where ``sys.modules`` shows exactly what start-up imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click

import lxera_pipeline
from lxera_pipeline.cli import COMMANDS, cli, load_command

REPO_ROOT = Path(__file__).resolve().parents[2]
SOURCE_ROOT = Path(lxera_pipeline.__file__).resolve().parents[1]
# rich is not listed: structlog imports it whenever it is installed.
HEAVY = (
    "PIL",
    "reportlab",
    "pptx",
    "lxml",
    "imageio_ffmpeg",
    "httpx",
    "supabase",
    "storage3",
    "espeakng_loader",
)
OPERATOR_MODULES = (
    "lxera_pipeline.cli.demo",
    "lxera_pipeline.cli.operate",
    "lxera_pipeline.operate",
    "lxera_pipeline.operate.common",
    "lxera_pipeline.operate.replay",
)

# `run` as the console script runs it, with `serve` swapped for a report of what is loaded at
# the moment the daemon would start serving.
START_UP = """
import json, sys
import lxera_pipeline.cli
import lxera_pipeline.cli.daemon as daemon

async def report(config, handlers, resources):
    print(json.dumps({
        "modules": sorted(sys.modules),
        "served": handlers.names(),
        "known": [spec.name for spec in handlers.known],
        "resources": type(resources).__name__,
    }))
    return 0

daemon.serve = report
daemon.check_server = lambda dsn, timeout: None  # the start-up check would contact the server
lxera_pipeline.cli.main()
"""


def start_up_report() -> dict[str, list[str] | str]:
    paths = [str(SOURCE_ROOT), str(REPO_ROOT), os.environ.get("PYTHONPATH", "")]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, paths)),
        # Never contacted: the report replaces serving.
        "DATABASE_URL": "postgresql://lxera@127.0.0.1:1/lxera",
        "LXERA_LOG_FORMAT": "json",
    }
    env.pop("LISTEN_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", START_UP, "run", "--handlers", "bench.noop_handlers"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report: dict[str, list[str] | str] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def test_a_non_media_daemon_starts_without_the_heavy_libraries() -> None:
    report = start_up_report()
    modules = set(report["modules"])
    loaded = sorted(m for m in modules if m.split(".")[0] in HEAVY)
    assert loaded == []
    assert sorted(modules.intersection(OPERATOR_MODULES)) == []
    # Registration is unchanged: the workflow's handlers are known, only the bench one served.
    assert report["served"] == ["bench.noop"]
    assert {"content.quality_gate", "media.slides", "media.video"} <= set(report["known"])
    assert report["resources"] == "Resources"


def test_every_command_resolves_to_the_command_of_its_name() -> None:
    for name in COMMANDS:
        command = load_command(name)
        assert isinstance(command, click.Command)
        assert command.name == name
    assert load_command("no-such-command") is None
    ctx = click.Context(cli)
    assert cli.list_commands(ctx) == sorted(COMMANDS)
