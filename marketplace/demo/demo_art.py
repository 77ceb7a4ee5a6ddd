"""Procedural example images for the demo catalog, drawn locally with Pillow (no downloads)."""

from __future__ import annotations

import io
import math
import random

from PIL import Image, ImageDraw, ImageFilter

SIZE = 768


def _gradient(rng: random.Random) -> Image.Image:
    top = tuple(rng.randint(20, 235) for _ in range(3))
    bottom = tuple(rng.randint(20, 235) for _ in range(3))
    column = Image.new("RGB", (1, SIZE))
    for y in range(SIZE):
        t = y / (SIZE - 1)
        column.putpixel((0, y), tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
    return column.resize((SIZE, SIZE))


def _emoji(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    c, r = SIZE // 2, SIZE // 3
    draw.ellipse((c - r, c - r, c + r, c + r), fill=(255, 204, 51), outline=(120, 80, 0), width=8)
    for dx in (-r // 3, r // 3):
        draw.ellipse((c + dx - 25, c - r // 3 - 35, c + dx + 25, c - r // 3 + 35), fill=(60, 40, 20))
    mood = rng.choice([(20, 160), (200, 340)])
    draw.arc((c - r // 2, c - r // 4, c + r // 2, c + r // 2), mood[0], mood[1], fill=(60, 40, 20), width=14)


def _wallpaper(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    for layer in range(3):
        base = int(SIZE * (0.55 + 0.12 * layer))
        points = [(0, SIZE)]
        for x in range(0, SIZE + 64, 64):
            points.append((x, int(base) - rng.randint(0, 180 - layer * 50)))
        points.append((SIZE, SIZE))
        shade = 40 + layer * 40
        draw.polygon(points, fill=(shade, shade // 2 + 30, shade + 40))
    draw.ellipse((SIZE * 0.65, 80, SIZE * 0.65 + 110, 190), fill=(255, 240, 200))


def _tshirt(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    body = [
        (230, 150),
        (320, 110),
        (448, 110),
        (538, 150),
        (650, 260),
        (580, 330),
        (540, 300),
        (540, 680),
        (228, 680),
        (228, 300),
        (188, 330),
        (118, 260),
    ]
    draw.polygon(body, fill=(245, 245, 245), outline=(80, 80, 80))
    for _ in range(5):
        x, y, r = rng.randint(300, 460), rng.randint(280, 520), rng.randint(20, 70)
        draw.regular_polygon((x, y, r), rng.randint(3, 8), fill=tuple(rng.randint(0, 255) for _ in range(3)))


def _nails(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    colour = tuple(rng.randint(80, 255) for _ in range(3))
    for i in range(5):
        x = 90 + i * 125
        draw.rounded_rectangle(
            (x, 220, x + 95, 560), radius=45, fill=colour, outline=(255, 255, 255), width=5
        )
        for _ in range(4):
            px, py = x + rng.randint(15, 80), rng.randint(260, 520)
            draw.ellipse((px - 8, py - 8, px + 8, py + 8), fill=(255, 255, 255))


def _shapes(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    for _ in range(14):
        x, y, r = rng.randint(0, SIZE), rng.randint(0, SIZE), rng.randint(30, 160)
        fill = tuple(rng.randint(0, 255) for _ in range(3))
        if rng.random() < 0.5:
            draw.ellipse((x - r, y - r, x + r, y + r), fill=fill)
        else:
            draw.regular_polygon((x, y, r), rng.randint(3, 7), rotation=rng.randint(0, 90), fill=fill)


def _figure(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    c = SIZE // 2
    draw.ellipse((c - 55, 90, c + 55, 210), fill=(230, 190, 160))
    dress = tuple(rng.randint(0, 255) for _ in range(3))
    draw.polygon([(c - 80, 230), (c + 80, 230), (c + 170, 690), (c - 170, 690)], fill=dress)
    draw.line((c - 80, 240, c - 150, 470), fill=(230, 190, 160), width=26)
    draw.line((c + 80, 240, c + 150, 470), fill=(230, 190, 160), width=26)


def _logo(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    c = SIZE // 2
    colour = tuple(rng.randint(0, 200) for _ in range(3))
    draw.ellipse((c - 220, c - 220, c + 220, c + 220), outline=colour, width=30)
    for k in range(rng.randint(3, 6)):
        angle = 2 * math.pi * k / 6
        draw.line((c, c, c + 170 * math.cos(angle), c + 170 * math.sin(angle)), fill=colour, width=24)


PAINTERS = {
    "emoji": _emoji,
    "wallpaper": _wallpaper,
    "t-shirt": _tshirt,
    "press-on-nails": _nails,
    "illustration": _shapes,
    "fashion-model": _figure,
    "product": _shapes,
    "logo": _logo,
    "other": _shapes,
}


def draw_example(category: str, seed: int) -> bytes:
    """A PNG example output for a category, deterministic for a seed."""
    rng = random.Random(seed)
    image = _gradient(rng)
    PAINTERS.get(category, _shapes)(ImageDraw.Draw(image), rng)
    if category == "illustration":
        image = image.filter(ImageFilter.SMOOTH_MORE)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=False, compress_level=3)
    return buffer.getvalue()
