"""Errors raised by the media generators."""

from __future__ import annotations

from lxera_pipeline.errors import ConfigurationError
from lxera_pipeline.events.failures import TenantVisibleError


class MediaError(Exception):
    """Base class of every media generator error."""


class MediaInputError(MediaError, ValueError):
    """The input given to a media generator is invalid (the message names what is wrong)."""


class MissingExtraError(MediaError, TenantVisibleError, ConfigurationError, RuntimeError):
    """An optional dependency is not installed; the message names the extra to install."""

    def __init__(self, module: str, extra: str, purpose: str) -> None:
        super().__init__(
            f"{purpose} needs the Python module {module!r}, which is not installed; "
            f"install the {extra!r} extra: pip install 'lxera-pipeline[{extra}]'"
        )
        self.module = module
        self.extra = extra


class SpeechError(MediaError):
    """Speech synthesis failed."""


class FfmpegError(MediaError):
    """An ffmpeg run failed; the message holds the end of its error output."""


class StorageError(MediaError):
    """Storing an asset failed."""


class UnsafePathError(MediaError, TenantVisibleError, ValueError):
    """A path read from a row does not lie inside the directory it must stay in (after symlinks
    are followed); nothing at that path is read."""

    MESSAGE = "file_path outside the session's work directory"

    def __init__(self) -> None:
        super().__init__(self.MESSAGE)
