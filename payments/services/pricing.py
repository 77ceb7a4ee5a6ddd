"""Every price a buyer is asked to pay: licence tiers, upgrades and discount codes, in one place.

The API's quote endpoint, the website's checkout page and order_create all call ``quote``, so what
a buyer is shown is what the order charges. All arithmetic is on integer minor units:

- A tier priced as a multiple of the base price is rounded half up (``apply_basis_points``),
  the same rule as the platform fee.
- A percent discount is rounded DOWN to the minor unit: 15% off 999 JPY is 149 JPY off, never
  150, so a buyer never gets more off than the percent says.
- A fixed discount takes at most the whole price.
- What is left to pay is 0 (free: unlocked at once) or at least the currency's smallest charge;
  a discount that would leave less than that is reduced until it does not (Stripe refuses
  smaller charges).
- The platform fee is ``split_fee`` on what the buyer pays, not on the list price.
- A tutoring session is never free: a code that would take all of it is refused, saying so.

``price_line`` is the arithmetic alone, for one line: a purchase of several listings prices
each line with it and adds them up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.accounts.models import User
from marketplace.core.errors import ApplicationError, Conflict
from marketplace.core.money import apply_basis_points, format_money, get_currency, split_fee
from marketplace.tutoring.models import Booking, TutoringOffer
from payments.models import (
    LICENCE_RANK,
    CodeKind,
    CodeScope,
    DiscountCode,
    DiscountCodeBuyer,
    Licence,
    ListingLicence,
    Order,
    OrderStatus,
    Unlock,
)
from prompts.models import Bundle, Listing


@dataclass(frozen=True)
class PriceLine:
    """One line's money, in minor units: list - credit - discount == amount == fee + seller_share."""

    list_amount: int
    credit: int
    discount: int
    amount: int
    fee: int
    seller_share: int
    currency: str


@dataclass(frozen=True)
class Quote:
    item: Listing | Booking
    licence: str  # "" for a tutoring booking
    upgrade_from: str  # the licence the buyer holds now, "" when this is not an upgrade
    code: DiscountCode | None
    line: PriceLine

    @property
    def amount(self) -> int:
        return self.line.amount

    @property
    def currency(self) -> str:
        return self.line.currency


def code_discount(code: DiscountCode | None, base: int) -> int:
    """What the code takes off ``base`` before the minimum-charge rule: percent rounded down."""
    if code is None or base <= 0:
        return 0
    if code.kind == CodeKind.PERCENT:
        return base * (code.percent or 0) // 100
    return min(code.amount or 0, base)


def price_line(
    *, list_amount: int, currency: str, credit: int = 0, code: DiscountCode | None = None
) -> PriceLine:
    minimum = get_currency(currency).minimum_charge
    credit = max(0, min(credit, list_amount))
    base = list_amount - credit
    discount = code_discount(code, base)
    amount = base - discount
    if 0 < amount < minimum:
        raised = min(minimum, list_amount) - amount  # never more than the list price
        taken_from_discount = min(discount, raised)
        discount -= taken_from_discount
        credit -= raised - taken_from_discount
        amount += raised
    fee, share = split_fee(amount, settings.PLATFORM_FEE_BPS)
    return PriceLine(list_amount, credit, discount, amount, fee, share, currency.upper())


def licence_prices(listing: Listing) -> dict[str, int]:
    """The licences this listing offers and their list prices; personal is the base price."""
    prices = {Licence.PERSONAL.value: listing.price_amount}
    for tier in ListingLicence.objects.filter(listing=listing):
        prices[tier.licence] = (
            tier.amount
            if tier.amount is not None
            else apply_basis_points(listing.price_amount, tier.multiple_bps or 0)
        )
    return dict(sorted(prices.items(), key=lambda pair: LICENCE_RANK[Licence(pair[0])]))


def licence_upgradable(*, listing: Listing, held: str) -> bool:
    """Does the listing offer a licence above the one held?"""
    above = [name for name, rank in LICENCE_RANK.items() if rank > LICENCE_RANK.get(Licence(held), 0)]
    return ListingLicence.objects.filter(listing=listing, licence__in=above).exists()


