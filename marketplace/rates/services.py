"""Writing exchange rates: from the configured feed (beat) or by staff in the admin."""

from __future__ import annotations

import json
import logging
from decimal import Decimal, InvalidOperation

import httpx
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from marketplace.core.money import CURRENCIES
from marketplace.rates.models import ExchangeRate
from marketplace.rates.selectors import CACHE_KEY
from marketplace.rates.signals import rates_changed

logger = logging.getLogger(__name__)
MIN_RATE = Decimal("0.000001")


class RatesFeedError(ValueError):
    pass


def parse_feed(body: bytes) -> dict[str, Decimal]:
    """Rates per US dollar from a JSON feed: {"base": "USD", "rates": {"CNY": 7.18, ...}}.

    Another base (say EUR) works when the feed also quotes USD. Unknown currencies are ignored."""
    try:
        document = json.loads(body, parse_float=Decimal, parse_int=Decimal)
        base = str(document.get("base") or document.get("base_code") or "USD").upper()
        quoted = {str(code).upper(): Decimal(value) for code, value in document["rates"].items()}
    except (ValueError, TypeError, KeyError, AttributeError, InvalidOperation) as exc:
        raise RatesFeedError(f"not a rates document: {exc!r}") from None
    quoted[base] = Decimal(1)
    if "USD" not in quoted or not quoted["USD"].is_finite() or quoted["USD"] <= 0:
        raise RatesFeedError(f"the feed quotes no US dollar rate (base {base})")
    usd = quoted["USD"]
    rates = {code: rate / usd for code, rate in quoted.items() if code in CURRENCIES}
    # No currency trades near a billion, or a millionth, per dollar: that is a broken feed, not a rate.
    bad = sorted(code for code, rate in rates.items() if not rate.is_finite() or not MIN_RATE <= rate < 10**9)
    if bad:
        raise RatesFeedError(f"implausible rates for {', '.join(bad)}")
    return {code: rate.quantize(Decimal("0.00000001")) for code, rate in rates.items()}


@transaction.atomic
def rates_apply(*, rates: dict[str, Decimal], source: str) -> list[str]:
    """Store rates (major units per US dollar); returns the currencies whose rate changed.

    Listeners of `rates_changed` run after the commit, so they never see rates that roll back."""
    current = dict(ExchangeRate.objects.select_for_update().values_list("currency", "per_usd"))
    changed = sorted(code for code, rate in rates.items() if current.get(code) != rate)
    now = timezone.now()
    for code in changed:
        ExchangeRate.objects.update_or_create(
            currency=code, defaults={"per_usd": rates[code], "source": source[:200], "updated_at": now}
        )
    if changed:
        transaction.on_commit(lambda: _announce(changed))
    return changed


def _announce(currencies: list[str]) -> None:
    cache.delete(CACHE_KEY)
    rates_changed.send(sender=ExchangeRate, currencies=currencies)


def fetch_feed(url: str, *, timeout: float, transport: httpx.BaseTransport | None = None) -> bytes:
    with httpx.Client(timeout=timeout, transport=transport, follow_redirects=True) as client:
        response = client.get(url, headers={"Accept": "application/json"})
        response.raise_for_status()
        return response.content


def rates_refresh(*, transport: httpx.BaseTransport | None = None) -> list[str]:
    """Fetch EXCHANGE_RATES_URL and store its rates. A failed fetch or a bad feed keeps the rates
    we have (prices still sort, on older rates) and is logged; the next run tries again."""
    url = settings.EXCHANGE_RATES_URL
    if not url:
        return []
    try:
        # Outside any transaction: a slow feed must not hold a database connection open.
        rates = parse_feed(fetch_feed(url, timeout=settings.EXCHANGE_RATES_TIMEOUT, transport=transport))
    except (httpx.HTTPError, RatesFeedError) as exc:
        logger.warning("exchange rates not refreshed from %s, keeping the current ones: %s", url, exc)
        return []
    return rates_apply(rates=rates, source=url)
