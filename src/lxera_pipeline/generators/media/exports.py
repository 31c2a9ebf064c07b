"""Deck exports: a PDF and a PPTX of the slide images, and a self-contained HTML deck."""

from __future__ import annotations

import html
import os
from pathlib import Path

import anyio.to_thread

from lxera_pipeline.generators.media.errors import MediaInputError
from lxera_pipeline.generators.media.files import DECK_HTML, DECK_PDF, DECK_PPTX, write_atomic
from lxera_pipeline.generators.media.models import DeckExports, SlideDeck
from lxera_pipeline.generators.types import Script
from lxera_pipeline.log import get_logger

log = get_logger(__name__)

PDF_PAGE = (960.0, 540.0)  # points: 16:9 at 13.33 x 7.5 inches
PPTX_SIZE = (12_192_000, 6_858_000)  # EMU: 13.333 x 7.5 inches


async def export_deck(deck: SlideDeck, script: Script) -> DeckExports:
    """Write deck.pdf, deck.pptx and deck.html into the deck's directory."""
    notes = narration_by_slide(deck, script)
    exports = await anyio.to_thread.run_sync(_export_all, deck, notes)
    log.info(
        "slides.exported", pdf=str(exports.pdf), pptx=str(exports.pptx), html=str(exports.html)
    )
    return exports


def narration_by_slide(deck: SlideDeck, script: Script) -> list[str]:
    """The narration of each deck slide, in deck order."""
    texts = {slide.slide_number: slide.narration for slide in script.slides}
    missing = [s.slide_number for s in deck.slides if s.slide_number not in texts]
    if missing:
        raise MediaInputError(f"deck slides {missing} have no slide in the script")
    return [texts[slide.slide_number] for slide in deck.slides]


def _export_all(deck: SlideDeck, notes: list[str]) -> DeckExports:
    out = deck.output_dir
    return DeckExports(
        pdf=write_atomic(out / DECK_PDF, lambda tmp: write_pdf(deck, tmp)),
        pptx=write_atomic(out / DECK_PPTX, lambda tmp: write_pptx(deck, notes, tmp)),
        html=write_atomic(out / DECK_HTML, lambda tmp: write_html(deck, notes, tmp, out)),
    )


def write_pdf(deck: SlideDeck, path: Path) -> None:
    """One page per slide image, each image filling its 16:9 page."""
    # reportlab and python-pptx load on the first export, not with the module.
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(str(path), pagesize=PDF_PAGE, invariant=True)
    canvas.setTitle(deck.module_title)
    for slide in deck.slides:
        canvas.drawImage(str(slide.path), 0, 0, width=PDF_PAGE[0], height=PDF_PAGE[1])
        canvas.showPage()
    canvas.save()


def write_pptx(deck: SlideDeck, notes: list[str], path: Path) -> None:
    """One slide per image, filling the slide, with the narration as speaker notes."""
    from pptx import Presentation
    from pptx.util import Emu

    size = (Emu(PPTX_SIZE[0]), Emu(PPTX_SIZE[1]))
    presentation = Presentation()
    presentation.slide_width, presentation.slide_height = size
    blank = presentation.slide_layouts[6]
    for slide_image, text in zip(deck.slides, notes, strict=True):
        slide = presentation.slides.add_slide(blank)
        slide.shapes.add_picture(str(slide_image.path), 0, 0, *size)
        slide.notes_slide.notes_text_frame.text = text
    presentation.core_properties.title = deck.module_title
    presentation.save(str(path))


def write_html(deck: SlideDeck, notes: list[str], path: Path, html_dir: Path) -> None:
    """A single HTML page; images are referenced relative to the page's final directory."""
    sections = [
        _html_section(slide.slide_number, _relative(slide.path, html_dir), text)
        for slide, text in zip(deck.slides, notes, strict=True)
    ]
    title = html.escape(deck.module_title)
    path.write_text(_HTML_PAGE.format(title=title, sections="\n".join(sections)), "utf-8")


def _relative(target: Path, start: Path) -> str:
    return Path(os.path.relpath(target, start)).as_posix()


def _html_section(number: int, src: str, narration: str) -> str:
    return (
        f'<section class="slide" id="slide-{number}">\n'
        f'  <img src="{html.escape(src)}" alt="Slide {number}" width="1920" height="1080">\n'
        f'  <p class="narration">{html.escape(narration)}</p>\n'
        "</section>"
    )


_HTML_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
  body {{ margin: 0; background: #0f172a; color: #e2e8f0;
         font-family: "Source Sans Pro", "Segoe UI", Arial, sans-serif; }}
  h1 {{ font-weight: 600; margin: 24px auto; max-width: 1100px; padding: 0 16px; }}
  .slide {{ max-width: 1100px; margin: 0 auto 40px; padding: 0 16px; }}
  .slide img {{ width: 100%; height: auto; display: block; border-radius: 6px; }}
  .narration {{ line-height: 1.5; font-size: 1.1rem; color: #cbd5e1; }}
</style>
</head>
<body>
<h1>{title}</h1>
{sections}
</body>
</html>
"""
