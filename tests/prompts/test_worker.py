"""The preview pipeline through a real `celery worker` process on Redis and PostgreSQL."""

from __future__ import annotations

import io
import os
import random
import signal

import pytest
import redis
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image

from marketplace.celery import app as celery_app
from prompts import services
from prompts.models import ImageStatus, ListingImage
from prompts.previews.tasks import render_previews
from tests.conftest import requires_postgres, requires_redis
from tests.factories import make_listing, png_upload
from tests.support.worker import celery_worker, children_of, wait_for

pytestmark = [pytest.mark.slow, requires_postgres, requires_redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _through_the_broker(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = settings.REDIS_URL
    yield
    celery_app.conf.task_always_eager = True


def _status(image_id: int) -> str:
    return ListingImage.objects.values_list("status", flat=True).get(pk=image_id)


def _big_webp(seed: int = 1, size: int = 6000) -> bytes:
    """36 megapixels of smooth detail in 0.6 MB: a couple of seconds to render."""
    rng = random.Random(seed)
    channels = [
        Image.frombytes("L", (64, 64), rng.randbytes(4096)).resize((size, size), Image.Resampling.BICUBIC)
        for _ in range(3)
    ]
    buffer = io.BytesIO()
    Image.merge("RGB", channels).save(buffer, "WEBP", quality=70)
    return buffer.getvalue()


def test_upload_through_the_api_is_rendered_by_the_worker(tmp_path, seller, seller_api):
    listing = make_listing(seller)
    with celery_worker(tmp_path / "worker.log") as _:
        response = seller_api.post(
            f"/api/v1/seller/listings/{listing.public_id}/images/",
            {"image": png_upload(width=1500, height=1000)},
            format="multipart",
        )
        assert response.status_code == 201
        assert response.json()["status"] in ("pending", "processing")
        image_id = ListingImage.objects.get(public_id=response.json()["id"]).pk
        wait_for(
            lambda: _status(image_id) == ImageStatus.READY,
            timeout=60,
            what="ready previews",
            log=tmp_path / "worker.log",
        )
    shown = seller_api.get(f"/api/v1/seller/listings/{listing.public_id}/").json()["images"][0]
    assert [p["width"] for p in shown["previews"]] == [320, 640, 1280, 1500]  # 2048 capped at the source
    assert (
        seller_api.post(f"/api/v1/seller/listings/{listing.public_id}/submit/").json()["status"]
        == "published"
    )
    # Task payloads carry ids only: nothing of the prompt reaches Redis.
    client = redis.Redis.from_url(settings.REDIS_URL)
    for key in client.scan_iter(count=1000):
        kind = client.type(key)
        values = (
            [client.get(key)]
            if kind == b"string"
            else client.lrange(key, 0, -1)
            if kind == b"list"
            else list(client.hgetall(key).values())
            if kind == b"hash"
            else []
        )
        assert not any(value and b"neon pond" in value for value in values), key


def test_a_task_enqueued_in_a_rolled_back_transaction_never_runs(tmp_path, seller):
    listing = make_listing(seller)
    with transaction.atomic():
        kept = services.listing_image_add(listing=listing, by=seller, upload=png_upload())
    doomed = ListingImage.objects.create(
        listing=listing,
        source_format="png",
        source_width=1,
        source_height=1,
        source_bytes=1,
        sha256="x",
        original=kept.original.name,
    )

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        transaction.on_commit(lambda: render_previews.delay(doomed.pk))
        raise Abort
    with transaction.atomic():
        sentinel = services.listing_image_add(listing=listing, by=seller, upload=png_upload())
    with celery_worker(tmp_path / "worker.log"):
        wait_for(
            lambda: _status(sentinel.pk) == ImageStatus.READY and _status(kept.pk) == ImageStatus.READY,
            timeout=60,
            what="committed tasks",
            log=tmp_path / "worker.log",
        )
    assert _status(doomed.pk) == ImageStatus.PENDING


def test_worker_killed_mid_render_still_renders_exactly_once(tmp_path, seller, seller_api):
    listing = make_listing(seller)
    log = tmp_path / "worker.log"
    with celery_worker(log) as worker:
        response = seller_api.post(
            f"/api/v1/seller/listings/{listing.public_id}/images/",
            {"image": SimpleUploadedFile("big.webp", _big_webp(), content_type="image/webp")},
            format="multipart",
        )
        assert response.status_code == 201, response.json()
        image = ListingImage.objects.get(public_id=response.json()["id"])
        wait_for(
            lambda: _status(image.pk) == ImageStatus.PROCESSING,
            timeout=60,
            what="the render to start",
            log=log,
        )
        (child,) = children_of(worker.pid)
        os.kill(child, signal.SIGKILL)  # the out-of-memory killer, say
        # acks_late + reject_on_worker_lost: the message goes back to the queue and a new child renders it.
        wait_for(
            lambda: _status(image.pk) == ImageStatus.READY,
            timeout=90,
            what="the re-delivered render",
            log=log,
        )
    assert b"WorkerLostError" in log.read_bytes() or b"SIGKILL" in log.read_bytes()
    image.refresh_from_db()
    assert [r["width"] for r in image.renditions] == [2048, 1280, 640, 320]
    _, files = default_storage.listdir(f"previews/{image.public_id}")
    assert sorted(files) == ["1280.webp", "2048.webp", "320.webp", "640.webp"]


# Shorter than any task's time limit, which only DEBUG allows: redelivery within seconds.
FAST_RESTORE = {
    "DEBUG": "1",
    "CELERY_VISIBILITY_TIMEOUT": "3",
    "CELERY_RESTORE_INTERVAL": "1",
    "CELERY_RESTORE_THROTTLE": "1",
}


def test_whole_worker_killed_then_restarted_finishes_the_render_once(tmp_path, seller, seller_api):
    """The unacknowledged message survives in Redis and is redelivered after the visibility timeout."""
    listing = make_listing(seller)
    log = tmp_path / "worker.log"
    with celery_worker(log, **FAST_RESTORE) as worker:
        response = seller_api.post(
            f"/api/v1/seller/listings/{listing.public_id}/images/",
            {"image": SimpleUploadedFile("big.webp", _big_webp(seed=2), content_type="image/webp")},
            format="multipart",
        )
        image = ListingImage.objects.get(public_id=response.json()["id"])
        wait_for(
            lambda: _status(image.pk) == ImageStatus.PROCESSING,
            timeout=60,
            what="the render to start",
            log=log,
        )
        os.killpg(worker.pid, signal.SIGKILL)  # the whole machine goes away
        worker.wait(timeout=30)
    assert _status(image.pk) == ImageStatus.PROCESSING
    with celery_worker(tmp_path / "worker2.log", **FAST_RESTORE):
        wait_for(
            lambda: _status(image.pk) == ImageStatus.READY,
            timeout=90,
            what="the restarted worker",
            log=tmp_path / "worker2.log",
        )
    image.refresh_from_db()
    assert len(image.renditions) == 4
    assert sorted(default_storage.listdir(f"previews/{image.public_id}")[1]) == [
        "1280.webp",
        "2048.webp",
        "320.webp",
        "640.webp",
    ]
