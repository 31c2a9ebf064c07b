"""Choose the text ports from settings: offline rule-based, or an OpenAI-compatible endpoint."""

from __future__ import annotations

from dataclasses import dataclass

from lxera_pipeline.generators.ports import (
    ContentWriter,
    Enhancer,
    QualityAssessor,
    Researcher,
    ScriptWriter,
)
from lxera_pipeline.generators.text.chat_client import ChatClient
from lxera_pipeline.generators.text.openai_chat import OpenAIChatText
from lxera_pipeline.generators.text.quality import DeterministicQualityAssessor
from lxera_pipeline.generators.text.rule_based import (
    RuleBasedContentWriter,
    RuleBasedEnhancer,
    RuleBasedResearcher,
    RuleBasedScriptWriter,
)
from lxera_pipeline.generators.text.targets import DEFAULT_TARGETS, SectionTargets
from lxera_pipeline.generators.types import DemoQuality
from lxera_pipeline.log import get_logger
from lxera_pipeline.settings import Settings

log = get_logger(__name__)

LLM_TIMEOUT_SECONDS = 120.0


@dataclass(frozen=True)
class TextPorts:
    """The text-generation ports the workflow handlers use."""

    researcher: Researcher
    writer: ContentWriter
    enhancer: Enhancer
    script_writer: ScriptWriter
    assessor: QualityAssessor


def rule_based_text_ports(
    quality: DemoQuality = "full", targets: SectionTargets = DEFAULT_TARGETS
) -> TextPorts:
    """Offline ports; `quality` sets the writer's and enhancer's default DemoQuality."""
    return TextPorts(
        researcher=RuleBasedResearcher(),
        writer=RuleBasedContentWriter(quality, targets),
        enhancer=RuleBasedEnhancer(quality, targets),
        script_writer=RuleBasedScriptWriter(),
        assessor=DeterministicQualityAssessor(targets),
    )


def chat_text_ports(settings: Settings, targets: SectionTargets = DEFAULT_TARGETS) -> TextPorts:
    """Ports backed by the chat endpoint in settings; the assessor stays deterministic."""
    if not (settings.llm_base_url or "").strip():
        raise ValueError("chat_text_ports needs settings.llm_base_url (LXERA_LLM_BASE_URL)")
    client = ChatClient(
        settings.llm_base_url or "", settings.llm_model, settings.llm_api_key, LLM_TIMEOUT_SECONDS
    )
    adapter = OpenAIChatText(client, targets)
    return TextPorts(adapter, adapter, adapter, adapter, DeterministicQualityAssessor(targets))


def build_text_ports(settings: Settings, targets: SectionTargets = DEFAULT_TARGETS) -> TextPorts:
    """Rule-based ports when `settings.llm_base_url` is unset or blank, else the chat adapter."""
    if not (settings.llm_base_url or "").strip():
        log.info("text_ports.selected", backend="rule_based")
        return rule_based_text_ports(targets=targets)
    log.info("text_ports.selected", backend="openai_chat", model=settings.llm_model)
    return chat_text_ports(settings, targets)
