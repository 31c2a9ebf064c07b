"""The chat adapter against a local OpenAI-compatible stub server (http.server on 127.0.0.1)."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import pytest
from tests.support.chat_stub import ChatStub, chat_stub

from lxera_pipeline.generators.text.chat_client import (
    ChatClient,
    LLMConnectionError,
    LLMHTTPError,
    LLMResponseError,
)
from lxera_pipeline.generators.text.openai_chat import OpenAIChatText
from lxera_pipeline.generators.text.quality import DeterministicQualityAssessor
from lxera_pipeline.generators.types import (
    CoursePlanInput,
    Learner,
    ModuleResearch,
    ModuleSections,
    ModuleSpec,
)


@pytest.fixture
def stub() -> Iterator[ChatStub]:
    with chat_stub() as state:
        yield state


def adapter(stub: ChatStub, key: str | None = "test-key", timeout: float = 5.0) -> OpenAIChatText:
    return OpenAIChatText(ChatClient(stub.base_url, "test-model", key, timeout))


SECTIONS = {
    "introduction": "Hello Maria.",
    "core_content": "Core.",
    "practical_applications": "Practice.",
    "case_studies": "Case.",
    "assessments": "Why?",
}


@pytest.mark.anyio
async def test_write_round_trip_and_request_shape(
    stub: ChatStub, module: ModuleSpec, research: ModuleResearch, learner: Learner
) -> None:
    stub.answer(SECTIONS)
    sections = await adapter(stub).write(module, research, learner)
    assert sections == ModuleSections(**SECTIONS)
    request = stub.requests[0]
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["Authorization"] == "Bearer test-key"
    body = request["body"]
    assert body["model"] == "test-model"
    assert body["response_format"] == {"type": "json_object"}
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert "JSON Schema" in body["messages"][0]["content"]
    user = json.loads(body["messages"][1]["content"].split("\n", 1)[1])
    assert user["module"]["title"] == "Data Basics"
    assert user["learner"]["name"] == "Maria Lopez"
    assert "demo_quality" not in user["module"]
    assert user["word_targets"]["core_content"] == 250


@pytest.mark.anyio
async def test_no_api_key_sends_no_authorization(
    stub: ChatStub, module: ModuleSpec, research: ModuleResearch, learner: Learner
) -> None:
    stub.answer(SECTIONS)
    await adapter(stub, key=None).write(module, research, learner)
    assert "Authorization" not in stub.requests[0]["headers"]


@pytest.mark.anyio
async def test_research_fills_missing_modules_and_recomputes_counts(
    stub: ChatStub, plan: CoursePlanInput
) -> None:
    finding = {"module_title": "wrong", "key_points": ["k"], "sources": ["s1", "s2"]}
    stub.answer({"findings": {"Data Basics": finding}, "search_queries": ["q"]})
    result = await adapter(stub).research(plan)
    assert result.findings["Data Basics"].module_title == "Data Basics"
    assert result.findings["Reporting"] == ModuleResearch(module_title="Reporting")
    assert (result.total_sources, result.sources_analyzed) == (2, ["s1", "s2"])
    assert result.total_topics == 4
    assert result.search_queries == ["q"]


@pytest.mark.anyio
async def test_enhance_changes_only_listed_sections(
    stub: ChatStub, module: ModuleSpec, research: ModuleResearch, learner: Learner
) -> None:
    sections = ModuleSections(**SECTIONS)
    report = DeterministicQualityAssessor().score(sections, module, learner, "medium")
    report = report.model_copy(update={"sections_needing_work": ["case_studies"]})
    stub.answer({"case_studies": "A longer case for Maria.", "introduction": "ignored"})
    improved = await adapter(stub).enhance(module, sections, report, research, learner)
    assert improved.case_studies == "A longer case for Maria."
    assert improved.introduction == SECTIONS["introduction"]
    user = stub.last_body["messages"][1]["content"]
    assert '"sections_needing_work": [\n  "case_studies"' in user


@pytest.mark.anyio
async def test_enhance_with_nothing_listed_makes_no_request(
    stub: ChatStub, module: ModuleSpec, research: ModuleResearch, learner: Learner
) -> None:
    sections = ModuleSections(**SECTIONS)
    report = DeterministicQualityAssessor().score(sections, module, learner, "low")
    report = report.model_copy(update={"sections_needing_work": []})
    assert await adapter(stub).enhance(module, sections, report, research, learner) == sections
    assert stub.requests == []


@pytest.mark.anyio
async def test_script_slides_are_renumbered(
    stub: ChatStub, module: ModuleSpec, learner: Learner
) -> None:
    slides = [
        {"slide_number": 7, "section_name": "title", "title": "T", "narration": "Hi Maria."},
        {"slide_number": 7, "section_name": "summary", "title": "S", "narration": "Bye."},
    ]
    stub.answer({"slides": slides})
    script = await adapter(stub).write_script(module, ModuleSections(**SECTIONS), learner, 30)
    assert [s.slide_number for s in script.slides] == [1, 2]
    assert (script.module_title, script.learner_name) == ("Data Basics", "Maria Lopez")
    assert (
        json.loads(stub.last_body["messages"][1]["content"].split("\n", 1)[1])["target_words"] == 75
    )


SCRIPT_SLIDES = [
    {"slide_number": 1, "section_name": "title", "title": "Hi", "narration": "Hello, Maria."},
]


@pytest.mark.anyio
async def test_script_usage_is_what_the_endpoint_reported(
    stub: ChatStub, module: ModuleSpec, learner: Learner
) -> None:
    stub.answer({"slides": SCRIPT_SLIDES}, usage={"prompt_tokens": 812, "completion_tokens": 95})
    script = await adapter(stub).write_script(module, ModuleSections(**SECTIONS), learner, 30)
    assert script.usage is not None
    assert script.usage.model_dump() == {
        "backend": "openai_chat",
        "model": "test-model",
        "prompt_tokens": 812,
        "completion_tokens": 95,
        "source": "reported",
    }


@pytest.mark.anyio
@pytest.mark.parametrize("usage", [None, {"prompt_tokens": -1, "completion_tokens": 3}])
async def test_script_usage_is_counted_when_none_is_reported(
    stub: ChatStub, module: ModuleSpec, learner: Learner, usage: dict[str, int] | None
) -> None:
    stub.answer({"slides": SCRIPT_SLIDES}, usage=usage)
    script = await adapter(stub).write_script(module, ModuleSections(**SECTIONS), learner, 30)
    assert script.usage is not None
    assert (script.usage.source, script.usage.model) == ("counted", "test-model")
    assert script.usage.completion_tokens == 5  # "Hi" + "Hello , Maria ." (title, narration)
    assert script.usage.prompt_tokens > 10


@pytest.mark.anyio
async def test_http_error_reports_status_and_body(
    stub: ChatStub, module: ModuleSpec, research: ModuleResearch, learner: Learner
) -> None:
    stub.reply(429, '{"error": "rate limited, slow down"}')
    with pytest.raises(LLMHTTPError, match=r"HTTP 429.*rate limited") as caught:
        await adapter(stub).write(module, research, learner)
    assert caught.value.status_code == 429


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("not json at all", "non-JSON"),
        (json.dumps({"choices": []}), "choices"),
        (json.dumps({"choices": [{"message": {"content": "{oops"}}]}), "invalid JSON"),
        (json.dumps({"choices": [{"message": {"content": "[1, 2]"}}]}), "not an object"),
        (
            json.dumps({"choices": [{"message": {"content": '{"introduction": 5}'}}]}),
            "introduction",
        ),
    ],
)
async def test_malformed_answers_raise_response_errors(
    stub: ChatStub,
    module: ModuleSpec,
    research: ModuleResearch,
    learner: Learner,
    body: str,
    message: str,
) -> None:
    stub.reply(200, body)
    with pytest.raises(LLMResponseError, match=message):
        await adapter(stub).write(module, research, learner)


@pytest.mark.anyio
async def test_timeout_is_a_connection_error(
    stub: ChatStub, module: ModuleSpec, research: ModuleResearch, learner: Learner
) -> None:
    stub.reply(200, "{}", delay=1.0)
    with pytest.raises(LLMConnectionError, match=r"timed out after 0\.2s"):
        await adapter(stub, timeout=0.2).write(module, research, learner)


@pytest.mark.anyio
async def test_refused_connection_is_a_connection_error(
    module: ModuleSpec, research: ModuleResearch, learner: Learner
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = ChatClient(f"http://127.0.0.1:{port}/v1", "m", None, 2.0)
    with pytest.raises(LLMConnectionError, match="failed"):
        await OpenAIChatText(client).write(module, research, learner)


def test_blank_base_url_is_rejected() -> None:
    with pytest.raises(ValueError, match="base_url"):
        ChatClient("  ", "m")
