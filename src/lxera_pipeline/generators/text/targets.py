"""Per-section word targets shared by the quality assessor and the rule-based writer.

The original system aimed at 800-2,200 words per section (4,000-6,000 per module). A demo course
is narrated in seconds, so the defaults here are about one eighth of that, in the same ratios.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from lxera_pipeline.generators.types import SECTION_NAMES, SectionName


class SectionTargets(BaseModel):
    """Target word count of each module section."""

    model_config = ConfigDict(frozen=True)

    introduction: int = Field(default=110, ge=1)
    core_content: int = Field(default=250, ge=1)
    practical_applications: int = Field(default=170, ge=1)
    case_studies: int = Field(default=110, ge=1)
    assessments: int = Field(default=100, ge=1)

    def for_section(self, name: SectionName) -> int:
        value: int = getattr(self, name)
        return value

    @property
    def total(self) -> int:
        return sum(self.for_section(name) for name in SECTION_NAMES)

    def scaled(self, factor: float) -> SectionTargets:
        """Every target multiplied by `factor` (rounded, at least 1 word)."""
        if factor <= 0:
            raise ValueError(f"scale factor must be positive, not {factor!r}")
        return SectionTargets(
            **{name: max(1, round(self.for_section(name) * factor)) for name in SECTION_NAMES}
        )


DEFAULT_TARGETS = SectionTargets()
