"""The README's (and the architecture document's) promises that can drift from the code."""

from __future__ import annotations

import re
from pathlib import Path

from lxera_pipeline.events.diagrams import all_mermaid
from lxera_pipeline.settings import Settings
from lxera_pipeline.settings_doc import settings_table

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
ARCHITECTURE = ROOT / "docs" / "architecture.md"


def test_state_machine_diagrams_match_the_code() -> None:
    text = ARCHITECTURE.read_text()
    block = re.search(
        r"<!-- state-machines:start -->\n(.*)\n<!-- state-machines:end -->", text, re.S
    )
    assert block is not None, "docs/architecture.md lost its state-machine markers"
    assert block.group(1).strip() == all_mermaid().strip()


def test_readme_has_exactly_two_setup_commands() -> None:
    section = README.read_text().split("## Two commands", 1)[1].split("\n## ", 1)[0]
    fence = re.search(r"```bash\n(.*?)```", section, re.S)
    assert fence is not None
    commands = [line for line in fence.group(1).splitlines() if line.strip()]
    assert [c.split()[0] for c in commands] == ["./scripts/demo", "./scripts/test"]


def test_settings_table_matches_the_code() -> None:
    text = README.read_text()
    block = re.search(r"<!-- settings:start -->\n(.*)\n<!-- settings:end -->", text, re.S)
    assert block is not None, "README lost its settings markers"
    assert block.group(1).strip() == settings_table().strip()


def test_every_setting_has_a_row_with_a_meaning() -> None:
    rows = settings_table().splitlines()[2:]
    assert len(rows) == len(Settings.model_fields)
    assert all(row.split(" | ")[-1].strip(" |") for row in rows)
    undescribed = {name for name, field in Settings.model_fields.items() if not field.description}
    assert not undescribed, f"settings without a description: {sorted(undescribed)}"


def test_the_docs_link_to_each_other_and_keep_their_sections() -> None:
    readme = README.read_text()
    for target in ("docs/operating.md", "docs/architecture.md", "CONTRIBUTING.md"):
        assert f"]({target})" in readme
        assert (ROOT / target).is_file()
    architecture = ARCHITECTURE.read_text()
    for heading in (
        "## Module map",
        "## One event, from trigger to audit row",
        "## The lock protocol",
        "## Visibility protocol",
        "## Where each SQL function is defined",
    ):
        assert heading in architecture
