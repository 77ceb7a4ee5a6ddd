"""Render an original into public WebP previews: upright, resized, labelled, fingerprinted.

Re-encoding from decoded pixels drops every piece of source metadata (EXIF, GPS, XMP, ICC,
text chunks); the only metadata in a preview is the XMP label we write.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import IO

from PIL import Image, ImageOps, UnidentifiedImageError

from prompts.previews import fingerprints, labels, reasons

WEBP_QUALITY = 80
WEBP_METHOD = 4
# Box-reduce by an integer factor before Lanczos while the image is at least twice the target:
# indistinguishable from a full Lanczos in most cases (Pillow's docs), and the intermediate of a
# 40 MP source shrinks from 40 MB to 18 MB, which keeps a worker under 300 MB.
REDUCING_GAP = 2.0
WEBP_MAX_SIDE = 16383


class RenderError(Exception):
    """An original that cannot become previews; the message says why, for the seller."""

    def __init__(self, cause: str) -> None:
        super().__init__(reasons.RENDER_FAILED.format(cause=cause))


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


def render(file: IO[bytes], widths: list[int], *, xmp: bytes, label: bool = True) -> Rendered:
    """Render, or raise RenderError naming what is wrong with the original."""
    try:
        return _render(file, widths, xmp=xmp, label=label)
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError) as exc:
        raise RenderError(_cause(exc)) from exc


def _cause(exc: BaseException) -> str:
    if isinstance(exc, UnidentifiedImageError):
        return reasons.NOT_AN_IMAGE
    if isinstance(exc, Image.DecompressionBombError):
        return reasons.TOO_MANY_PIXELS
    if "truncated" in str(exc):
        return reasons.TRUNCATED
    return reasons.CORRUPT.format(detail=str(exc)[:80] or type(exc).__name__)


def _render(file: IO[bytes], widths: list[int], *, xmp: bytes, label: bool) -> Rendered:
    """Decode once, orient, resize down a chain of sizes, fingerprint, label, encode.

    Memory: the decoded source is dropped after the first (largest) resize, and no full-size
    copy is ever made (transposition is in place, conversion only when the mode needs it).
    """
    image: Image.Image = Image.open(file)
    orientation = image.getexif().get(0x0112, 1)
    width, height = image.size
    if orientation in (5, 6, 7, 8):  # rotated by 90 degrees
        width, height = height, width
    wanted = target_widths(width, widths)
    longest = max(wanted[0], round(height * wanted[0] / width))
    if longest > WEBP_MAX_SIDE:  # checked before decoding: the encoder would refuse it at the end
        raise RenderError(reasons.TOO_LONG_FOR_WEBP.format(longest=longest, limit=WEBP_MAX_SIDE))
    # JPEG decodes at 1/2, 1/4 or 1/8 scale directly: much faster and lighter for large sources.
    scale = wanted[0] / width
    image.draft("RGB", (max(1, int(image.size[0] * scale)), max(1, int(image.size[1] * scale))))
    image.load()
    if orientation != 1:
        ImageOps.exif_transpose(image, in_place=True)
    image = _eight_bit(image)
    sizes: list[Image.Image] = []
    for target in wanted:
        target_height = max(1, round(height * target / width))
        source = sizes[-1] if sizes else image
        sizes.append(
            source
            if source.size == (target, target_height)
            else source.resize((target, target_height), Image.Resampling.LANCZOS, reducing_gap=REDUCING_GAP)
        )
        if len(sizes) == 1:
            del image, source  # the full-size decode is no longer needed
    prints = fingerprints.compute(sizes[0])  # from clean pixels, before the label
    renditions = []
    for rendition in sizes:
        if label:
            labels.draw_visible_label(rendition)
        rendition.info = {}
        buffer = io.BytesIO()
        rendition.save(buffer, "WEBP", quality=WEBP_QUALITY, method=WEBP_METHOD, xmp=xmp)
        renditions.append(Rendition(width=rendition.width, height=rendition.height, data=buffer.getvalue()))
    return Rendered(width=width, height=height, fingerprints=prints, renditions=renditions)


def _eight_bit(image: Image.Image) -> Image.Image:
    """RGB or RGBA, 8 bits per channel; the same object when it is already."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        # 16-bit and float greys: scale to 8 bits first; a direct convert() clips them to white.
        image = image.convert("I").point(lambda value: value / 256).convert("L")
    if image.mode in ("RGB", "RGBA"):
        return image
    has_alpha = image.mode in ("LA", "PA", "La") or "transparency" in image.info
    return image.convert("RGBA" if has_alpha else "RGB")
