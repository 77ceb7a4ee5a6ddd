"""robots.txt and sitemap.xml: what search engines may crawl, and where the public pages are."""

from __future__ import annotations

from django.contrib.sitemaps import views as sitemap_views
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_page
from django.views.decorators.http import require_safe

from marketplace.storefront.sitemaps import SITEMAPS

# Pages that are private, per visitor, or forms: nothing for an index. The admin's address is not
# listed (robots.txt is public; naming it would advertise it).
PRIVATE_PREFIXES = (
    "/account/",
    "/accounts/",
    "/dashboard/",
    "/library/",
    "/favourites/",
    "/bookings/",
    "/orders/",
    "/payments/",
    "/api/",
    "/language/",
)
SITEMAP_CACHE_SECONDS = 3600


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = ["User-agent: *", *(f"Disallow: {prefix}" for prefix in PRIVATE_PREFIXES)]
    lines.append(f"Sitemap: {request.build_absolute_uri(reverse('web:sitemap'))}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_safe
@cache_page(SITEMAP_CACHE_SECONDS)
def sitemap_index(request: HttpRequest) -> HttpResponse:
    """The index: one sitemap per section and page, so a large catalog splits into several files."""
    return sitemap_views.index(request, SITEMAPS, sitemap_url_name="web:sitemap-section")


@require_safe
@cache_page(SITEMAP_CACHE_SECONDS)
def sitemap_section(request: HttpRequest, section: str) -> HttpResponse:
    return sitemap_views.sitemap(request, SITEMAPS, section=section)


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on pages without an icon link (robots.txt, images, feeds)."""
    return HttpResponsePermanentRedirect(static("storefront/favicon.svg"))
