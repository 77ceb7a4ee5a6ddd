"""Cheap image fingerprints: blurhash placeholder, dominant colour, perceptual difference hash.

All computed from a small thumbnail, so their cost does not grow with the source size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PIL import Image

_BASE83 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~"
HASH_BANDS = 4  # the 64-bit hash is split into 4 indexed 16-bit bands for near-duplicate lookup
NEAR_DUPLICATE_DISTANCE = 6


@dataclass(frozen=True)
class Fingerprints:
    blurhash: str
    dominant_color: str
    dhash: int  # unsigned 64-bit

    @property
    def bands(self) -> list[int]:
        return hash_bands(self.dhash)


def hash_bands(value: int) -> list[int]:
    return [(value >> (16 * i)) & 0xFFFF for i in range(HASH_BANDS)]


def hamming(a: int, b: int) -> int:
    return (a ^ b).bit_count()


def to_signed64(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


def to_unsigned64(value: int) -> int:
    return value + (1 << 64) if value < 0 else value


def compute(image: Image.Image) -> Fingerprints:
    rgb = image.convert("RGB")
    return Fingerprints(blurhash=blurhash(rgb), dominant_color=dominant_color(rgb), dhash=dhash(rgb))


def dhash(image: Image.Image) -> int:
    """64-bit difference hash: is each pixel brighter than its right neighbour, on a 9x8 grey."""
    grey = image.convert("L").resize((9, 8), Image.Resampling.BOX)
    pixels = grey.tobytes()
    bits = 0
    for row in range(8):
        for col in range(8):
            bits = (bits << 1) | (pixels[row * 9 + col] > pixels[row * 9 + col + 1])
    return bits


def dominant_color(image: Image.Image) -> str:
    small = image.resize((64, 64), Image.Resampling.BOX).quantize(colors=6, method=Image.Quantize.MEDIANCUT)
    palette = small.getpalette() or [0, 0, 0]
    counts: list[tuple[int, int]] = sorted(small.getcolors() or [(1, 0)], reverse=True)  # type: ignore[arg-type]
    index = counts[0][1]
    r, g, b = palette[index * 3 : index * 3 + 3]
    return f"#{r:02x}{g:02x}{b:02x}"


def _srgb_to_linear(value: int) -> float:
    v = value / 255
    return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4


def _linear_to_srgb(value: float) -> int:
    v = max(0.0, min(1.0, value))
    return round(v * 12.92 * 255) if v <= 0.0031308 else round((1.055 * v ** (1 / 2.4) - 0.055) * 255)


def _base83(value: int, length: int) -> str:
    return "".join(_BASE83[(value // 83 ** (length - i - 1)) % 83] for i in range(length))


def blurhash(image: Image.Image, x_components: int = 4, y_components: int = 3) -> str:
    """BlurHash (https://blurha.sh) of the image, computed on a 32 px thumbnail."""
    small = image.copy()
    small.thumbnail((32, 32), Image.Resampling.BOX)
    width, height = small.size
    raw = small.tobytes()
    linear = [tuple(_srgb_to_linear(c) for c in raw[k : k + 3]) for k in range(0, len(raw), 3)]
    factors = []
    for j in range(y_components):
        for i in range(x_components):
            norm = 1 if i == j == 0 else 2
            r = g = b = 0.0
            for y in range(height):
                cy = math.cos(math.pi * j * y / height)
                for x in range(width):
                    basis = cy * math.cos(math.pi * i * x / width)
                    pr, pg, pb = linear[y * width + x]
                    r, g, b = r + basis * pr, g + basis * pg, b + basis * pb
            scale = norm / (width * height)
            factors.append((r * scale, g * scale, b * scale))
    dc, ac = factors[0], factors[1:]
    result = _base83((x_components - 1) + (y_components - 1) * 9, 1)
    if ac:
        actual_max = max(abs(v) for f in ac for v in f)
        quantised = max(0, min(82, math.floor(actual_max * 166 - 0.5)))
        maximum = (quantised + 1) / 166
        result += _base83(quantised, 1)
    else:
        maximum = 1.0
        result += _base83(0, 1)
    result += _base83(
        (_linear_to_srgb(dc[0]) << 16) + (_linear_to_srgb(dc[1]) << 8) + _linear_to_srgb(dc[2]), 4
    )
    for f in ac:
        q = [max(0, min(18, math.floor(math.copysign(abs(v / maximum) ** 0.5, v) * 9 + 9.5))) for v in f]
        result += _base83(q[0] * 19 * 19 + q[1] * 19 + q[2], 2)
    return result
