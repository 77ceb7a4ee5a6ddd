"""Locale-aware display of money and numbers (CLDR via Babel): one home for the website's formats."""

from __future__ import annotations

from functools import cache

from babel.numbers import format_currency

from marketplace.core.money import get_currency

# Django language codes to CLDR locales.
LOCALES = {"en": "en_US", "zh-hans": "zh_Hans_CN"}


def _locale(language: str | None) -> str:
    return LOCALES.get(language or "en", "en_US")


@cache
def _exponent(currency: str) -> int:
    return get_currency(currency).exponent


def money(amount: int, currency: str, language: str | None) -> str:
    """'$4.99' / 'CN¥29.00' in English, 'US$4.99' / '¥29.00' in Chinese; JPY has no decimals."""
    exponent = _exponent(currency)
    value = amount if exponent == 0 else amount / 10**exponent
    return format_currency(value, currency, locale=_locale(language), currency_digits=True)


def approximate_money(amount: int, currency: str, language: str | None) -> str:
    """'CN¥71' for a converted price: whole units from 10 up (cents would claim false precision)."""
    exponent = _exponent(currency)
    whole = (amount + 10**exponent // 2) // 10**exponent  # half up, like marketplace.core.money
    if exponent == 0 or whole < 10:
        return money(amount, currency, language)
    return format_currency(whole, currency, format="¤#,##0", locale=_locale(language), currency_digits=False)
