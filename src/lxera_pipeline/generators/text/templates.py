"""Sentence templates of the rule-based writer, per section.

A body entry is (kind, template): the template is filled once per item of that kind (topic,
objective, research point, example, learner tool, career goal, or "once"), with `{value}` the
item. Personal templates address the learner (`{first}`, `{role_a}`, "you"); neutral ones, used
for drafts and stubs, do not and never ask questions.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxera_pipeline.generators.types import SectionName

Body = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class SectionTemplates:
    opening: str
    personal: Body
    closing: str
    neutral: Body


TEMPLATES: dict[SectionName, SectionTemplates] = {
    "introduction": SectionTemplates(
        opening="Welcome, {first}: this module on {title} is shaped around your work as {role_a}.",
        personal=(
            ("objective", "By the end of it you will be able to {value}."),
            ("topic", "We will look at {value} and why it matters for {role_a} like you."),
            ("once", "Each part builds on the previous one, so you can use it in your own tasks."),
            ("example", "For example, {value}"),
            ("goal", "Along the way you also move towards your goal to {value}."),
        ),
        closing="Which part of {title} do you expect to use first in your role as {role_a}?",
        neutral=(
            ("once", "This module introduces the main ideas of {title} and how they are applied."),
            ("objective", "Learners will be able to {value} after completing it."),
            (
                "topic",
                "One of the topics covered is {value}, with the key ideas explained in turn.",
            ),
            ("example", "For example, {value}"),
        ),
    ),
    "core_content": SectionTemplates(
        opening="{first}, this part explains the ideas behind {title} for your work as {role_a}.",
        personal=(
            (
                "topic",
                "Start with {value}: it gives you a shared vocabulary for the rest of the module.",
            ),
            (
                "topic",
                "When you apply {value}, check your assumptions first and test them on cases.",
            ),
            ("point", "A key point for you to remember: {value}"),
            ("objective", "This supports the objective to {value}, which you will practise next."),
            ("example", "For example, {value}"),
            ("tool", "If you work with {value}, look for the features that support {topic0}."),
        ),
        closing="How would you explain {topic0} to a colleague who is new to the subject?",
        neutral=(
            ("topic", "A central concept is {value}, which provides vocabulary used throughout."),
            ("point", "Key point: {value}"),
            ("topic", "Applying {value} involves checking assumptions and testing them on cases."),
            ("example", "For example, {value}"),
        ),
    ),
    "practical_applications": SectionTemplates(
        opening="{first}, here is how {title} shows up in the daily work of {role_a}.",
        personal=(
            ("topic", "Try applying {value} to a task you already do this week and note changes."),
            (
                "topic",
                "You can start small: pick one routine decision and use {value} to guide it.",
            ),
            ("example", "For instance, {value}"),
            ("tool", "In {value}, set up a small template so you can reuse {topic0} with ease."),
            ("objective", "Practising this way helps you {value} with growing confidence."),
            ("goal", "It also brings you closer to your goal to {value}."),
        ),
        closing="Which of these steps could you try in your next project as {role_a}?",
        neutral=(
            ("topic", "Practitioners apply {value} to routine tasks to make decisions consistent."),
            ("example", "For instance, {value}"),
            ("topic", "A small template makes {value} easier to reuse across several projects."),
        ),
    ),
    "case_studies": SectionTemplates(
        opening="{first}, consider a case from a team much like yours, led by {role_a}.",
        personal=(
            ("topic", "The team first used {value} to see where their process was losing time."),
            ("example", "For example, {value}"),
            ("point", "What made the difference for them: {value}"),
            ("once", "After a few weeks, the team reported clearer decisions and fewer delays."),
            ("topic", "Imagine you were in that team: you would start by mapping work on {value}."),
        ),
        closing="What would you do differently in the same situation in your role as {role_a}?",
        neutral=(
            (
                "topic",
                "A mid-sized team adopted {value} to find where its process was losing time.",
            ),
            ("example", "For example, {value}"),
            ("once", "After a few weeks, the team reported clearer decisions and fewer delays."),
        ),
    ),
    "assessments": SectionTemplates(
        opening="{first}, use these questions to check your understanding before moving on.",
        personal=(
            (
                "topic",
                "How would you explain {value} to a colleague, and which example would you use?",
            ),
            ("objective", "What evidence would show that you can {value}?"),
            ("topic", "Where in your work as {role_a} could {value} save time or reduce errors?"),
            ("example", "Consider this example and say what you would change: {value}"),
        ),
        closing="Which answer was hardest for you, and what will you review before the next part?",
        neutral=(
            ("topic", "Describe the main idea of {value} and give one typical use case."),
            ("objective", "Show in a short written answer how to {value}."),
        ),
    ),
}
