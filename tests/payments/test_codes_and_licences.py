"""Discount codes and licence tiers, bought through the API, the Stripe fake and signed webhooks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from marketplace.core.errors import ApplicationError
from payments.models import DiscountCode, LedgerEntry, ListingLicence, Order, OrderStatus, Unlock
from payments.services import fulfilment
from payments.services.bundles import bundle_quote
from payments.services.pricing import quote, session_price
from prompts import bundles
from tests.conftest import requires_postgres
from tests.factories import UserFactory, make_listing
from tests.payments.helpers import deliver

pytestmark = pytest.mark.django_db


def _code(seller, code="SPRING", **fields) -> DiscountCode:
    return DiscountCode.objects.create(
        seller=seller, code=code, **{"kind": "percent", "percent": 25, **fields}
    )


def _checkout(api, listing, **body):
    return api.post(f"/api/v1/listings/{listing.public_id}/checkout/", body, format="json")


def _pay(stripe_fake, order_id: str):
    event = stripe_fake.complete(stripe_fake.session_for_order(order_id)["id"])
    assert deliver(event).status_code == 200
    return Order.objects.get(public_id=order_id)


def _ledger(order: Order) -> list[tuple[str, int]]:
    return sorted(LedgerEntry.objects.filter(order=order).values_list("kind", "amount"))


def test_a_code_lowers_the_charge_the_line_item_and_the_fee(stripe_fake, seller, listing, buyer, buyer_api):
    _code(seller, "spring")
    quoted = buyer_api.get(f"/api/v1/listings/{listing.public_id}/quote/", {"code": "Spring"}).json()
    assert (quoted["list_price"]["amount"], quoted["discount"]["amount"], quoted["price"]["amount"]) == (
        1990,
        497,
        1493,
    )
    response = _checkout(buyer_api, listing, code=" SPRING ")
    assert response.status_code == 201, response.json()
    order = Order.objects.get(public_id=response.json()["order_id"])
    assert (order.amount, order.list_amount, order.discount_amount) == (1493, 1990, 497)
    assert (order.platform_fee, order.seller_amount) == (299, 1194)  # 20% of what the buyer pays
    (request,) = stripe_fake.posts("/v1/checkout/sessions")
    params = request["params"]
    assert params["line_items"][0]["price_data"]["unit_amount"] == "1493"
    assert params["line_items"][0]["price_data"]["product_data"]["description"] == (
        "Personal licence; code SPRING: CN¥4.97 off CN¥19.90"
    )
    assert params["payment_intent_data"]["application_fee_amount"] == "299"
    assert DiscountCode.objects.get().uses == 1  # held by the pending order

    paid = _pay(stripe_fake, order.public_id)
    assert paid.status == OrderStatus.PAID
    assert _ledger(paid) == [("commission", 299), ("sale", 1194)]
    assert DiscountCode.objects.get().uses == 1  # counted once, not again when paid
    assert buyer_api.get(f"/api/v1/orders/{order.public_id}/").json()["code"] == "spring"


@requires_postgres
def test_the_webhook_fast_path_applies_a_code_order_with_its_licence(
    stripe_fake, seller, seller_api, listing, buyer, buyer_api, monkeypatch
):
    _code(seller)
    seller_api.put(
        f"/api/v1/seller/listings/{listing.public_id}/licences/",
        {"commercial": {"multiple_bps": 30000}},
        format="json",
    )
    order_id = _checkout(buyer_api, listing, code="spring", licence="commercial").json()["order_id"]

    def general_path(*args: object, **kwargs: object) -> None:
        raise AssertionError("the general path ran")

    monkeypatch.setattr(fulfilment, "_order_paid", general_path)
    order = _pay(stripe_fake, order_id)
    assert (order.list_amount, order.amount) == (5970, 4478)  # 3x 19.90, then 25% off rounded down
    assert _ledger(order) == [("commission", order.platform_fee), ("sale", order.seller_amount)]
    assert order.platform_fee + order.seller_amount == 4478
    assert Unlock.objects.get(buyer=buyer).licence == "commercial"


@pytest.mark.parametrize(
    ("fields", "body", "error"),
    [
        ({}, {"code": "NOPE"}, "code_unknown"),
        ({"active": False}, {}, "code_unknown"),
        ({"ends_at": timezone.now() - timedelta(minutes=1)}, {}, "code_expired"),
        ({"starts_at": timezone.now() + timedelta(days=1)}, {}, "code_not_started"),
        ({"max_uses": 2, "uses": 2}, {}, "code_used_up"),
        ({"scope": "tutoring"}, {}, "code_not_applicable"),
        ({"min_order_amount": 2000, "min_order_currency": "CNY"}, {}, "code_below_minimum"),
        ({"kind": "fixed", "percent": None, "amount": 100, "currency": "USD"}, {}, "code_currency_mismatch"),
    ],
)
def test_a_code_that_does_not_apply_is_a_4xx_that_says_why(
    stripe_fake, seller, listing, buyer_api, fields, body, error
):
    _code(seller, **fields)
    response = _checkout(buyer_api, listing, **{"code": "spring", **body})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == error
    assert response.json()["error"]["fields"]["code"]
    assert not Order.objects.exists() and not stripe_fake.posts("/v1/checkout/sessions")


def test_a_code_for_chosen_listings_only_and_another_sellers_code(
    stripe_fake, seller, other_seller, listing, buyer_api
):
    other = make_listing(seller, publish=True, price_amount=990, price_currency="CNY")
    chosen = _code(seller, scope="listings")
    chosen.listings.set([other])
    _code(other_seller, "THEIRS")
    assert _checkout(buyer_api, listing, code="spring").json()["error"]["code"] == "code_not_applicable"
    assert _checkout(buyer_api, listing, code="theirs").json()["error"]["code"] == "code_unknown"
    assert _checkout(buyer_api, other, code="spring").status_code == 201


def test_an_expired_checkout_gives_the_use_back_and_per_buyer_limits_hold(
    stripe_fake, seller, listing, buyer_api
):
    code = _code(seller, max_uses=5, max_uses_per_buyer=1)
    order_id = _checkout(buyer_api, listing, code="spring").json()["order_id"]
    assert DiscountCode.objects.get(pk=code.pk).uses == 1
    assert deliver(stripe_fake.expire(stripe_fake.session_for_order(order_id)["id"])).status_code == 200
    assert Order.objects.get(public_id=order_id).status == OrderStatus.EXPIRED
    assert DiscountCode.objects.get(pk=code.pk).uses == 0
    second = _checkout(buyer_api, listing, code="spring").json()["order_id"]
    _pay(stripe_fake, second)
    another = make_listing(seller, publish=True, price_amount=990, price_currency="CNY")
    response = _checkout(buyer_api, another, code="spring")
    assert response.json()["error"]["code"] == "code_used_up_by_you"
    assert DiscountCode.objects.get(pk=code.pk).uses == 1


def test_free_after_discount_unlocks_at_once_and_counts_the_use(
    stripe_fake, seller, listing, buyer, buyer_api
):
    _code(seller, "GIFT", percent=100, max_uses=1)
    quoted = buyer_api.get(f"/api/v1/listings/{listing.public_id}/quote/", {"code": "gift"}).json()
    assert quoted["price"]["amount"] == 0
    response = _checkout(buyer_api, listing, code="gift")
    assert response.status_code == 201
    assert response.json() == {"order_id": None, "checkout_url": None, "unlocked": True}
    assert not stripe_fake.posts("/v1/checkout/sessions") and not Order.objects.exists()
    assert Unlock.objects.get(buyer=buyer, listing=listing).licence == "personal"
    assert DiscountCode.objects.get().uses == 1
    assert buyer_api.get(f"/api/v1/listings/{listing.public_id}/prompt/").status_code == 200
    someone = UserFactory()
    from rest_framework.test import APIClient

    from marketplace.accounts.services import token_create

    _, raw = token_create(user=someone)
    other_api = APIClient()
    other_api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert _checkout(other_api, listing, code="gift").json()["error"]["code"] == "code_used_up"


def test_seller_manages_codes_through_the_api(seller_api, seller, listing, other_seller, client_for):
    created = seller_api.post(
        "/api/v1/seller/codes/",
        {"code": "Launch-10", "kind": "fixed", "amount": 300, "currency": "CNY", "max_uses": 10},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["amount"]["display"] == "CN¥3.00"
    again = seller_api.post(
        "/api/v1/seller/codes/", {"code": "LAUNCH-10", "kind": "percent", "percent": 5}, format="json"
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "code_exists"
    bad = seller_api.post(
        "/api/v1/seller/codes/", {"code": "X1", "kind": "percent", "percent": 120}, format="json"
    )
    assert bad.status_code == 400 and set(bad.json()["error"]["fields"]) == {"code"}
    assert [c["code"] for c in seller_api.get("/api/v1/seller/codes/").json()["results"]] == ["Launch-10"]
    patched = seller_api.patch(
        "/api/v1/seller/codes/launch-10/", {"max_uses": 3, "active": False}, format="json"
    )
    assert (patched.json()["max_uses"], patched.json()["active"]) == (3, False)
    for huge in ({"max_uses": 3_000_000_000}, {"max_uses_per_buyer": 2**63}):  # past the column: no 500
        too_many = seller_api.patch("/api/v1/seller/codes/launch-10/", huge, format="json")
        assert too_many.status_code == 400 and set(too_many.json()["error"]["fields"]) == set(huge)
        assert "at most 1,000,000" in too_many.json()["error"]["message"]
    unlimited = seller_api.post(
        "/api/v1/seller/codes/",
        {"code": "BIG", "kind": "percent", "percent": 5, "max_uses": 10**12},
        format="json",
    )
    assert unlimited.status_code == 400 and not DiscountCode.objects.filter(code="BIG").exists()
    assert client_for(other_seller).get("/api/v1/seller/codes/launch-10/").status_code == 404
    theirs = make_listing(other_seller, publish=True, price_amount=990, price_currency="CNY")
    foreign = seller_api.post(
        "/api/v1/seller/codes/",
        {
            "code": "MINE",
            "kind": "percent",
            "percent": 10,
            "scope": "listings",
            "listings": [theirs.public_id],
        },
        format="json",
    )
    assert foreign.status_code == 400 and foreign.json()["error"]["fields"]["listings"]


def test_licence_tiers_upgrade_by_paying_the_difference_and_a_refund_restores_the_old_tier(
    stripe_fake, seller, seller_api, listing, buyer, buyer_api
):
    tiers = seller_api.put(
        f"/api/v1/seller/listings/{listing.public_id}/licences/",
        {"commercial": {"multiple_bps": 25000}, "extended": {"amount": 9900}},
        format="json",
    ).json()
    assert {name: price["amount"] for name, price in tiers.items()} == {
        "personal": 1990,
        "commercial": 4975,
        "extended": 9900,
    }
    first = _pay(stripe_fake, _checkout(buyer_api, listing).json()["order_id"])
    assert Unlock.objects.get(buyer=buyer).licence == "personal"
    assert _checkout(buyer_api, listing, licence="personal").json()["error"]["code"] == "already_unlocked"

    quoted = buyer_api.get(f"/api/v1/listings/{listing.public_id}/quote/", {"licence": "extended"}).json()
    assert (quoted["upgrade_from"], quoted["credit"]["amount"], quoted["price"]["amount"]) == (
        "personal",
        1990,
        7910,
    )
    upgrade_id = _checkout(buyer_api, listing, licence="extended").json()["order_id"]
    params = stripe_fake.posts("/v1/checkout/sessions")[-1]["params"]
    assert params["line_items"][0]["price_data"]["unit_amount"] == "7910"
    assert params["line_items"][0]["price_data"]["product_data"]["description"] == (
        "Extended licence, upgrade from personal"
    )
    upgrade = _pay(stripe_fake, upgrade_id)
    assert (upgrade.amount, upgrade.upgrade_from, upgrade.licence) == (7910, "personal", "extended")
    (unlock,) = Unlock.objects.filter(buyer=buyer, listing=listing, revoked_at__isnull=True)
    assert (unlock.licence, unlock.order_id) == ("extended", first.pk)
    assert _ledger(upgrade) == [("commission", 1582), ("sale", 6328)]
    library = buyer_api.get("/api/v1/me/library/").json()["results"]
    assert [item["licence"] for item in library] == ["extended"]

    refunded = seller_api.post(f"/api/v1/seller/orders/{upgrade.public_id}/refund/", {}, format="json")
    assert refunded.status_code in (200, 201), refunded.json()
    assert Order.objects.get(pk=upgrade.pk).status == OrderStatus.REFUNDED
    (unlock,) = Unlock.objects.filter(buyer=buyer, listing=listing, revoked_at__isnull=True)
    assert unlock.licence == "personal"  # back to what the first order paid for, not revoked
    assert buyer_api.get(f"/api/v1/listings/{listing.public_id}/prompt/").status_code == 200
    quoted = buyer_api.get(f"/api/v1/listings/{listing.public_id}/quote/", {"licence": "commercial"}).json()
    assert quoted["price"]["amount"] == 4975 - 1990  # the refunded upgrade earns no credit


def test_a_licence_not_offered_is_refused(stripe_fake, listing, buyer_api):
    response = _checkout(buyer_api, listing, licence="extended")
    assert response.status_code == 400 and response.json()["error"]["code"] == "licence_not_offered"


def test_a_late_duplicate_upgrade_is_refunded_and_the_licence_stays(
    stripe_fake, seller, listing, buyer, buyer_api, django_capture_on_commit_callbacks
):
    ListingLicence.objects.create(listing=listing, licence="commercial", amount=4990)
    _pay(stripe_fake, _checkout(buyer_api, listing).json()["order_id"])
    first = _checkout(buyer_api, listing, licence="commercial").json()["order_id"]
    first_session = stripe_fake.session_for_order(first)["id"]
    assert deliver(stripe_fake.expire(first_session)).status_code == 200
    second = _pay(stripe_fake, _checkout(buyer_api, listing, licence="commercial").json()["order_id"])
    assert Unlock.objects.get(buyer=buyer).licence == "commercial"

    with django_capture_on_commit_callbacks(execute=True):  # the expired session is paid after all
        assert deliver(stripe_fake.complete(first_session, late=True)).status_code == 200
    late = Order.objects.get(public_id=first)
    assert late.duplicate and late.status == OrderStatus.REFUNDED
    assert Order.objects.get(pk=second.pk).status == OrderStatus.PAID
    (unlock,) = Unlock.objects.filter(buyer=buyer, listing=listing, revoked_at__isnull=True)
    assert unlock.licence == "commercial"


def test_a_code_order_paid_after_it_expired_counts_its_use_again(stripe_fake, seller, listing, buyer_api):
    code = _code(seller, max_uses=3)
    order_id = _checkout(buyer_api, listing, code="spring").json()["order_id"]
    session = stripe_fake.session_for_order(order_id)["id"]
    assert deliver(stripe_fake.expire(session)).status_code == 200
    assert DiscountCode.objects.get(pk=code.pk).uses == 0
    assert deliver(stripe_fake.complete(session, late=True)).status_code == 200
    assert Order.objects.get(public_id=order_id).status == OrderStatus.PAID
    assert DiscountCode.objects.get(pk=code.pk).uses == 1


@pytest.mark.parametrize(
    ("scope", "item", "message"),
    [
        ("all_listings", "bundle", "WELCOME10 applies to single prompts, not bundles."),
        ("listings", "bundle", "WELCOME10 applies to single prompts, not bundles."),
        ("tutoring", "bundle", "WELCOME10 applies to tutoring sessions, not bundles."),
        ("all_listings", "session", "WELCOME10 applies to prompts, not tutoring sessions."),
        ("bundles", "session", "WELCOME10 applies to bundles, not tutoring sessions."),
        ("bundles", "listing", "WELCOME10 applies to bundles, not single prompts."),
        ("tutoring", "listing", "WELCOME10 applies to tutoring sessions, not prompts."),
        ("listings", "listing", "WELCOME10 applies to some of this seller's prompts, not this one."),
    ],
)
def test_a_code_out_of_its_scope_says_what_it_applies_to(seller, buyer, offer, scope, item, message):
    listings = [
        make_listing(seller, publish=True, price_amount=1990, price_currency="CNY", title=f"Koi {n}")
        for n in range(3)
    ]
    code = _code(seller, "WELCOME10", scope=scope)
    if scope == "listings":
        code.listings.set([listings[2]])
    bundle = bundles.bundle_publish(
        bundle=bundles.bundle_create(
            seller=seller, title="Koi", discount_percent=10, listings=[x.public_id for x in listings[:2]]
        ),
        by=seller,
    )
    price = {
        "bundle": lambda: bundle_quote(buyer=buyer, bundle=bundle, code="welcome10"),
        "session": lambda: session_price(buyer=buyer, session=offer, code="welcome10"),
        "listing": lambda: quote(buyer=buyer, item=listings[0], code="welcome10"),
    }[item]
    with pytest.raises(ApplicationError) as refused:
        price()
    assert (refused.value.code, refused.value.fields) == ("code_not_applicable", {"code": [message]})
