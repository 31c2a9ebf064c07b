"""Deck exports: PDF pages, PPTX slides with speaker notes, and the HTML deck."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.shapes.picture import Picture
from pypdf import PdfReader
from tests.support.media_samples import MediaRun

from lxera_pipeline.generators.media.errors import MediaInputError
from lxera_pipeline.generators.media.exports import export_deck
from lxera_pipeline.generators.media.models import DeckExports, SlideDeck
from lxera_pipeline.generators.types import Script


@pytest.fixture
async def exported(media_run: MediaRun, tmp_path: Path) -> tuple[SlideDeck, DeckExports]:
    for slide in media_run.deck.slides:
        shutil.copy(slide.path, tmp_path / slide.path.name)
    deck = media_run.deck.model_copy(update={"output_dir": tmp_path})
    deck.slides = [s.model_copy(update={"path": tmp_path / s.path.name}) for s in deck.slides]
    return deck, await export_deck(deck, media_run.script)


@pytest.mark.anyio
async def test_exports_have_deterministic_names(exported: tuple[SlideDeck, DeckExports]) -> None:
    deck, exports = exported
    assert (exports.pdf.name, exports.pptx.name, exports.html.name) == (
        "deck.pdf",
        "deck.pptx",
        "deck.html",
    )
    assert {exports.pdf.parent, exports.pptx.parent, exports.html.parent} == {deck.output_dir}
    assert not list(deck.output_dir.glob(".*tmp*"))


@pytest.mark.anyio
async def test_pdf_has_one_16_9_page_per_slide(exported: tuple[SlideDeck, DeckExports]) -> None:
    _, exports = exported
    reader = PdfReader(exports.pdf)
    assert len(reader.pages) == 3
    box = reader.pages[0].mediabox
    assert float(box.width) / float(box.height) == pytest.approx(16 / 9, rel=1e-3)
    assert all(len(page.images) == 1 for page in reader.pages)


@pytest.mark.anyio
async def test_pptx_has_slides_with_pictures_and_notes(
    exported: tuple[SlideDeck, DeckExports], script: Script
) -> None:
    _, exports = exported
    presentation = Presentation(str(exports.pptx))
    slides = list(presentation.slides)
    assert len(slides) == 3
    for slide, expected in zip(slides, script.slides, strict=True):
        assert any(isinstance(shape, Picture) for shape in slide.shapes)
        assert slide.notes_slide.notes_text_frame.text == expected.narration
    assert "Zoë" in slides[0].notes_slide.notes_text_frame.text


@pytest.mark.anyio
async def test_html_references_images_relatively_and_escapes_text(
    exported: tuple[SlideDeck, DeckExports],
) -> None:
    _, exports = exported
    page = exports.html.read_text("utf-8")
    sources = re.findall(r'<img src="([^"]+)"', page)
    assert sources == ["slide_001.png", "slide_002.png", "slide_003.png"]
    assert all((exports.html.parent / src).is_file() for src in sources)
    assert "Welcome, Zoë." in page
    assert "Données financières – Café" in page
    assert page.count('class="narration"') == 3


@pytest.mark.anyio
async def test_export_rejects_a_deck_that_does_not_match_the_script(
    exported: tuple[SlideDeck, DeckExports], script: Script
) -> None:
    deck, _ = exported
    short = script.model_copy(update={"slides": script.slides[:2]})
    with pytest.raises(MediaInputError, match=r"\[3\]"):
        await export_deck(deck, short)
