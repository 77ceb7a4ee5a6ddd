"""Render an original into public WebP previews: upright, resized, labelled, fingerprinted.

Re-encoding from decoded pixels drops every piece of source metadata (EXIF, GPS, XMP, ICC,
text chunks); the only metadata in a preview is the XMP label we write.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import IO

from PIL import Image, ImageOps

from prompts import fingerprints, labels

WEBP_QUALITY = 80
WEBP_METHOD = 4


@dataclass(frozen=True)
class Rendition:
    width: int
    height: int
    data: bytes


@dataclass(frozen=True)
class Rendered:
    width: int  # of the upright source
    height: int
    fingerprints: fingerprints.Fingerprints
    renditions: list[Rendition]


def target_widths(source_width: int, widths: list[int]) -> list[int]:
    """Each requested width, capped at the source width (never upscale), largest first."""
    return sorted({min(width, source_width) for width in widths}, reverse=True)


def _open_upright(file: IO[bytes], largest_width: int) -> Image.Image:
    source = Image.open(file)
    width, height = source.size
    orientation = source.getexif().get(0x0112, 1)
    if orientation in (5, 6, 7, 8):  # rotated by 90 degrees: the draft scale applies to the height
        width, height = height, width
    # JPEG decodes at 1/2, 1/4 or 1/8 scale directly: much faster and lighter for large sources.
    scale = largest_width / width
    source.draft("RGB", (max(1, int(source.size[0] * scale)), max(1, int(source.size[1] * scale))))
    upright = ImageOps.exif_transpose(source)
    if upright.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        # 16-bit and float greys: scale to 8 bits first; a direct convert() clips them to white.
        upright = upright.convert("I").point(lambda value: value / 256).convert("L")
    mode = "RGBA" if upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info else "RGB"
    return upright.convert(mode)


def upright_size(file: IO[bytes]) -> tuple[int, int]:
    with Image.open(file) as probe:
        width, height = probe.size
        if probe.getexif().get(0x0112, 1) in (5, 6, 7, 8):
            width, height = height, width
    file.seek(0)
    return width, height


def render(file: IO[bytes], widths: list[int], *, xmp: bytes, label: bool = True) -> Rendered:
    source_width, source_height = upright_size(file)
    wanted = target_widths(source_width, widths)
    image = _open_upright(file, wanted[0])
    renditions = []
    prints = None
    for width in wanted:
        height = max(1, round(source_height * width / source_width))
        if image.size != (width, height):
            image = image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        if prints is None:
            prints = fingerprints.compute(image)  # from clean pixels, before the label
        output = labels.draw_visible_label(image.copy()) if label else image
        output.info = {}
        buffer = io.BytesIO()
        output.save(buffer, "WEBP", quality=WEBP_QUALITY, method=WEBP_METHOD, xmp=xmp)
        renditions.append(Rendition(width=width, height=height, data=buffer.getvalue()))
    assert prints is not None
    return Rendered(width=source_width, height=source_height, fingerprints=prints, renditions=renditions)
