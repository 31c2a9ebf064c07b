"""Registers the operator tests' grader on the global registry. Imported only by CLI subprocesses
(`--handlers tests.integration.operate_handlers`), never by the test process itself."""

from __future__ import annotations

from lxera_pipeline.handlers.context import HandlerContext
from lxera_pipeline.handlers.registry import registry
from tests.integration.operate_support import GRADER, grade


@registry.handler(
    GRADER,
    table="cm_module_content",
    transition="* -> quality_check",
    group="optest",
    max_attempts=2,
)
async def grade_in_cli(ctx: HandlerContext) -> None:
    await grade(ctx)
