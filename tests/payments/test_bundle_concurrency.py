"""Bundle checkouts racing, with real threads and one PostgreSQL connection each."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from marketplace.accounts.services import token_create
from payments.models import Order, OrderLine, OrderStatus
from prompts import bundles
from tests.conftest import requires_postgres
from tests.factories import make_listing
from tests.payments.test_concurrency import _at_once

pytestmark = [pytest.mark.slow, requires_postgres, pytest.mark.django_db(transaction=True)]


def test_two_checkouts_of_one_bundle_at_once_by_one_buyer_are_one_pending_order(stripe_fake, seller, buyer):
    listings = [make_listing(seller, publish=True, price_amount=p, price_currency="EUR") for p in (500, 700)]
    bundle = bundles.bundle_create(
        seller=seller, title="Pair", discount_percent=10, listings=[x.public_id for x in listings]
    )
    bundles.bundle_publish(bundle=bundle, by=seller)
    _, raw = token_create(user=buyer)

    def buy(_: int):
        api = APIClient(raise_request_exception=False)
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return api.post(f"/api/v1/bundles/{bundle.public_id}/checkout/")

    responses = _at_once(2, buy)

    assert [r.status_code for r in responses] == [201, 201], [r.content for r in responses]
    assert len({r.json()["order_id"] for r in responses}) == 1
    order = Order.objects.get(buyer=buyer, bundle=bundle)
    assert order.status == OrderStatus.PENDING
    assert OrderLine.objects.filter(order=order).count() == 2
    assert len(stripe_fake.sessions) == 1
