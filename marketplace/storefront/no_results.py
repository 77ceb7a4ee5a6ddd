"""What the browse page offers when nothing matches: each active filter with a link that drops it,
the search less one of its words where that finds something, searches that find something (the
autocomplete vocabulary's commonest words) and the categories."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.cache import cache
from django.http import QueryDict
from django.utils.http import urlencode
from django.utils.translation import get_language, gettext

from marketplace.storefront import labels
from prompts import selectors
from prompts.search.suggest import popular_terms
from prompts.search.tokens import HAN
from prompts.selectors import CatalogFilters

POPULAR_SHOWN = 8
POPULAR_CACHE_SECONDS = 600  # the vocabulary's weights are recounted daily
_HAN_RUN = re.compile(rf"[{HAN}]{{4,}}")
_PAGING = ("cursor", "page", "back")


@dataclass(frozen=True)
class Link:
    text: str
    href: str


def _filter_text(key: str, value: str, currency: str) -> str:
    """The filter as the visitor chose it: "Wallpaper", "Free only", "Price from 9.90 CNY"."""
    amount = f"{value} {currency}".strip()
    texts = {
        "category": lambda: str(labels.CATEGORIES.get(value, value)),
        "model": lambda: str(labels.MODELS.get(value, value)),
        "language": lambda: str(labels.LANGUAGES.get(value, value)),
        "free": lambda: gettext("Free only"),
        "trials": lambda: gettext("Can be tried before buying"),
        "price_min": lambda: gettext("Price from %(amount)s") % {"amount": amount},
        "price_max": lambda: gettext("Price up to %(amount)s") % {"amount": amount},
        "tag": lambda: f"#{value}",
        "seller": lambda: f"@{value}",
    }
    return texts[key]()


REMOVABLE = ("category", "model", "language", "free", "trials", "price_min", "price_max", "tag", "seller")


def _href(params: QueryDict, *dropped: str, **changed: str) -> str:
    """This URL's query less `dropped` and paging (a changed search starts on page 1), with `changed`."""
    kept = {k: str(v) for k, v in params.items() if v and k not in (*_PAGING, *dropped)}
    return "?" + urlencode(sorted((kept | changed).items()))


def removable_filters(params: QueryDict) -> list[Link]:
    """Each filter in the URL, with the same URL less that filter (and back on page 1)."""
    currency = params.get("display_currency", "").strip()
    links = []
    for key in REMOVABLE:
        value = params.get(key, "").strip()
        if not value:
            continue
        links.append(Link(_filter_text(key, value, currency), _href(params, key)))
    return links


def fewer_words(params: QueryDict, filters: CatalogFilters | None) -> list[Link]:
    """selectors.fewer_words as links with counts ("crane (1)"), keeping the other filters."""
    if filters is None:
        return []
    return [
        Link(
            f"{found.q} ({found.count:,}{'' if found.count_is_exact else '+'})",
            _href(params, "correct", q=found.q),
        )
        for found in selectors.fewer_words(filters=filters)
    ]


def popular_searches(query: str) -> list[Link]:
    """Common words of the catalog as searches, those in the visitor's script first."""
    terms: list[str] = cache.get_or_set("web:popular-terms", popular_terms, POPULAR_CACHE_SECONDS) or []
    chinese = (get_language() or "").startswith("zh")
    ordered = sorted(terms, key=lambda term: bool(re.search(f"[{HAN}]", term)) != chinese)
    shown = [term for term in ordered if term.casefold() != query.casefold()][:POPULAR_SHOWN]
    return [Link(term, "?" + urlencode({"q": term})) for term in shown]


def query_too_long(query: str) -> bool:
    """Every word of a search must match: three or more words, or a long run of Chinese characters,
    is worth shortening; one or two short words are not."""
    return len(query.split()) >= 3 or bool(_HAN_RUN.search(query))
