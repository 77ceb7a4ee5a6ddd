"""Input fields the API's serializers share: strict whole numbers, a price, a 1-5 rating."""

from __future__ import annotations

import re
from typing import Any

from rest_framework import serializers

_DIGITS = re.compile(r"-?\d{1,18}")


class StrictIntegerField(serializers.IntegerField):
    """An integer, or a string of digits from a form. Never 12.5, "12.0" or true."""

    default_error_messages = {"invalid": "Must be a whole number of minor units (e.g. 499 for $4.99)."}

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, str) and _DIGITS.fullmatch(data.strip()):
            data = int(data.strip())
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class PriceField(serializers.Serializer):
    amount = StrictIntegerField(help_text="Minor units: cents, fen, yen. 0 means free.")
    currency = serializers.CharField(
        min_length=3, max_length=3, help_text="ISO 4217, e.g. USD, CNY, EUR, JPY."
    )
    display = serializers.CharField(read_only=True)

    def validate_currency(self, value: str) -> str:
        return value.upper()


class RatingField(serializers.IntegerField):
    """A JSON integer from 1 to 5: never "5", 4.5 or true."""

    default_error_messages = {"invalid": "Rate with a whole number from 1 to 5."}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=1, max_value=5, **kwargs)

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return int(super().to_internal_value(data))
