"""Who may see the dashboard and act on it.

``LXERA_DASHBOARD_TOKEN`` protects everything but ``/healthz``. A browser logs in once through the
``/login`` form and gets a session cookie (HttpOnly, SameSite=Strict): a random session id signed
with a key derived from the token, so changing the token ends every session. Scripts send
``Authorization: Bearer <token>``. Every state-changing form carries a CSRF token bound to the
session (an HMAC of the session id); a Bearer request needs none (a browser never adds that header
to a forged cross-site request). Without a token the dashboard serves loopback only (see
`server.py`) and every request is the local operator's; sessions and CSRF still apply.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from pydantic import SecretStr

COOKIE = "lxera_dashboard"
MAX_TOKEN_CHARS = 512
MAX_COOKIE_CHARS = 200


@dataclass(frozen=True)
class Identity:
    """An authenticated request: how it proved itself, and its session (cookie logins)."""

    via: str  # "session", "bearer" or "local" (no token configured)
    session: str | None

    def who(self, client: str, name: str = "") -> str:
        """The actor written to the audit: the name given, the session and the client address."""
        origin = f"session {self.session[:8]}" if self.session else self.via
        label = f"{name} ({origin}" if name else f"dashboard ({origin}"
        return f"{label} from {client})"[:200]


class Auth:
    def __init__(self, token: SecretStr | None) -> None:
        secret = token.get_secret_value() if token is not None else ""
        if len(secret) > MAX_TOKEN_CHARS:
            raise ValueError(f"LXERA_DASHBOARD_TOKEN: at most {MAX_TOKEN_CHARS} characters")
        self._token = secret.encode() if secret else None
        self._key = (
            hashlib.sha256(b"lxera-dashboard-session:" + self._token).digest()
            if self._token
            else secrets.token_bytes(32)
        )

    @property
    def required(self) -> bool:
        return self._token is not None

    def _sign(self, text: str) -> str:
        return hmac.new(self._key, text.encode(), hashlib.sha256).hexdigest()

    def token_matches(self, given: str) -> bool:
        if self._token is None or not given or len(given) > MAX_TOKEN_CHARS:
            return False
        return hmac.compare_digest(given.encode(), self._token)

    def new_session(self) -> str:
        session = secrets.token_hex(16)
        return f"{session}.{self._sign('session:' + session)}"

    def session_of(self, cookie: str | None) -> str | None:
        """The session id of a validly signed cookie, else None."""
        if not cookie or len(cookie) > MAX_COOKIE_CHARS or "." not in cookie:
            return None
        session, signature = cookie.split(".", 1)
        if hmac.compare_digest(signature, self._sign("session:" + session)):
            return session
        return None

    def bearer(self, header: str | None) -> bool:
        if not header or not header.startswith("Bearer "):
            return False
        return self.token_matches(header.removeprefix("Bearer ").strip())

    def identify(self, cookie: str | None, authorization: str | None) -> Identity | None:
        """The request's identity, or None when it has proved nothing."""
        session = self.session_of(cookie)
        if session is not None:
            return Identity("session" if self.required else "local", session)
        if self.bearer(authorization):
            return Identity("bearer", None)
        if not self.required:
            return Identity("local", None)
        return None

    def csrf_for(self, session: str) -> str:
        return self._sign("csrf:" + session)

    def csrf_ok(self, identity: Identity, given: str | None) -> bool:
        if identity.via == "bearer":
            return True
        if identity.session is None or not given or len(given) > 128:
            return False
        return hmac.compare_digest(given, self.csrf_for(identity.session))
