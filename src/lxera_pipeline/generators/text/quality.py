"""Deterministic quality assessor: the same module text always gets the same report.

Scoring formula (all scores 0-10; `w` = words by `str.split()`, `t` = the section's target from
`SectionTargets`):

Per section s (an empty section scores 0 on every dimension):
- completeness_s = 10 * coverage, coverage = w/t below the target, 1 from t to 1.5t, 1.5t/w above.
- clarity_s = 10 - 0.5 * max(0, L - 22) - 1.0 * max(0, 8 - L) - 5 * (share of sentences over 35
  words), where L is the mean sentence length in words (sentences end at . ! ? or a line break).
- engagement_s = 10 * (0.35 * [has a question] + 0.35 * [has an example marker such as
  "for example", "for instance", "e.g.", "such as", "imagine"] + 0.30 * min(1, share of
  second-person words you/your/... / 0.03)).
- personalization_s = 10 * (0.6 * [learner's full or first name mentioned] + 0.4 * [role
  mentioned]); when the learner has no role, 10 * [name mentioned].
- accuracy_s = the module's accuracy: 10 * (0.6 * share of key topics mentioned (the title when
  there are none) + 0.4 * mean share of each learning objective's content words present) minus 2
  per placeholder (TODO, TBD, FIXME, lorem ipsum, "[insert"), computed over the whole module.
- section score = sum of WEIGHTS[d] * dimension_s,d, rounded to one decimal.

Module dimension d = mean over the five sections of dimension_s,d, rounded to one decimal; the
overall score = sum of WEIGHTS[d] * rounded dimension d, rounded to one decimal.

Gate: `passes` = overall >= `threshold_for(priority)` and completeness >= 7.0 (the original's
`requires_revision` rule). `sections_needing_work` = sections scoring below the threshold, plus
any section whose completeness is below 7.0, so the enhancer always has something to fix.
`word_count_assessment` holds each section's word count plus "total" and "target_total".
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from lxera_pipeline.generators.text import scoring
from lxera_pipeline.generators.text.metrics import word_count
from lxera_pipeline.generators.text.quality_report import build_report
from lxera_pipeline.generators.text.targets import DEFAULT_TARGETS, SectionTargets
from lxera_pipeline.generators.types import (
    SECTION_NAMES,
    Learner,
    ModuleSections,
    ModuleSpec,
    Priority,
    QualityReport,
    SectionName,
)
from lxera_pipeline.log import get_logger

log = get_logger(__name__)

WEIGHTS: Mapping[str, float] = MappingProxyType(
    {
        "accuracy": 0.25,
        "clarity": 0.20,
        "completeness": 0.25,
        "engagement": 0.15,
        "personalization": 0.15,
    }
)
THRESHOLDS: Mapping[str, float] = MappingProxyType(
    {"critical": 8.0, "high": 7.5, "medium": 7.0, "low": 6.5}
)
MIN_COMPLETENESS = 7.0


class UnknownPriorityError(ValueError):
    """A priority that is not critical, high, medium or low."""


def threshold_for(priority: Priority) -> float:
    """The pass mark for a module of this priority."""
    try:
        return THRESHOLDS[priority]
    except KeyError:
        raise UnknownPriorityError(
            f"priority must be one of {', '.join(THRESHOLDS)}, not {priority!r}"
        ) from None


def passes(report: QualityReport, priority: Priority) -> bool:
    """Overall score at or above the threshold and completeness at least MIN_COMPLETENESS."""
    return (
        report.overall_score >= threshold_for(priority)
        and report.dimensions.completeness >= MIN_COMPLETENESS
    )


class DeterministicQualityAssessor:
    """Implements the QualityAssessor port with the formula in this module's docstring."""

    def __init__(self, targets: SectionTargets = DEFAULT_TARGETS) -> None:
        self.targets = targets

    async def assess(
        self, sections: ModuleSections, module: ModuleSpec, learner: Learner, priority: Priority
    ) -> QualityReport:
        return self.score(sections, module, learner, priority)

    def score(
        self, sections: ModuleSections, module: ModuleSpec, learner: Learner, priority: Priority
    ) -> QualityReport:
        """The synchronous core of `assess`."""
        threshold = threshold_for(priority)
        per_section = self.section_dimensions(sections, module, learner)
        report = build_report(
            per_section, WEIGHTS, threshold, MIN_COMPLETENESS, self._words(sections)
        )
        log.debug("quality.assessed", module=module.title, overall=report.overall_score)
        return report

    def section_dimensions(
        self, sections: ModuleSections, module: ModuleSpec, learner: Learner
    ) -> dict[SectionName, scoring.SectionDimensions]:
        full_text = "\n\n".join(sections.get(name) for name in SECTION_NAMES)
        accuracy = scoring.module_accuracy(full_text, module)
        return {
            name: scoring.section_dimensions(
                sections.get(name), self.targets.for_section(name), accuracy, learner
            )
            for name in SECTION_NAMES
        }

    def _words(self, sections: ModuleSections) -> dict[str, int]:
        counts: dict[str, int] = {name: word_count(sections.get(name)) for name in SECTION_NAMES}
        return {**counts, "total": sum(counts.values()), "target_total": self.targets.total}
