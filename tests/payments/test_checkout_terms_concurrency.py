"""A buyer changing their mind in several tabs at once: checkouts on other terms racing to replace
the open order, with real threads on PostgreSQL."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from marketplace.accounts.services import token_create
from payments.models import DiscountCode, Order, OrderStatus
from tests.conftest import requires_postgres
from tests.payments.test_concurrency import _at_once

pytestmark = [pytest.mark.slow, requires_postgres, pytest.mark.django_db(transaction=True)]


def test_racing_checkouts_on_other_terms_leave_one_open_order_and_no_code_use_leaked(
    stripe_fake, seller, listing, buyer
):
    codes = [
        DiscountCode.objects.create(seller=seller, code=name, kind="percent", percent=percent)
        for name, percent in (("HALF", 50), ("QUARTER", 25))
    ]
    token = token_create(user=buyer)[1]

    def buy(index: int):
        api = APIClient(raise_request_exception=False)
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        body = {"code": ["", "half", "quarter"][index % 3]}
        return api.post(f"/api/v1/listings/{listing.public_id}/checkout/", body, format="json")

    responses = _at_once(12, buy)

    assert {r.status_code for r in responses} == {201}, [r.json() for r in responses]
    (pending,) = Order.objects.filter(buyer=buyer, status=OrderStatus.PENDING)
    for code in codes:  # a use is held by the open order only; every replaced order gave its back
        code.refresh_from_db()
        assert code.uses == (1 if pending.discount_code_id == code.pk else 0)
    assert {r.json()["order_id"] for r in responses} <= set(Order.objects.values_list("public_id", flat=True))
