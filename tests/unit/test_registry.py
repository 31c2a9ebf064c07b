"""The handler registry: subscriptions, duplicate names, selection."""

from __future__ import annotations

import pytest

from lxera_pipeline.handlers.context import HandlerContext
from lxera_pipeline.handlers.registry import Registry, RegistryError, parse_transition


async def _noop(ctx: HandlerContext) -> None:
    return None


async def _other(ctx: HandlerContext) -> None:
    return None


def test_decorator_records_the_subscription() -> None:
    reg = Registry()
    reg.handler(
        "gate", table="cm_module_content", transition="* -> quality_check", group="content"
    )(_noop)
    spec = reg.get("gate")
    assert spec is not None
    assert (spec.table, spec.from_status, spec.to_status) == (
        "cm_module_content",
        "*",
        "quality_check",
    )
    assert spec.module == __name__


def test_two_handlers_under_one_name_are_refused() -> None:
    reg = Registry()
    reg.handler("gate", table="cm_module_content", transition="* -> approved", group="c")(_noop)
    with pytest.raises(RegistryError, match="already registered"):
        reg.handler("gate", table="cm_module_content", transition="* -> approved", group="c")(
            _other
        )


@pytest.mark.parametrize(
    ("transition", "message"),
    [
        ("approved", "must read 'FROM -> TO'"),
        ("approved -> bogus", "no status 'bogus'"),
        ("bogus -> approved", "no status 'bogus'"),
    ],
)
def test_bad_transitions_are_named(transition: str, message: str) -> None:
    with pytest.raises(RegistryError, match=message):
        parse_transition("cm_module_content", "status", transition)


def test_unknown_table_is_named() -> None:
    with pytest.raises(RegistryError, match=r"cm_nope\.status is not a status column"):
        parse_transition("cm_nope", "status", "* -> draft")


def test_select_by_group_and_all() -> None:
    reg = Registry()
    reg.handler("a", table="cm_module_content", transition="* -> approved", group="content")(_noop)
    reg.handler("b", table="mm_multimedia_sessions", transition="new -> started", group="media")(
        _other
    )
    assert [s.name for s in reg.select("media")] == ["b"]
    assert [s.name for s in reg.select("all")] == ["a", "b"]
    assert [s.name for s in reg.select("content,media")] == ["a", "b"]
    with pytest.raises(RegistryError, match="no handler group 'nope'"):
        reg.select("nope")
    with pytest.raises(RegistryError, match="cannot import handler module"):
        reg.select("no.such.module")
