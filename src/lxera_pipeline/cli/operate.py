"""The operator's commands: `events`, `timeline`, `tail`, `replay`, `dead`, `prune`.

Exit codes scripts can rely on: 0 ok, 2 usage or bad filter, 3 unknown id, 4 refused (e.g. a replay
of an event whose entity has moved on), 1 any other failure (database unreachable, ...).
"""

from __future__ import annotations

import click

from lxera_pipeline.cli.dead_cmd import dead_group
from lxera_pipeline.cli.events_cmd import events_group
from lxera_pipeline.cli.prune_cmd import prune_command
from lxera_pipeline.cli.replay_cmd import replay_command
from lxera_pipeline.cli.tail_cmd import tail_command
from lxera_pipeline.cli.timeline_cmd import timeline_command

COMMANDS: list[click.Command] = [
    events_group,
    timeline_command,
    tail_command,
    replay_command,
    dead_group,
    prune_command,
]
