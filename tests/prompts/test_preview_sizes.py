"""Existing images get the preview sizes added to PREVIEW_WIDTHS later (the full-size viewer's)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client, TestCase
from PIL import Image

from prompts import services
from prompts.models import ListingImage
from prompts.previews.backfill import image_add_missing_sizes
from tests.factories import make_listing, png_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def old_image(seller, settings):
    """A published listing whose 1500 px image was rendered when the largest preview was 640 px."""
    settings.PREVIEW_WIDTHS = [640, 320]
    listing = make_listing(seller, publish=True)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.listing_image_add(listing=listing, by=seller, upload=png_upload(width=1500, height=1000))
    image = ListingImage.objects.filter(listing=listing, width=1500).get()
    assert sorted(r["width"] for r in image.renditions) == [320, 640]
    settings.PREVIEW_WIDTHS = [2048, 640, 320]
    return image


def _run(*args: str) -> str:
    out = io.StringIO()
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("add_preview_sizes", *args, stdout=out)
    return out.getvalue()


def test_the_command_adds_only_the_missing_size_and_the_listing_page_links_it(old_image):
    kept = {r["width"]: Path(default_storage.path(r["name"])).read_bytes() for r in old_image.renditions}
    # The listing's other image (64 px wide) already has every size it can have (never upscaled).
    assert "added 1 sizes to 1 images" in _run("--now")

    old_image.refresh_from_db()
    widths = {r["width"]: r for r in old_image.renditions}
    assert sorted(widths) == [320, 640, 1500]  # 2048 capped at the source: never upscaled
    with Image.open(default_storage.path(widths[1500]["name"])) as full:
        assert full.size == (1500, 1000) and full.format == "WEBP"
    for width, data in kept.items():  # the sizes already served are not rewritten
        assert Path(default_storage.path(widths[width]["name"])).read_bytes() == data

    page = Client().get(f"/listings/{old_image.listing.public_id}/").content.decode()
    assert f'href="{default_storage.url(widths[1500]["name"])}" data-lightbox' in page

    assert "added 0 sizes to 0 images" in _run("--now")  # a re-run renders nothing


def test_queued_runs_do_the_same_once(old_image):
    assert "queued 1 images" in _run()  # tasks run in-process in tests, as a worker would
    old_image.refresh_from_db()
    assert sorted(r["width"] for r in old_image.renditions) == [320, 640, 1500]
    assert image_add_missing_sizes(image_id=old_image.pk) == []
    assert "queued 0 images" in _run()


def test_an_image_whose_original_is_gone_keeps_its_sizes(old_image):
    Path(old_image.original.path).unlink()
    assert image_add_missing_sizes(image_id=old_image.pk) == []
    old_image.refresh_from_db()
    assert sorted(r["width"] for r in old_image.renditions) == [320, 640]
