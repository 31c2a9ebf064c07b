"""The settings reference: a markdown table of every `Settings` field, built from its metadata.

README.md embeds the table between ``<!-- settings:start -->`` and ``<!-- settings:end -->``; a
unit test keeps the two equal. ``python -m lxera_pipeline.settings_doc`` prints it.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices
from pydantic.fields import FieldInfo

from lxera_pipeline.settings import Settings

HEADER = ("| environment variable | default | meaning |", "|---|---|---|")
# How the bound constraints of a field (annotated_types Ge/Gt/Le/Lt) are written.
BOUNDS = (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<"))


# Meanings of the fields settings.py gives no description yet. A unit test keeps the keys equal
# to exactly those fields: once settings.py describes a field, its entry here must go.
def env_names(name: str, field: FieldInfo) -> list[str]:
    """The environment variables a field is read from, in the order they are tried."""
    alias = field.validation_alias
    if isinstance(alias, AliasChoices):
        return [choice for choice in alias.choices if isinstance(choice, str)]
    if isinstance(alias, str):
        return [alias]
    return [f"{Settings.model_config.get('env_prefix', '')}{name}".upper()]


def default_text(field: FieldInfo) -> str:
    """The default as shown in the table; a path under the home directory is written ``~/...``."""
    value = field.get_default(call_default_factory=True)
    if value is None:
        return "unset"
    if isinstance(value, Path) and value.is_relative_to(Path.home()):
        value = f"~/{value.relative_to(Path.home()).as_posix()}"
    return f"`{value}`"


def meaning_text(name: str, field: FieldInfo) -> str:
    """The field's description (or fallback) followed by its allowed range, if it has one."""
    meaning = field.description or ""
    bounds = [
        f"{sign} {value}"
        for item in field.metadata
        for attribute, sign in BOUNDS
        if (value := getattr(item, attribute, None)) is not None
    ]
    return f"{meaning} Allowed: {', '.join(bounds)}." if bounds else meaning


def settings_row(name: str, field: FieldInfo) -> str:
    names = " or ".join(f"`{env}`" for env in env_names(name, field))
    cells = (names, default_text(field), meaning_text(name, field))
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def settings_table() -> str:
    """Markdown table of every setting, in the order settings.py defines them."""
    rows = [settings_row(name, field) for name, field in Settings.model_fields.items()]
    return "\n".join([*HEADER, *rows])


if __name__ == "__main__":
    print(settings_table())
