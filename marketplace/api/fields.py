"""Input fields the API's serializers share: strict whole numbers, money, a 1-5 rating.

Money is refused as the services refuse it (marketplace.core.prices): whatever is wrong with a
price or an amount, its type or its value, the answer is an ``invalid_price`` error with the
message on the part that is wrong ("price.amount", "price.currency", "commercial.amount").
Beside other fields' errors it keeps that path, under the code ``invalid``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy
from rest_framework import serializers
from rest_framework.fields import empty

from marketplace.core.errors import INVALID_PRICE
from marketplace.core.money import CURRENCIES, MoneyError, get_currency
from marketplace.core.parsers import read_integer

_DIGITS = re.compile(r"-?\d+")


class StrictIntegerField(serializers.IntegerField):
    """An integer of any size, or a string of digits from a form. Never 12.5, "12.0" or true."""

    default_error_messages = {"invalid": gettext_lazy("Must be a whole number.")}

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, str) and _DIGITS.fullmatch(data.strip()):
            return read_integer(data.strip())
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return data  # the min_value and max_value validators run next


def _plain(detail: Any) -> Any:
    """Error details as plain strings, so that a new code replaces theirs."""
    if isinstance(detail, dict):
        return {key: _plain(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_plain(item) for item in detail]
    return str(detail)


def _validated_as_money(validate: Callable[[Any], Any], data: Any) -> Any:
    try:
        return validate(data)
    except serializers.ValidationError as exc:
        # The error handler answers errors with this code as one invalid_price error, on their paths.
        raise serializers.ValidationError(_plain(exc.detail), code=INVALID_PRICE) from None


class MoneyInput(serializers.Serializer):
    """An object that says a price (a price, a licence tier): anything wrong in it is invalid_price."""

    def run_validation(self, data: Any = empty) -> Any:
        return _validated_as_money(super().run_validation, data)


class MinorUnitsField(StrictIntegerField):
    """An amount of money in minor units (499 for $4.99, 500 for ¥500); refused as invalid_price."""

    default_error_messages = {
        "invalid": gettext_lazy("Must be a whole number of minor units (e.g. 499 for $4.99)."),
        "null": gettext_lazy("Must be a whole number of minor units (e.g. 499 for $4.99)."),
    }

    def run_validation(self, data: Any = empty) -> Any:
        return _validated_as_money(super().run_validation, data)


class CurrencyField(serializers.CharField):
    """An ISO 4217 code we sell in, in any case, answered in upper case; refused as invalid_price."""

    default_error_messages = {
        "required": gettext_lazy("Give the currency as an ISO 4217 code, such as USD."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "ISO 4217, one of " + ", ".join(CURRENCIES) + ".")
        super().__init__(min_length=3, max_length=3, **kwargs)

    def to_internal_value(self, data: Any) -> str:
        try:
            return get_currency(super().to_internal_value(data)).code
        except MoneyError as exc:
            raise serializers.ValidationError(str(exc)) from None

    def run_validation(self, data: Any = empty) -> Any:
        return _validated_as_money(super().run_validation, data)


# No braces: DRF formats its error messages with str.format.
_AS_OBJECT = gettext_lazy("Give the price as an object with an amount in minor units and a currency.")


class PriceField(MoneyInput):
    """A price: {"amount": 499, "currency": "USD"}, within the currency's smallest and largest price.

    Anything wrong with it is a 400 with code `invalid_price`, its message on `price.amount` or
    `price.currency` in `error.fields`.
    """

    default_error_messages = {
        "invalid": _AS_OBJECT,
        "null": _AS_OBJECT,
    }

    amount = MinorUnitsField(help_text="Minor units: cents, fen, yen. 0 means free.")
    currency = CurrencyField()
    display = serializers.CharField(read_only=True)


class RatingField(serializers.IntegerField):
    """A JSON integer from 1 to 5: never "5", 4.5 or true."""

    default_error_messages = {"invalid": "Rate with a whole number from 1 to 5."}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=1, max_value=5, **kwargs)

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return int(super().to_internal_value(data))
