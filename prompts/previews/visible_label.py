"""Find a *visible* AI label stamped into an upload's pixels: the "suspected" class's pixel evidence.

The detector looks in the image's four corners for "AI生成" and "AI-generated" (our own label,
"AI生成 · AI-generated", ends with the latter in the bottom-right corner) by normalised
cross-correlation (NCC) of rendered templates (Noto Sans CJK SC, regular and bold) against the
corner, in grey, downscaled so that the text is TEMPLATE_HEIGHT pixels tall. The absolute NCC is
used, so light text on a dark box matches a dark-on-light template as well. The labelling
standard (GB 45438-2025) asks for label text at least 5% of the image's short side; the heights
tried are 5% to about 6.3% of it, close together, because a match falls off within a few percent
of the text's true size.

The correlations are computed with numpy: for each text height the four corners are stacked, every
window of them is a strided view (no copy), and one einsum against the template less its mean gives
the cross terms; the windows' sums and sums of squares come from integral images. The work is
bounded whatever the upload's size (a JPEG is decoded at a reduced DCT scale, then a grey working
copy of at most WORKING_SHORT_SIDE, a fixed number of fixed-size corners, templates and heights):
about 15-25 ms of CPU per JPEG upload, 1 or 12 megapixels (bench/visible_label.py). It runs in the
preview worker, not in the upload request, and only when the metadata and the seller's declaration
left an upload unclassified. A large PNG or WebP has no reduced decode: its full decode dominates.

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

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import IO, Protocol

import numpy as np
from numpy.lib.stride_tricks import as_strided
from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

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


@lru_cache(maxsize=32)
def _kernel(text: str, weight: str) -> tuple[np.ndarray, float]:
    """The template's pixels less their mean (so that a window's own mean drops out of the cross
    term), and their sum of squared deviations."""
    pixels = np.asarray(_template(text, weight), dtype=np.float64)
    centred = pixels - pixels.mean()
    return centred, float((centred * centred).sum())


def _window_sums(values: np.ndarray, rows: int, columns: int) -> np.ndarray:
    """Σ values over every rows x columns window (the valid offsets) of each of a stack of regions
    (axis 0), from integral images."""
    count, height, width = values.shape
    integral = np.zeros((count, height + 1, width + 1))
    integral[:, 1:, 1:] = values.cumsum(axis=1).cumsum(axis=2)
    return (
        integral[:, rows:, columns:]
        - integral[:, :-rows, columns:]
        - integral[:, rows:, :-columns]
        + integral[:, :-rows, :-columns]
    )


def _best_ncc(
    corners: np.ndarray, text: str, weight: str, sums: dict[int, tuple[np.ndarray, np.ndarray]]
) -> list[float]:
    """The highest |NCC| of the template anywhere in each of ``corners`` (a stack of same-sized grey
    regions as floats), one score per region."""
    kernel, spread = _kernel(text, weight)
    rows, columns = kernel.shape
    count, height, width = corners.shape
    if width < columns or height < rows or spread == 0:
        return [0.0] * count
    if columns not in sums:  # window sums depend on the template's size only: shared
        sums[columns] = (_window_sums(corners, rows, columns), _window_sums(corners * corners, rows, columns))
    total, total_of_squares = sums[columns]
    n = kernel.size
    # Every window of every region, as a strided view (no copy): (region, y, x, row, column).
    stride_region, stride_y, stride_x = corners.strides
    windows = as_strided(
        corners,
        shape=(count, height - rows + 1, width - columns + 1, rows, columns),
        strides=(stride_region, stride_y, stride_x, stride_y, stride_x),
        writeable=False,
    )
    cross = np.einsum("cijkl,kl->cij", windows, kernel)  # Σ window·(template - its mean)
    variance = np.maximum(total_of_squares - total * total / n, _FLAT * n)
    ncc = np.abs(cross) / np.sqrt(variance * spread)
    return [float(score) for score in ncc.reshape(count, -1).max(axis=1)]


def _corners(grey: Image.Image, text_height: float) -> np.ndarray:
    """The four corners' regions (in CORNERS' order), scaled so that text ``text_height`` pixels tall
    is TEMPLATE_HEIGHT: room for the widest template plus MARGIN text heights from each edge."""
    scale = TEMPLATE_HEIGHT / text_height
    widest = max(_template(text, weight).width for text, weight in TEMPLATES)
    width = min(grey.width, round(widest / scale + MARGIN * text_height))
    height = min(grey.height, round((1 + MARGIN) * text_height))
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    regions = []
    for corner in CORNERS:
        left = 0 if corner.endswith("left") else grey.width - width
        top = 0 if corner.startswith("top") else grey.height - height
        region = grey.resize(size, Image.Resampling.BOX, box=(left, top, left + width, top + height))
        regions.append(np.asarray(region.filter(_SOFTEN), dtype=np.float64))
    return np.stack(regions)


CORNERS = ("top-left", "top-right", "bottom-left", "bottom-right")


class TemplateLabelDetector:
    """The visible-label detector: rendered templates matched by NCC in the four corners."""

    def find(self, image: Image.Image) -> Match | None:
        grey = _working_copy(image)
        short = min(grey.size)
        best: Match | None = None
        for share in TEXT_HEIGHTS:
            regions = _corners(grey, share * short)
            sums: dict[int, tuple[np.ndarray, np.ndarray]] = {}
            scores = [_best_ncc(regions, text, weight, sums) for text, weight in TEMPLATES]
            for index, corner_name in enumerate(CORNERS):
                for (text, _weight), per_corner in zip(TEMPLATES, scores, strict=True):
                    score = per_corner[index]
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
            # JPEG: decoded at the smallest DCT scale that keeps the short side >= WORKING_SHORT_SIDE.
            image.draft("L", (WORKING_SHORT_SIDE, WORKING_SHORT_SIDE))
            return detector().find(image)
    except (OSError, ValueError, SyntaxError):
        return None
    finally:
        file.seek(0)
