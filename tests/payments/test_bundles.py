"""Bundles, bought through the API, the Stripe fake and signed webhooks: partial ownership, the
line items Stripe sees, one unlock per line, the per-line ledger and the whole-bundle refund."""

from __future__ import annotations

import pytest

from payments.models import DiscountCode, LedgerEntry, Order, OrderLine, OrderStatus, Unlock
from payments.services.fulfilment import unlock_grant
from prompts.models import Bundle
from tests.factories import make_listing
from tests.payments.helpers import deliver

pytestmark = pytest.mark.django_db

PRICES = (1000, 2590, 999)  # CNY 10.00, 25.90, 9.99


@pytest.fixture
def trio(stripe_fake, seller):  # type: ignore[no-untyped-def]
    return [
        make_listing(
            seller, publish=True, price_amount=price, price_currency="CNY", prompt_text=f"CANARY-b{n}"
        )
        for n, price in enumerate(PRICES)
    ]


def _create(api, listings, percent=20, **extra):
    body = {"title": "Three moods", "discount_percent": percent, "listings": [x.public_id for x in listings]}
    return api.post("/api/v1/seller/bundles/", {**body, **extra}, format="json")


@pytest.fixture
def bundle(seller_api, trio) -> Bundle:  # type: ignore[no-untyped-def]
    created = _create(seller_api, trio)
    assert created.status_code == 201, created.json()
    published = seller_api.post(f"/api/v1/seller/bundles/{created.json()['id']}/publish/")
    assert published.status_code == 200 and published.json()["status"] == "published"
    return Bundle.objects.get(public_id=created.json()["id"])


def _pay(stripe_fake, order_id: str) -> tuple[Order, dict]:
    event = stripe_fake.complete(stripe_fake.session_for_order(order_id)["id"])
    assert deliver(event).status_code == 200
    return Order.objects.get(public_id=order_id), event


def _active(buyer) -> set[int]:
    return set(Unlock.objects.active().filter(buyer=buyer).values_list("listing_id", flat=True))


def test_a_seller_bundle_breaking_a_rule_is_a_400_naming_the_listings(seller_api, trio, other_seller):
    assert _create(seller_api, trio[:1]).json()["error"]["code"] == "bundle_size"
    assert _create(seller_api, [trio[0], trio[0]]).json()["error"]["code"] == "bundle_duplicate_listing"
    assert _create(seller_api, trio, percent=95).json()["error"]["code"] == "invalid_percent"
    foreign = make_listing(other_seller, publish=True, price_amount=500, price_currency="CNY")
    refused = _create(seller_api, [trio[0], foreign])
    assert refused.status_code == 400 and "listings" in refused.json()["error"]["fields"]
    draft = make_listing(trio[0].seller, price_amount=500, price_currency="CNY")
    assert _create(seller_api, [trio[0], draft]).json()["error"]["code"] == "bundle_listing_not_published"
    dollars = make_listing(trio[0].seller, publish=True, price_amount=500, price_currency="USD")
    assert _create(seller_api, [trio[0], dollars]).json()["error"]["code"] == "bundle_currency_mixed"
    assert not Bundle.objects.exists()


def test_the_public_bundle_shows_cards_never_prompts_and_another_seller_cannot_see_a_draft(
    bundle, anon, client_for, other_seller
):
    body = anon.get(f"/api/v1/bundles/{bundle.public_id}/")
    assert body.status_code == 200
    assert [card["id"] for card in body.json()["listings"]] == [
        x.listing.public_id for x in bundle.items.order_by("position")
    ]
    assert body.json()["list_price"]["amount"] == sum(PRICES)
    assert "CANARY" not in body.content.decode()
    listed = anon.get("/api/v1/bundles/").json()["results"]
    assert [b["id"] for b in listed] == [bundle.public_id]
    assert client_for(other_seller).get(f"/api/v1/seller/bundles/{bundle.public_id}/").status_code == 404


