"""Errors of the operator commands; each names what was wrong."""

from __future__ import annotations


class OpsInputError(ValueError):
    """A filter or option value that cannot be used (exit code 2)."""


class UnknownIdError(LookupError):
    """An event, entity or delivery id that does not exist (exit code 3)."""


class RefusedError(RuntimeError):
    """A request refused because carrying it out would be unsafe (exit code 4)."""
