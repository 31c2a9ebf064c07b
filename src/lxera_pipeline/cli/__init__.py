"""The `lxera-pipeline` command line. Each command lives in a module here; this module only names
them, and a command's module is imported when that command runs (or when ``--help`` lists it), so
`run` does not pay for the operator commands' tables or the demo's media stack.

The operator's commands (`events`, `timeline`, `tail`, `replay`, `dead`, `prune`, `partitions`,
`archive`, `db`)
are parsed in `cli/operate.py` and carried out by `lxera_pipeline.operate`; the demo lives in
`cli/demo/`.

Every command exits with codes scripts can rely on: 0 ok, 2 usage or configuration (a bad
argument or filter, a bad environment value, a missing extra), 1 a failure at run time (database
unreachable or refusing the login, unsupported server, port in use, ...); the operator's commands
add 3 unknown id and 4 refused (e.g. a replay of an event whose entity has moved on). A failure is
one line on stderr; ``--debug`` adds its traceback (see `lxera_pipeline.cli.errors`).
"""

from __future__ import annotations

import importlib
import sys

import click

from lxera_pipeline import __version__
from lxera_pipeline.cli.errors import EXIT_INTERRUPTED, report, undecodable_argument

# click's "no command given: show the help" (click 8.2+).
NO_ARGS_IS_HELP: type[click.UsageError] | None = getattr(
    click.exceptions, "NoArgsIsHelpError", None
)
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
    "partitions": "lxera_pipeline.cli.operate:partitions_group",
    "archive": "lxera_pipeline.cli.operate:archive_group",
    "db": "lxera_pipeline.cli.operate:db_group",
    "analytics": "lxera_pipeline.cli.analytics_cmd:analytics_group",
    "media": "lxera_pipeline.cli.media_cmd:media_group",
    "renders": "lxera_pipeline.cli.renders_cmd:renders_command",
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
@click.option("--debug", is_flag=True, help="Print the traceback of a failure (never secrets).")
def cli(debug: bool) -> None:
    """Event-driven course-content and video pipeline over PostgreSQL."""


def main(argv: list[str] | None = None) -> None:
    """The console script: run the command; any failure is one line and an exit code."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args[: args.index("--")] if "--" in args else "--debug" in args
    bad = undecodable_argument(args)
    if bad is not None:
        click.echo(f"error: {bad.message}", err=True)
        raise SystemExit(bad.code)
    try:
        code = cli.main(args=args, prog_name="lxera-pipeline", standalone_mode=False)
    except SystemExit:
        raise
    except click.exceptions.Exit as exc:
        raise SystemExit(exc.exit_code) from None
    except click.UsageError as exc:
        if NO_ARGS_IS_HELP is not None and isinstance(exc, NO_ARGS_IS_HELP) and exc.ctx:
            click.echo(exc.ctx.get_help(), err=True)  # a group called without a command
            raise SystemExit(exc.exit_code) from None
        raise SystemExit(report(exc, debug=debug)) from None
    except (KeyboardInterrupt, click.Abort):
        click.echo("interrupted", err=True)
        raise SystemExit(EXIT_INTERRUPTED) from None
    except BaseException as exc:
        raise SystemExit(report(exc, debug=debug)) from None
    if isinstance(code, int) and code:
        raise SystemExit(code)
