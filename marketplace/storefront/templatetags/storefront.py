"""Template helpers for the website."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.core.exceptions import DisallowedHost
from django.utils import translation
from django.utils.dateparse import parse_datetime
from django.utils.http import urlencode

from marketplace.core.money import format_money
from marketplace.core.timezones import zone
from marketplace.storefront import formatting, labels, pricing
from payments.models import Licence
from prompts.previews.reasons import reason_in_language
from prompts.trials.services import trials_available_for_model

register = template.Library()


@register.filter
def money(price: dict[str, Any] | None) -> str:
    """A price object from a listing document ({"amount", "currency"}) in the visitor's locale."""
    if not price:
        return ""
    return format_money(int(price["amount"]), str(price["currency"]))


@register.simple_tag
def money_of(amount: int, currency: str) -> str:
    return format_money(amount, currency)


@register.simple_tag(takes_context=True)
def approx_price(context: Any, price: dict[str, Any] | None) -> str:
    """'≈ CN¥71': a listing's price in the visitor's currency, when that is another one."""
    currency = context.get("visitor_currency") or pricing.language_currency()
    return pricing.approximate(price, currency, context.get("request"))


@register.simple_tag(takes_context=True)
def query_with(context: Any, **changes: Any) -> str:
    """The current query string with some parameters replaced (None or "" removes them)."""
    params = context["request"].GET.copy()
    params.pop("cursor", None)
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + urlencode(sorted((k, v) for k, v in params.items() if v)) if params else "?"


@register.simple_tag(takes_context=True)
def alternate_url(context: Any, language: str = "") -> str:
    """This page's absolute address in one language (`?lang=`), or with none for x-default."""
    request = context.get("request")
    if request is None:
        return ""
    params = request.GET.copy()
    params.pop("lang", None)
    if language:
        params["lang"] = language
    query = urlencode(sorted(params.items())) if params else ""
    try:
        return str(request.build_absolute_uri(request.path + (f"?{query}" if query else "")))
    except DisallowedHost:  # the 400 page for a request to a host we do not serve
        return ""


_LABELS: dict[str, dict[str, Any]] = {
    "model": labels.MODELS,
    "category": labels.CATEGORIES,
    "language": labels.LANGUAGES,
    "sort": labels.SORTS,
    "listing_status": labels.LISTING_STATUSES,
    "image_status": labels.IMAGE_STATUSES,
    "ai_class": labels.AI_CLASSES,
}


@register.filter
def label(code: str, kind: str) -> str:
    """`{{ card.category|label:"category" }}`: the translated name of a code, or the code itself."""
    return str(_LABELS[kind].get(code, code))


@register.filter
def licence_label(code: str) -> str:
    """`{{ order.licence|licence_label }}`: Personal, Commercial or Extended, translated; "" for none."""
    return str(Licence(code).label) if code in Licence.values else ""


@register.filter
def failure_reason(text: str) -> str:
    """Why an image failed, stored in English, in the visitor's language where it is one of ours."""
    return reason_in_language(text or "")


@register.filter
def free_tries(card: dict[str, Any]) -> int:
    """The free trial runs a listing card offers, or 0 where this site cannot run its model's trials."""
    offered = int(card.get("trial_runs") or 0)
    return offered if offered and trials_available_for_model(str(card.get("target_model", ""))) else 0


@register.filter
def stars(rating: int) -> str:
    rating = max(0, min(5, int(rating or 0)))
    return "★" * rating + "☆" * (5 - rating)


@register.filter
def iso_datetime(value: str | None) -> datetime | None:
    """An ISO timestamp from a stored document as an aware datetime, for the `date` filter."""
    return parse_datetime(value) if value else None


@register.filter
def zone_name(key: str) -> str:
    """An IANA zone key as a person reads it in their language: 'Asia/Shanghai' -> '上海（中国时间）'."""
    found = zone(key)
    return formatting.zone_label(found, translation.get_language()) if found else key
