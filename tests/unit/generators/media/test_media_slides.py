"""Slide images: size, content, accented glyphs, wrapping and deterministic names."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageChops
from tests.support.media_samples import MediaRun

from lxera_pipeline.generators.media.errors import MediaInputError
from lxera_pipeline.generators.media.slide_text import ELLIPSIS, fit_block, wrap
from lxera_pipeline.generators.media.slides import DeckContext, PillowSlideRenderer, draw_slide
from lxera_pipeline.generators.media.theme import CLEAN_THEME, font
from lxera_pipeline.generators.types import Script, ScriptSlide

NOT_A_GLYPH = "\ue000"  # private use: rendered as the font's .notdef box


def test_slides_are_1920x1080_and_not_blank(media_run: MediaRun) -> None:
    assert [s.path.name for s in media_run.deck.slides] == [
        "slide_001.png",
        "slide_002.png",
        "slide_003.png",
    ]
    for slide in media_run.deck.slides:
        with Image.open(slide.path) as image:
            assert image.size == (1920, 1080)
            colours = image.convert("RGB").getcolors(maxcolors=1_000_000) or []
        assert len(colours) > 50  # anti-aliased text, not a flat fill
        dominant = max(count for count, _ in colours)
        assert dominant < 0.97 * 1920 * 1080


@pytest.mark.parametrize("char", ["é", "ü", "É", "–", "—", "ç", "ë"])
def test_font_has_real_glyphs_for_accents_and_dashes(char: str) -> None:
    face = font("Regular", 80)
    mask = face.getmask(char)
    assert mask.getbbox() is not None, f"{char!r} renders nothing"
    assert bytes(mask) != bytes(face.getmask(NOT_A_GLYPH)), f"{char!r} renders as tofu"


def test_accent_is_drawn_above_the_letter() -> None:
    face = font("Regular", 80)
    assert face.getbbox("é")[1] < face.getbbox("e")[1]
    assert face.getlength("—") > face.getlength("–") > face.getlength("-")


def test_accented_title_changes_the_image() -> None:
    deck = DeckContext("Module", "Zoë", 1)
    plain = ScriptSlide(slide_number=1, section_name="core_content", title="Resume", narration="x")
    accented = plain.model_copy(update={"title": "Résumé"})
    diff = ImageChops.difference(draw_slide(plain, deck), draw_slide(accented, deck))
    assert diff.getbbox() is not None


def test_wrap_keeps_lines_within_width() -> None:
    face = font("Regular", CLEAN_THEME.bullet_size)
    text = "Summarise the values of every région with SUM, AVERAGE and COUNT in one single step"
    lines = wrap(text, face, 600)
    assert len(lines) > 1
    assert all(face.getlength(line) <= 600 for line in lines)
    assert " ".join(lines) == text


def test_overlong_bullets_shrink_then_clip_with_ellipsis() -> None:
    bullets = [f"Point {i} with quite a few words to fill the line" for i in range(40)]
    block = fit_block(bullets, "Regular", (46, 30), (1600, 600), (1.3, 26))
    assert block.font.size == 30
    assert block.height(26) <= 600
    assert block.paragraphs[-1][-1].endswith(ELLIPSIS)


@pytest.mark.anyio
async def test_render_is_deterministic_and_overwrites(script: Script, tmp_path: Path) -> None:
    renderer = PillowSlideRenderer()
    first = await renderer.render(script, tmp_path)
    before = _snapshot(tmp_path)
    second = await renderer.render(script, tmp_path)
    assert [s.path for s in first.slides] == [s.path for s in second.slides]
    assert _snapshot(tmp_path) == before
    assert sorted(before) == [s.path.name for s in first.slides]


def _snapshot(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in directory.iterdir()}


@pytest.mark.anyio
async def test_empty_or_duplicate_scripts_are_rejected(script: Script, tmp_path: Path) -> None:
    empty = script.model_copy(update={"slides": []})
    with pytest.raises(MediaInputError, match="no slides"):
        await PillowSlideRenderer().render(empty, tmp_path)
    duplicate = script.model_copy(update={"slides": [script.slides[0], script.slides[0]]})
    with pytest.raises(MediaInputError, match="unique"):
        await PillowSlideRenderer().render(duplicate, tmp_path)
