"""Sentence templates of the rule-based writer, per section.

A body entry is (kind, template): the template is filled once per item of that kind (topic,
objective, research point, example, learner tool, career goal), with `{value}` the item; kind
"once" is one general sentence and "lead" one sentence placed first. Personal templates address
the learner (`{first}`, `{role_a}`, "you"); neutral ones, used for drafts and stubs, do not and
never ask questions.
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
            ("lead", "By the end of it you will be able to {objectives}."),
            ("topic", "We will look at {value} and its value for {role_a} like you."),
            ("once", "Each part builds on the previous one, so you can use it in your own tasks."),
            ("example", "For example, {value}"),
            ("goal", "Along the way you also move towards your goal to {value}."),
            (
                "topic",
                "You may already use {value} informally; here you will learn to use it on purpose.",
            ),
            ("once", "The module is short, and every part links back to tasks you already handle."),
            (
                "once",
                "You will meet each idea in plain words first and then see it applied.",
            ),
            (
                "once",
                "Take notes as you go, because the final questions ask you to apply what you read.",
            ),
        ),
        closing="Which part of {title} do you expect to use first in your role as {role_a}?",
        neutral=(
            ("lead", "This module introduces {topics} and how they are applied."),
            ("lead", "Learners will be able to {objectives} after completing it."),
            (
                "topic",
                "One of the topics covered is {value}, with the key ideas explained in turn.",
            ),
            ("example", "For example, {value}"),
            ("once", "The module is organised so that each part builds on the previous one."),
            (
                "once",
                "Concepts are introduced first and then applied to realistic workplace tasks.",
            ),
        ),
    ),
    "core_content": SectionTemplates(
        opening="{first}, this part explains {topics} for your work as {role_a}.",
        personal=(
            (
                "topic",
                "Look closely at {value}: it gives you a shared vocabulary for this module.",
            ),
            (
                "topic",
                "When you apply {value}, check your assumptions first and test them on cases.",
            ),
            ("point", "A key point for you to remember: {value}"),
            ("objective", "This supports the objective to {value}, which you will practise next."),
            ("example", "For example, {value}"),
            ("tool", "If you work with {value}, look for the features that support {topic0}."),
            (
                "topic",
                "Notice where {value} shows up in the decisions you make each week.",
            ),
            ("once", "Keep the big picture in mind: each concept here supports the next one."),
            (
                "once",
                "When an idea seems abstract, ask where you would meet it in your work.",
            ),
            (
                "once",
                "Good practice is rarely complicated: it is consistent, documented and reviewed.",
            ),
            (
                "once",
                "You need not master everything at once, so focus on what you use most.",
            ),
            (
                "once",
                "Write down one question per concept and check later whether it was answered.",
            ),
        ),
        closing="How would you explain {topic0} to a colleague who is new to the subject?",
        neutral=(
            ("lead", "The central concepts are {topics}."),
            ("topic", "A central concept is {value}, which provides vocabulary used throughout."),
            ("point", "Key point: {value}"),
            ("topic", "Applying {value} involves checking assumptions and testing them on cases."),
            ("example", "For example, {value}"),
            (
                "once",
                "Each concept is described with its purpose, typical use and common pitfalls.",
            ),
            ("once", "Good practice in this area is mostly consistent, documented and reviewed."),
            ("once", "The concepts connect, so later ones rely on the vocabulary of earlier ones."),
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
            ("point", "Keep this in mind while you practise: {value}"),
            (
                "topic",
                "Explain {value} to a colleague afterwards: teaching it helps you remember it.",
            ),
            (
                "once",
                "Set aside fifteen minutes after each task to note what worked and what did not.",
            ),
            (
                "once",
                "Small, repeated improvements are easier for you to keep than one large change.",
            ),
            ("once", "Ask for feedback early, so you can adjust before your habits settle."),
            (
                "once",
                "Keep a simple checklist nearby, and update it whenever you learn something new.",
            ),
        ),
        closing="Which of these steps could you try in your next project as {role_a}?",
        neutral=(
            ("topic", "Practitioners apply {value} to routine tasks to make decisions consistent."),
            ("example", "For instance, {value}"),
            ("topic", "A small template makes {value} easier to reuse across several projects."),
            (
                "once",
                "Small, repeated improvements are easier to sustain than a single large change.",
            ),
            (
                "once",
                "Short reviews after each task help to keep what works and drop what does not.",
            ),
            ("once", "Checklists help teams apply the same steps in the same order every time."),
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
            ("once", "At the start, nobody on the team was sure which problem to solve first."),
            (
                "once",
                "They agreed to measure one thing before and after the change.",
            ),
            (
                "once",
                "The first attempt was not perfect, but it gave them data for a better one.",
            ),
            (
                "once",
                "Soon colleagues outside the team asked to reuse the approach in their own work.",
            ),
        ),
        closing="What would you do differently in the same situation in your role as {role_a}?",
        neutral=(
            (
                "topic",
                "A mid-sized team adopted {value} to find where its process was losing time.",
            ),
            ("example", "For example, {value}"),
            ("once", "After a few weeks, the team reported clearer decisions and fewer delays."),
            ("once", "The team measured one indicator before and after the change."),
            (
                "once",
                "The first attempt was imperfect but produced data for a better second attempt.",
            ),
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
            (
                "topic",
                "What would go wrong if {value} were applied carelessly, and how would you notice?",
            ),
            ("once", "What is one thing you will do differently tomorrow because of this module?"),
            (
                "once",
                "Which step of your process would benefit most from what you learned, and why?",
            ),
            (
                "once",
                "How would you measure whether your work has improved after applying these ideas?",
            ),
        ),
        closing="Which answer was hardest for you, and what will you review before the next part?",
        neutral=(
            ("topic", "Describe the main idea of {value} and give one typical use case."),
            ("objective", "Show in a short written answer how to {value}."),
            ("once", "List the steps needed to apply the main concept in a typical task."),
            ("once", "Explain how the results of a change in this area could be measured."),
            ("once", "Name one common mistake in this area and describe how to avoid it."),
        ),
    ),
}
