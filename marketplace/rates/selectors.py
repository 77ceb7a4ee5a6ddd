"""Reading exchange rates and converting amounts with them."""

from __future__ import annotations

import json
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.core.cache import cache as shared_cache

from marketplace.core.money import CURRENCIES, convert
from marketplace.rates.models import ExchangeRate

DEFAULT_RATES_FILE = Path(__file__).resolve().parent / "default_rates.json"
CACHE_KEY = "rates:table:v1"
CACHE_SECONDS = 60
REFERENCE_CURRENCY = "USD"


@cache
def default_rates() -> dict[str, Decimal]:
    """The shipped rates: a currency missing from the database still converts."""
    document = json.loads(DEFAULT_RATES_FILE.read_text(encoding="utf-8"))
    return {code: Decimal(value) for code, value in document["rates"].items() if code in CURRENCIES}


def rate_table(*, fresh: bool = False) -> dict[str, Decimal]:
    """Major units per US dollar for every supported currency: the database over the shipped file.

    Cached briefly (pages convert every card); rates_apply clears it when rates change. `fresh`
    reads the database, for writers that must not use another process's older copy."""
    stored = None if fresh else shared_cache.get(CACHE_KEY)
    if stored is None:
        stored = {code: str(rate) for code, rate in ExchangeRate.objects.values_list("currency", "per_usd")}
        shared_cache.set(CACHE_KEY, stored, CACHE_SECONDS)
    return {**default_rates(), **{code: Decimal(rate) for code, rate in stored.items()}}


def convert_amount(amount: int, source: str, target: str, *, rates: dict[str, Decimal] | None = None) -> int:
    """Minor units of `source` in minor units of `target` at the current rates."""
    table = rates if rates is not None else rate_table()
    return convert(amount, source, target, source_per_usd=table[source], target_per_usd=table[target])


def reference_amount(amount: int, currency: str, *, rates: dict[str, Decimal] | None = None) -> int:
    """The amount in US cents: what the catalog sorts and filters prices by across currencies."""
    return convert_amount(amount, currency, REFERENCE_CURRENCY, rates=rates)