def test_a_buyer_owning_one_listing_pays_for_the_rest_in_one_checkout_with_one_line_each(
    stripe_fake, bundle, trio, buyer, buyer_api
):
    unlock_grant(buyer=buyer, listing=trio[0], order=None)  # bought before (a free copy here)
    quote = buyer_api.get(f"/api/v1/bundles/{bundle.public_id}/quote/").json()
    assert quote["owned"] == [trio[0].public_id]
    # 20% off each line, rounded down: 2590 -> 2072, 999 -> 800 (199.8 off is 199).
    assert [line["price"]["amount"] for line in quote["lines"]] == [2072, 800]
    assert quote["price"]["amount"] == 2872
    assert quote["platform_fee"]["amount"] + quote["seller_amount"]["amount"] == 2872

    response = buyer_api.post(f"/api/v1/bundles/{bundle.public_id}/checkout/", HTTP_IDEMPOTENCY_KEY="b-1")
    assert response.status_code == 201, response.json()
    order = Order.objects.get(public_id=response.json()["order_id"])
    lines = list(order.lines.order_by("position"))
    assert [line.listing_id for line in lines] == [trio[1].pk, trio[2].pk]
    assert sum(line.amount for line in lines) == order.amount == 2872
    assert sum(line.platform_fee for line in lines) == order.platform_fee
    assert sum(line.seller_amount for line in lines) == order.seller_amount
    (post,) = stripe_fake.posts("/v1/checkout/sessions")
    items = post["params"]["line_items"]
    assert [(i["price_data"]["product_data"]["name"], i["price_data"]["unit_amount"]) for i in items] == [
        (trio[1].title, "2072"),
        (trio[2].title, "800"),
    ]
    assert post["params"]["payment_intent_data"]["application_fee_amount"] == str(order.platform_fee)
    # The same key answers with the same order, and no second session is opened.
    again = buyer_api.post(f"/api/v1/bundles/{bundle.public_id}/checkout/", HTTP_IDEMPOTENCY_KEY="b-1")
    assert again.json()["order_id"] == order.public_id
    assert len(stripe_fake.posts("/v1/checkout/sessions")) == 1

    paid, event = _pay(stripe_fake, order.public_id)
    assert paid.status == OrderStatus.PAID
    assert _active(buyer) == {x.pk for x in trio}
    assert Unlock.objects.filter(order=paid).count() == 2
    keys = dict(LedgerEntry.objects.filter(order=paid).values_list("key", "amount"))
    assert keys == {
        **{f"sale:{paid.pk}:{line.pk}": line.seller_amount for line in lines},
        **{f"commission:{paid.pk}:{line.pk}": line.platform_fee for line in lines},
    }
    assert sum(keys.values()) == paid.amount
    assert deliver(event).status_code == 200  # a replay grants nothing twice
    assert Unlock.objects.filter(buyer=buyer).count() == 3
    assert LedgerEntry.objects.filter(order=paid).count() == 4
    for listing in trio:
        assert buyer_api.get(f"/api/v1/listings/{listing.public_id}/prompt/").status_code == 200
    order_body = buyer_api.get(f"/api/v1/orders/{paid.public_id}/").json()
    assert order_body["bundle"] == bundle.public_id and len(order_body["lines"]) == 2


def test_a_buyer_owning_every_listing_cannot_buy_the_bundle(stripe_fake, bundle, trio, buyer, buyer_api):
    for listing in trio:
        unlock_grant(buyer=buyer, listing=listing, order=None)
    quoted = buyer_api.get(f"/api/v1/bundles/{bundle.public_id}/quote/")
    assert (quoted.status_code, quoted.json()["error"]["code"]) == (409, "already_owned")
    bought = buyer_api.post(f"/api/v1/bundles/{bundle.public_id}/checkout/")
    assert (bought.status_code, bought.json()["error"]["code"]) == (409, "already_owned")
    assert not Order.objects.exists() and not stripe_fake.posts("/v1/checkout/sessions")


