"""sitemap.xml: every published listing and every seller with one, for search engines.

Rows are read as plain values (no model instances): a large catalog is split into pages of
`limit` addresses, each one indexed range of listings.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from prompts.models import Listing


class ListingSitemap(Sitemap):
    changefreq = "weekly"
    limit = 10_000

    def items(self) -> Any:
        return Listing.objects.published().order_by("pk").values("public_id", "updated_at")

    def location(self, item: dict[str, Any]) -> str:
        return reverse("web:listing-page", args=[item["public_id"]])

    def lastmod(self, item: dict[str, Any]) -> datetime:
        return item["updated_at"]


class SellerSitemap(Sitemap):
    changefreq = "weekly"
    limit = 10_000

    def items(self) -> Any:
        return (
            Listing.objects.published()
            .values("seller__handle")
            .annotate(lastmod=Max("updated_at"))
            .order_by("seller__handle")
        )

    def location(self, item: dict[str, Any]) -> str:
        return reverse("web:seller-page", args=[item["seller__handle"]])

    def lastmod(self, item: dict[str, Any]) -> datetime:
        return item["lastmod"]


SITEMAPS: dict[str, type[Sitemap[Any]] | Sitemap[Any]] = {
    "listings": ListingSitemap,
    "sellers": SellerSitemap,
}
