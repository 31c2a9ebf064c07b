"""The base of every row model: frozen, built from a dict row, columns named exactly."""

from __future__ import annotations

from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict


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


JsonObject = dict[str, Any]
JsonArray = list[Any]
