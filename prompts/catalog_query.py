"""Reading a catalog query (filters, sort, cursor, page size) from query parameters, for the API
and the website alike: a bad value is a 400 naming the parameter and what to use instead."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from marketplace.core.errors import ApplicationError
from marketplace.core.money import CURRENCIES, MoneyError, minor_from_major
from marketplace.rates.selectors import reference_amount
from prompts import selectors
from prompts.cleaning import normalize_tag
from prompts.models import Category, Language, TargetModel

DEFAULT_PAGE_SIZE = 24
MAX_PAGE_SIZE = 60


def bad_param(name: str, message: str) -> ApplicationError:
    return ApplicationError(
        "invalid_parameter",
        _("%(name)s: %(message)s") % {"name": name, "message": message},
        fields={name: [message]},
    )


def choice_param(params: Any, name: str, choices: Any) -> str:
    value = params.get(name, "").strip()
    if value and value not in choices:
        raise bad_param(name, _("Use one of: %(choices)s.") % {"choices": ", ".join(choices)})
    return value


def _integer(params: Any, name: str, minimum: int, maximum: int) -> int | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or not minimum <= int(raw) <= maximum:
        raise bad_param(
            name, _("Use a whole number from %(min)s to %(max)s.") % {"min": minimum, "max": maximum}
        )
    return int(raw)


def boolean_param(params: Any, name: str) -> bool | None:
    raw = params.get(name, "").strip().lower()
    if not raw:
        return None
    if raw in ("1", "true", "yes"):
        return True
    if raw in ("0", "false", "no"):
        return False
    raise bad_param(name, _("Use true or false."))


def reference_bound(params: Any, name: str, currency: str) -> int | None:
    """A price bound in major units of `currency` (9.90), as a reference amount (US cents)."""
    raw = params.get(name, "").strip()
    if not raw:
        return None
    try:
        return reference_amount(minor_from_major(raw, currency), currency)
    except MoneyError as exc:
        raise bad_param(name, str(exc)) from None


def parse_catalog_query(
    params: Any, *, visitor_currency: str = ""
) -> tuple[selectors.CatalogFilters, str, str | None, int]:
    """`visitor_currency` (the website) also reads price_min / price_max: major units of that
    currency, compared with every listing's price at current exchange rates."""
    for name, value in params.items():
        if "\x00" in value:
            raise bad_param(name, _("Remove the NUL character."))
    currency = params.get("currency", "").strip().upper()
    if currency and currency not in CURRENCIES:
        raise bad_param("currency", _("Use one of: %(choices)s.") % {"choices": ", ".join(CURRENCIES)})
    min_price = _integer(params, "min_price", 0, 10**12)
    max_price = _integer(params, "max_price", 0, 10**12)
    if (min_price is not None or max_price is not None) and not currency:
        raise bad_param(
            "currency", _("Price filters compare amounts in one currency; add currency=USD (or CNY, ...).")
        )
    q = params.get("q", "").strip()
    if len(q) > 100:
        raise bad_param("q", _("Search for at most 100 characters."))
    filters = selectors.CatalogFilters(
        q=q,
        model=choice_param(params, "model", TargetModel.values),
        category=choice_param(params, "category", Category.values),
        language=choice_param(params, "language", Language.values),
        tag=normalize_tag(params.get("tag", ""))[:30],
        currency=currency,
        min_price=min_price,
        max_price=max_price,
        free=boolean_param(params, "free"),
        trials=boolean_param(params, "trials"),
        seller=params.get("seller", "").strip()[:30],
        min_reference=reference_bound(params, "price_min", visitor_currency) if visitor_currency else None,
        max_reference=reference_bound(params, "price_max", visitor_currency) if visitor_currency else None,
    )
    sort = params.get("sort", "").strip() or ("relevance" if q else "newest")
    if sort not in selectors.SORTS:
        raise bad_param("sort", _("Use one of: %(choices)s.") % {"choices": ", ".join(selectors.SORTS)})
    page_size = _integer(params, "page_size", 1, MAX_PAGE_SIZE) or DEFAULT_PAGE_SIZE
    cursor = params.get("cursor") or None
    if cursor and len(cursor) > 200:
        raise bad_param("cursor", _("Not a cursor returned by this API."))
    return filters, sort, cursor, page_size
