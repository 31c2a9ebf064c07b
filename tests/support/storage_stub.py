"""A local stand-in for the Supabase Storage REST API, run in a thread on 127.0.0.1.

It follows the contract in shared/reference/supabase-facts.md: multipart uploads to
`POST /storage/v1/object/<bucket>/<path>` with `x-upsert`, the server's key regex, error JSON
`{statusCode, error, message}` sent with HTTP 400, bucket creation, and public object reads. It
records every request so tests can assert what the client sent.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import unquote

VALID_KEY = re.compile(r"^(\w|/|!|-|\.|\*|'|\(|\)| |&|\$|@|=|;|:|\+|,|\?)*$", re.ASCII)
OBJECT_PREFIX = "/storage/v1/object/"
PUBLIC_PREFIX = "/storage/v1/object/public/"
SIGN_PREFIX = "/storage/v1/object/sign/"


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class StoredFile:
    data: bytes
    content_type: str
    cache_control: str
    filename: str


@dataclass
class StorageStub:
    """State of the fake Storage server; `url` is what SUPABASE_URL would be."""

    key: str = "stub-service-role-key"
    buckets: dict[str, bool] = field(default_factory=dict)  # id -> public
    objects: dict[str, StoredFile] = field(default_factory=dict)  # "<bucket>/<path>"
    signed: dict[str, tuple[str, int]] = field(default_factory=dict)  # token -> (object, seconds)
    requests: list[RecordedRequest] = field(default_factory=list)
    max_upload_bytes: int = 50 * 1024 * 1024
    url: str = ""
    _server: ThreadingHTTPServer | None = None

    def __enter__(self) -> StorageStub:
        handler = type("Handler", (_Handler,), {"stub": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def uploads(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == "POST" and _is_upload(r.path)]


def _is_upload(path: str) -> bool:
    return path.startswith(OBJECT_PREFIX) and not path.startswith((PUBLIC_PREFIX, SIGN_PREFIX))


class StubError(Exception):
    def __init__(self, status_code: str, error: str, message: str) -> None:
        super().__init__(message)
        self.body = {"statusCode": status_code, "error": error, "message": message}


class _Handler(BaseHTTPRequestHandler):
    stub: StorageStub
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        return None

    def do_GET(self) -> None:
        self._dispatch(b"")

    def do_POST(self) -> None:
        self._dispatch(self.rfile.read(int(self.headers.get("Content-Length", "0"))))

    def _dispatch(self, body: bytes) -> None:
        headers = {k.lower(): v for k, v in self.headers.items()}
        self.stub.requests.append(RecordedRequest(self.command, self.path, headers, body))
        try:
            self._route(headers, body)
        except StubError as exc:
            self._json(400, exc.body)

    def _route(self, headers: dict[str, str], body: bytes) -> None:
        if self.command == "GET" and self.path.startswith(PUBLIC_PREFIX):
            return self._read_public(self.path[len(PUBLIC_PREFIX) :])
        if self.command == "GET" and self.path.startswith(SIGN_PREFIX):
            return self._read_signed(self.path[len(SIGN_PREFIX) :])
        self._check_auth(headers)
        if self.command == "POST" and self.path.startswith(SIGN_PREFIX):
            return self._sign(self.path[len(SIGN_PREFIX) :], json.loads(body))
        if self.command == "POST" and self.path == "/storage/v1/bucket":
            return self._create_bucket(json.loads(body))
        if self.command == "POST" and _is_upload(self.path):
            return self._upload(self.path[len(OBJECT_PREFIX) :], headers, body)
        raise StubError("404", "not_found", f"no route {self.command} {self.path}")

    def _check_auth(self, headers: dict[str, str]) -> None:
        expected = self.stub.key
        if (
            headers.get("apikey") != expected
            or headers.get("authorization") != f"Bearer {expected}"
        ):
            raise StubError("403", "Unauthorized", "Invalid JWT")

    def _create_bucket(self, spec: dict[str, object]) -> None:
        bucket_id = str(spec["id"])
        if bucket_id in self.stub.buckets:
            raise StubError("409", "Duplicate", "The resource already exists")
        self.stub.buckets[bucket_id] = bool(spec.get("public", False))
        self._json(200, {"name": bucket_id})

    def _upload(self, wire_path: str, headers: dict[str, str], body: bytes) -> None:
        bucket, _, key = unquote(wire_path).partition("/")
        if bucket not in self.stub.buckets:
            raise StubError("404", "Bucket not found", "Bucket not found")
        if not VALID_KEY.match(key):
            raise StubError("400", "InvalidKey", f"Invalid key: {key}")
        full = f"{bucket}/{key}"
        if full in self.stub.objects and headers.get("x-upsert") != "true":
            raise StubError("409", "Duplicate", "The resource already exists")
        self.stub.objects[full] = self._parse_file(headers, body)
        self._json(200, {"Key": full, "Id": str(uuid.uuid4())})

    def _parse_file(self, headers: dict[str, str], body: bytes) -> StoredFile:
        head = f"Content-Type: {headers['content-type']}\r\n\r\n".encode()
        form = BytesParser(policy=HTTP).parsebytes(head + body)
        parts = {
            part.get_param("name", header="content-disposition"): part for part in form.iter_parts()
        }
        file_part: Message = parts["file"]
        data = file_part.get_payload(decode=True)
        assert isinstance(data, bytes)
        if len(data) > self.stub.max_upload_bytes:
            raise StubError(
                "413", "Payload too large", "The object exceeded the maximum allowed size"
            )
        cache = str(parts["cacheControl"].get_payload()) if "cacheControl" in parts else ""
        return StoredFile(
            data=data,
            content_type=str(file_part["Content-Type"]),
            cache_control=f"max-age={cache}" if cache else "no-cache",
            filename=str(file_part.get_filename()),
        )

    def _read_public(self, wire_path: str) -> None:
        bucket, _, key = unquote(wire_path).partition("/")
        stored = self.stub.objects.get(f"{bucket}/{key}")
        if not self.stub.buckets.get(bucket) or stored is None:
            raise StubError("404", "not_found", "Object not found")
        self._send(200, stored.data, stored.content_type)

    def _sign(self, wire_path: str, spec: dict[str, str]) -> None:
        full = unquote(wire_path)
        if full not in self.stub.objects:
            raise StubError("404", "not_found", "Object not found")
        token = uuid.uuid4().hex
        self.stub.signed[token] = (full, int(spec["expiresIn"]))
        self._json(200, {"signedURL": f"/object/sign/{wire_path}?token={token}"})

    def _read_signed(self, wire_path: str) -> None:
        path, _, query = wire_path.partition("?")
        token = query.removeprefix("token=")
        found = self.stub.signed.get(token)
        if found is None or found[0] != unquote(path):
            raise StubError("400", "InvalidSignature", "The signature is invalid")
        stored = self.stub.objects[found[0]]
        self._send(200, stored.data, stored.content_type)

    def _json(self, status: int, payload: object) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json")

    def _send(self, status: int, data: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
