"""A seller's discount codes and licence tiers: creating, changing and switching them off.

What they do to a price is services.pricing's; here are the writes and their validation.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from marketplace.accounts.models import User
from marketplace.core.errors import ApplicationError, Conflict
from marketplace.core.money import MoneyError, format_money, get_currency
from marketplace.core.prices import checked_price, price_error
from payments.models import CodeKind, CodeScope, DiscountCode, Licence, ListingLicence
from prompts.models import Listing

CODE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{2,39}", re.ASCII)
CHANGEABLE = ("active", "starts_at", "ends_at", "max_uses", "max_uses_per_buyer")
MAX_USES = 1_000_000  # a limit above this is no limit; the column holds at most 2**31 - 1


def _invalid(field: str, message: str) -> ApplicationError:
    return ApplicationError("invalid", message, fields={field: [message]})


@transaction.atomic
def code_create(
    *,
    seller: User,
    code: str,
    kind: str,
    percent: int | None = None,
    amount: int | None = None,
    currency: str = "",
    scope: str = CodeScope.ALL_LISTINGS,
    listings: list[Listing] | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    max_uses: int | None = None,
    max_uses_per_buyer: int | None = None,
    min_order_amount: int = 0,
    min_order_currency: str = "",
) -> DiscountCode:
    """A new code for the seller's listings or tutoring offers; codes are unique per seller in any case."""
    code = code.strip()
    if not CODE_PATTERN.fullmatch(code):
        raise _invalid("code", _("A code is 3 to 40 letters, digits, - or _."))
    fields: dict[str, Any] = {"kind": kind, "scope": scope}
    if kind == CodeKind.PERCENT:
        if isinstance(percent, bool) or not isinstance(percent, int) or not 1 <= percent <= 100:
            raise _invalid("percent", _("Give a percent from 1 to 100."))
        fields["percent"] = percent
    elif kind == CodeKind.FIXED:
        fields["amount"], fields["currency"] = _amount(
            amount, currency, field="amount", currency_field="currency"
        )
    else:
        raise _invalid("kind", _("Choose percent or fixed."))
    if scope not in CodeScope.values:
        raise _invalid("scope", _("Choose all_listings, listings or tutoring."))
    chosen = list(listings or [])
    if scope == CodeScope.LISTINGS and not chosen:
        raise _invalid("listings", _("Choose at least one of your listings."))
    if any(listing.seller_id != seller.pk for listing in chosen):
        raise _invalid("listings", _("Choose only your own listings."))
    if min_order_amount:
        fields["min_order_amount"], fields["min_order_currency"] = _amount(
            min_order_amount,
            min_order_currency,
            field="min_order_amount",
            currency_field="min_order_currency",
        )
    _check_window_and_limits(starts_at, ends_at, max_uses, max_uses_per_buyer)
    try:
        with transaction.atomic():
            created = DiscountCode.objects.create(
                seller=seller,
                code=code,
                starts_at=starts_at,
                ends_at=ends_at,
                max_uses=max_uses,
                max_uses_per_buyer=max_uses_per_buyer,
                **fields,
            )
    except IntegrityError:
        raise Conflict("code_exists", _("You have a code with this name already.")) from None
    if scope == CodeScope.LISTINGS:
        created.listings.set(chosen)
    return created


def _amount(amount: Any, currency: str, *, field: str, currency_field: str) -> tuple[int, str]:
    """An amount in minor units, above zero and at most the currency's largest price."""
    try:
        found = get_currency(currency)
    except MoneyError as exc:
        raise price_error(exc, field=currency_field) from None
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise price_error(_("Give an amount above zero, in minor units (cents, fen)."), field=field)
    if amount > found.maximum_price:
        message = _("The largest amount in %(currency)s is %(amount)s.") % {
            "currency": found.code,
            "amount": format_money(found.maximum_price, found.code),
        }
        raise price_error(message, field=field)
    return amount, found.code


def _check_window_and_limits(
    starts_at: datetime | None, ends_at: datetime | None, max_uses: Any, max_uses_per_buyer: Any
) -> None:
    if starts_at and ends_at and ends_at <= starts_at:
        raise _invalid("ends_at", _("The end must come after the start."))
    for name, value in (("max_uses", max_uses), ("max_uses_per_buyer", max_uses_per_buyer)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise _invalid(name, _("Give a whole number of at least 1, or leave it empty for no limit."))
        if value is not None and value > MAX_USES:
            raise _invalid(
                name,
                _("Give at most %(limit)s, or leave it empty for no limit.") % {"limit": f"{MAX_USES:,}"},
            )


@transaction.atomic
def code_update(*, code: DiscountCode, **changes: Any) -> DiscountCode:
    """Change a code's window, limits or switch it off/on; what it takes off stays as sold."""
    locked = DiscountCode.objects.select_for_update().get(pk=code.pk)
    unknown = set(changes) - set(CHANGEABLE)
    if unknown:
        raise _invalid(sorted(unknown)[0], _("This cannot be changed; create a new code instead."))
    for name, value in changes.items():
        setattr(locked, name, value)
    _check_window_and_limits(locked.starts_at, locked.ends_at, locked.max_uses, locked.max_uses_per_buyer)
    if locked.max_uses is not None and locked.max_uses < locked.uses:
        raise _invalid(
            "max_uses",
            _("It has been used %(uses)s times already; give at least that.") % {"uses": locked.uses},
        )
    locked.save()
    return locked


@transaction.atomic
def licence_set(
    *, listing: Listing, licence: str, amount: int | None = None, multiple_bps: int | None = None
) -> None:
    """Offer (or change, or with neither amount nor multiple, withdraw) a commercial or extended licence.

    Buyers who hold a tier keep it; the new price applies to later purchases and upgrades.
    """
    if licence not in (Licence.COMMERCIAL, Licence.EXTENDED):
        raise _invalid("licence", _("Choose commercial or extended; personal is the listing's price."))
    if amount is None and multiple_bps is None:
        ListingLicence.objects.filter(listing=listing, licence=licence).delete()
        return
    if amount is not None and multiple_bps is not None:
        message = _("Give an amount or a multiple of the base price, not both.")
        raise price_error(message, field=f"{licence}.amount")
    if amount is not None:
        checked_price(amount, listing.price_currency, field=licence)
        if amount == 0:
            message = _("Give an amount above zero, in minor units (cents, fen).")
            raise price_error(message, field=f"{licence}.amount")
    elif (
        isinstance(multiple_bps, bool)
        or not isinstance(multiple_bps, int)
        or not 10_000 <= multiple_bps <= 1_000_000
    ):
        message = _("Give a multiple from 1x (10000) to 100x (1000000).")
        raise price_error(message, field=f"{licence}.multiple_bps")
    ListingLicence.objects.update_or_create(
        listing=listing, licence=licence, defaults={"amount": amount, "multiple_bps": multiple_bps}
    )


@transaction.atomic
def licences_set(*, listing: Listing, tiers: dict[str, dict[str, int | None]]) -> None:
    """Several tiers at once ({"commercial": {"amount": 990}, "extended": {}}): all saved, or none."""
    for licence, tier in tiers.items():
        licence_set(
            listing=listing, licence=licence, amount=tier.get("amount"), multiple_bps=tier.get("multiple_bps")
        )