def quote(*, buyer: User, item: Listing | Booking, licence: str = "", code: str = "") -> Quote:
    """The price of ``item`` for ``buyer`` with this licence and code; a 4xx ApplicationError explains
    a licence not offered, an upgrade that is not one, or a code that does not apply."""
    if isinstance(item, Booking):
        line, found = session_price(buyer=buyer, session=item, code=code)
        return Quote(item=item, licence="", upgrade_from="", code=found, line=line)
    licence = licence or Licence.PERSONAL
    prices = licence_prices(item)
    if licence not in prices:
        raise ApplicationError(
            "licence_not_offered",
            _("This listing does not offer that licence."),
            fields={"licence": [_("Choose one of: %(choices)s.") % {"choices": ", ".join(prices)}]},
        )
    current = Unlock.objects.active().filter(buyer=buyer, listing=item).first()
    credit, upgrade_from = 0, ""
    if current is not None:
        if LICENCE_RANK[Licence(licence)] <= LICENCE_RANK[Licence(current.licence)]:
            raise Conflict(
                "already_unlocked", _("You have unlocked this listing already; find it in your library.")
            )
        credit, upgrade_from = _paid_for(current, currency=item.price_currency), current.licence
    found = code_find(seller_id=item.seller_id, text=code) if code else None
    line = _line_with_code(
        buyer, item, found, list_amount=prices[licence], credit=credit, currency=item.price_currency
    )
    return Quote(item=item, licence=licence, upgrade_from=upgrade_from, code=found, line=line)


def session_price(
    *, buyer: User, session: Booking | TutoringOffer, code: str = ""
) -> tuple[PriceLine, DiscountCode | None]:
    """A tutoring session's price with a code: an offer's before a slot is held, a booking's after.

    A code that would leave nothing to pay is refused: a session is confirmed by its paid order,
    so a free one would have no way to be confirmed.
    """
    found = code_find(seller_id=session.seller_id, text=code) if code else None
    line = _line_with_code(
        buyer, session, found, list_amount=session.price_amount, credit=0, currency=session.price_currency
    )
    if found is not None and line.amount == 0:
        message = _(
            "Code %(code)s would make the session free, and a session is only booked through a "
            "payment. Ask the tutor for a code that leaves something to pay."
        ) % {"code": found.code}
        raise _code_error("code_not_applicable", message)
    return line, found


def price_as_shown(*, amount: int, currency: str, shown_price: tuple[int, str] | None) -> None:
    """Refuse to charge other than the (amount, currency) the buyer saw beside Pay: a code typed but
    not applied, another licence ticked, or a price changed since the page was drawn all come back
    to the page first. ``shown_price`` None: the caller has no page to compare with (the API)."""
    if shown_price is None or shown_price == (amount, currency.upper()):
        return
    raise Conflict(
        "price_changed",
        _("The price is now %(price)s: check it before you pay.") % {"price": format_money(amount, currency)},
    )


def _line_with_code(
    buyer: User,
    item: Listing | Booking | TutoringOffer,
    code: DiscountCode | None,
    *,
    list_amount: int,
    credit: int,
    currency: str,
) -> PriceLine:
    if code is not None:
        code_check(
            code,
            buyer=buyer,
            item=item,
            base=list_amount - min(credit, list_amount),
            currency=currency,
            now=timezone.now(),
        )
    return price_line(list_amount=list_amount, currency=currency, credit=credit, code=code)


def _paid_for(unlock: Unlock, *, currency: str) -> int:
    """What the buyer paid, net of refunds, for the licence they hold: its order and its upgrades."""
    orders = Order.objects.filter(
        buyer_id=unlock.buyer_id, listing_id=unlock.listing_id, status=OrderStatus.PAID, duplicate=False
    ).filter(Q(pk=unlock.order_id) | Q(upgrade_from__gt="", paid_at__gte=unlock.granted_at))
    paid = 0
    for order in orders.only("amount", "refunded_amount", "currency"):
        if order.currency != currency:
            raise Conflict(
                "currency_changed",
                _("This listing's currency changed since you bought it; ask the seller about an upgrade."),
            )
        paid += order.amount - order.refunded_amount
    return paid


def _code_error(code: str, message: str) -> ApplicationError:
    return ApplicationError(code, message, fields={"code": [message]})


def code_find(*, seller_id: int, text: str) -> DiscountCode:
    found = DiscountCode.objects.filter(seller_id=seller_id, code__iexact=text.strip()).first()
    if found is None or not found.active:
        raise _code_error("code_unknown", _("This code does not exist for this seller."))
    return found


def code_check(
    code: DiscountCode,
    *,
    buyer: User,
    item: Listing | Booking | TutoringOffer | Bundle,
    base: int,
    currency: str,
    now: datetime,
) -> None:
    """Every rule of a code but the counters, which code_reserve enforces in the database."""
    if code.starts_at and now < code.starts_at:
        raise _code_error("code_not_started", _("This code cannot be used yet."))
    if code.ends_at and now >= code.ends_at:
        raise _code_error("code_expired", _("This code has expired."))
    if not _in_scope(code, item):
        raise _code_error("code_not_applicable", _out_of_scope_message(code, item))
    if base <= 0:
        raise _code_error("code_not_applicable", _("This code does not apply to this item."))
    if code.max_uses is not None and code.uses >= code.max_uses:
        raise _code_error("code_used_up", _("This code has been used up."))
    if code.max_uses_per_buyer is not None:
        used = DiscountCodeBuyer.objects.filter(code=code, buyer=buyer).values_list("uses", flat=True).first()
        if (used or 0) >= code.max_uses_per_buyer:
            raise _code_error("code_used_up_by_you", _("You have used this code as often as it allows."))
    if code.kind == CodeKind.FIXED and code.currency != currency.upper():
        raise _code_error(
            "code_currency_mismatch",
            _("This code takes off %(currency)s; this item is priced in %(other)s.")
            % {"currency": code.currency, "other": currency.upper()},
        )
    if code.min_order_amount:
        if code.min_order_currency != currency.upper():
            raise _code_error(
                "code_currency_mismatch",
                _("This code needs an order in %(currency)s.") % {"currency": code.min_order_currency},
            )
        if base < code.min_order_amount:
            raise _code_error(
                "code_below_minimum",
                _("This code needs an order of at least %(amount)s.")
                % {"amount": format_money(code.min_order_amount, code.min_order_currency)},
            )


