"""Every uploaded image ends ready or failed: a lost or unsent render is re-queued, then given up."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.test import TestCase
from django.utils import timezone
from kombu.exceptions import OperationalError

from prompts import services
from prompts.models import ImageSource, ImageStatus, Listing, ListingImage
from prompts.previews import services as preview_services
from prompts.previews.tasks import render_previews, requeue_stale_images
from tests.factories import png_bytes, png_upload
from tests.prompts.test_uploads import post_image

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Renders sent to the broker, recorded instead of run (the broker keeps them, or loses them)."""
    calls: list[int] = []
    monkeypatch.setattr(render_previews, "delay", lambda image_id: calls.append(image_id))
    return calls


def sweep() -> None:
    """One run of the beat job, its re-queued renders sent as its commits would send them."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        requeue_stale_images()


def _age(image: ListingImage, minutes: int) -> None:
    ListingImage.objects.filter(pk=image.pk).update(updated_at=timezone.now() - timedelta(minutes=minutes))


def _stuck_image(seller: Any, listing: Listing, status: str = ImageStatus.PROCESSING) -> ListingImage:
    with TestCase.captureOnCommitCallbacks(execute=False):
        image = services.listing_image_add(listing=listing, by=seller, upload=png_upload())
    ListingImage.objects.filter(pk=image.pk).update(status=status)
    _age(image, 10)
    return image


def test_upload_while_the_broker_is_down_succeeds_and_the_sweep_renders_it_later(
    seller_api, listing, monkeypatch, caplog
):
    def broker_down(image_id: int) -> None:
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(render_previews, "delay", broker_down)
    caplog.set_level(logging.ERROR, logger="prompts.previews.enqueue")

    response = post_image(seller_api, listing, "koi.png", png_bytes(300, 200))

    assert response.status_code == 201, response.content[:300]
    assert response.json()["status"] == "pending"
    image = ListingImage.objects.get(public_id=response.json()["id"])
    assert "prompts.render_previews" in caplog.text and "broker is unreachable" in caplog.text

    monkeypatch.undo()  # the broker is back; tasks run in-process in tests
    sweep()
    assert ListingImage.objects.get(pk=image.pk).status == ImageStatus.PENDING  # not stale yet
    _age(image, 6)
    sweep()

    shown = seller_api.get(f"/api/v1/seller/listings/{listing.public_id}/").json()["images"][0]
    assert shown["status"] == "ready"
    assert [p["width"] for p in shown["previews"]] == [300]


@pytest.mark.parametrize("status", [ImageStatus.PROCESSING, ImageStatus.PENDING])
def test_a_stale_image_is_queued_once_however_often_the_sweep_runs(seller, listing, sent, status):
    image = _stuck_image(seller, listing, status)

    sweep()
    sweep()

    assert sent == [image.pk]
    assert ListingImage.objects.get(pk=image.pk).status == status


def test_an_image_that_never_finishes_is_failed_with_a_reason_after_a_bounded_number_of_tries(
    seller, seller_api, listing, sent
):
    image = _stuck_image(seller, listing)
    for tries in range(preview_services.REQUEUE_LIMIT + 3):
        sweep()
        # Each re-queued render is lost with its worker; the next sweep after the longer wait finds it.
        wait = preview_services.requeue_wait(min(tries + 1, preview_services.REQUEUE_LIMIT))
        _age(image, int(wait.total_seconds() // 60) + 1)

    assert sent == [image.pk] * preview_services.REQUEUE_LIMIT
    shown = seller_api.get(f"/api/v1/seller/listings/{listing.public_id}/").json()["images"][0]
    assert shown["status"] == "failed"
    assert (
        f"did not finish this image in {preview_services.REQUEUE_LIMIT + 1} tries" in shown["failure_reason"]
    )


def test_recent_images_and_platform_slots_waiting_for_generation_are_left_alone(seller, listing, sent):
    with TestCase.captureOnCommitCallbacks(execute=False):
        fresh = services.listing_image_add(listing=listing, by=seller, upload=png_upload())
    slot = ListingImage.objects.create(
        listing=listing,
        source=ImageSource.PLATFORM,
        position=9,
        source_format="",
        source_width=0,
        source_height=0,
        source_bytes=0,
        sha256="",
    )
    _age(slot, 60)

    sweep()

    assert sent == []
    assert ListingImage.objects.get(pk=fresh.pk).status == ImageStatus.PENDING
    assert ListingImage.objects.get(pk=slot.pk).status == ImageStatus.PENDING


def test_a_render_queued_twice_renders_once(seller, listing):
    """The sweep re-queues an image whose first task was only slow: both run, one set of previews."""
    with TestCase.captureOnCommitCallbacks(execute=False) as first_send:
        image = services.listing_image_add(listing=listing, by=seller, upload=png_upload())
    _age(image, 10)

    sweep()  # renders it
    rendered = ListingImage.objects.get(pk=image.pk)
    for callback in first_send:
        callback()  # the slow first task arrives

    after = ListingImage.objects.get(pk=image.pk)
    assert after.status == ImageStatus.READY
    assert after.renditions == rendered.renditions
    assert after.updated_at == rendered.updated_at


def test_a_render_that_loses_the_race_to_another_leaves_no_stray_files(seller_api, listing, monkeypatch):
    response = post_image(seller_api, listing, "koi.png", png_bytes(700, 500))
    image = ready = ListingImage.objects.get(public_id=response.json()["id"])
    assert ready.status == ImageStatus.READY
    # A second run claimed the image before the first recorded it; the first one's files land
    # between this run's delete and save, and the first one records its previews while this one encodes.
    ListingImage.objects.filter(pk=image.pk).update(status=ImageStatus.PROCESSING)
    real_render = preview_services.render

    def render_while_the_other_run_finishes(*args: Any, **kwargs: Any) -> Any:
        rendered = real_render(*args, **kwargs)
        ListingImage.objects.filter(pk=image.pk).update(status=ImageStatus.READY)
        return rendered

    monkeypatch.setattr(preview_services, "render", render_while_the_other_run_finishes)
    real_delete = default_storage.delete
    theirs = {r["name"] for r in ready.renditions}
    monkeypatch.setattr(default_storage, "delete", lambda name: None if name in theirs else real_delete(name))
    preview_services.image_render_previews(image_id=image.pk)
    monkeypatch.undo()

    after = ListingImage.objects.get(pk=image.pk)
    assert after.renditions == ready.renditions
    _, files = default_storage.listdir(f"previews/{image.public_id}")
    assert sorted(files) == sorted(Path(r["name"]).name for r in ready.renditions)


def test_an_image_waiting_behind_a_backlog_is_re_queued_ever_more_rarely_not_failed(seller, listing, sent):
    image = _stuck_image(seller, listing, ImageStatus.PENDING)
    sweep()  # first re-queue after the base wait
    _age(image, 6)  # past the base wait, inside the doubled one
    sweep()

    assert sent == [image.pk]
    _age(image, 11)
    sweep()
    assert sent == [image.pk, image.pk]
    assert ListingImage.objects.get(pk=image.pk).status == ImageStatus.PENDING
