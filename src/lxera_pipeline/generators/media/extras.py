"""Which optional extras the media stages need under the given settings, checked up front.

`run` (when it serves a media handler) and `demo` call :func:`missing_media_extras` before they
start, so a missing extra is one line naming the ``pip install`` to run, not a failure halfway
through the first video. Nothing here imports the extras themselves.
"""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING

from lxera_pipeline.errors import ConfigurationError
from lxera_pipeline.generators.media.errors import MissingExtraError

if TYPE_CHECKING:
    from lxera_pipeline.settings import Settings


def module_available(name: str) -> bool:
    """True when ``name`` can be imported (found on the path), without importing it."""
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def missing_media_extras(settings: Settings) -> list[MissingExtraError]:
    """One error per extra the media stages would need and cannot import."""
    needed: list[tuple[str, str, str]] = []
    if not settings.tts_base_url:
        needed.append(
            (
                "espeakng_loader",
                "speech",
                "Offline narration (espeak-ng; or set LXERA_TTS_BASE_URL to a speech endpoint)",
            )
        )
    if settings.storage_backend == "supabase":
        needed.append(("supabase", "supabase", "Supabase Storage uploads"))
    return [
        MissingExtraError(module, extra, purpose)
        for module, extra, purpose in needed
        if not module_available(module)
    ]


def check_media_extras(settings: Settings) -> None:
    """Raise one error naming every missing extra and the ``pip install`` that adds them."""
    missing = missing_media_extras(settings)
    if len(missing) == 1:
        raise missing[0]
    if missing:
        extras = ",".join(error.extra for error in missing)
        modules = ", ".join(repr(error.module) for error in missing)
        raise ConfigurationError(
            f"the media stages need the Python modules {modules}, which are not installed; "
            f"install the extras: pip install 'lxera-pipeline[{extras}]'"
        )