def test_a_refund_takes_back_the_bundles_unlocks_and_not_what_the_buyer_owned_before(
    stripe_fake, bundle, trio, buyer, buyer_api, seller_api
):
    unlock_grant(buyer=buyer, listing=trio[0], order=None)
    order_id = buyer_api.post(f"/api/v1/bundles/{bundle.public_id}/checkout/").json()["order_id"]
    order, _ = _pay(stripe_fake, order_id)
    part = seller_api.post(f"/api/v1/seller/orders/{order_id}/refund/", {"amount": 100}, format="json")
    assert (part.status_code, part.json()["error"]["code"]) == (400, "bundle_refund_whole")

    whole = seller_api.post(f"/api/v1/seller/orders/{order_id}/refund/", {}, format="json")
    assert whole.status_code == 201, whole.json()
    order.refresh_from_db()
    assert (order.status, order.refunded_amount) == (OrderStatus.REFUNDED, order.amount)
    assert _active(buyer) == {trio[0].pk}
    assert buyer_api.get(f"/api/v1/listings/{trio[0].public_id}/prompt/").status_code == 200
    assert buyer_api.get(f"/api/v1/listings/{trio[1].public_id}/prompt/").status_code != 200
    refunds = LedgerEntry.objects.filter(order=order, amount__lt=0)
    assert sum(refunds.values_list("amount", flat=True)) == -order.amount
    for line in order.lines.all():
        assert line.refunded_amount == line.amount
        taken = refunds.filter(key__contains=f":{line.pk}:").values_list("amount", flat=True)
        assert sum(taken) == -line.amount
    # The buyer may buy the bundle again: only the two refunded listings are charged.
    assert (
        buyer_api.get(f"/api/v1/bundles/{bundle.public_id}/quote/").json()["price"]["amount"] == order.amount
    )


def test_a_bundle_code_comes_off_after_the_bundles_discount(
    stripe_fake, seller, bundle, trio, buyer, buyer_api
):
    DiscountCode.objects.create(seller=seller, code="LISTINGS", kind="percent", percent=50)
    refused = buyer_api.get(f"/api/v1/bundles/{bundle.public_id}/quote/", {"code": "listings"})
    assert refused.json()["error"]["code"] == "code_not_applicable"
    DiscountCode.objects.create(seller=seller, code="BUNDLE10", kind="percent", percent=10, scope="bundles")
    quote = buyer_api.get(f"/api/v1/bundles/{bundle.public_id}/quote/", {"code": "bundle10"}).json()
    # 1000 -> 800 -> 720; 2590 -> 2072 -> 1865 (207.2 off is 207); 999 -> 800 -> 720.
    assert [line["price"]["amount"] for line in quote["lines"]] == [720, 1865, 720]
    assert quote["code_discount"]["amount"] == 80 + 207 + 80
    response = buyer_api.post(
        f"/api/v1/bundles/{bundle.public_id}/checkout/", {"code": "BUNDLE10"}, format="json"
    )
    order = Order.objects.get(public_id=response.json()["order_id"])
    assert (order.amount, order.discount_code.code) == (3305, "BUNDLE10")
    assert DiscountCode.objects.get(code="BUNDLE10").uses == 1


def test_a_line_the_buyer_came_to_own_while_paying_is_refunded_alone(
    stripe_fake, bundle, trio, buyer, buyer_api, django_capture_on_commit_callbacks
):
    order_id = buyer_api.post(f"/api/v1/bundles/{bundle.public_id}/checkout/").json()["order_id"]
    unlock_grant(buyer=buyer, listing=trio[1], order=None)  # bought alone meanwhile
    with django_capture_on_commit_callbacks(execute=True):
        order, _ = _pay(stripe_fake, order_id)
    (refund,) = stripe_fake.posts("/v1/refunds")
    assert refund["params"]["amount"] == "2072"
    order.refresh_from_db()
    owned_line = OrderLine.objects.get(order=order, listing=trio[1])
    assert order.status == OrderStatus.PAID and order.refunded_amount == owned_line.amount
    assert OrderLine.objects.get(pk=owned_line.pk).refunded_amount == owned_line.amount
    assert _active(buyer) == {x.pk for x in trio}
    assert Unlock.objects.filter(order=order).count() == 2


