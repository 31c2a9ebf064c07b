"""A local OpenAI-compatible chat-completions stub: records requests, answers queued replies.

Runs `http.server` in a thread on 127.0.0.1 at a random port; use the `chat_stub()` context
manager and point a ChatClient at `stub.base_url`.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    status: int = 200
    body: str = ""
    delay: float = 0.0


@dataclass
class ChatStub:
    """Recorded requests (path, headers, parsed body) and the replies still queued."""

    replies: list[Reply] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    base_url: str = ""

    def answer(self, content: Any, usage: dict[str, Any] | None = None) -> None:
        """Queue a chat completion whose message content is `content` (JSON-encoded if needed),
        with `usage` as the completion's token counts when given."""
        text = content if isinstance(content, str) else json.dumps(content)
        completion: dict[str, Any] = {
            "choices": [{"message": {"role": "assistant", "content": text}}]
        }
        if usage is not None:
            completion["usage"] = usage
        self.reply(200, json.dumps(completion))

    def reply(self, status: int, body: str, delay: float = 0.0) -> None:
        """Queue a raw HTTP reply, sent after `delay` seconds."""
        self.replies.append(Reply(status, body, delay))

    @property
    def last_body(self) -> dict[str, Any]:
        body: dict[str, Any] = self.requests[-1]["body"]
        return body


def handler_for(stub: ChatStub) -> type[BaseHTTPRequestHandler]:
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
                pass  # the client gave up, e.g. after its timeout

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


@contextmanager
def chat_stub() -> Iterator[ChatStub]:
    state = ChatStub()
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
