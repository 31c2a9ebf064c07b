"""Commands of this family are added here."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
