"""CPU time of the visible-label detector per upload (prompts/previews/visible_label.py).

    .venv/bin/python bench/visible_label.py [--rounds 5]

Makes JPEG uploads like a seller's (a photo-like picture, with and without a stamped "AI生成" or our
own label), at 1024x1024 and 4000x3000, and times `visible_label.find_in_upload` on each: decode
(JPEG draft mode), grey working copy, corners, matching. Reports the median process CPU time
(time.process_time) per image and size over ``--rounds`` runs, after one warm-up run (fonts and
templates are rendered once per process). Target: <= 30 ms at both sizes. No database needed.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from prompts.previews import visible_label
from prompts.previews.labels import draw_visible_label

SIZES = ((1024, 1024), (4000, 3000))


def photo(width: int, height: int, seed: int = 7) -> Image.Image:
    rng = random.Random(seed)
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(60):
        x, y, size = rng.randrange(width), rng.randrange(height), rng.randrange(10, width // 4)
        draw.ellipse(
            [x, y, x + size, y + size], fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256))
        )
    return image.filter(ImageFilter.GaussianBlur(2))


def stamped(image: Image.Image, text: str) -> Image.Image:
    size = round(min(image.size) * 0.055)
    font = ImageFont.truetype(str(visible_label.FONTS["regular"]), size)
    margin = round(min(image.size) * 0.02)
    left, top, _, _ = font.getbbox(text)
    ImageDraw.Draw(image).text((margin - left, margin - top), text, font=font, fill=(255, 255, 255))
    return image


def jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=88)
    return buffer.getvalue()


def cases(width: int, height: int) -> dict[str, bytes]:
    return {
        "plain": jpeg(photo(width, height)),
        "stamped AI生成": jpeg(stamped(photo(width, height, seed=3), "AI生成")),
        "our label": jpeg(draw_visible_label(photo(width, height, seed=5))),
    }


def cpu_ms(data: bytes, rounds: int) -> tuple[float, visible_label.Match | None]:
    found = visible_label.find_in_upload(io.BytesIO(data))  # warm-up: templates are cached
    times = []
    for _ in range(rounds):
        start = time.process_time()
        visible_label.find_in_upload(io.BytesIO(data))
        times.append((time.process_time() - start) * 1000)
    return statistics.median(times), found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    worst = 0.0
    for width, height in SIZES:
        for name, data in cases(width, height).items():
            ms, found = cpu_ms(data, args.rounds)
            worst = max(worst, ms)
            result = f"{found.text} {found.corner} {found.score}" if found else "none"
            print(f"{width}x{height} {name:<14} {ms:7.1f} ms CPU  -> {result}")
    print(f"worst: {worst:.1f} ms CPU per image (target <= 30 ms)")


if __name__ == "__main__":
    main()