def _in_scope(code: DiscountCode, item: Listing | Booking | TutoringOffer | Bundle) -> bool:
    if code.seller_id != item.seller_id:
        return False
    if isinstance(item, Bundle):
        return code.scope == CodeScope.BUNDLES
    if isinstance(item, Booking | TutoringOffer):
        return code.scope == CodeScope.TUTORING
    if code.scope == CodeScope.ALL_LISTINGS:
        return True
    return code.scope == CodeScope.LISTINGS and code.listings.filter(pk=item.pk).exists()


def _out_of_scope_message(code: DiscountCode, item: Listing | Booking | TutoringOffer | Bundle) -> str:
    """Why the code does not apply, from what its scope covers and what is being bought."""
    names = {"code": code.code}
    if code.seller_id != item.seller_id:
        return _("This code does not apply to this item.")
    if isinstance(item, Bundle):
        if code.scope == CodeScope.TUTORING:
            return _("%(code)s applies to tutoring sessions, not bundles.") % names
        return _("%(code)s applies to single prompts, not bundles.") % names
    if isinstance(item, Booking | TutoringOffer):
        if code.scope == CodeScope.BUNDLES:
            return _("%(code)s applies to bundles, not tutoring sessions.") % names
        return _("%(code)s applies to prompts, not tutoring sessions.") % names
    if code.scope == CodeScope.BUNDLES:
        return _("%(code)s applies to bundles, not single prompts.") % names
    if code.scope == CodeScope.TUTORING:
        return _("%(code)s applies to tutoring sessions, not prompts.") % names
    return _("%(code)s applies to some of this seller's prompts, not this one.") % names


def code_reserve(*, code: DiscountCode, buyer: User) -> None:
    """Take one use of the code for this buyer, or raise: conditional UPDATEs, never read-then-write.

    Concurrent reservations of the last use queue on the code's row; PostgreSQL re-checks
    ``uses < max_uses`` on the row as the first one left it, so exactly one gets it. Call inside
    the transaction that creates the order (or grants the free unlock): a rollback gives it back.
    """
    with transaction.atomic():
        total = DiscountCode.objects.filter(pk=code.pk)
        if code.max_uses is not None:
            total = total.filter(uses__lt=F("max_uses"))
        if total.update(uses=F("uses") + 1) != 1:
            raise _code_error("code_used_up", _("This code has been used up."))
        DiscountCodeBuyer.objects.get_or_create(code=code, buyer=buyer)
        mine = DiscountCodeBuyer.objects.filter(code=code, buyer=buyer)
        if code.max_uses_per_buyer is not None:
            mine = mine.filter(uses__lt=code.max_uses_per_buyer)
        if mine.update(uses=F("uses") + 1) != 1:
            raise _code_error("code_used_up_by_you", _("You have used this code as often as it allows."))


def code_release(*, order: Order) -> None:
    """Give back the use an order held; call once, when its checkout failed or expired unpaid."""
    if order.discount_code_id is None:
        return
    DiscountCode.objects.filter(pk=order.discount_code_id, uses__gt=0).update(uses=F("uses") - 1)
    DiscountCodeBuyer.objects.filter(
        code_id=order.discount_code_id, buyer_id=order.buyer_id, uses__gt=0
    ).update(uses=F("uses") - 1)


def code_count_late_payment(*, order: Order) -> None:
    """An order paid after its checkout failed or expired gave its use back: count it again.

    The money is taken already, so nothing is refused; a code used up meanwhile stays at its
    maximum (the constraint holds) and this one payment goes over it uncounted.
    """
    if order.discount_code_id is None:
        return
    within = Q(max_uses__isnull=True) | Q(uses__lt=F("max_uses"))
    DiscountCode.objects.filter(within, pk=order.discount_code_id).update(uses=F("uses") + 1)
    DiscountCodeBuyer.objects.filter(code_id=order.discount_code_id, buyer_id=order.buyer_id).update(
        uses=F("uses") + 1
    )
