"""The chat adapter against a local OpenAI-compatible stub server (http.server on 127.0.0.1)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

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


@dataclass
class Reply:
    status: int = 200
    body: str = ""
    delay: float = 0.0


@dataclass
class StubChat:
    """Records each request and answers with the next queued reply."""

    replies: list[Reply] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    base_url: str = ""

    def answer(self, content: Any) -> None:
        text = content if isinstance(content, str) else json.dumps(content)
        completion = {"choices": [{"message": {"role": "assistant", "content": text}}]}
        self.replies.append(Reply(body=json.dumps(completion)))

    @property
    def last_body(self) -> dict[str, Any]:
        body: dict[str, Any] = self.requests[-1]["body"]
        return body


def handler_for(stub: StubChat) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers["Content-Length"]))
            record = {"path": self.path, "headers": dict(self.headers), "body": json.loads(raw)}
            stub.requests.append(record)
            reply = stub.replies.pop(0) if stub.replies else Reply(500, "no reply queued")
            time.sleep(reply.delay)
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(reply.body.encode())
            except OSError:
                pass  # the client gave up (timeout test)

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


@pytest.fixture
def stub() -> Iterator[StubChat]:
    state = StubChat()
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(state))
    server.daemon_threads = True
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def adapter(stub: StubChat, key: str | None = "test-key", timeout: float = 5.0) -> OpenAIChatText:
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
    stub: StubChat, module: ModuleSpec, research: ModuleResearch, learner: Learner
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
    stub: StubChat, module: ModuleSpec, research: ModuleResearch, learner: Learner
) -> None:
    stub.answer(SECTIONS)
    await adapter(stub, key=None).write(module, research, learner)
    assert "Authorization" not in stub.requests[0]["headers"]


@pytest.mark.anyio
async def test_research_fills_missing_modules_and_recomputes_counts(
    stub: StubChat, plan: CoursePlanInput
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
    stub: StubChat, module: ModuleSpec, research: ModuleResearch, learner: Learner
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
    stub: StubChat, module: ModuleSpec, research: ModuleResearch, learner: Learner
) -> None:
    sections = ModuleSections(**SECTIONS)
    report = DeterministicQualityAssessor().score(sections, module, learner, "low")
    report = report.model_copy(update={"sections_needing_work": []})
    assert await adapter(stub).enhance(module, sections, report, research, learner) == sections
    assert stub.requests == []


@pytest.mark.anyio
async def test_script_slides_are_renumbered(
    stub: StubChat, module: ModuleSpec, learner: Learner
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


@pytest.mark.anyio
async def test_http_error_reports_status_and_body(
    stub: StubChat, module: ModuleSpec, research: ModuleResearch, learner: Learner
) -> None:
    stub.replies.append(Reply(429, '{"error": "rate limited, slow down"}'))
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
    stub: StubChat,
    module: ModuleSpec,
    research: ModuleResearch,
    learner: Learner,
    body: str,
    message: str,
) -> None:
    stub.replies.append(Reply(200, body))
    with pytest.raises(LLMResponseError, match=message):
        await adapter(stub).write(module, research, learner)


@pytest.mark.anyio
async def test_timeout_is_a_connection_error(
    stub: StubChat, module: ModuleSpec, research: ModuleResearch, learner: Learner
) -> None:
    stub.replies.append(Reply(200, "{}", delay=1.0))
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
