"""Slide images: each ScriptSlide drawn on a 1920x1080 PNG in the clean theme with Pillow."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import anyio.to_thread

from lxera_pipeline.generators.media.exports import export_deck
from lxera_pipeline.generators.media.files import slide_filename, write_atomic
from lxera_pipeline.generators.media.models import (
    DeckExports,
    RenderedSlide,
    SlideDeck,
    check_script,
)
from lxera_pipeline.generators.media.slide_text import TextBlock, fit_block
from lxera_pipeline.generators.media.theme import CLEAN_THEME, HEIGHT, RGB, WIDTH, Theme, font
from lxera_pipeline.generators.types import Script, ScriptSlide
from lxera_pipeline.log import get_logger

if TYPE_CHECKING:
    from PIL import Image, ImageDraw

log = get_logger(__name__)

SECTION_LABELS = {
    "summary": "Summary",
    "introduction": "Introduction",
    "core_content": "Core content",
    "practical_applications": "Practical applications",
    "case_studies": "Case studies",
    "assessments": "Assessment",
}
_FREETYPE_LOCK = threading.Lock()  # cached FreeType faces are shared: draw one deck at a time


@dataclass(frozen=True)
class DeckContext:
    module_title: str
    learner_name: str
    total_slides: int


def draw_slide(slide: ScriptSlide, deck: DeckContext, theme: Theme = CLEAN_THEME) -> Image.Image:
    """Draw one slide; title slides get the dark title layout, all others the content layout."""
    # Pillow loads on the first slide drawn: a daemon that renders none never pays for it.
    from PIL import Image, ImageDraw

    dark = slide.section_name == "title"
    image = Image.new("RGB", (WIDTH, HEIGHT), theme.title_band if dark else theme.background)
    draw = ImageDraw.Draw(image)
    if dark:
        _draw_title_slide(draw, slide, deck, theme)
    else:
        _draw_content_slide(draw, slide, theme)
    _draw_footer(draw, slide, deck, theme, dark)
    return image


def _draw_title_slide(
    draw: ImageDraw.ImageDraw, slide: ScriptSlide, deck: DeckContext, theme: Theme
) -> None:
    draw.rectangle((0, 0, theme.accent_bar * 2, HEIGHT), fill=theme.accent)
    width = WIDTH - 2 * theme.margin
    title = fit_block([slide.title], "Bold", (104, 64), (width, 400), (1.12, 0))
    top = (HEIGHT - title.height(0)) // 2 - 60
    _draw_lines(draw, title, (theme.margin, top), theme.title_band_text, 0)
    subtitle = [*slide.bullets[:1]] or [f"Prepared for {deck.learner_name}"]
    block = fit_block(subtitle, "Light", (48, 32), (width, 130), (1.25, 0))
    _draw_lines(draw, block, (theme.margin, top + title.height(0) + 50), theme.muted_light, 0)


def _draw_content_slide(draw: ImageDraw.ImageDraw, slide: ScriptSlide, theme: Theme) -> None:
    draw.rectangle((0, 0, WIDTH, theme.accent_bar), fill=theme.accent)
    label = SECTION_LABELS.get(slide.section_name, "").upper()
    draw.text((theme.margin, 78), label, font=font("Semibold", theme.label_size), fill=theme.accent)
    width = WIDTH - 2 * theme.margin
    title = fit_block([slide.title], "Semibold", (theme.title_size, 56), (width, 190), (1.12, 0))
    _draw_lines(draw, title, (theme.margin, 128), theme.text, 0)
    rule_y = 128 + title.height(0) + 28
    draw.rectangle((theme.margin, rule_y, theme.margin + 160, rule_y + 6), fill=theme.accent)
    _draw_bullets(draw, slide.bullets, rule_y + 56, theme)


def _draw_bullets(draw: ImageDraw.ImageDraw, bullets: list[str], top: int, theme: Theme) -> None:
    indent = 56
    box = (WIDTH - 2 * theme.margin - indent, HEIGHT - theme.footer_height - 40 - top)
    sizes = (theme.bullet_size, theme.min_bullet_size)
    block = fit_block(bullets, "Regular", sizes, box, (theme.line_spacing, theme.bullet_gap))
    y = top
    for paragraph in block.paragraphs:
        radius = max(int(block.font.size) // 7, 4)
        centre = (theme.margin + radius, y + block.line_height // 2 + radius // 2)
        draw.ellipse(_circle(centre, radius), fill=theme.accent)
        single = TextBlock(block.font, block.line_height, [paragraph])
        _draw_lines(draw, single, (theme.margin + indent, y), theme.text, 0)
        y += single.height(0) + theme.bullet_gap


def _circle(centre: tuple[int, int], radius: int) -> tuple[int, int, int, int]:
    x, y = centre
    return (x - radius, y - radius, x + radius, y + radius)


def _draw_lines(
    draw: ImageDraw.ImageDraw, block: TextBlock, origin: tuple[int, int], fill: RGB, gap: int
) -> None:
    x, y = origin
    # Centre each line's glyphs vertically in its line box; "lm" anchors at the middle.
    for paragraph in block.paragraphs:
        for line in paragraph:
            draw.text(
                (x, y + block.line_height // 2), line, font=block.font, fill=fill, anchor="lm"
            )
            y += block.line_height
        y += gap


def _draw_footer(
    draw: ImageDraw.ImageDraw, slide: ScriptSlide, deck: DeckContext, theme: Theme, dark: bool
) -> None:
    colour = theme.muted_light if dark else theme.muted
    rule_y = HEIGHT - theme.footer_height
    draw.rectangle((theme.margin, rule_y, WIDTH - theme.margin, rule_y + 2), fill=colour)
    face = font("Regular", theme.footer_size)
    text_y = rule_y + theme.footer_height // 2
    number = f"{slide.slide_number} / {deck.total_slides}"
    draw.text((WIDTH - theme.margin, text_y), number, font=face, fill=colour, anchor="rm")
    room = WIDTH - 2 * theme.margin - int(face.getlength(number)) - 60
    footer = fit_block([deck.module_title], "Regular", (theme.footer_size,) * 2, (room, 40), (1, 0))
    if footer.paragraphs:
        draw.text(
            (theme.margin, text_y), footer.paragraphs[0][0], font=face, fill=colour, anchor="lm"
        )


class PillowSlideRenderer:
    """The offline SlideRenderer: Pillow images plus PDF, PPTX and HTML exports."""

    def __init__(self, theme: Theme = CLEAN_THEME, compress_level: int = 3) -> None:
        self._theme = theme
        self._compress_level = compress_level

    async def render(self, script: Script, output_dir: Path) -> SlideDeck:
        check_script(script)
        slides = await anyio.to_thread.run_sync(self._render_all, script, output_dir)
        log.info("slides.rendered", count=len(slides), output_dir=str(output_dir))
        return SlideDeck(module_title=script.module_title, output_dir=output_dir, slides=slides)

    async def export(self, deck: SlideDeck, script: Script) -> DeckExports:
        return await export_deck(deck, script)

    def _render_all(self, script: Script, output_dir: Path) -> list[RenderedSlide]:
        deck = DeckContext(script.module_title, script.learner_name, len(script.slides))
        with _FREETYPE_LOCK:
            return [self._render_one(slide, deck, output_dir) for slide in script.slides]

    def _render_one(self, slide: ScriptSlide, deck: DeckContext, output_dir: Path) -> RenderedSlide:
        image = draw_slide(slide, deck, self._theme)
        path = output_dir / slide_filename(slide.slide_number)
        write_atomic(path, lambda tmp: image.save(tmp, "PNG", compress_level=self._compress_level))
        return RenderedSlide(slide_number=slide.slide_number, path=path, width=WIDTH, height=HEIGHT)
