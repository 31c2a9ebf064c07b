"""The `lxera-pipeline` command line. Each command family lives in its own module here and exposes
``COMMANDS``; this module only assembles them."""

from __future__ import annotations

import importlib

import click

from lxera_pipeline import __version__

COMMAND_MODULES = (
    "lxera_pipeline.cli.database",
    "lxera_pipeline.cli.daemon",
    "lxera_pipeline.cli.operate",
    "lxera_pipeline.cli.demo",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lxera-pipeline")
def cli() -> None:
    """Event-driven course-content and video pipeline over PostgreSQL."""


def _assemble() -> None:
    for module_name in COMMAND_MODULES:
        module = importlib.import_module(module_name)
        for command in getattr(module, "COMMANDS", []):
            cli.add_command(command)


_assemble()


def main() -> None:
    cli()
