"""Autocomplete: prefix matches over tags, titles and the words in titles."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

import jieba
from django.db import transaction
from django.db.models.functions import Length

from prompts.models import Listing, SearchTerm
from prompts.search.tokens import has_han, normalize

MAX_TERM = 120
POPULAR_TERM_MAX = 20  # longer terms are phrases from one title, not searches many listings share
_LATIN_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)


def terms_of(title: str, tags: Iterable[str]) -> dict[str, str]:
    """term (normalised) -> display text, for one listing. A Chinese word of the title is shown as
    the title writes it ("T恤"), before a tag of the same word (tags are stored lower-case: "t恤");
    an English word as the tag has it ("wallpaper", not "Wallpaper")."""
    words = [word.strip() for word in (jieba.cut(title) if has_han(title) else _LATIN_WORD.findall(title))]
    words = [word for word in words if len(word) >= 2 and (has_han(word) or len(word) >= 3)]
    found: dict[str, str] = {}
    for word in [word for word in words if has_han(word)]:
        found.setdefault(normalize(word)[:MAX_TERM], word[:MAX_TERM])
    for tag in tags:
        found.setdefault(normalize(tag)[:MAX_TERM], tag)
    found.setdefault(normalize(title)[:MAX_TERM], title[:MAX_TERM])
    for word in words:
        found.setdefault(normalize(word)[:MAX_TERM], word[:MAX_TERM])
    return {term: display for term, display in found.items() if term.strip()}


def record_terms(*, title: str, tags: Iterable[str]) -> None:
    terms = terms_of(title, tags)
    SearchTerm.objects.bulk_create(
        [SearchTerm(term=term, display=display) for term, display in terms.items()], ignore_conflicts=True
    )


def suggest(prefix: str, limit: int = 10) -> list[str]:
    key = normalize(prefix).strip()
    if not key:
        return []
    rows = SearchTerm.objects.filter(term__startswith=key).order_by("-weight", "term")
    return list(rows.values_list("display", flat=True)[:limit])


def popular_terms(limit: int = 40) -> list[str]:
    """The vocabulary's heaviest single words and tags (weight: how many published listings carry
    them), for a search that found nothing. Whole titles, which name one listing, are left out."""
    rows = (
        SearchTerm.objects.exclude(term__contains=" ")
        .annotate(size=Length("term"))
        .filter(size__lte=POPULAR_TERM_MAX)
        .order_by("-weight", "term")
    )
    return list(rows.values_list("display", flat=True)[:limit])


def rebuild_weights(batch: int = 2000) -> int:
    """Weight = how many published listings carry the term. Streams the catalog once."""
    counts: Counter[str] = Counter()
    displays: dict[str, str] = {}
    listings = Listing.objects.published().prefetch_related("tags").only("pk", "title").order_by("pk")
    for listing in listings.iterator(chunk_size=batch):
        terms = terms_of(listing.title, [tag.slug for tag in listing.tags.all()])
        counts.update(terms.keys())
        for term, display in terms.items():
            displays.setdefault(term, display)
    with transaction.atomic():
        SearchTerm.objects.all().delete()
        SearchTerm.objects.bulk_create(
            [SearchTerm(term=term, display=displays[term], weight=n) for term, n in counts.items()],
            batch_size=batch,
        )
    return len(counts)
