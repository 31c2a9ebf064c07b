"""The clean slide theme: canvas size, colours, margins and the Source Sans Pro fonts.

The fonts come from the `font-source-sans-pro` wheel and are read through importlib.resources,
so rendering never depends on fonts installed on the machine.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from PIL import ImageFont

FontWeight = Literal["Regular", "Semibold", "Bold", "Light"]
FONT_PACKAGE = "font_source_sans_pro"

WIDTH = 1920
HEIGHT = 1080
RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Theme:
    background: RGB = (250, 250, 252)
    text: RGB = (33, 37, 41)
    muted: RGB = (108, 117, 125)
    muted_light: RGB = (148, 163, 184)
    accent: RGB = (37, 99, 235)
    title_band: RGB = (15, 23, 42)
    title_band_text: RGB = (248, 250, 252)
    margin: int = 120
    accent_bar: int = 18
    title_size: int = 76
    bullet_size: int = 46
    min_bullet_size: int = 30
    label_size: int = 30
    footer_size: int = 28
    footer_height: int = 110
    line_spacing: float = 1.3
    bullet_gap: int = 26


CLEAN_THEME = Theme()


@lru_cache(maxsize=8)
def font_bytes(weight: FontWeight) -> bytes:
    """The TTF file of the given Source Sans Pro weight."""
    resource = resources.files(FONT_PACKAGE) / "files" / f"SourceSansPro-{weight}.ttf"
    return resource.read_bytes()


@lru_cache(maxsize=64)
def font(weight: FontWeight, size: int) -> ImageFont.FreeTypeFont:
    """A FreeType font of Source Sans Pro at `size` pixels."""
    from PIL import ImageFont  # Pillow loads on the first slide drawn, not with the theme

    return ImageFont.truetype(io.BytesIO(font_bytes(weight)), size)
