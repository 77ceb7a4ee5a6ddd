"""A trial image: smaller than a purchase, watermarked "TRIAL · 试用", with the visible AI label and
the machine-readable one (the same as every preview carries)."""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from PIL import Image, ImageDraw, ImageFont

from prompts.previews import labels
from prompts.previews.rendering import _eight_bit
from prompts.previews.services import label_key

WATERMARK = "TRIAL · 试用"
# A subset of the label's typeface holding only the watermark's glyphs (see its licence file).
_FONT = Path(__file__).resolve().parents[1] / "previews" / "assets" / "trial-font.otf"


@lru_cache(maxsize=16)
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(_FONT), size)


def trial_content_id(*, listing_public_id: str, run_public_id: str) -> str:
    return f"{settings.AI_LABEL_SERVICE_CODE}:listing/{listing_public_id}/trial/{run_public_id}"


def trial_xmp(*, content_id: str, model: str) -> bytes:
    return labels.xmp_packet(
        platform=settings.SITE_NAME,
        content_id=content_id,
        label=labels.implicit_label(
            producer=settings.AI_LABEL_SERVICE_CODE,
            produce_id=content_id,
            propagator=settings.AI_LABEL_SERVICE_CODE,
            propagate_id=content_id,
            key=label_key(),
        ),
        generated_by_platform=True,
        model=model,
    )


def draw_watermark(image: Image.Image) -> Image.Image:
    """A translucent "TRIAL · 试用" band across the middle and the same words in the top-left corner."""
    width, height = image.size
    size = max(12, min(width, height) // 9)
    font = _font(size)
    left, top, right, bottom = font.getbbox(WATERMARK)
    layer = Image.new("RGBA", (int(right - left) + size, int(bottom - top) + size), (0, 0, 0, 0))
    ImageDraw.Draw(layer).text(
        (size // 2 - left, size // 2 - top),
        WATERMARK,
        font=font,
        fill=(255, 255, 255, 140),
        stroke_width=max(1, size // 16),
        stroke_fill=(0, 0, 0, 140),
    )
    band = layer.rotate(30, expand=True, resample=Image.Resampling.BICUBIC)
    if band.width > width:
        band = band.resize((width, max(1, band.height * width // band.width)))
    base = image.convert("RGBA")
    base.alpha_composite(band, ((width - band.width) // 2, max(0, (height - band.height) // 2)))
    corner = _font(max(10, size // 2))
    ImageDraw.Draw(base).text(
        (6, 4), WATERMARK, font=corner, fill=(255, 255, 255, 220), stroke_width=1, stroke_fill=(0, 0, 0, 220)
    )
    return base.convert(image.mode)


def trial_image(data: bytes, *, xmp: bytes) -> tuple[bytes, int, int]:
    """WebP bytes (width, height) at most TRIAL_IMAGE_SIZE on the long side, watermarked and labelled."""
    image = _eight_bit(Image.open(io.BytesIO(data)))
    image.thumbnail((settings.TRIAL_IMAGE_SIZE, settings.TRIAL_IMAGE_SIZE), Image.Resampling.LANCZOS)
    image = labels.draw_visible_label(draw_watermark(image))
    image.info = {}
    buffer = io.BytesIO()
    image.save(buffer, "WEBP", quality=75, xmp=xmp)
    return buffer.getvalue(), image.width, image.height
