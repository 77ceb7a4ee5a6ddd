"""One order rule for listings and tutoring bookings: what both checkouts refuse alike."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from marketplace.tutoring.models import Booking
from payments import services
from payments.gateway import AccountState
from payments.models import ConnectedAccount, Order
from tests.factories import make_listing
from tests.tutoring.helpers import book, error_code, make_offer

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 4, 0, 0, tzinfo=UTC)  # Monday 08:00 in Shanghai
WED_9 = "2026-05-06T09:00:00+08:00"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def listing(seller):
    return make_listing(seller, publish=True, price_amount=1990, price_currency="CNY")


@pytest.fixture
def offer(seller):
    return make_offer(seller)


@pytest.fixture
def buyer_api(buyer, client_for):
    return client_for(buyer)


def _buy(api, listing, key: str = ""):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return api.post(f"/api/v1/listings/{listing.public_id}/checkout/", **headers)


def test_a_seller_whose_account_stopped_taking_charges_sells_neither_listings_nor_sessions(
    seller, listing, offer, buyer_api
):
    account = ConnectedAccount.objects.get(user=seller)
    stopped = AccountState(
        id=account.account_id, charges_enabled=False, payouts_enabled=False, details_submitted=True
    )
    services.seller_account_sync(account_id=account.account_id, state=stopped)

    for response in (_buy(buyer_api, listing), book(buyer_api, offer, WED_9)):
        assert response.status_code == 409, response.json()
        assert error_code(response) == "seller_cannot_accept_payments"
        assert response.json()["error"]["message"] == "The seller cannot take payments right now; try later."
    assert not Order.objects.exists()
    assert not Booking.objects.exists()  # no slot held that nobody can pay for


def test_an_idempotency_key_answers_only_for_what_it_bought(listing, offer, buyer_api):
    assert _buy(buyer_api, listing, key="tab-1").status_code == 201
    reused_for_a_session = book(buyer_api, offer, WED_9, key="tab-1")
    assert reused_for_a_session.status_code == 409
    assert error_code(reused_for_a_session) == "idempotency_key_reused"
    assert not Booking.objects.exists()

    assert book(buyer_api, offer, WED_9, key="tab-2").status_code == 201
    reused_for_a_listing = _buy(buyer_api, listing, key="tab-2")
    assert reused_for_a_listing.status_code == 409
    assert error_code(reused_for_a_listing) == "idempotency_key_reused"
    assert Order.objects.count() == 2


def test_a_collision_whose_open_order_was_closed_meanwhile_is_created_again():
    """Racing tabs: the order this request collided with was replaced by another tab before it
    could read it. That is no reused Idempotency-Key; creating again succeeds."""
    from django.db import IntegrityError

    from payments.services.orders import order_create_or_supersede

    outcomes = iter([IntegrityError, IntegrityError, "the new order"])

    def create():
        outcome = next(outcomes)
        if outcome is IntegrityError:
            raise IntegrityError("one pending order per buyer and item")
        return outcome

    assert order_create_or_supersede(create=create, pending=lambda: None, same_terms=lambda _: True) == (
        "the new order"
    )
