"""The `lxera-pipeline` command line. Each command lives in a module here; this module only names
them, and a command's module is imported when that command runs (or when ``--help`` lists it), so
`run` does not pay for the operator commands' tables or the demo's media stack.

The operator's commands (`events`, `timeline`, `tail`, `replay`, `dead`, `prune`, `archive`, `db`)
are parsed in
`cli/operate.py` and carried out by `lxera_pipeline.operate`; the demo lives in `cli/demo/`.
"""

from __future__ import annotations

import importlib

import click

from lxera_pipeline import __version__

# Command name -> "module:attribute" of its click command.
COMMANDS: dict[str, str] = {
    "migrate": "lxera_pipeline.cli.database:migrate_command",
    "handlers": "lxera_pipeline.cli.database:handlers_command",
    "run": "lxera_pipeline.cli.daemon:run_command",
    "events": "lxera_pipeline.cli.operate:events_group",
    "timeline": "lxera_pipeline.cli.operate:timeline_command",
    "tail": "lxera_pipeline.cli.operate:tail_command",
    "replay": "lxera_pipeline.cli.operate:replay_command",
    "dead": "lxera_pipeline.cli.operate:dead_group",
    "prune": "lxera_pipeline.cli.operate:prune_command",
    "archive": "lxera_pipeline.cli.operate:archive_group",
    "db": "lxera_pipeline.cli.operate:db_group",
    "demo": "lxera_pipeline.cli.demo:demo_command",
    "dashboard": "lxera_pipeline.cli.dashboard_cmd:dashboard_command",
}


def load_command(name: str) -> click.Command | None:
    """The command called ``name`` (its module imported now), or None for an unknown name."""
    target = COMMANDS.get(name)
    if target is None:
        return None
    module_name, attribute = target.split(":")
    command = getattr(importlib.import_module(module_name), attribute)
    if not isinstance(command, click.Command):
        raise TypeError(f"{target} is not a click command")
    return command


class LazyGroup(click.Group):
    """A group whose commands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self.commands.get(cmd_name) or load_command(cmd_name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lxera-pipeline")
def cli() -> None:
    """Event-driven course-content and video pipeline over PostgreSQL."""


def main() -> None:
    cli()
