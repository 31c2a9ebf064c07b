"""A TCP server that speaks just enough of the PostgreSQL protocol to fail a client's login.

``password``: asks for a cleartext password and answers ``28P01 password authentication failed``
(the local test server trusts every login, so a wrong password cannot be provoked there);
``version``: accepts the login as a server of an old version (``server_version`` 14.9);
``silent``: accepts the TCP connection and never answers (a server that hangs).
The passwords it was sent are kept in ``received``.
"""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

SSL_REQUEST = 80877103
GSSENC_REQUEST = 80877104


def _message(kind: bytes, payload: bytes) -> bytes:
    return kind + struct.pack("!I", len(payload) + 4) + payload


def _error(code: str, text: str) -> bytes:
    fields = b"".join(
        tag + value.encode() + b"\0"
        for tag, value in ((b"S", "FATAL"), (b"V", "FATAL"), (b"C", code), (b"M", text))
    )
    return _message(b"E", fields + b"\0")


def _read_exact(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise ConnectionError("client went away")
        data += chunk
    return data


@dataclass
class FakePostgres:
    mode: str
    server_version: str = "14.9"
    received: list[str] = field(default_factory=list)
    _sock: socket.socket = field(init=False)
    _open: list[socket.socket] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._sock.getsockname()[1]

    def dsn(self, user: str = "lxera", password: str = "pw", dbname: str = "lxera") -> str:
        return f"postgresql://{user}:{password}@127.0.0.1:{self.port}/{dbname}?sslmode=disable"

    def serve(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            self._open.append(conn)
            if self.mode != "silent":
                threading.Thread(target=self._session, args=(conn,), daemon=True).start()

    def _startup(self, conn: socket.socket) -> dict[str, str]:
        while True:
            (length,) = struct.unpack("!I", _read_exact(conn, 4))
            body = _read_exact(conn, length - 4)
            (code,) = struct.unpack("!I", body[:4])
            if code in (SSL_REQUEST, GSSENC_REQUEST):
                conn.sendall(b"N")
                continue
            words = body[4:].split(b"\0")
            return {k.decode(): v.decode() for k, v in zip(words[::2], words[1::2], strict=False)}

    def _session(self, conn: socket.socket) -> None:
        try:
            params = self._startup(conn)
            user = params.get("user", "")
            if self.mode == "password":
                conn.sendall(_message(b"R", struct.pack("!I", 3)))
                kind = _read_exact(conn, 1)
                (length,) = struct.unpack("!I", _read_exact(conn, 4))
                body = _read_exact(conn, length - 4)
                if kind == b"p":
                    self.received.append(body.rstrip(b"\0").decode())
                conn.sendall(_error("28P01", f'password authentication failed for user "{user}"'))
                return
            statuses = {
                "server_version": self.server_version,
                "server_encoding": "UTF8",
                "client_encoding": "UTF8",
                "DateStyle": "ISO, MDY",
                "integer_datetimes": "on",
                "standard_conforming_strings": "on",
                "TimeZone": "UTC",
            }
            out = _message(b"R", struct.pack("!I", 0))
            for name, value in statuses.items():
                out += _message(b"S", name.encode() + b"\0" + value.encode() + b"\0")
            out += _message(b"K", struct.pack("!II", 4242, 1))
            out += _message(b"Z", b"I")
            conn.sendall(out)
            while conn.recv(4096):  # queries are not answered; the client hangs up
                pass
        except (OSError, ConnectionError, struct.error):
            pass
        finally:
            conn.close()

    def close(self) -> None:
        self._sock.close()
        for conn in self._open:
            conn.close()


@contextmanager
def fake_postgres(mode: str, server_version: str = "14.9") -> Iterator[FakePostgres]:
    server = FakePostgres(mode, server_version)
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.close()
