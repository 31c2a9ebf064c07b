"""The daemon's event loop choice: uvloop when asked for or installed, asyncio on request."""

from __future__ import annotations

import importlib.util

import pytest
from pydantic import ValidationError

from lxera_pipeline.listeners.config import DaemonConfig
from lxera_pipeline.settings import Settings

DSN = "postgresql://postgres@127.0.0.1:5432/postgres"


def options(loop: str) -> dict[str, bool]:
    return DaemonConfig(dsn=DSN, listen_dsn=DSN, event_loop=loop).backend_options()


def test_asyncio_and_uvloop_are_honoured_and_auto_follows_what_is_installed() -> None:
    assert options("asyncio") == {}
    assert options("uvloop") == {"use_uvloop": True}
    installed = importlib.util.find_spec("uvloop") is not None
    assert options("auto") == ({"use_uvloop": True} if installed else {})
    assert DaemonConfig(dsn=DSN, listen_dsn=DSN).describe()["uvloop"] is installed


def test_an_unknown_event_loop_is_refused_by_name() -> None:
    with pytest.raises(ValidationError, match="event_loop must be uvloop, asyncio or auto"):
        Settings(event_loop="trio")
