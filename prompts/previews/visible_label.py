"""Find a *visible* AI label stamped into an upload's pixels: the "suspected" class's pixel evidence.

The detector looks in the image's four corners for "AI生成" and "AI-generated" (our own label,
"AI生成 · AI-generated", ends with the latter in the bottom-right corner) by normalised
cross-correlation (NCC) of rendered templates (Noto Sans CJK SC, regular and bold) against the
corner, in grey, downscaled so that the text is TEMPLATE_HEIGHT pixels tall. The absolute NCC is
used, so light text on a dark box matches a dark-on-light template as well. The labelling
standard (GB 45438-2025) asks for label text at least 5% of the image's short side; the heights
tried are 5% to about 6.3% of it, close together, because a match falls off within a few percent
of the text's true size.

The correlations are computed without numpy: a corner and a template are packed into Python
integers (one 32-bit slot per pixel, the template's rows at the corner's stride), and one
big-integer product yields the correlation at every position at once; Pillow's ImageMath turns the
sums into NCC values. The work is bounded whatever the upload's size (a grey working copy of at
most WORKING_SHORT_SIDE, a fixed number of fixed-size corners, templates and heights), but it is
not cheap: about 0.15-0.3 s of CPU per image on a small shared machine, so it runs only when
the metadata and the seller's declaration left an upload unclassified.

What it cannot detect, honestly:
- labels away from the corners (more than about two text heights from both edges), rotated,
  curved, split over lines, or in words other than "AI生成"/"AI-generated" ("AIGC", "AI 生成" with a
  space, "Made with AI", logos and watermarks are not searched; "由AI生成" is found only when its
  "AI生成" part matches well enough, which in our tests it did not);
- text smaller than 5% or larger than about 6.3% of the short side, fonts far from Noto Sans CJK
  (hand lettering, pixel or heavy display fonts), faint or low-contrast labels, heavy compression,
  and plain text (no box) over a busy background: edges of the picture inside the text's window
  lower the correlation (in our tests such a stamp in one of four corners was missed);
- an unlabelled AI image: this is a label finder, not an AI-image classifier. A photo with one of
  these words stamped in a corner is reported, which is the point: the notice says "suspected".
"""

from __future__ import annotations

import sys
from array import array
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import IO, Protocol

from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageMath, ImageOps

_ASSETS = Path(__file__).parent / "assets"
# The label font (Noto Sans CJK SC Bold, our own label's glyphs) and a regular-weight subset for
# other platforms' labels; both SIL OFL (assets/LABEL-FONT-LICENSE.txt).
FONTS = {"bold": _ASSETS / "label-font.otf", "regular": _ASSETS / "detect-font.otf"}
# (text, font). "由AI生成" contains "AI生成"; "AI 生成" (a space) and "AIGC" are not searched: too
# short or too close to other shapes to tell apart reliably at this size (see below).
TEMPLATES: tuple[tuple[str, str], ...] = (
    ("AI-generated", "bold"),  # our own label ends with it, in the corner
    ("AI生成", "regular"),
    ("AI-generated", "regular"),
)
TEMPLATE_HEIGHT = 8  # pixels: the smallest at which 生成 still differs from other strokes
# Text heights tried, as a share of the image's short side (the standard's minimum is 5%).
# A match falls off a few percent away from the text's true height, so the heights tried are close
# together, and only around the standard's minimum (5%), where labels are put: 5% to about 6.3%.
TEXT_HEIGHTS = (0.05, 0.052, 0.054, 0.0565, 0.059, 0.0615)
# How far from the image's edges the text may start, in text heights: labels sit in corners.
MARGIN = 2.0
THRESHOLD = 0.72  # |NCC| at or above which a label is reported
# Both sides are softened alike: at 8 pixels a stroke's phase would otherwise decide the match,
# and a text a few percent larger or smaller than a tried height would be missed.
_SOFTEN = ImageFilter.GaussianBlur(0.8)
_FLAT = 1.0  # minimum variance per pixel of a window: flat areas never match


@dataclass(frozen=True)
class Match:
    text: str
    score: float
    corner: str


class VisibleLabelDetector(Protocol):
    def find(self, image: Image.Image) -> Match | None: ...


@lru_cache(maxsize=32)
def _template(text: str, weight: str) -> Image.Image:
    """The text, dark on light, rendered large and reduced to TEMPLATE_HEIGHT rows."""
    font = ImageFont.truetype(str(FONTS[weight]), 64)
    left, top, right, bottom = font.getbbox(text)
    canvas = Image.new("L", (int(right - left) + 8, int(bottom - top) + 8), 255)
    ImageDraw.Draw(canvas).text((4 - left, 4 - top), text, font=font, fill=0)
    canvas = canvas.crop(ImageOps.invert(canvas).getbbox())
    width = max(1, round(canvas.width * TEMPLATE_HEIGHT / canvas.height))
    return canvas.resize((width, TEMPLATE_HEIGHT), Image.Resampling.BOX).filter(_SOFTEN)


def _to_int(slots: array) -> int:
    if sys.byteorder == "big":
        slots = array("I", slots)
        slots.byteswap()
    return int.from_bytes(slots.tobytes(), "little")


