"""The demo's progress bars: one bar per module over its whole life."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest

from lxera_pipeline.cli.demo.progress import ModuleProgress
from lxera_pipeline.cli.demo.view import size


def progress(**fields: Any) -> ModuleProgress:
    values: dict[str, Any] = {
        "content_id": uuid4(),
        "module_name": "M",
        "content_status": "draft",
        "revision_count": 0,
        "failure_reason": None,
        "session_id": None,
        "session_status": None,
        "current_stage": None,
        "progress_percentage": None,
        "error_details": None,
        **fields,
    }
    return ModuleProgress.from_row(values)


@pytest.mark.parametrize(
    ("fields", "percent", "label", "finished"),
    [
        ({}, 5, "writing the five sections", False),
        ({"content_status": "revision", "revision_count": 1}, 12, "(revision 1)", False),
        (
            {
                "content_status": "approved",
                "session_status": "processing",
                "current_stage": "audio_generation",
                "progress_percentage": 50,
            },
            60,
            "audio",
            False,
        ),
        ({"content_status": "published", "session_status": "completed"}, 100, "published", True),
        ({"content_status": "failed", "failure_reason": "score 5.0"}, 100, "score 5.0", True),
        (
            {
                "content_status": "approved",
                "session_status": "failed",
                "error_details": "boom",
                "progress_percentage": 50,
            },
            60,
            "media failed: boom",
            True,
        ),
    ],
)
def test_module_bars(fields: dict[str, Any], percent: float, label: str, finished: bool) -> None:
    module = progress(**fields)
    assert module.percent == pytest.approx(percent)
    assert label in module.label
    assert module.finished is finished


def test_sizes_read_like_a_human_would_write_them() -> None:
    assert [size(n) for n in (None, 900, 2048, 5 * 1024 * 1024)] == [
        "0 B",
        "900 B",
        "2.0 KB",
        "5.0 MB",
    ]
