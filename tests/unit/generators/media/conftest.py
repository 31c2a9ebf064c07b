"""Shared inputs for the media tests: a short 3-slide script and its rendered media, made once."""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest
from tests.support.media_samples import MediaRun, make_script

from lxera_pipeline.generators.media.narration import EspeakNarrator
from lxera_pipeline.generators.media.slides import PillowSlideRenderer
from lxera_pipeline.generators.media.video import FfmpegVideoAssembler
from lxera_pipeline.generators.types import Script


@pytest.fixture
def script() -> Script:
    return make_script()


@pytest.fixture(scope="session")
def media_run(tmp_path_factory: pytest.TempPathFactory) -> MediaRun:
    """Slides, espeak narration and video of the 3-slide script, produced once per test run."""
    out: Path = tmp_path_factory.mktemp("media_run")
    script = make_script()

    async def produce() -> MediaRun:
        deck = await PillowSlideRenderer().render(script, out)
        narration = await EspeakNarrator().narrate(script, out)
        video = await FfmpegVideoAssembler(fps=2).assemble(deck, narration, out / "video.mp4")
        return MediaRun(script, deck, narration, video)

    return anyio.run(produce)
