"""The visitor's currency: what price filters are typed in and approximate prices are shown in."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from marketplace.core.money import CURRENCIES
from marketplace.rates.selectors import convert_amount, rate_table
from marketplace.storefront import formatting

PARAM = "display_currency"  # the browse form's selector; remembered in a cookie of the same name
COOKIE_MAX_AGE = 365 * 24 * 3600


def language_currency() -> str:
    return "CNY" if (translation.get_language() or "").startswith("zh") else "USD"


def visitor_currency(request: HttpRequest) -> str:
    """The selector's choice, else the remembered one, else the page language's (zh: CNY, else USD)."""
    for raw in (request.GET.get(PARAM, ""), request.COOKIES.get(PARAM, "")):
        code = raw.strip().upper()
        if code in CURRENCIES:
            return code
    return language_currency()


def remember_currency(request: HttpRequest, response: HttpResponse) -> None:
    code = request.GET.get(PARAM, "").strip().upper()
    if code in CURRENCIES and request.COOKIES.get(PARAM) != code:
        response.set_cookie(
            PARAM, code, max_age=COOKIE_MAX_AGE, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE
        )


def _rates(request: Any) -> dict[str, Decimal]:
    # Once per request: a page converts every card it shows.
    if request is None:
        return rate_table()
    if not hasattr(request, "_rate_table"):
        request._rate_table = rate_table()
    return request._rate_table


def approximate(price: dict[str, Any] | None, currency: str, request: Any = None) -> str:
    """'≈ CN¥71' for a price in another currency than the visitor's; '' when there is nothing to add."""
    if (
        not price
        or not price.get("amount")
        or price.get("currency") == currency
        or currency not in CURRENCIES
    ):
        return ""
    amount = convert_amount(int(price["amount"]), str(price["currency"]), currency, rates=_rates(request))
    return "≈ " + formatting.approximate_money(amount, currency, translation.get_language())