def test_nobody_buys_their_own_bundle(stripe_fake, bundle, seller_api):
    response = seller_api.post(f"/api/v1/bundles/{bundle.public_id}/checkout/")
    assert response.status_code == 409


def test_a_bundle_with_a_member_taken_off_sale_is_not_for_sale(stripe_fake, bundle, trio, anon):
    from prompts.models import ListingStatus

    type(trio[0]).objects.filter(pk=trio[0].pk).update(status=ListingStatus.ARCHIVED)
    assert anon.get(f"/api/v1/bundles/{bundle.public_id}/").status_code == 404
    assert anon.get("/api/v1/bundles/").json()["results"] == []


def test_a_part_refunded_in_the_stripe_dashboard_is_spread_over_the_lines_in_order(
    stripe_fake, bundle, trio, buyer, buyer_api
):
    order_id = buyer_api.post(f"/api/v1/bundles/{bundle.public_id}/checkout/").json()["order_id"]
    order, _ = _pay(stripe_fake, order_id)
    lines = list(order.lines.order_by("position"))  # 800, 2072, 800
    charge = stripe_fake.intents[order.payment_intent_id]["latest_charge"]
    assert deliver(stripe_fake.refund_in_dashboard(charge, 1000)).status_code == 200
    assert [line.refunded_amount for line in order.lines.order_by("position")] == [800, 200, 0]
    assert _active(buyer) == {x.pk for x in trio}  # access stays until the whole bundle is refunded
    assert deliver(stripe_fake.refund_in_dashboard(charge, order.amount - 1000)).status_code == 200
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED and _active(buyer) == set()
    assert [line.refunded_amount for line in order.lines.order_by("position")] == [x.amount for x in lines]
    for line in lines:
        fee_back = LedgerEntry.objects.filter(
            order=order, kind="commission_refund", key__contains=f":{line.pk}:"
        )
        assert sum(fee_back.values_list("amount", flat=True)) == -line.platform_fee
    assert sum(LedgerEntry.objects.filter(order=order).values_list("amount", flat=True)) == 0


def test_a_line_a_fixed_code_made_free_is_not_a_stripe_line_item(
    stripe_fake, seller, bundle, trio, buyer_api
):
    DiscountCode.objects.create(
        seller=seller, code="TAKE8", kind="fixed", amount=800, currency="CNY", scope="bundles"
    )
    response = buyer_api.post(
        f"/api/v1/bundles/{bundle.public_id}/checkout/", {"code": "take8"}, format="json"
    )
    order = Order.objects.get(public_id=response.json()["order_id"])
    assert [line.amount for line in order.lines.order_by("position")] == [0, 2072, 800]
    (post,) = stripe_fake.posts("/v1/checkout/sessions")
    amounts = [item["price_data"]["unit_amount"] for item in post["params"]["line_items"]]
    assert amounts == ["2072", "800"] and order.amount == 2872


def test_a_seller_edits_then_archives_a_bundle_and_it_leaves_the_shop(seller_api, bundle, trio, anon):
    edited = seller_api.patch(
        f"/api/v1/seller/bundles/{bundle.public_id}/",
        {"discount_percent": 30, "listings": [trio[2].public_id, trio[0].public_id]},
        format="json",
    )
    assert edited.status_code == 200
    assert [card["id"] for card in edited.json()["listings"]] == [trio[2].public_id, trio[0].public_id]
    assert anon.get(f"/api/v1/bundles/{bundle.public_id}/").json()["discount_percent"] == 30
    archived = seller_api.post(f"/api/v1/seller/bundles/{bundle.public_id}/archive/")
    assert archived.json()["status"] == "archived"
    assert anon.get(f"/api/v1/bundles/{bundle.public_id}/").status_code == 404
    again = seller_api.patch(f"/api/v1/seller/bundles/{bundle.public_id}/", {"title": "New"}, format="json")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "bundle_archived")
