"""Errors of the data API."""

from __future__ import annotations


class DataValidationError(ValueError):
    """An argument of a data API call is invalid; raised before any SQL runs.

    The message names the argument, the bad value and what would have been accepted.
    """

    def __init__(self, argument: str, value: object, expected: str) -> None:
        self.argument = argument
        self.value = value
        self.expected = expected
        super().__init__(f"invalid {argument}: {value!r} (expected {expected})")


class RowNotFoundError(LookupError):
    """An update or read addressed a row that does not exist."""

    def __init__(self, table: str, key: object) -> None:
        self.table = table
        self.key = key
        super().__init__(f"no {table} row with id {key}")
