"""Text layout for slides: pixel-width word wrapping and shrinking text blocks until they fit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from lxera_pipeline.generators.media.theme import FontWeight, font

if TYPE_CHECKING:
    from PIL import ImageFont

ELLIPSIS = "…"


@dataclass(frozen=True)
class TextBlock:
    """Paragraphs wrapped into lines, with the font they were wrapped for."""

    font: ImageFont.FreeTypeFont
    line_height: int
    paragraphs: list[list[str]]

    def height(self, gap: int) -> int:
        lines = sum(len(p) for p in self.paragraphs)
        return lines * self.line_height + gap * max(len(self.paragraphs) - 1, 0)


def wrap(text: str, face: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Greedy word wrap of `text` to lines no wider than `width` pixels."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if face.getlength(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        pieces = _split_long_word(word, face, width)
        lines.extend(pieces[:-1])
        current = pieces[-1]
    if current:
        lines.append(current)
    return lines


def _split_long_word(word: str, face: ImageFont.FreeTypeFont, width: int) -> list[str]:
    pieces = [""]
    for char in word:
        if pieces[-1] and face.getlength(pieces[-1] + char) > width:
            pieces.append("")
        pieces[-1] += char
    return pieces


def fit_block(
    texts: list[str],
    weight: FontWeight,
    sizes: tuple[int, int],
    box: tuple[int, int],
    spacing: tuple[float, int],
) -> TextBlock:
    """Wrap `texts` at the largest size in `sizes` (max, min) whose block fits `box` (w, h).

    `spacing` is (line spacing factor, gap between paragraphs). At the minimum size lines that
    still do not fit are dropped and the last kept line ends with an ellipsis.
    """
    largest, smallest = sizes
    block = _wrap_at(texts, weight, largest, box[0], spacing[0])
    for size in range(largest, smallest - 1, -2):
        block = _wrap_at(texts, weight, size, box[0], spacing[0])
        if block.height(spacing[1]) <= box[1]:
            return block
    return clip_block(block, box, spacing[1])


def _wrap_at(
    texts: list[str], weight: FontWeight, size: int, width: int, factor: float
) -> TextBlock:
    face = font(weight, size)
    paragraphs = [wrap(text, face, width) for text in texts if text.strip()]
    return TextBlock(face, round(size * factor), paragraphs)


def clip_block(block: TextBlock, box: tuple[int, int], gap: int) -> TextBlock:
    """Keep the lines that fit in `box`; mark the cut with an ellipsis."""
    kept: list[list[str]] = []
    for paragraph in block.paragraphs:
        kept.append([])
        for line in paragraph:
            kept[-1].append(line)
            if TextBlock(block.font, block.line_height, kept).height(gap) > box[1]:
                kept[-1].pop()
                return _closed(kept, block, box[0])
    return TextBlock(block.font, block.line_height, kept)


def _closed(kept: list[list[str]], block: TextBlock, width: int) -> TextBlock:
    paragraphs = [lines for lines in kept if lines]
    if paragraphs:
        paragraphs[-1][-1] = _with_ellipsis(paragraphs[-1][-1], block.font, width)
    return TextBlock(block.font, block.line_height, paragraphs)


def _with_ellipsis(line: str, face: ImageFont.FreeTypeFont, width: int) -> str:
    while line and face.getlength(line + ELLIPSIS) > width:
        line = line[:-1]
    return line.rstrip() + ELLIPSIS
