"""A visible AI label in an upload's corner makes it "suspected"; text elsewhere does not."""

from __future__ import annotations

import io
import random

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from prompts.models import ListingImage
from prompts.previews import visible_label
from prompts.previews.labels import draw_visible_label
from tests.factories import make_listing

REGULAR = str(visible_label.FONTS["regular"])


def photo(width: int = 960, height: int = 720, seed: int = 7) -> Image.Image:
    """Photo-like: a sky gradient, overlapping coloured shapes, softened edges."""
    rng = random.Random(seed)
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):
        draw.line(
            [(0, y), (width, y)],
            fill=(80 + 100 * y // height, 120 + 60 * y // height, 200 - 100 * y // height),
        )
    for _ in range(60):
        x, y, size = rng.randrange(width), rng.randrange(height), rng.randrange(10, width // 4)
        draw.ellipse(
            [x, y, x + size, y + size], fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256))
        )
    return image.filter(ImageFilter.GaussianBlur(2))


def stamped(text: str, *, where: str = "top-left", share: float = 0.06) -> Image.Image:
    image = photo()
    size = round(min(image.size) * share)
    font = ImageFont.truetype(REGULAR, size)
    left, top, right, bottom = font.getbbox(text)
    margin = round(min(image.size) * 0.02)
    x = margin if where.endswith("left") else image.width - margin - (right - left)
    y = margin if where.startswith("top") else image.height - margin - (bottom - top)
    ImageDraw.Draw(image).text((x - left, y - top), text, font=font, fill=(255, 255, 255))
    return image


def jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=88)
    return buffer.getvalue()


def reopened(image: Image.Image) -> Image.Image:
    return Image.open(io.BytesIO(jpeg(image)))


def test_our_own_visible_label_is_found() -> None:
    found = visible_label.TemplateLabelDetector().find(reopened(draw_visible_label(photo())))
    assert found is not None and found.corner == "bottom-right"


@pytest.mark.parametrize(
    ("text", "where"), [("AI生成", "top-left"), ("AI生成", "bottom-left"), ("AI-generated", "top-right")]
)
def test_a_stamped_label_in_a_corner_is_found(text, where) -> None:
    found = visible_label.TemplateLabelDetector().find(reopened(stamped(text, where=where)))
    assert found is not None and found.corner == where


def test_a_photo_with_text_elsewhere_is_not_a_label() -> None:
    image = photo()
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(REGULAR, 44)
    draw.text((300, 330), "AI生成 的海报", font=font, fill=(255, 255, 255))  # the middle: a poster's words
    draw.text((20, 650), "2024 Hangzhou", font=font, fill=(255, 255, 255))  # a corner, but no label
    assert visible_label.TemplateLabelDetector().find(reopened(image)) is None
    assert visible_label.TemplateLabelDetector().find(reopened(photo(seed=11))) is None


def _upload(api, listing, data: bytes):
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = api.post(
            f"/api/v1/seller/listings/{listing.public_id}/images/",
            {"image": SimpleUploadedFile("upload.jpg", data)},
            format="multipart",
        )
    assert response.status_code == 201, response.json()
    return response.json(), ListingImage.objects.get(public_id=response.json()["id"])


@pytest.mark.django_db
def test_an_upload_with_a_visible_label_is_suspected_and_a_plain_one_is_not(seller, seller_api) -> None:
    listing = make_listing(seller)
    body, image = _upload(seller_api, listing, jpeg(draw_visible_label(photo())))
    assert (image.ai_class, image.ai_evidence) == ("suspected", "visible_label")
    assert (body["ai_class"], body["ai_evidence"]) == ("suspected", "visible_label")
    _, stamp = _upload(seller_api, listing, jpeg(stamped("AI生成")))
    assert (stamp.ai_class, stamp.ai_evidence) == ("suspected", "visible_label")
    _, plain = _upload(seller_api, listing, jpeg(photo(seed=3)))
    assert (plain.ai_class, plain.ai_evidence) == ("none", "")
