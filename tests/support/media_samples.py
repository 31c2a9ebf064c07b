"""Sample inputs shared by the media tests: a short 3-slide script with accents and dashes."""

from __future__ import annotations

from dataclasses import dataclass

from lxera_pipeline.generators.media.models import Narration, SlideDeck, VideoResult
from lxera_pipeline.generators.types import Script, ScriptSlide


def make_script() -> Script:
    return Script(
        module_title="Données financières – Café Analytics für Anfänger",
        learner_name="Zoë Müller",
        slides=[
            ScriptSlide(
                slide_number=1,
                section_name="title",
                title="Pivot tables — résumé",
                narration="Welcome, Zoë. This short module is about pivot tables.",
            ),
            ScriptSlide(
                slide_number=2,
                section_name="core_content",
                title="Group and summarise – über schnell",
                bullets=["Group rows by région", "Summarise with SUM and COUNT", "Filter — fast"],
                narration="Group rows by a category, then summarise the values.",
            ),
            ScriptSlide(
                slide_number=3,
                section_name="summary",
                title="Summary",
                bullets=["Pivot tables save time <b>today</b>"],
                narration="That is all: pivot tables save you time.",
            ),
        ],
    )


@dataclass(frozen=True)
class MediaRun:
    script: Script
    deck: SlideDeck
    narration: Narration
    video: VideoResult
