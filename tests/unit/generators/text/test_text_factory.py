"""Choosing the text ports from settings."""

from __future__ import annotations

import pytest

from lxera_pipeline.generators.text.factory import (
    build_text_ports,
    chat_text_ports,
    rule_based_text_ports,
)
from lxera_pipeline.generators.text.openai_chat import OpenAIChatText
from lxera_pipeline.generators.text.quality import DeterministicQualityAssessor
from lxera_pipeline.generators.text.rule_based import (
    RuleBasedContentWriter,
    RuleBasedEnhancer,
    RuleBasedResearcher,
    RuleBasedScriptWriter,
)
from lxera_pipeline.generators.text.targets import DEFAULT_TARGETS
from lxera_pipeline.settings import Settings


def settings(**values: object) -> Settings:
    return Settings.model_validate({"llm_base_url": None, **values})


@pytest.mark.parametrize("url", [None, "", "   "])
def test_without_llm_url_the_ports_are_rule_based(url: str | None) -> None:
    ports = build_text_ports(settings(llm_base_url=url))
    assert isinstance(ports.researcher, RuleBasedResearcher)
    assert isinstance(ports.writer, RuleBasedContentWriter)
    assert isinstance(ports.enhancer, RuleBasedEnhancer)
    assert isinstance(ports.script_writer, RuleBasedScriptWriter)
    assert isinstance(ports.assessor, DeterministicQualityAssessor)
    assert ports.writer.quality == "full"


def test_with_llm_url_the_adapter_serves_every_text_port_but_the_assessor() -> None:
    config = settings(llm_base_url="http://127.0.0.1:9/v1/", llm_api_key="k", llm_model="m1")
    ports = build_text_ports(config)
    adapter = ports.writer
    assert isinstance(adapter, OpenAIChatText)
    assert ports.researcher is adapter
    assert ports.enhancer is adapter
    assert ports.script_writer is adapter
    assert isinstance(ports.assessor, DeterministicQualityAssessor)
    assert adapter.client.url == "http://127.0.0.1:9/v1/chat/completions"
    assert adapter.client.model == "m1"
    assert adapter.client.headers()["Authorization"] == "Bearer k"
    assert "k" not in repr(adapter.client.api_key)


def test_rule_based_ports_share_quality_and_targets() -> None:
    targets = DEFAULT_TARGETS.scaled(2)
    ports = rule_based_text_ports("draft", targets)
    assert isinstance(ports.writer, RuleBasedContentWriter)
    assert isinstance(ports.enhancer, RuleBasedEnhancer)
    assert isinstance(ports.assessor, DeterministicQualityAssessor)
    assert (ports.writer.quality, ports.enhancer.quality) == ("draft", "draft")
    assert ports.writer.target_words is ports.assessor.targets is targets


def test_chat_ports_need_a_url() -> None:
    with pytest.raises(ValueError, match="llm_base_url"):
        chat_text_ports(settings())
