"""Small helpers shared by the website's views."""

from __future__ import annotations

from typing import Any

import orjson
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme

from marketplace.accounts.models import User
from marketplace.core.errors import ApplicationError


def cards(documents: list[str]) -> list[dict[str, Any]]:
    """Card documents (stored JSON) as dicts for templates."""
    return [orjson.loads(document) for document in documents]


def current_user(request: HttpRequest) -> User:
    """The signed-in user of a @login_required view."""
    assert isinstance(request.user, User)
    return request.user


def safe_next(request: HttpRequest) -> str:
    """The `next` parameter if it points at this site, else ""; forms carry it to the POST."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return ""


def site_url(request: HttpRequest) -> str:
    """This site as the visitor reached it ("http://localhost:8100"), for the URLs a service builds.

    The host was checked against ALLOWED_HOSTS by get_host(); SITE_URL is only for links made
    outside a request, where no visitor's host is known.
    """
    return request.build_absolute_uri("/").rstrip("/")


def shown_price(request: HttpRequest) -> tuple[int, str] | None:
    """The (amount, currency) a checkout form showed beside its Pay button, so the service charges
    that or sends the buyer back to look; None when the form shows no price (a plain Buy button).
    A value that is not a whole number matches no price, so the page is shown again."""
    amount = request.POST.get("shown_amount")
    if amount is None:
        return None
    whole = amount.isascii() and amount.isdigit() and len(amount) <= 18
    return (int(amount) if whole else -1), request.POST.get("shown_currency", "")[:3].upper()


def flash_checkout_refusal(request: HttpRequest, exc: ApplicationError) -> None:
    """Why a checkout did not start: a new price to check is news, anything else an error."""
    if exc.code == "price_changed":
        messages.info(request, exc.message)
    else:
        messages.error(request, exc.message)


def see_other(url: str) -> HttpResponse:
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def redirect_back(request: HttpRequest, fallback: str) -> HttpResponse:
    """303 to the `next` field if it is one of our own URLs, else to `fallback`."""
    return see_other(safe_next(request) or fallback)
