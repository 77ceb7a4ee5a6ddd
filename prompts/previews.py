"""Render an uploaded original into public WebP previews.

Re-encoding from decoded pixels drops every piece of source metadata (EXIF, GPS, XMP, ICC,
text chunks): only what we write goes out.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import IO

from PIL import Image, ImageOps

WEBP_QUALITY = 80
WEBP_METHOD = 4


@dataclass(frozen=True)
class Rendition:
    width: int
    height: int
    data: bytes


def target_widths(source_width: int, widths: list[int]) -> list[int]:
    """Requested widths not wider than the source (never upscale); the source width if all are."""
    fitting = sorted({w for w in widths if w <= source_width}, reverse=True)
    return fitting or [source_width]


def open_upright(file: IO[bytes], largest_width: int) -> Image.Image:
    source = Image.open(file)
    # JPEG can decode at 1/2, 1/4, 1/8 scale directly: much faster and lighter for big sources.
    width, height = source.size
    scale = largest_width / width
    source.draft("RGB", (max(1, int(width * scale)), max(1, int(height * scale))))
    image = ImageOps.exif_transpose(source)
    mode = "RGBA" if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info else "RGB"
    return image.convert(mode)


def render(file: IO[bytes], widths: list[int]) -> tuple[tuple[int, int], list[Rendition]]:
    """Return the upright source size and one WebP rendition per target width, largest first."""
    with Image.open(file) as probe:
        source_width, source_height = ImageOps.exif_transpose(probe).size
    file.seek(0)
    wanted = target_widths(source_width, widths)
    image = open_upright(file, wanted[0])
    renditions = []
    for width in wanted:
        height = max(1, round(source_height * width / source_width))
        if image.size != (width, height):
            image = image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        buffer = io.BytesIO()
        image.save(buffer, "WEBP", quality=WEBP_QUALITY, method=WEBP_METHOD)
        renditions.append(Rendition(width=width, height=height, data=buffer.getvalue()))
    return (source_width, source_height), renditions
