"""Previews are labelled as AI-generated, fingerprinted, and near-duplicates are flagged."""

from __future__ import annotations

import html
import io
import json
import random
import re

import pytest
from django.core.files.storage import default_storage
from django.test import TestCase
from PIL import Image, ImageStat

from prompts.models import ImageStatus, ListingFlag, ListingImage, ListingStatus
from prompts.previews.labels import TRAINED_ALGORITHMIC_MEDIA, label_height
from prompts.previews.services import image_render_previews
from prompts.previews.tasks import render_previews
from tests.factories import make_listing, png_bytes, png_upload

pytestmark = pytest.mark.django_db


def _upload(api, listing, data: bytes, name: str = "x.png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = api.post(
        f"/api/v1/seller/listings/{listing.public_id}/images/",
        {"image": SimpleUploadedFile(name, data, content_type="image/png")},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    return ListingImage.objects.get(public_id=response.json()["id"])


def _preview(image: ListingImage, index: int = 0) -> tuple[bytes, Image.Image]:
    with default_storage.open(image.renditions[index]["name"]) as fh:
        data = fh.read()
    return data, Image.open(io.BytesIO(data))


def _pattern(seed: int, size: int) -> bytes:
    """A deterministic, detailed picture: smooth random blobs in three channels."""
    rng = random.Random(seed)
    channels = [
        Image.frombytes("L", (24, 24), rng.randbytes(24 * 24)).resize((size, size), Image.Resampling.BICUBIC)
        for _ in range(3)
    ]
    buffer = io.BytesIO()
    Image.merge("RGB", channels).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("background", [(250, 250, 250), (5, 5, 5)])
def test_visible_label_is_legible_on_light_and_dark_images(seller, seller_api, background):
    listing = make_listing(seller)
    image = _upload(seller_api, listing, png_bytes(width=800, height=600, colour=background))
    _, preview = _preview(image)
    width, height = preview.size
    # The label sits in the bottom-right corner: there are bright text pixels and dark box pixels.
    corner = preview.convert("L").crop((width // 2, height - 3 * label_height(width, height), width, height))
    lightest, darkest = corner.getextrema()[1], corner.getextrema()[0]
    assert lightest > 200
    assert darkest < 90
    top_left = ImageStat.Stat(preview.convert("L").crop((0, 0, 50, 50))).mean[0]
    assert abs(top_left - sum(background) / 3) < 8  # the rest of the image is untouched


def test_label_text_is_at_least_five_percent_of_the_short_side(seller, seller_api):
    listing = make_listing(seller)
    image = _upload(seller_api, listing, png_bytes(width=1600, height=1000, colour=(255, 255, 255)))
    for index, size in enumerate(image.renditions):
        _, preview = _preview(image, index)
        grey = preview.convert("L")
        # rows containing bright label text inside the dark box in the bottom band
        band = grey.crop((size["width"] // 3, size["height"] // 2, size["width"], size["height"]))
        dark_rows = [
            y for y in range(band.height) if band.crop((0, y, band.width, y + 1)).getextrema()[0] < 60
        ]
        assert len(dark_rows) >= 0.05 * min(size["width"], size["height"]), size


def test_previews_carry_the_machine_readable_label(seller, seller_api):
    listing = make_listing(seller)
    image = _upload(seller_api, listing, png_bytes(width=500, height=500))
    data, preview = _preview(image)
    xmp = preview.info.get("xmp", b"")
    xmp = xmp.decode() if isinstance(xmp, bytes) else xmp
    assert TRAINED_ALGORITHMIC_MEDIA in xmp
    assert f"listing/{listing.public_id}/image/{image.public_id}" in xmp
    assert '"Label":"1"' in xmp.replace("&quot;", '"')
    assert "neon pond" not in data.decode("latin-1")  # never the prompt


def _label_fields(data: bytes) -> dict[str, str]:
    """The implicit-label fields, read back from the preview file's own bytes."""
    packet = data[data.index(b"<?xpacket begin") : data.index(b"<?xpacket end")].decode()
    match = re.search(r"TC260:AIGC=([\"'])(.*?)\1", packet)
    assert match, packet
    fields: dict[str, str] = json.loads(html.unescape(match.group(2)))
    return fields


def test_the_label_names_the_service_and_an_opaque_id_never_the_seller(settings, seller, seller_api):
    settings.AI_LABEL_SERVICE_CODE = "acme-aigc"
    listing = make_listing(seller)
    image = _upload(seller_api, listing, png_bytes(width=400, height=300))
    for index in range(len(image.renditions)):
        data, _ = _preview(image, index)
        fields = _label_fields(data)
        opaque = f"acme-aigc:listing/{listing.public_id}/image/{image.public_id}"
        # The reserved codes are keyed digests of these (tests/prompts/test_upload_provenance.py).
        assert fields.pop("ReservedCode1").startswith("dimsum-hmac-sha256-v1:")
        assert fields.pop("ReservedCode2").startswith("dimsum-hmac-sha256-v1:")
        assert fields == {
            "Label": "1",
            "ContentProducer": "acme-aigc",
            "ProduceID": opaque,
            "ContentPropagator": "acme-aigc",
            "PropagateID": opaque,
        }
        # No internal id or name of the seller anywhere in the file. Whole forms, not ":1": with the
        # small ids of a fresh SQLite database, two bytes turn up by chance in compressed pixels.
        assert b"seller:" not in data
        internal = (f"listing/{listing.pk}/", f"listing:{listing.pk}", f"user:{seller.pk}", seller.email)
        for text in (*internal, seller.handle):
            assert text.encode() not in data


def test_fingerprints_are_recorded_and_public(seller, seller_api, anon):
    listing = make_listing(seller, publish=True)
    image = listing.images.get()
    assert len(image.blurhash) == 28  # 4x3 components
    assert image.dominant_color == "#c81e1e"  # png_upload's colour (200, 30, 30)
    cover = anon.get("/api/v1/listings/").json()["results"][0]["cover"]
    assert cover["blurhash"] == image.blurhash
    assert cover["generated_by_platform"] is False
    assert cover["ai_label"] is True


def test_previews_are_never_upscaled_and_keep_the_source_width(seller, seller_api):
    listing = make_listing(seller)
    image = _upload(seller_api, listing, png_bytes(width=900, height=300))
    assert [r["width"] for r in image.renditions] == [900, 640, 320]
    assert [r["height"] for r in image.renditions] == [300, 213, 107]


def test_running_the_task_again_changes_nothing(seller, seller_api):
    listing = make_listing(seller)
    image = _upload(seller_api, listing, png_bytes(width=700, height=700))
    before = list(default_storage.listdir(f"previews/{image.public_id}")[1])
    render_previews(image.pk)
    image_render_previews(image_id=image.pk)
    after = ListingImage.objects.get(pk=image.pk)
    assert after.renditions == image.renditions
    assert after.status == ImageStatus.READY
    assert sorted(default_storage.listdir(f"previews/{image.public_id}")[1]) == sorted(before)


def test_an_undecodable_original_fails_with_a_reason_the_seller_sees(seller, seller_api):
    listing = make_listing(seller)
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        from prompts import services

        image = services.listing_image_add(listing=listing, by=seller, upload=png_upload())
    with image.original.open("wb") as fh:  # the stored original went bad before the worker ran
        fh.write(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    for callback in callbacks:
        callback()
    shown = seller_api.get(f"/api/v1/seller/listings/{listing.public_id}/").json()["images"][0]
    assert shown["status"] == "failed"
    assert "upload it again" in shown["failure_reason"]


def test_a_copied_example_image_flags_both_listings(seller, other_seller, client_for):
    original = make_listing(seller, publish=True, title="Original")
    _upload(client_for(seller), original, _pattern(1, 800))
    copycat = make_listing(other_seller, title="Copy")
    # The copy is re-encoded at another size: still a near-duplicate.
    resized = Image.open(io.BytesIO(_pattern(1, 800))).resize((640, 640))
    buffer = io.BytesIO()
    resized.save(buffer, "PNG")
    api = client_for(other_seller)
    _upload(api, copycat, buffer.getvalue())
    flagged = set(ListingFlag.objects.filter(reason="duplicate_image").values_list("listing_id", flat=True))
    assert flagged == {original.pk, copycat.pk}
    submitted = api.post(f"/api/v1/seller/listings/{copycat.public_id}/submit/").json()
    assert submitted["status"] == ListingStatus.PENDING_REVIEW
    assert "images" in submitted["review_note"]


def test_different_images_and_same_seller_images_are_not_flagged(seller, other_seller, client_for):
    first = make_listing(seller)
    _upload(client_for(seller), first, _pattern(1, 800))
    second = make_listing(seller)
    _upload(client_for(seller), second, _pattern(1, 800))  # the same seller reusing an image is fine
    third = make_listing(other_seller)
    _upload(client_for(other_seller), third, _pattern(2, 800))  # a different picture
    assert not ListingFlag.objects.exists()


def test_a_service_code_that_would_break_the_label_stops_start_up():
    from tests.prompts.test_redelivery_settings import _settings_process

    result = _settings_process(AI_LABEL_SERVICE_CODE='dimsum"><x')
    assert result.returncode != 0
    assert "AI_LABEL_SERVICE_CODE must be up to 64 ASCII letters" in result.stderr
