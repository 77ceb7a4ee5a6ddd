"""Numbered back-and-forward links over the catalog's keyset cursors, and the result count's text.

The catalog pages by cursor (never OFFSET), so a page cannot be reached by its number alone. The
links carry what is needed to go back: `page` (this page's number) and `back`, the cursors of the
few pages just before it. Page 1 needs no cursor and is always linked, so the pager shows
1 … n-4 … n-1, n, Next, with URLs of bounded length however deep the visitor goes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.http import QueryDict
from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext

from prompts import selectors

PAGES_REMEMBERED = 4  # cursors of the pages before this one that the links carry
MAX_PAGE = 100_000
COUNT_CACHE_SECONDS = 60


@dataclass(frozen=True)
class PageLink:
    number: int
    href: str
    current: bool = False


def _href(params: QueryDict, cursor: str, page: int, back: list[str]) -> str:
    query: dict[str, str] = {
        k: str(v) for k, v in params.items() if k not in ("cursor", "page", "back") and v
    }
    if page > 1:
        query |= {"cursor": cursor, "page": str(page)}
        if back:
            query["back"] = ",".join(back)
    return "?" + urlencode(sorted(query.items()))


def _position(params: QueryDict) -> tuple[int, list[str]]:
    """This page's number and the cursors of the pages before it (oldest first), made consistent."""
    if not params.get("cursor"):
        return 1, []
    back = [c for c in params.get("back", "").split(",") if c][-PAGES_REMEMBERED:]
    try:
        page = int(params.get("page", ""))
    except ValueError:
        page = 0
    # A hand-edited number cannot claim fewer pages than the cursors it carries, or page 1.
    return max(page, len(back) + 2) if page <= MAX_PAGE else len(back) + 2, back


def pager(params: QueryDict, next_cursor: str | None) -> dict[str, Any]:
    number, back = _position(params)
    cursor = params.get("cursor", "")
    links = [PageLink(1, _href(params, "", 1, []))] if number > 1 else []
    first_remembered = number - len(back)
    for index, page_cursor in enumerate(back):
        page = first_remembered + index
        links.append(PageLink(page, _href(params, page_cursor, page, back[:index])))
    links.append(PageLink(number, "", current=True))
    forward = [*back, cursor][-PAGES_REMEMBERED:] if number > 1 else []
    return {
        "number": number,
        "links": links,
        "gap": number > 1 and first_remembered > 2,
        "previous": links[-2].href if len(links) > 1 else "",
        "next": _href(params, next_cursor, number + 1, forward) if next_cursor else "",
    }


def catalog_facets(filters: selectors.CatalogFilters) -> dict[str, Any]:
    """Facet counts, exact up to the facet sample (2,000 rows), then "capped".

    Counted over at most that many rows, never the whole catalog, and kept a minute per filter
    set, so paging through results or reloading costs no count at all.
    """
    key = "web:facets:" + hashlib.sha256(repr(filters).encode()).hexdigest()[:32]
    facets: dict[str, Any] | None = cache.get(key)
    if facets is None:
        facets = selectors.catalog_facets(filters=filters)
        cache.set(key, facets, COUNT_CACHE_SECONDS)
    return facets


def count_text(count: int, exact: bool) -> str:
    """ "1,234 results" (共 1,234 个结果), or "10,000+ results" past the bound."""
    shown = f"{count:,}"  # both languages group digits by three with commas
    if not exact:
        return gettext("%(count)s+ results") % {"count": shown}
    return ngettext("%(count)s result", "%(count)s results", count) % {"count": shown}
