"""Buying a bundle: its price for one buyer, its order with one line per listing, its checkout.

The price of a bundle for a buyer is the sum of its lines, one per member listing the buyer does
not hold an active unlock for; a buyer who holds them all cannot buy it (409 ``already_owned``).
Each line is priced on its own by services.pricing.price_line, in this order:

1. the bundle's discount: ``percent`` of the listing's price, rounded down to the minor unit;
2. then a discount code that applies to bundles, on what is left: a percent code per line
   (rounded down), a fixed code spread over the lines in the bundle's order, each line taking
   what it can until the code's amount is used up;
3. the currency's minimum charge per line (a line is free or at least the minimum), given back
   from the code's discount first, then the bundle's;
4. the platform fee by ``split_fee`` on the line's amount.

The order's amount, fee and seller share are the sums of its lines, so the lines add up to the
charge exactly; order_create checks it again before writing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.accounts.models import User
from marketplace.core.errors import Conflict
from marketplace.verification.services import buyer_require_phone
from payments.models import CodeKind, DiscountCode, Licence, Order, OrderLine, OrderStatus, Unlock
from payments.services.accounts import seller_payment_destination
from payments.services.checkout import CheckoutResult, checkout_open
from payments.services.fulfilment import unlock_grant
from payments.services.orders import order_create_or_supersede, order_replay
from payments.services.pricing import (
    PriceLine,
    code_check,
    code_find,
    code_reserve,
    price_as_shown,
    price_line,
)
from payments.services.provider import gateway
from prompts.bundles import bundle_listings
from prompts.models import Bundle, Listing


@dataclass(frozen=True)
class BundleLine:
    """One listing to pay for. ``price.credit`` is the bundle's discount, ``price.discount`` the code's."""

    listing: Listing
    price: PriceLine


@dataclass(frozen=True)
class BundleQuote:
    bundle: Bundle
    code: DiscountCode | None
    lines: tuple[BundleLine, ...]
    owned: tuple[Listing, ...]  # members the buyer holds already: not charged

    @property
    def currency(self) -> str:
        return self.bundle.currency.upper()

    @property
    def list_amount(self) -> int:
        return sum(line.price.list_amount for line in self.lines)

    @property
    def bundle_discount(self) -> int:
        return sum(line.price.credit for line in self.lines)

    @property
    def code_discount(self) -> int:
        return sum(line.price.discount for line in self.lines)

    @property
    def amount(self) -> int:
        return sum(line.price.amount for line in self.lines)

    @property
    def fee(self) -> int:
        return sum(line.price.fee for line in self.lines)

    @property
    def seller_share(self) -> int:
        return sum(line.price.seller_share for line in self.lines)


def bundle_line_prices(
    *, prices: list[int], currency: str, percent: int, code: DiscountCode | None = None
) -> list[PriceLine]:
    """The arithmetic alone: each listing price (minor units) as a line, the bundle's percent off
    first, then the code on what is left (see the module's docstring)."""
    bundle_offs = [price * percent // 100 for price in prices]
    if code is None or code.kind == CodeKind.PERCENT:
        return [
            price_line(list_amount=price, currency=currency, credit=off, code=code)
            for price, off in zip(prices, bundle_offs, strict=True)
        ]
    left = code.amount or 0
    lines = []
    for price, off in zip(prices, bundle_offs, strict=True):
        share = min(left, price - off)
        # An unsaved code carrying this line's part of the fixed amount: price_line's own rule.
        line_code = DiscountCode(kind=CodeKind.FIXED, amount=share, currency=currency) if share > 0 else None
        line = price_line(list_amount=price, currency=currency, credit=off, code=line_code)
        left -= line.discount
        lines.append(line)
    return lines


def bundle_quote(*, buyer: User, bundle: Bundle, code: str = "") -> BundleQuote:
    """What ``buyer`` pays for ``bundle`` now, line by line; 409 when they own every listing in it."""
    if bundle.seller_id == buyer.pk:
        raise Conflict("own_listing", _("This is your own bundle; you can read its prompts already."))
    members = bundle_listings(bundle)
    owned_ids = set(
        Unlock.objects.active()
        .filter(buyer_id=buyer.pk, listing_id__in=[listing.pk for listing in members])
        .values_list("listing_id", flat=True)
    )
    to_buy = [listing for listing in members if listing.pk not in owned_ids]
    owned = tuple(listing for listing in members if listing.pk in owned_ids)
    if not to_buy:
        raise Conflict("already_owned", _("You own every listing in this bundle already."))
    found = code_find(seller_id=bundle.seller_id, text=code) if code else None
    prices = [listing.price_amount for listing in to_buy]
    if found is not None:
        base = sum(price - price * bundle.discount_percent // 100 for price in prices)
        code_check(found, buyer=buyer, item=bundle, base=base, currency=bundle.currency, now=timezone.now())
    priced = bundle_line_prices(
        prices=prices, currency=bundle.currency, percent=bundle.discount_percent, code=found
    )
    lines = tuple(BundleLine(listing, price) for listing, price in zip(to_buy, priced, strict=True))
    return BundleQuote(bundle=bundle, code=found, lines=lines, owned=owned)


def bundle_checkout_start(
    *,
    buyer: User,
    bundle: Bundle,
    idempotency_key: str = "",
    site_url: str = "",
    code: str = "",
    shown_price: tuple[int, str] | None = None,
) -> CheckoutResult:
    """One order for the listings of the bundle the buyer lacks, and one checkout session; the
    listings unlocked at once when a code leaves nothing to pay. ``shown_price`` as checkout_start's."""
    previous = order_replay(
        buyer=buyer, idempotency_key=idempotency_key, sells=lambda order: order.bundle_id == bundle.pk
    )
    if previous is not None:
        return CheckoutResult(order=previous, checkout_url=previous.checkout_url or None, unlocked=False)
    priced = bundle_quote(buyer=buyer, bundle=bundle, code=code)
    price_as_shown(amount=priced.amount, currency=priced.currency, shown_price=shown_price)
    buyer_require_phone(user=buyer)
    if priced.amount == 0:
        _unlock_free(buyer, priced)
        return CheckoutResult(order=None, checkout_url=None, unlocked=True)
    order = bundle_order_create(buyer=buyer, priced=priced, idempotency_key=idempotency_key)
    if order.checkout_url:
        return CheckoutResult(order=order, checkout_url=order.checkout_url, unlocked=False)
    return CheckoutResult(order=order, checkout_url=checkout_open(order, site_url=site_url), unlocked=False)


@transaction.atomic
def _unlock_free(buyer: User, priced: BundleQuote) -> None:
    if priced.code is not None:
        code_reserve(code=priced.code, buyer=buyer)
    granted = [
        unlock_grant(buyer=buyer, listing=line.listing, order=None, licence=Licence.PERSONAL)
        for line in priced.lines
    ]
    if not any(granted):  # every listing was granted meanwhile: keep the code's use
        raise Conflict("already_owned", _("You own every listing in this bundle already."))


def _check_sums(order: Order, lines: list[OrderLine]) -> None:
    # The lines are what the order is made of: a difference is a bug, never a rounding to accept.
    for field in ("amount", "platform_fee", "seller_amount"):
        if sum(getattr(line, field) for line in lines) != getattr(order, field):
            raise ValueError(f"bundle order {order.public_id}: lines do not add up to its {field}")


def _same_terms(order: Order, priced: BundleQuote) -> bool:
    lines = list(order.lines.order_by("position").values_list("listing_id", "amount"))
    return (
        order.discount_code_id == (priced.code.pk if priced.code is not None else None)
        and order.amount == priced.amount
        and order.currency == priced.currency
        and lines == [(line.listing.pk, line.price.amount) for line in priced.lines]
    )


def bundle_order_create(*, buyer: User, priced: BundleQuote, idempotency_key: str) -> Order:
    """A pending order with one line per listing to pay for; the buyer's open order for the
    bundle after a race (one pending order per buyer and bundle, by constraint). An open order on
    other terms (another code, other lines, another price) is superseded by a new one, as
    order_create does. The seller's rail decides where the money goes: a Connect seller's account
    as the destination, none for a manual-rail seller (their share accrues to statements)."""
    bundle = priced.bundle
    rail, destination = seller_payment_destination(seller=bundle.seller)

    def create() -> Order:
        order = Order.objects.create(
            buyer=buyer,
            seller_id=bundle.seller_id,
            bundle=bundle,
            amount=priced.amount,
            currency=priced.currency,
            platform_fee=priced.fee,
            seller_amount=priced.seller_share,
            list_amount=priced.list_amount,
            discount_amount=priced.bundle_discount + priced.code_discount,
            discount_code=priced.code,
            licence=Licence.PERSONAL,
            provider=gateway().name,
            idempotency_key=idempotency_key,
            destination_account=destination,
            payout_rail=rail,
        )
        lines = OrderLine.objects.bulk_create(
            [
                OrderLine(
                    order=order,
                    listing=line.listing,
                    position=position,
                    list_amount=line.price.list_amount,
                    bundle_discount=line.price.credit,
                    code_discount=line.price.discount,
                    amount=line.price.amount,
                    platform_fee=line.price.fee,
                    seller_amount=line.price.seller_share,
                )
                for position, line in enumerate(priced.lines)
            ]
        )
        _check_sums(order, lines)
        if priced.code is not None:
            code_reserve(code=priced.code, buyer=buyer)
        return order

    return order_create_or_supersede(
        create=create,
        pending=lambda: Order.objects.filter(buyer=buyer, bundle=bundle, status=OrderStatus.PENDING).first(),
        same_terms=lambda existing: _same_terms(existing, priced),
    )
