"""A visible AI label in an upload's corner makes it "suspected"; text elsewhere does not."""

from __future__ import annotations

import io
import random
import re
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from prompts import services
from prompts.models import ListingEvent, ListingImage
from prompts.previews import visible_label
from prompts.previews.labels import draw_visible_label
from prompts.previews.services import image_detect_visible_label
from prompts.previews.tasks import render_previews
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


def _post(api, listing, data: bytes, **fields):
    return api.post(
        f"/api/v1/seller/listings/{listing.public_id}/images/",
        {"image": SimpleUploadedFile("upload.jpg", data), **fields},
        format="multipart",
    )


def _upload(api, listing, data: bytes, **fields):
    """Upload through the API, then run what it queued on commit: the preview task, eagerly."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = _post(api, listing, data, **fields)
    assert response.status_code == 201, response.json()
    return response.json(), ListingImage.objects.get(public_id=response.json()["id"])


@pytest.mark.django_db
def test_an_upload_with_a_visible_label_ends_suspected_and_a_plain_one_does_not(seller, seller_api) -> None:
    listing = make_listing(seller)
    body, image = _upload(seller_api, listing, jpeg(draw_visible_label(photo())))
    # The request answers from metadata and the declaration only; the preview worker finds the label.
    assert (body["ai_class"], body["ai_evidence"]) == ("none", "")
    assert (image.status, image.ai_class, image.ai_evidence) == ("ready", "suspected", "visible_label")
    _, stamp = _upload(seller_api, listing, jpeg(stamped("AI生成")))
    assert (stamp.ai_class, stamp.ai_evidence) == ("suspected", "visible_label")
    _, plain = _upload(seller_api, listing, jpeg(photo(seed=3)))
    assert (plain.status, plain.ai_class, plain.ai_evidence) == ("ready", "none", "")
    events = ListingEvent.objects.filter(listing=listing, action="image_classified")
    assert sorted(event.detail["image"] for event in events) == sorted([image.public_id, stamp.public_id])
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.listing_submit(listing=listing, by=seller)
    # The listing page's notice follows the row the worker updated, in both languages.
    page = Client().get(f"/listings/{listing.public_id}/").content.decode()
    assert re.findall(r'data-ai-class="(\w+)"', page) == ["suspected", "suspected", "none"]
    assert "Suspected AI-generated" in page
    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get(f"/listings/{listing.public_id}/").content.decode()
    assert "疑似AI生成" in chinese
    public = Client().get(f"/api/v1/listings/{listing.public_id}/").json()
    assert [preview["ai_class"] for preview in public["previews"]] == ["suspected", "suspected", "none"]


@pytest.mark.django_db
def test_the_upload_request_does_not_run_the_detector(seller, seller_api) -> None:
    listing = make_listing(seller)
    queued = []  # the tasks the upload sends on commit, held back: run below, as a worker would
    with (
        mock.patch.object(visible_label, "find_in_upload", wraps=visible_label.find_in_upload) as find,
        mock.patch("prompts.services.send_on_commit", lambda task, *args: queued.append((task, args))),
    ):
        response = _post(seller_api, listing, jpeg(draw_visible_label(photo())))
        assert response.status_code == 201, response.json()
        assert response.json()["ai_class"] == "none"
        find.assert_not_called()  # the request is done: committed, answered, the detector untouched
        assert [task.name for task, _ in queued] == ["prompts.render_previews"]
        for task, args in queued:
            task.delay(*args)  # eager: the worker's turn
        find.assert_called_once()
    image = ListingImage.objects.get(public_id=response.json()["id"])
    assert (image.ai_class, image.ai_evidence) == ("suspected", "visible_label")


@pytest.mark.django_db
def test_the_worker_searches_only_unclassified_images_and_a_rerun_adds_nothing(seller, seller_api) -> None:
    listing = make_listing(seller)
    with mock.patch.object(visible_label, "find_in_upload", wraps=visible_label.find_in_upload) as find:
        _, declared = _upload(seller_api, listing, jpeg(draw_visible_label(photo())), ai_declared="true")
        find.assert_not_called()  # the seller's word decided: the pixels are not searched
        assert (declared.ai_class, declared.ai_evidence) == ("declared", "seller_declared")
        _, image = _upload(seller_api, listing, jpeg(draw_visible_label(photo())))
        assert find.call_count == 1
        render_previews.delay(image.pk)  # a re-delivered task: the image is ready, nothing to do
        assert find.call_count == 1
    with image.original.open("rb") as original:  # the search itself, run again on a marked image
        assert image_detect_visible_label(image=image, file=original) is False
    image.refresh_from_db()
    assert (image.ai_class, image.ai_evidence) == ("suspected", "visible_label")
    assert ListingEvent.objects.filter(listing=listing, action="image_classified").count() == 1