def _window_sums(values: array, width: int, kernel: array | list[int], kernel_width: int) -> Image.Image:
    """Σ values·kernel over every window (an "I" image of the valid offsets), as one integer product.

    ``values`` are rows of ``width`` in 32-bit slots; the kernel, reversed and laid out at the same
    stride, turns a polynomial product into a 2-D correlation. No sum exceeds 2**31 (at most
    255² per pixel of a template of a few hundred pixels), so no slot carries into the next.
    """
    rows = len(kernel) // kernel_width
    laid_out = array("I", bytes(4 * ((rows - 1) * width + kernel_width)))
    for row in range(rows):
        taken = kernel[row * kernel_width : (row + 1) * kernel_width]
        laid_out[row * width : row * width + kernel_width] = array("I", taken)
    laid_out.reverse()  # correlation is the convolution with the reversed kernel
    product = _to_int(values) * _to_int(laid_out)
    out = array("I")
    out.frombytes(product.to_bytes(4 * (len(values) + len(laid_out)), "little"))
    if sys.byteorder == "big":
        out.byteswap()
    start = len(laid_out) - 1
    height = len(values) // width - rows + 1
    window = out[start : start + height * width]
    image = Image.frombytes("I", (width, height), window.tobytes(), "raw", "I")
    return image.crop((0, 0, width - kernel_width + 1, height))


@lru_cache(maxsize=32)
def _kernel(text: str, weight: str) -> tuple[array, int, float, float]:
    """The template's pixels, width, mean and sum of squared deviations."""
    template = _template(text, weight)
    pixels = array("I", iter(template.tobytes()))
    mean = sum(pixels) / len(pixels)
    return pixels, template.width, mean, sum((value - mean) ** 2 for value in pixels)


def _best_ncc(
    corner: Image.Image, text: str, weight: str, sums: dict[int, tuple[Image.Image, Image.Image]]
) -> float:
    """The highest |NCC| of the template anywhere in ``corner`` (an "L" image)."""
    kernel, kernel_width, mean, spread = _kernel(text, weight)
    if corner.width < kernel_width or corner.height < TEMPLATE_HEIGHT or spread == 0:
        return 0.0
    values = array("I", iter(corner.tobytes()))
    if kernel_width not in sums:  # window sums depend on the template's size only: shared
        ones = [1] * len(kernel)
        squares = array("I", (value * value for value in values))
        sums[kernel_width] = (
            _window_sums(values, corner.width, ones, kernel_width).convert("F"),
            _window_sums(squares, corner.width, ones, kernel_width).convert("F"),
        )
    total, total_of_squares = sums[kernel_width]
    cross = _window_sums(values, corner.width, kernel, kernel_width).convert("F")
    n = len(kernel)
    ncc = ImageMath.lambda_eval(
        lambda m: abs(
            (m["cross"] - m["total"] * mean)
            / (m["max"](m["squares"] - m["total"] * m["total"] / n, _FLAT * n) * spread) ** 0.5
        ),
        cross=cross,
        total=total,
        squares=total_of_squares,
    )
    return float(ncc.getextrema()[1])


def _corner(grey: Image.Image, text_height: float, corner: str) -> Image.Image:
    """One corner's region, scaled so that text ``text_height`` pixels tall is TEMPLATE_HEIGHT: room
    for the widest template plus MARGIN text heights from each edge."""
    scale = TEMPLATE_HEIGHT / text_height
    widest = max(_kernel(text, weight)[1] for text, weight in TEMPLATES)
    width = min(grey.width, round(widest / scale + MARGIN * text_height))
    height = min(grey.height, round((1 + MARGIN) * text_height))
    left = 0 if corner.endswith("left") else grey.width - width
    top = 0 if corner.startswith("top") else grey.height - height
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return grey.resize(size, Image.Resampling.BOX, box=(left, top, left + width, top + height)).filter(
        _SOFTEN
    )


CORNERS = ("top-left", "top-right", "bottom-left", "bottom-right")


class TemplateLabelDetector:
    """The visible-label detector: rendered templates matched by NCC in the four corners."""

    def find(self, image: Image.Image) -> Match | None:
        grey = _working_copy(image)
        short = min(grey.size)
        best: Match | None = None
        for share in TEXT_HEIGHTS:
            for corner_name in CORNERS:
                region = _corner(grey, share * short, corner_name)
                sums: dict[int, tuple[Image.Image, Image.Image]] = {}
                for text, weight in TEMPLATES:
                    score = _best_ncc(region, text, weight, sums)
                    if score >= THRESHOLD and (best is None or score > best.score):
                        best = Match(text=text, score=round(score, 3), corner=corner_name)
        return best


# The grey copy the corners are cut from: short side at most this, so a 24-megapixel upload costs
# the same as a small one (the smallest text height still spans TEMPLATE_HEIGHT pixels).
WORKING_SHORT_SIDE = 512


def _working_copy(image: Image.Image) -> Image.Image:
    grey = ImageOps.exif_transpose(image).convert("L") if image.mode != "L" else image
    short = min(grey.size)
    if short > WORKING_SHORT_SIDE:
        factor = WORKING_SHORT_SIDE / short
        grey = grey.resize((round(grey.width * factor), round(grey.height * factor)), Image.Resampling.BOX)
    return grey


def detector() -> VisibleLabelDetector:
    return TemplateLabelDetector()


def find_in_upload(file: IO[bytes]) -> Match | None:
    """A visible AI label in an (already validated) upload, or None; the file is rewound."""
    file.seek(0)
    try:
        with Image.open(file) as image:
            image.draft("L", (WORKING_SHORT_SIDE * 2, WORKING_SHORT_SIDE * 2))  # JPEG: decode smaller
            return detector().find(image)
    except (OSError, ValueError, SyntaxError):
        return None
    finally:
        file.seek(0)
