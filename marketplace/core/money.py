"""Money: integer minor units plus an ISO 4217 code. Never floats.

All conversion, formatting and fee rounding lives here, under one rounding rule
(round half up on integers). ``format_money`` is the one way a price is written, for the
website, emails, the sandbox page and the API's ``display`` alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

from babel.numbers import format_currency, get_currency_symbol
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class Currency:
    code: str
    exponent: int  # digits after the decimal point; JPY and KRW have none
    minimum_charge: int  # smallest non-zero price, minor units (Stripe's minimums)
    maximum_price: int  # largest price we accept, minor units


def _major(units: int, exponent: int) -> int:
    return units * 10**exponent


CURRENCIES: dict[str, Currency] = {
    currency.code: currency
    for currency in (
        Currency("USD", 2, 50, _major(10_000, 2)),
        Currency("CNY", 2, 400, _major(70_000, 2)),
        Currency("EUR", 2, 50, _major(10_000, 2)),
        Currency("GBP", 2, 30, _major(10_000, 2)),
        Currency("JPY", 0, 50, _major(1_500_000, 0)),
        Currency("HKD", 2, 400, _major(80_000, 2)),
        Currency("SGD", 2, 50, _major(15_000, 2)),
        Currency("AUD", 2, 50, _major(15_000, 2)),
        Currency("CAD", 2, 50, _major(15_000, 2)),
        Currency("CHF", 2, 50, _major(10_000, 2)),
        Currency("KRW", 0, 1000, _major(15_000_000, 0)),
    )
}


class MoneyError(ValueError):
    pass


def get_currency(code: str) -> Currency:
    try:
        return CURRENCIES[code.upper()]
    except (KeyError, AttributeError):
        raise MoneyError(
            _("Unsupported currency %(code)s. Use one of: %(choices)s.")
            % {"code": repr(code), "choices": ", ".join(CURRENCIES)}
        ) from None


def validate_price(amount: int, currency_code: str) -> Currency:
    """Check a listing price; 0 means free. Raises MoneyError with a message for people."""
    currency = get_currency(currency_code)
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise MoneyError(_("Price amount must be an integer number of minor units (cents, fen)."))
    if amount < 0:
        raise MoneyError(_("Price cannot be negative."))
    if 0 < amount < currency.minimum_charge:
        raise MoneyError(
            _("The smallest non-zero price in %(currency)s is %(amount)s.")
            % {"currency": currency.code, "amount": format_money(currency.minimum_charge, currency.code)}
        )
    if amount > currency.maximum_price:
        raise MoneyError(
            _("The largest price in %(currency)s is %(amount)s.")
            % {"currency": currency.code, "amount": format_money(currency.maximum_price, currency.code)}
        )
    return currency


# Django language codes to CLDR locales.
LOCALES = {"en": "en_US", "zh-hans": "zh_Hans_CN"}
# CLDR's English writes the yen as a bare "¥", the sign Chinese readers know as the yuan's. "JP¥"
# (CLDR's own Chinese symbol for the yen) keeps a yen price from ever reading as yuan: CN¥ and JP¥
# in English, ¥ and JP¥ in Chinese.
_SYMBOLS = {("en_US", "JPY"): "JP¥"}


def format_money(amount: int, currency_code: str, language: str | None = None, *, whole: bool = False) -> str:
    """'$4.99', 'CN¥29.00', 'JP¥500' in English; 'US$4.99', '¥29.00', 'JP¥500' in Chinese (CLDR).

    ``language`` is a Django language code; the active language when not given. ``whole`` rounds to
    whole units (half up) for an approximate price, where cents would claim false precision.
    """
    currency = get_currency(currency_code)
    locale = LOCALES.get(language or translation.get_language() or "en", "en_US")
    value = Decimal(amount).scaleb(-currency.exponent)
    if whole:
        value = value.quantize(Decimal(1), rounding=ROUND_HALF_UP)
        text = format_currency(value, currency.code, format="¤#,##0", locale=locale, currency_digits=False)
    else:
        text = format_currency(value, currency.code, locale=locale, currency_digits=True)
    symbol = _SYMBOLS.get((locale, currency.code))
    if symbol is not None:
        text = text.replace(get_currency_symbol(currency.code, locale), symbol, 1)
    return text


def split_fee(amount: int, basis_points: int) -> tuple[int, int]:
    """Split ``amount`` into (platform fee, seller share); they always add up to amount.

    One rounding rule: the fee is rounded half up to the nearest minor unit.
    """
    if amount < 0 or not 0 <= basis_points <= 10_000:
        raise MoneyError("amount must be >= 0 and basis points between 0 and 10000")
    fee = (amount * basis_points + 5_000) // 10_000
    return fee, amount - fee


def apply_basis_points(amount: int, basis_points: int) -> int:
    """``amount`` times ``basis_points`` / 10000 (a multiple of a price), rounded half up like the fee."""
    if amount < 0 or basis_points < 0:
        raise MoneyError("amount and basis points must be >= 0")
    return (amount * basis_points + 5_000) // 10_000


def money_json(amount: int, currency_code: str) -> dict[str, object]:
    """The API's money: ``display`` is in English whatever the request's language, because listing
    documents are rendered once for every reader."""
    return {"amount": amount, "currency": currency_code, "display": format_money(amount, currency_code, "en")}


def prorate(part: int, whole: int, share: int) -> int:
    """``share`` of ``part`` out of ``whole``, rounded half up: the fee inside a partial refund."""
    if whole <= 0:
        raise MoneyError("whole must be positive")
    return (part * share * 2 + whole) // (2 * whole)


_MAJOR = re.compile(r"(\d{1,15})?(?:\.(\d{0,6}))?", re.ASCII)


# The unit of each currency without decimals: "JPY amounts are whole yen".
_WHOLE_UNITS = {"JPY": gettext_lazy("yen"), "KRW": gettext_lazy("won")}
assert set(_WHOLE_UNITS) == {code for code, currency in CURRENCIES.items() if currency.exponent == 0}


def too_many_decimals(currency_code: str) -> str:
    """What to tell a person who typed more decimals than the currency has, on any money field."""
    currency = get_currency(currency_code)
    if currency.exponent == 0:
        return _("%(currency)s amounts are whole %(unit)s, such as %(example)s.") % {
            "currency": currency.code,
            "unit": _WHOLE_UNITS[currency.code],
            "example": currency.minimum_charge * 10,
        }
    return _("%(currency)s amounts have at most %(digits)s digits after the point.") % {
        "currency": currency.code,
        "digits": currency.exponent,
    }


def minor_from_major(text: str, currency_code: str) -> int:
    """'9.90' USD -> 990, '500' JPY -> 500: what a person types, as minor units.

    Decimal arithmetic on the digits, never floats; more decimals than the currency has is an error.
    """
    currency = get_currency(currency_code)
    found = _MAJOR.fullmatch(text.strip().replace(",", "")[:24])
    if found is None or not found.group(0).strip("."):
        example = "500" if currency.exponent == 0 else "9.90"
        raise MoneyError(_("Enter an amount such as %(example)s.") % {"example": example})
    whole, fraction = found.group(1) or "0", found.group(2) or ""
    if len(fraction.rstrip("0")) > currency.exponent:
        raise MoneyError(too_many_decimals(currency.code))
    fraction = fraction[: currency.exponent]
    return int(whole) * 10**currency.exponent + int(fraction.ljust(currency.exponent, "0") or "0")


def major_text(amount: int, currency_code: str) -> str:
    """990 USD -> '9.90', 500 JPY -> '500': plain digits for forms and CSV files, no symbol."""
    exponent = get_currency(currency_code).exponent
    sign = "-" if amount < 0 else ""
    if exponent == 0:
        return f"{sign}{abs(amount)}"
    whole, fraction = divmod(abs(amount), 10**exponent)
    return f"{sign}{whole}.{fraction:0{exponent}d}"


def convert(
    amount: int, source: str, target: str, *, source_per_usd: Decimal, target_per_usd: Decimal
) -> int:
    """``amount`` minor units of ``source`` in minor units of ``target``, rounded half up once.

    Rates are major units per US dollar; Decimal arithmetic keeps JPY's 150 and CNY's 7.18 exact.
    """
    from_exponent, to_exponent = get_currency(source).exponent, get_currency(target).exponent
    if source_per_usd <= 0 or target_per_usd <= 0:
        raise MoneyError("exchange rates must be positive")
    with localcontext() as context:
        context.prec = 50
        value = Decimal(amount) * target_per_usd * 10**to_exponent / (source_per_usd * 10**from_exponent)
        return int(value.to_integral_value(rounding=ROUND_HALF_UP))
