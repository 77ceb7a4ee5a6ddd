"""The tutor's offer form: every field the offers API accepts (hours are in hours_forms.py).

Forms only parse and check what a person typed; the rules live in tutoring's services, which the
views call exactly as the API does. Prices are typed in major units (199.00) and converted here
with the currency's exponent from core/money.py (JPY has none).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from marketplace.core.money import CURRENCIES, format_money, get_currency, too_many_decimals
from marketplace.core.timezones import valid_zone_name
from marketplace.storefront import labels
from marketplace.storefront.views.tutoring.common import zone_label
from marketplace.tutoring.models import OFFER_BOUNDS, TutoringOffer

# Offered in the time zone select; any other IANA zone can be typed in the box below it.
COMMON_ZONES = [
    "Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Singapore", "Asia/Tokyo", "Asia/Seoul",
    "Asia/Bangkok", "Asia/Jakarta", "Asia/Kolkata", "Asia/Dubai", "Australia/Sydney", "Australia/Perth",
    "Pacific/Auckland", "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Paris", "Europe/Berlin",
    "Europe/Madrid", "Europe/Rome", "Europe/Amsterdam", "Europe/Stockholm", "Europe/Warsaw",
    "Europe/Istanbul", "Europe/Moscow", "Africa/Cairo", "Africa/Lagos", "Africa/Johannesburg",
    "America/New_York", "America/Toronto", "America/Chicago", "America/Denver", "America/Phoenix",
    "America/Los_Angeles", "America/Vancouver", "America/Anchorage", "Pacific/Honolulu",
    "America/Mexico_City", "America/Bogota", "America/Lima", "America/Sao_Paulo",
    "America/Argentina/Buenos_Aires", "UTC",
]  # fmt: skip
LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(-[a-z0-9]{2,8}){0,2}")
MAX_LANGUAGES = 10


def _number(label: Any, name: str, help_text: Any = "") -> forms.IntegerField:
    """An offer's number field, within the bounds the model keeps."""
    low, high = OFFER_BOUNDS[name]
    return forms.IntegerField(label=label, min_value=low, max_value=high, help_text=help_text)


def major_units(amount: int, currency: str) -> Decimal:
    """19900 CNY -> Decimal('199.00'); 1500 JPY -> Decimal('1500')."""
    exponent = get_currency(currency).exponent
    return (Decimal(amount) / 10**exponent).quantize(Decimal(1).scaleb(-exponent))


def _zone_choice_label(key: str) -> str:
    return zone_label(ZoneInfo(key))


class OfferForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(
        label=_("Description"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What you teach, who it is for, and what to bring."),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages you teach in"),
        choices=list(labels.LANGUAGES.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_languages = forms.CharField(
        label=_("Other languages"),
        max_length=200,
        required=False,
        help_text=_("Language codes separated by commas, e.g. ja, ko, fr."),
    )
    duration_minutes = _number(
        _("Length of a session (minutes)"),
        "duration_minutes",
        _("From 15 to 180 minutes."),
    )
    price = forms.DecimalField(
        label=_("Amount"),
        min_value=Decimal(0),
        max_digits=14,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=[(code, code) for code in CURRENCIES])
    buffer_before_minutes = _number(
        _("Free time before (minutes)"),
        "buffer_before_minutes",
        _("Kept free before each session, for preparation."),
    )
    buffer_after_minutes = _number(
        _("Free time after (minutes)"), "buffer_after_minutes", _("Kept free after each session.")
    )
    min_notice_minutes = _number(
        _("Minimum notice (minutes)"),
        "min_notice_minutes",
        _("How soon before a session it can still be booked; 720 is 12 hours."),
    )
    max_days_ahead = _number(
        _("Booking horizon (days)"), "max_days_ahead", _("How many days ahead buyers may book.")
    )
    cancel_full_refund_hours = _number(
        _("Full refund until (hours before)"),
        "cancel_full_refund_hours",
        _(
            "Buyers who cancel at least this long before the start get a full refund, later none; "
            "0 means always. If you cancel, the buyer always gets a full refund. "
            "Buyers may also move a session once within this time."
        ),
    )
    meeting_link = forms.URLField(
        label=_("Meeting link"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("Shown to the buyer once they have paid, e.g. your video call room."),
    )
    timezone = forms.ChoiceField(
        label=_("Your time zone"), help_text=_("Your weekly hours are in this zone.")
    )
    timezone_other = forms.CharField(
        label=_("Or type another time zone"),
        max_length=64,
        required=False,
        help_text=_("An IANA name such as Asia/Kathmandu; it replaces the choice above."),
    )
    is_active = forms.BooleanField(label=_("Published: buyers can find and book this offer"), required=False)

    def __init__(self, *args: Any, zone: str = "UTC", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = self.initial.get("timezone") or zone
        keys = COMMON_ZONES if current in COMMON_ZONES else [current, *COMMON_ZONES]
        field = self.fields["timezone"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(key, _zone_choice_label(key)) for key in keys if _is_zone(key)]
        self.initial.setdefault("timezone", current)

    @classmethod
    def for_new(cls, *, zone: str) -> OfferForm:
        initial = {
            "duration_minutes": 60,
            "currency": "CNY" if translation.get_language() == "zh-hans" else "USD",
            "buffer_before_minutes": 0,
            "buffer_after_minutes": 0,
            "min_notice_minutes": 12 * 60,
            "max_days_ahead": 60,
            "cancel_full_refund_hours": 24,
            "is_active": True,
            "languages": [translation.get_language() or "en"],
        }
        return cls(initial=initial, zone=zone if _is_zone(zone) else "UTC")

    @classmethod
    def for_offer(cls, offer: TutoringOffer, data: Any = None) -> OfferForm:
        known = [code for code in offer.languages if code in labels.LANGUAGES]
        initial = {
            "title": offer.title,
            "description": offer.description,
            "languages": known,
            "other_languages": ", ".join(code for code in offer.languages if code not in known),
            "duration_minutes": offer.duration_minutes,
            "price": major_units(offer.price_amount, offer.price_currency),
            "currency": offer.price_currency,
            "buffer_before_minutes": offer.buffer_before_minutes,
            "buffer_after_minutes": offer.buffer_after_minutes,
            "min_notice_minutes": offer.min_notice_minutes,
            "max_days_ahead": offer.max_days_ahead,
            "cancel_full_refund_hours": offer.cancel_full_refund_hours,
            "meeting_link": offer.meeting_link,
            "timezone": offer.timezone,
            "is_active": offer.is_active,
        }
        return cls(data, initial=initial, zone=offer.timezone)

    def clean_other_languages(self) -> list[str]:
        codes = [code.strip().lower() for code in str(self.cleaned_data["other_languages"]).split(",")]
        codes = [code for code in codes if code]
        wrong = [code for code in codes if not LANGUAGE_TAG.fullmatch(code)]
        if wrong:
            raise forms.ValidationError(
                _("Not a language code: %(codes)s. Use codes such as ja or pt-br.")
                % {"codes": ", ".join(wrong)}
            )
        return codes

    def clean_timezone_other(self) -> str:
        name = str(self.cleaned_data["timezone_other"]).strip()
        if name and not _is_zone(name):
            raise forms.ValidationError(
                _("“%(name)s” is not a time zone we know. Use an IANA name such as Asia/Shanghai.")
                % {"name": name}
            )
        return name

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        languages = list(dict.fromkeys([*cleaned.get("languages", []), *cleaned.get("other_languages", [])]))
        if len(languages) > MAX_LANGUAGES:
            self.add_error("other_languages", _("At most %(count)s languages.") % {"count": MAX_LANGUAGES})
        cleaned["all_languages"] = languages
        price, currency = cleaned.get("price"), cleaned.get("currency")
        if price is not None and currency:
            cleaned["price_amount"] = self._minor_units(price, currency)
        return cleaned

    def _minor_units(self, price: Decimal, code: str) -> int | None:
        """The typed price in minor units, or None with an error on the price field."""
        currency = get_currency(code)
        minor = price.scaleb(currency.exponent)
        language = translation.get_language()
        if minor != minor.to_integral_value():
            self.add_error("price", too_many_decimals(code))
            return None
        amount = int(minor)
        if amount < currency.minimum_charge:
            smallest = format_money(currency.minimum_charge, code, language)
            self.add_error("price", _("The smallest price in %(currency)s is %(amount)s.") % {
                "currency": code, "amount": smallest})  # fmt: skip
            return None
        if amount > currency.maximum_price:
            largest = format_money(currency.maximum_price, code, language)
            self.add_error("price", _("The largest price in %(currency)s is %(amount)s.") % {
                "currency": code, "amount": largest})  # fmt: skip
            return None
        return amount

    def offer_fields(self) -> dict[str, Any]:
        """The cleaned form as the services' keyword arguments (the API's OfferInput, flattened)."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "description": data["description"],
            "languages": data["all_languages"],
            "duration_minutes": data["duration_minutes"],
            "price_amount": data["price_amount"],
            "price_currency": data["currency"],
            "buffer_before_minutes": data["buffer_before_minutes"],
            "buffer_after_minutes": data["buffer_after_minutes"],
            "min_notice_minutes": data["min_notice_minutes"],
            "max_days_ahead": data["max_days_ahead"],
            "meeting_link": data["meeting_link"],
            "cancel_full_refund_hours": data["cancel_full_refund_hours"],
            "timezone": data["timezone_other"] or data["timezone"],
            "is_active": data["is_active"],
        }


def _is_zone(name: str) -> bool:
    return valid_zone_name(name)
