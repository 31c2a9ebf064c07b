"""Exception logs carry the traceback but never a frame's local variables (they can hold the DSN,
an API key or a row's content), in the JSON and in the console format."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import structlog

from lxera_pipeline.log import configure_logging, get_logger

SECRET = "sk-local-variable-7e1f0c"


@pytest.fixture(autouse=True)
def restored_logging() -> Iterator[None]:
    """configure_logging binds the (captured) stderr of this test; put the old set-up back."""
    saved = structlog.get_config()
    yield
    structlog.configure(**saved)


def fail_with_a_secret_in_hand() -> None:
    api_key = SECRET
    raise RuntimeError(f"boom ({len(api_key)} characters)")


@pytest.mark.parametrize("fmt", ["json", "console"])
def test_exception_logs_show_no_local_variables(
    fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging(fmt, "info")
    try:
        fail_with_a_secret_in_hand()
    except RuntimeError:
        get_logger("test").exception("handler.failed")
    err = capsys.readouterr().err
    assert "fail_with_a_secret_in_hand" in err  # the traceback is there ...
    assert "boom (24 characters)" in err
    assert SECRET not in err  # ... without the frame's variables
    if fmt == "json":
        [line] = [json.loads(text) for text in err.splitlines() if text.startswith("{")]
        frames = line["exception"][0]["frames"]
        assert frames
        assert all("locals" not in frame for frame in frames)


def test_unknown_log_level_is_refused() -> None:
    with pytest.raises(ValueError, match="log level must be one of debug, info"):
        configure_logging("json", "loud")
