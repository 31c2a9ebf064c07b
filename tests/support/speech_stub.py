"""A local OpenAI-compatible speech endpoint: `POST /v1/audio/speech` answering with a WAV tone.

The tone lasts `seconds_per_char` per input character, so tests know the exact duration to
expect. Like some real servers it can send a streaming WAV header (sizes 0xFFFFFFFF).
"""

from __future__ import annotations

import json
import math
import struct
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType


def tone_wav(samples: int, rate: int, streaming: bool = False) -> bytes:
    """A 16-bit mono 440 Hz tone as WAV bytes."""
    frames = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate)))
        for i in range(samples)
    )
    data_size = 0xFFFFFFFF if streaming else len(frames)
    riff_size = 0xFFFFFFFF if streaming else 36 + len(frames)
    fmt = struct.pack("<HHIIHH", 1, 1, rate, rate * 2, 2, 16)
    return (
        b"RIFF" + struct.pack("<I", riff_size) + b"WAVE"
        + b"fmt " + struct.pack("<I", len(fmt)) + fmt
        + b"data" + struct.pack("<I", data_size) + frames
    )  # fmt: skip


@dataclass
class SpeechStub:
    api_key: str = "stub-tts-key"
    rate: int = 24000
    seconds_per_char: float = 0.01
    streaming_header: bool = True
    bodies: list[dict[str, object]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    url: str = ""
    _server: ThreadingHTTPServer | None = None

    def samples_for(self, text: str) -> int:
        return round(len(text) * self.seconds_per_char * self.rate)

    def __enter__(self) -> SpeechStub:
        handler = type("Handler", (_Handler,), {"stub": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


class _Handler(BaseHTTPRequestHandler):
    stub: SpeechStub
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        return None

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
        self.stub.bodies.append(body)
        self.stub.headers.append({k.lower(): v for k, v in self.headers.items()})
        if self.path != "/v1/audio/speech":
            return self._send(404, b'{"error": {"message": "not found"}}', "application/json")
        if self.headers.get("Authorization") != f"Bearer {self.stub.api_key}":
            return self._send(401, b'{"error": {"message": "bad key"}}', "application/json")
        samples = self.stub.samples_for(str(body["input"]))
        self._send(200, tone_wav(samples, self.stub.rate, self.stub.streaming_header), "audio/wav")

    def _send(self, status: int, data: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
