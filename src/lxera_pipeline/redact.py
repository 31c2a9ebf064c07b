"""Secret values in settings, and how they are shown: never as themselves.

A DSN is a :class:`SecretDsn`: its ``str`` and ``repr`` show the DSN with ``password=***``; API keys
are pydantic ``SecretStr`` (shown as ``**********``). :func:`redact` removes known secret values
from a message that may have quoted one (a driver error echoing a connection string, say).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import psycopg
import psycopg.conninfo
from pydantic import SecretStr

MASK = "***"
SHORT_SECRET = 8


def mask_dsn(dsn: str) -> str:
    """The DSN with its password replaced by ``***``, for logs and messages."""
    try:
        params = psycopg.conninfo.conninfo_to_dict(dsn)
    except psycopg.ProgrammingError:
        return "<unparseable dsn>"
    if params.get("password"):
        params["password"] = MASK
    return psycopg.conninfo.make_conninfo("", **params)


class SecretDsn(SecretStr):
    """A PostgreSQL DSN whose password is never shown: ``str()`` gives the masked DSN."""

    def _display(self) -> str:
        return mask_dsn(self.get_secret_value())


def secret_values(*secrets: SecretStr | str | None) -> list[str]:
    """The plain values worth redacting: each secret, and a DSN's password on its own."""
    values: list[str] = []
    for secret in secrets:
        if secret is None:
            continue
        value = secret.get_secret_value() if isinstance(secret, SecretStr) else secret
        if not value:
            continue
        values.append(value)
        try:
            password = psycopg.conninfo.conninfo_to_dict(value).get("password")
        except psycopg.ProgrammingError:
            password = None
        if password:
            values.append(str(password))
    return sorted(set(values), key=len, reverse=True)


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every occurrence of each secret value replaced by ``***``.

    A short value (under 8 characters, e.g. a weak password) is replaced only where it stands
    alone (not inside a longer word), so a password ``p`` does not turn "port" into "***ort"."""
    for value in secrets:
        if not value or value not in text:
            continue
        if len(value) >= SHORT_SECRET:
            text = text.replace(value, MASK)
        else:
            text = re.sub(rf"(?<![0-9A-Za-z]){re.escape(value)}(?![0-9A-Za-z])", MASK, text)
    return text


def plain(secret: SecretStr | str | None) -> str | None:
    """The value of a secret, for the one place that must send it (a header, a connection)."""
    if isinstance(secret, SecretStr):
        return secret.get_secret_value()
    return secret
