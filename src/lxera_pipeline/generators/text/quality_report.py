"""Assemble a QualityReport from per-section dimension scores (see `quality.py` for formulas)."""

from __future__ import annotations

from collections.abc import Mapping

from lxera_pipeline.generators.text.scoring import SectionDimensions
from lxera_pipeline.generators.types import DimensionScores, QualityReport, SectionName

DIMENSION_NAMES = ("accuracy", "clarity", "completeness", "engagement", "personalization")
SUGGESTIONS: Mapping[str, str] = {
    "accuracy": "Cover every key topic and learning objective of the module explicitly.",
    "clarity": "Keep sentences between 8 and 22 words and split long ones.",
    "completeness": "Bring every section close to its target length.",
    "engagement": "Ask the learner questions, give concrete examples and address them as 'you'.",
    "personalization": "Mention the learner by name and relate the content to their role.",
}
WEAK_DIMENSION = 7.0


def module_dimensions(per_section: Mapping[SectionName, SectionDimensions]) -> DimensionScores:
    count = len(per_section)
    return DimensionScores(
        **{
            name: round(sum(getattr(d, name) for d in per_section.values()) / count, 1)
            for name in DIMENSION_NAMES
        }
    )


def critical_issues(
    per_section: Mapping[SectionName, SectionDimensions], words: Mapping[str, int]
) -> list[str]:
    issues: list[str] = []
    for name, dims in per_section.items():
        if words[name] == 0:
            issues.append(f"Section '{name}' is empty.")
        elif dims.completeness < 5.0:
            issues.append(f"Section '{name}' has {words[name]} words, under half its target.")
    if all(d.personalization == 0.0 for d in per_section.values()):
        issues.append("The learner is never addressed by name or role.")
    return issues


def feedback(overall: float, threshold: float, dimensions: DimensionScores) -> str:
    values = dimensions.model_dump()
    weakest = min(DIMENSION_NAMES, key=lambda name: (values[name], name))
    verdict = "meets" if overall >= threshold else "is below"
    return (
        f"Overall {overall:.1f}/10 {verdict} the threshold {threshold:.1f}; "
        f"weakest dimension: {weakest} ({values[weakest]:.1f})."
    )


def section_scores(
    per_section: Mapping[SectionName, SectionDimensions], weights: Mapping[str, float]
) -> dict[str, float]:
    return {
        name: round(sum(w * getattr(dims, d) for d, w in weights.items()), 1)
        for name, dims in per_section.items()
    }


def needing_work(
    per_section: Mapping[SectionName, SectionDimensions],
    scores: Mapping[str, float],
    threshold: float,
    min_completeness: float,
) -> list[SectionName]:
    return [
        name
        for name, dims in per_section.items()
        if scores[name] < threshold or dims.completeness < min_completeness
    ]


def build_report(
    per_section: Mapping[SectionName, SectionDimensions],
    weights: Mapping[str, float],
    threshold: float,
    min_completeness: float,
    words: Mapping[str, int],
) -> QualityReport:
    dimensions = module_dimensions(per_section)
    values = dimensions.model_dump()
    overall = round(sum(weight * values[name] for name, weight in weights.items()), 1)
    scores = section_scores(per_section, weights)
    return QualityReport(
        overall_score=overall,
        dimensions=dimensions,
        section_scores=scores,
        feedback=feedback(overall, threshold, dimensions),
        critical_issues=critical_issues(per_section, words),
        improvement_suggestions=[
            SUGGESTIONS[n] for n in DIMENSION_NAMES if values[n] < WEAK_DIMENSION
        ],
        sections_needing_work=needing_work(per_section, scores, threshold, min_completeness),
        word_count_assessment=dict(words),
    )
