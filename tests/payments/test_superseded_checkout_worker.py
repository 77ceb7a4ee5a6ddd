"""A replaced order's session expired by a real `celery worker` on Redis, against the fake Stripe."""

from __future__ import annotations

import pytest

from payments.models import DiscountCode, Order, OrderStatus
from tests.conftest import requires_postgres, requires_redis
from tests.support.fake_stripe import SECRET_KEY, WEBHOOK_SECRET, SessionExpired
from tests.support.worker import celery_worker, wait_for

pytestmark = [pytest.mark.slow, requires_postgres, requires_redis, pytest.mark.django_db(transaction=True)]


def _checkout(api, listing, **body) -> Order:
    response = api.post(f"/api/v1/listings/{listing.public_id}/checkout/", body, format="json")
    assert response.status_code == 201, response.json()
    return Order.objects.get(public_id=response.json()["order_id"])


def test_the_worker_retries_until_the_replaced_session_is_expired(
    tmp_path, stripe_fake, seller, listing, through_the_broker, buyer_api, settings
):
    DiscountCode.objects.create(seller=seller, code="HALF", kind="percent", percent=50)
    old = _checkout(buyer_api, listing)
    expire_path = f"/v1/checkout/sessions/{old.checkout_session_id}/expire"
    # The first attempt fails whole (the call and the library's two retries): the task's retry expires it.
    stripe_fake.fail_next.extend([(expire_path, 503)] * 3)
    log = tmp_path / "worker.log"
    with celery_worker(
        log,
        STRIPE_SECRET_KEY=SECRET_KEY,
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        STRIPE_API_BASE=settings.STRIPE_API_BASE,
    ):
        new = _checkout(buyer_api, listing, code="half")  # commits, then enqueues the expiry
        wait_for(
            lambda: stripe_fake.sessions[old.checkout_session_id]["status"] == "expired",
            timeout=90,
            what="the replaced session to expire",
            log=log,
        )
    assert len(stripe_fake.posts(expire_path)) == 4  # three refused, one made
    assert Order.objects.get(pk=old.pk).status == OrderStatus.EXPIRED
    assert stripe_fake.sessions[new.checkout_session_id]["status"] == "open"
    with pytest.raises(SessionExpired):
        stripe_fake.complete(old.checkout_session_id)
    assert "payments.expire_checkout_session" in log.read_text()
