"""A checkout on other terms expires the replaced order's session at the provider: the old tab
can no longer be paid. Through the official stripe library and the fake, and the sandbox."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from marketplace.celery import app as celery_app
from payments import tasks
from payments.gateway import ProviderError
from payments.models import DiscountCode, Order, OrderStatus, Refund, SandboxSession, Unlock
from payments.services.orders import order_supersede
from tests.factories import make_listing
from tests.payments.helpers import deliver
from tests.support.fake_stripe import SessionExpired

pytestmark = pytest.mark.django_db

REPLACED = "Replaced by a new checkout on other terms."


@pytest.fixture
def half(seller) -> DiscountCode:
    return DiscountCode.objects.create(seller=seller, code="HALF", kind="percent", percent=50)


def _checkout(api, listing, **body) -> Order:
    response = api.post(f"/api/v1/listings/{listing.public_id}/checkout/", body, format="json")
    assert response.status_code == 201, response.json()
    return Order.objects.get(public_id=response.json()["order_id"])


def _expire_path(order: Order) -> str:
    return f"/v1/checkout/sessions/{order.checkout_session_id}/expire"


def _expired_events(fake, order: Order) -> list[dict]:
    return [
        event
        for event in fake.events
        if event["type"] == "checkout.session.expired"
        and event["data"]["object"]["id"] == order.checkout_session_id
    ]


def _replaced_unrun(api, listing) -> Order:
    """An order superseded here whose expiry has not reached Stripe yet (the task still to run)."""
    order = _checkout(api, listing)
    assert order_supersede(order=order)  # the test's transaction never commits: no task ran
    return Order.objects.get(pk=order.pk)


def test_a_checkout_with_a_code_expires_the_old_session_so_only_the_new_one_can_be_paid(
    stripe_fake, listing, half, buyer, buyer_api
):
    old = _checkout(buyer_api, listing)
    assert _checkout(buyer_api, listing).pk == old.pk  # the same terms: the same order, still open
    assert not stripe_fake.posts(_expire_path(old))

    new = _checkout(buyer_api, listing, code="half")
    assert (Order.objects.get(pk=old.pk).status, new.amount) == (OrderStatus.EXPIRED, 995)
    assert len(stripe_fake.posts(_expire_path(old))) == 1
    assert stripe_fake.sessions[old.checkout_session_id]["status"] == "expired"
    assert stripe_fake.sessions[new.checkout_session_id]["status"] == "open"
    with pytest.raises(SessionExpired):  # the old tab: Stripe's page says the checkout expired
        stripe_fake.complete(old.checkout_session_id)

    assert deliver(stripe_fake.complete(new.checkout_session_id)).status_code == 200
    assert Order.objects.get(pk=new.pk).status == OrderStatus.PAID
    (unlock,) = Unlock.objects.filter(buyer=buyer, listing=listing)
    assert unlock.order_id == new.pk
    assert not stripe_fake.refunds and not Refund.objects.exists()  # paid once, nothing to give back


def test_the_expired_event_for_a_replaced_order_changes_nothing(
    stripe_fake, listing, half, buyer_api, stranger, client_for
):
    _checkout(client_for(stranger), listing, code="half")  # someone else holds a use of HALF
    old = _checkout(buyer_api, listing, code="half")
    new = _checkout(buyer_api, listing)  # changed their mind: the use goes back, once
    assert DiscountCode.objects.get().uses == 1

    (expired,) = _expired_events(stripe_fake, old)
    assert deliver(expired).status_code == 200
    assert deliver({**expired, "id": "evt_expired_again"}).status_code == 200  # a second event too
    old.refresh_from_db()
    assert (old.status, old.failure_reason) == (OrderStatus.EXPIRED, REPLACED)
    assert DiscountCode.objects.get().uses == 1  # the stranger's use is still counted
    assert Order.objects.get(pk=new.pk).status == OrderStatus.PENDING


def test_the_task_run_twice_expires_the_session_once(stripe_fake, listing, buyer_api):
    old = _replaced_unrun(buyer_api, listing)
    assert stripe_fake.sessions[old.checkout_session_id]["status"] == "open"

    tasks.expire_checkout_session(old.pk)
    tasks.expire_checkout_session(old.pk)  # Stripe refuses a second expiry; that is the answer wanted

    assert stripe_fake.sessions[old.checkout_session_id]["status"] == "expired"
    assert len(_expired_events(stripe_fake, old)) == 1
    with pytest.raises(SessionExpired):
        stripe_fake.complete(old.checkout_session_id)


def test_a_session_paid_before_the_expiry_is_left_to_fulfilment(stripe_fake, listing, buyer, buyer_api):
    old = _replaced_unrun(buyer_api, listing)
    paid = stripe_fake.complete(old.checkout_session_id)  # the old tab was paid first

    tasks.expire_checkout_session(old.pk)
    tasks.expire_checkout_session(old.pk)
    assert stripe_fake.sessions[old.checkout_session_id]["status"] == "complete"
    assert not _expired_events(stripe_fake, old)

    assert deliver(paid).status_code == 200  # the late payment counts, as before
    assert Order.objects.get(pk=old.pk).status == OrderStatus.PAID
    assert Unlock.objects.filter(buyer=buyer, listing=listing, order=old).exists()


@pytest.fixture
def retried_in_process(monkeypatch, fast_retries) -> None:
    """apply() runs a task's retries one after another in this process, as a worker would run them
    later, and returns the outcome instead of raising it."""
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)


def test_stripe_failing_once_is_retried_into_an_expired_session(
    stripe_fake, listing, buyer_api, retried_in_process
):
    old = _replaced_unrun(buyer_api, listing)
    # One whole attempt fails (the call and the library's two retries); the task's retry gets through.
    stripe_fake.fail_next.extend([(_expire_path(old), 503)] * 3)

    result = tasks.expire_checkout_session.apply(args=(old.pk,))

    assert result.successful()
    assert len(stripe_fake.posts(_expire_path(old))) == 4
    assert stripe_fake.sessions[old.checkout_session_id]["status"] == "expired"


def test_stripe_staying_down_fails_the_task_after_its_last_retry(
    stripe_fake, listing, buyer_api, retried_in_process
):
    old = _replaced_unrun(buyer_api, listing)
    attempts = 1 + tasks.expire_checkout_session.max_retries
    stripe_fake.fail_next.extend([(_expire_path(old), 503)] * 3 * attempts)

    result = tasks.expire_checkout_session.apply(args=(old.pk,))

    assert result.failed()
    assert result.result.exc_cls_name == ProviderError.__name__  # as a worker records it
    assert len(stripe_fake.posts(_expire_path(old))) == 3 * attempts
    assert stripe_fake.sessions[old.checkout_session_id]["status"] == "open"


def test_a_refusal_that_retrying_cannot_help_is_logged_once_not_retried(
    stripe_fake, listing, buyer_api, caplog
):
    old = _replaced_unrun(buyer_api, listing)
    Order.objects.filter(pk=old.pk).update(checkout_session_id="cs_test_unknown_to_stripe")

    with caplog.at_level(logging.ERROR, logger="payments.services.orders"):
        assert tasks.expire_checkout_session.apply(args=(old.pk,)).successful()

    assert len(stripe_fake.posts("/v1/checkout/sessions/cs_test_unknown_to_stripe/expire")) == 1
    assert f"order {old.public_id} (resource_missing)" in caplog.text


def test_the_checkout_of_a_request_survives_stripe_being_down_for_the_expiry(
    stripe_fake, listing, half, buyer_api, fast_retries
):
    old = _checkout(buyer_api, listing)
    stripe_fake.fail_next.extend([(_expire_path(old), 503)] * 3)

    new = _checkout(buyer_api, listing, code="half")  # no broker here: one try, then the new checkout

    assert Order.objects.get(pk=old.pk).status == OrderStatus.EXPIRED
    assert stripe_fake.sessions[new.checkout_session_id]["status"] == "open"
    tasks.expire_checkout_session(old.pk)  # as a worker's retry would, later
    assert stripe_fake.sessions[old.checkout_session_id]["status"] == "expired"


def test_the_sandbox_closes_the_old_checkout_page_too(seller, buyer, buyer_api):
    listing = make_listing(seller, publish=True, price_amount=2900, price_currency="CNY")
    DiscountCode.objects.create(seller=seller, code="HALF", kind="percent", percent=50)
    old = _checkout(buyer_api, listing)
    new = _checkout(buyer_api, listing, code="half")
    assert SandboxSession.objects.get(order=old).status == "expired"

    browser = Client()
    browser.force_login(buyer)
    pressed = browser.post(f"/payments/sandbox/checkout/{old.checkout_session_id}/", {"action": "pay"})
    assert pressed.status_code == 303
    assert SandboxSession.objects.get(order=old).payment_status == "unpaid"
    assert Order.objects.get(pk=old.pk).status == OrderStatus.EXPIRED
    assert not Unlock.objects.filter(buyer=buyer, listing=listing).exists()
    assert SandboxSession.objects.get(order=new).status == "open"
