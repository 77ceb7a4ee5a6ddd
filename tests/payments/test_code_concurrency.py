"""The last use of a discount code under 20 concurrent checkouts, with real threads on PostgreSQL."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from marketplace.accounts.services import token_create
from payments.models import DiscountCode, DiscountCodeBuyer, Order, OrderStatus
from tests.conftest import requires_postgres
from tests.factories import UserFactory
from tests.payments.helpers import deliver
from tests.payments.test_concurrency import _at_once

pytestmark = [pytest.mark.slow, requires_postgres, pytest.mark.django_db(transaction=True)]


def test_twenty_buyers_racing_for_the_last_use_of_a_code_one_gets_it(stripe_fake, seller, listing):
    code = DiscountCode.objects.create(
        seller=seller, code="LAST", kind="percent", percent=50, max_uses=3, uses=2
    )
    tokens = [token_create(user=UserFactory())[1] for _ in range(20)]

    def buy(index: int):
        api = APIClient(raise_request_exception=False)
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens[index]}")
        return api.post(f"/api/v1/listings/{listing.public_id}/checkout/", {"code": "last"}, format="json")

    responses = _at_once(20, buy)

    assert sorted(r.status_code for r in responses) == [201] + [400] * 19
    assert {r.json()["error"]["code"] for r in responses if r.status_code == 400} == {"code_used_up"}
    assert DiscountCode.objects.get(pk=code.pk).uses == 3
    (order,) = Order.objects.filter(discount_code=code)
    assert (order.amount, order.discount_amount) == (995, 995)
    assert DiscountCodeBuyer.objects.filter(code=code, uses=1).count() == 1
    (session,) = stripe_fake.posts("/v1/checkout/sessions")
    assert session["params"]["line_items"][0]["price_data"]["unit_amount"] == "995"

    # Paid: still one use; the code stays used up.
    paid = deliver(stripe_fake.complete(stripe_fake.session_for_order(order.public_id)["id"]))
    assert paid.status_code == 200
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID
    assert DiscountCode.objects.get(pk=code.pk).uses == 3
