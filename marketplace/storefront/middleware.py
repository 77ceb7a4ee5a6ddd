"""Response headers and per-visitor settings for the website."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.messages.middleware import MessageMiddleware as DjangoMessageMiddleware
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from marketplace.core.timezones import zone as known_zone

# Buy and payout onboarding are form posts that end in a redirect to Stripe; browsers apply
# form-action to that redirect too, so Stripe's hosts must be listed.
STRIPE_FORM_TARGETS = "https://checkout.stripe.com https://connect.stripe.com"
TIMEZONE_COOKIE = "tz"


@cache
def _policy(admin: bool) -> str:
    media = settings.MEDIA_URL
    media_origin = ""
    if media.startswith(("http://", "https://")):
        parts = urlsplit(media)
        media_origin = f" {parts.scheme}://{parts.netloc}"
    # The admin writes a few style attributes of its own; our pages write none.
    styles = "'self' 'unsafe-inline'" if admin else "'self'"
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            f"style-src {styles}",
            f"img-src 'self' data: blob:{media_origin}",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            f"form-action 'self' {STRIPE_FORM_TARGETS}",
        ]
    )


class ContentSecurityPolicyMiddleware:
    """A strict CSP on every response: scripts and styles only from our own static files."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.DEBUG and response.status_code in (404, 500):
            # With DEBUG, 404 and 500 answers are Django's technical pages, which style themselves inline.
            return response
        response.headers.setdefault(
            "Content-Security-Policy", _policy(request.path.startswith("/" + settings.ADMIN_URL))
        )
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


def visitor_zone_name(request: HttpRequest) -> str:
    """The visitor's IANA zone: the browser's (a cookie set by site.js), else a guess from the language."""
    name = unquote(request.COOKIES.get(TIMEZONE_COOKIE, ""))  # site.js writes "America%2FNew_York"
    if known_zone(name) is not None:
        return name
    return "Asia/Shanghai" if translation.get_language() == "zh-hans" else "UTC"


class VisitorTimezoneMiddleware:
    """Dates on pages are shown in the visitor's own time zone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = visitor_zone_name(request)
        zone = known_zone(name)
        request.visitor_timezone = name  # type: ignore[attr-defined]
        if zone is not None:
            timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


LANGUAGE_PARAMETER = "lang"


class LanguageQueryMiddleware:
    """`?lang=zh-hans` or `?lang=en` shows the page in that language: the address that each page's
    hreflang links name, so search engines can index both. The choice is kept in the language
    cookie, as the footer's switcher keeps it, so the visitor's next page stays in that language.
    Runs after LocaleMiddleware; an unknown value is ignored (the usual negotiation stands)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        wanted = request.GET.get(LANGUAGE_PARAMETER, "").lower()
        if wanted not in dict(settings.LANGUAGES):
            return self.get_response(request)
        translation.activate(wanted)
        request.LANGUAGE_CODE = wanted
        response = self.get_response(request)
        if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != wanted:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                wanted,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            )
        return response


class MessageMiddleware(DjangoMessageMiddleware):
    """Django's, except that a HEAD request never consumes a flash message ("Your profile is
    saved."): its body is never shown, so a link checker or a preview fetch sent with the visitor's
    cookie between the redirect and the page must leave the message for the page."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        storage = getattr(request, "_messages", None)
        if request.method == "HEAD" and storage is not None:
            storage.used = False
        return super().process_response(request, response)
