"""The base of every row model: frozen, built from a dict row, columns named exactly."""

from __future__ import annotations

from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict

from lxera_pipeline.data.errors import RowNotFoundError


class Row(BaseModel):
    """One table row; ``TABLE`` names the table, the fields are its columns (a test checks)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    TABLE: ClassVar[str]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Self:
        return cls.model_validate(row)

    @classmethod
    def from_rows(cls, rows: list[dict[str, Any]]) -> list[Self]:
        return [cls.model_validate(row) for row in rows]

    @classmethod
    def from_optional(cls, row: dict[str, Any] | None) -> Self | None:
        """The model of ``row``; None when a read found no row."""
        return None if row is None else cls.model_validate(row)

    @classmethod
    def from_found(cls, row: dict[str, Any] | None, table: str, key: object) -> Self:
        """The model of a row a statement must return; RowNotFoundError(table, key) when it
        returned none (the addressed row, or the parent row an insert reads, is missing)."""
        if row is None:
            raise RowNotFoundError(table, key)
        return cls.model_validate(row)


JsonObject = dict[str, Any]
JsonArray = list[Any]
