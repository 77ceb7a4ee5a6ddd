"""Reads with visibility rules. Query counts stay constant whatever the page size."""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass, replace
from datetime import UTC
from typing import Any

import orjson
from django.core.cache import cache
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext

from marketplace.accounts.models import User
from marketplace.core.dates import instant_or_none
from marketplace.core.errors import ApplicationError, NotFound
from prompts import catalog_sql
from prompts.models import (
    FlagStatus,
    Listing,
    ListingFlag,
    ListingImage,
    ListingStatus,
    PromptVersion,
    Tag,
)
from prompts.search import facets, spelling
from prompts.search import query as search

# sort name -> (field, descending)
SORTS: dict[str, tuple[str, bool]] = {
    "relevance": ("score", True),  # only with a query, and then the default
    "newest": ("published_at", True),
    # By real value across currencies: US cents at current exchange rates (prompts.pricing).
    "price": ("price_reference", False),
    "-price": ("price_reference", True),
    "popular": ("trending_score", True),
}
RELEVANCE_TAIL = "relevance-trending"  # a relevance cursor past the ranked candidates: trending order
BACK = "<"  # a cursor whose sort starts with this asks for the page before its (sort value, id)
TYPO_RETRY_BELOW = 3  # a query with fewer matches is retried with its misspelt words corrected
COUNT_CACHE_SECONDS = 60  # a count is reused this long: paging through results costs no count
FEWER_WORDS_MAX = 6  # a longer search that finds nothing is better shortened than tried word by word


@dataclass(frozen=True)
class CatalogFilters:
    q: str = ""
    model: str = ""
    category: str = ""
    tag: str = ""
    language: str = ""
    currency: str = ""
    min_price: int | None = None
    max_price: int | None = None
    free: bool | None = None
    trials: bool | None = None  # True: only listings that offer trial runs
    seller: str = ""
    # Bounds on the reference price (US cents), whatever each listing's currency.
    min_reference: int | None = None
    max_reference: int | None = None


def _filtered(filters: CatalogFilters) -> QuerySet[Listing]:
    qs = Listing.objects.published()
    if filters.model:
        qs = qs.filter(target_model=filters.model)
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.language:
        qs = qs.filter(language=filters.language)
    if filters.currency:
        qs = qs.filter(price_currency=filters.currency)
    if filters.min_price is not None:
        qs = qs.filter(price_amount__gte=filters.min_price)
    if filters.max_price is not None:
        qs = qs.filter(price_amount__lte=filters.max_price)
    if filters.min_reference is not None:
        qs = qs.filter(price_reference__gte=filters.min_reference)
    if filters.max_reference is not None:
        qs = qs.filter(price_reference__lte=filters.max_reference)
    if filters.free is True:
        qs = qs.filter(price_amount=0)
    elif filters.free is False:
        qs = qs.filter(price_amount__gt=0)
    if filters.trials is True:
        qs = qs.filter(trial_runs__gt=0)
    elif filters.trials is False:
        qs = qs.filter(trial_runs=0)
    if filters.seller:
        qs = qs.filter(seller__handle__iexact=filters.seller)
    if filters.tag:
        qs = qs.filter(
            Exists(Tag.listings.through.objects.filter(listing_id=OuterRef("pk"), tag__slug=filters.tag))
        )
    return qs


def encode_cursor(sort: str, value: Any, pk: int) -> str:
    if hasattr(value, "isoformat"):
        value = value.isoformat()
    return base64.urlsafe_b64encode(orjson.dumps([sort, value, pk])).decode().rstrip("=")


def _invalid_cursor() -> ApplicationError:
    return ApplicationError(
        "invalid_cursor",
        gettext("The page cursor is not valid; start again from the first page."),
        fields={"cursor": [gettext("Not a cursor returned by this API for this sort.")]},
    )


def _cursor_parts(cursor: str) -> list[Any]:
    try:
        parts = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError, binascii.Error, orjson.JSONDecodeError):
        raise _invalid_cursor() from None
    if not isinstance(parts, list) or len(parts) not in (3, 4) or not isinstance(parts[0], str):
        raise _invalid_cursor()
    return parts


def decode_cursor(cursor: str, sort: str) -> tuple[Any, int]:
    """The (sort value, id) a page ended on (or, with BACK + sort, the page after it began on);
    the cursor must come from the same sort."""
    cursor_sort, value, pk = _cursor_parts(cursor)[:3]
    if cursor_sort != sort or not isinstance(pk, int) or isinstance(pk, bool):
        raise _invalid_cursor()
    sort = sort.removeprefix(BACK)
    field = "trending_score" if sort == RELEVANCE_TAIL else SORTS[sort][0]
    if field == "published_at":
        parsed = instant_or_none(value)
        if parsed is None:
            raise _invalid_cursor()
        # SQLite's text form has no offset; stored times are UTC.
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)), pk
    if field == "trending_score":
        # A float; an int such as 0 is one too. The bounds also reject NaN and overflow.
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not -1e300 < value < 1e300:
            raise _invalid_cursor()
        return float(value), pk
    if not isinstance(value, int) or isinstance(value, bool) or not -(2**63) < value < 2**63:
        raise _invalid_cursor()
    return value, pk


@dataclass(frozen=True)
class CatalogPage:
    cards: list[str]  # pre-rendered card JSON
    next_cursor: str | None
    previous_cursor: str | None


@dataclass(frozen=True)
class CatalogResult:
    """A page of a search with its count, and the correction it was made with, if any."""

    page: CatalogPage
    count: int  # exact up to facets.COUNT_BOUND, then that bound
    count_is_exact: bool
    filters: CatalogFilters  # what the page was found with: q is the corrected query when corrected
    query: str  # the query as typed
    corrected_query: str | None  # the query the results are for, when a typo was corrected


def catalog_search(
    *, filters: CatalogFilters, sort: str, cursor: str | None, page_size: int, correct: bool = True
) -> CatalogResult:
    """One page of a catalog search, its bounded count, and a typo correction when the query as
    typed finds fewer than TYPO_RETRY_BELOW listings and the corrected one finds more."""
    original = filters.q
    query = search.parse_query(filters.q)
    count, exact = _match_count(filters, query)
    corrected = None
    if correct and query is not None and count < TYPO_RETRY_BELOW:
        fixed = spelling.correct_query(filters.q)
        fixed_query = search.parse_query(fixed) if fixed else None
        if fixed and fixed_query is not None and fixed_query.terms != query.terms:
            fixed_count, fixed_exact = _match_count(replace(filters, q=fixed), fixed_query)
            if fixed_count > count:
                filters, count, exact, corrected = replace(filters, q=fixed), fixed_count, fixed_exact, fixed
    page = catalog_page_with_previous(filters=filters, sort=sort, cursor=cursor, page_size=page_size)
    return CatalogResult(page, count, exact, filters, query=original, corrected_query=corrected)


@dataclass(frozen=True)
class ShorterSearch:
    q: str
    count: int
    count_is_exact: bool


def fewer_words(*, filters: CatalogFilters) -> list[ShorterSearch]:
    """Every word of a search must match: for a search of 2 to FEWER_WORDS_MAX words (split at
    spaces), the same search less each one word, where that finds something, with its count. The
    other filters stay. Meant for a search that found nothing; a longer one is better shortened."""
    words = filters.q.split()
    if not 2 <= len(words) <= FEWER_WORDS_MAX:
        return []
    found = []
    for shorter in dict.fromkeys(" ".join(words[:index] + words[index + 1 :]) for index in range(len(words))):
        count, exact = catalog_count(filters=replace(filters, q=shorter))
        if count:
            found.append(ShorterSearch(shorter, count, exact))
    return found


def catalog_count(*, filters: CatalogFilters) -> tuple[int, bool]:
    """How many published listings the filters find: (count, exact), as a search page counts them."""
    return _match_count(filters, search.parse_query(filters.q))


def _match_count(filters: CatalogFilters, query: search.SearchQuery | None) -> tuple[int, bool]:
    """facets.match_count, kept COUNT_CACHE_SECONDS per filter set and bound."""
    key = f"search:count:{facets.COUNT_BOUND}:" + hashlib.sha256(repr(filters).encode()).hexdigest()[:32]
    found: tuple[int, bool] | None = cache.get(key)
    if found is None:
        found = facets.match_count(filters=filters, query=query)
        cache.set(key, found, COUNT_CACHE_SECONDS)
    return found[0], found[1]


def catalog_page(
    *, filters: CatalogFilters, sort: str, cursor: str | None, page_size: int
) -> tuple[list[str], str | None]:
    """One page of published cards (pre-rendered JSON) and the cursor of the next page, if any."""
    page = catalog_page_with_previous(filters=filters, sort=sort, cursor=cursor, page_size=page_size)
    return page.cards, page.next_cursor


def catalog_page_with_previous(
    *, filters: CatalogFilters, sort: str, cursor: str | None, page_size: int
) -> CatalogPage:
    """One page of published cards (pre-rendered JSON) with the cursors of the next and the
    previous page, if any.

    Keyset pagination on (sort key, id): every page costs one index range scan, never a COUNT
    or an OFFSET over the catalog. A previous cursor names the page's first row; following it
    reads the page_size rows before that row in the reverse order (the same index, backwards).
    With a text query, prompts.search.query chooses how to find the page; relevance ranks a
    bounded set of candidates, and the other matches follow.
    """
    query = search.parse_query(filters.q)
    if query is not None and sort == "relevance":
        return _relevance_page(filters, query, cursor, page_size)
    if sort == "relevance":
        sort = "newest"
    field, descending = SORTS[sort]
    backward = bool(cursor) and _cursor_parts(cursor or "")[0] == BACK + sort
    after = decode_cursor(cursor, BACK + sort if backward else sort) if cursor else None
    order = search.Order(field, descending != backward)
    rows: list[tuple[Any, ...]]
    if query is not None:
        rows = search.keyset_rows(filters=filters, query=query, order=order, after=after, limit=page_size + 1)
    else:
        rows = catalog_sql.page_rows(
            filters=filters, field=field, descending=order.descending, after=after, limit=page_size + 1
        )
    more = len(rows) > page_size
    rows = rows[:page_size]
    if backward:
        rows.reverse()
        next_cursor = encode_cursor(sort, rows[-1][1], rows[-1][0]) if rows else None
        previous = encode_cursor(BACK + sort, rows[0][1], rows[0][0]) if more else None
    else:
        next_cursor = encode_cursor(sort, rows[-1][1], rows[-1][0]) if more else None
        previous = encode_cursor(BACK + sort, rows[0][1], rows[0][0]) if cursor and rows else None
    return CatalogPage([row[2] for row in rows], next_cursor, previous)


def _relevance_page(
    filters: CatalogFilters, query: search.SearchQuery, cursor: str | None, page_size: int
) -> CatalogPage:
    """Relevance scores are not a stable key: the ranked candidates are paged by position, the
    matches after them by (trending score, id) and their position (to find the page before)."""
    offset, after, position = (
        _decode_relevance_cursor(cursor, filters, query, page_size) if cursor else (0, None, 0)
    )
    page = search.relevance_page(filters=filters, query=query, offset=offset, after=after, limit=page_size)
    next_cursor = None
    if page.next_offset is not None:
        next_cursor = encode_cursor("relevance", page.next_offset, 0)
    elif page.next_after is not None:
        next_cursor = _encode_position(encode_cursor(RELEVANCE_TAIL, *page.next_after), position + page_size)
    previous = None
    if position > 0 and after is None:
        previous = encode_cursor("relevance", max(0, offset - page_size), 0)
    elif position > 0 and after is not None:
        previous = _encode_position(encode_cursor(BACK + RELEVANCE_TAIL, *after), position)
    return CatalogPage(page.cards, next_cursor, previous)


def _encode_position(cursor: str, position: int) -> str:
    parts = _cursor_parts(cursor)
    return base64.urlsafe_b64encode(orjson.dumps([*parts, position])).decode().rstrip("=")


def _decode_relevance_cursor(
    cursor: str, filters: CatalogFilters, query: search.SearchQuery, page_size: int
) -> tuple[int, tuple[float, int] | None, int]:
    """(rank among the candidates, None, position) or (0, (trending score, id) past them, position)."""
    parts = _cursor_parts(cursor)
    tag = parts[0]
    position = parts[3] if len(parts) == 4 else 0  # 0: a tail cursor from before positions were kept
    if not isinstance(position, int) or isinstance(position, bool) or not 0 <= position < 2**31:
        raise _invalid_cursor()
    if tag == RELEVANCE_TAIL:
        return 0, decode_cursor(cursor, RELEVANCE_TAIL), position
    if tag == BACK + RELEVANCE_TAIL:
        # The page before a tail page at `position` whose preceding row is `before`.
        before = decode_cursor(cursor, BACK + RELEVANCE_TAIL)
        start = max(0, position - page_size)
        if start < search.RELEVANCE_CANDIDATES:
            return start, None, start
        rows = search.keyset_rows(
            filters=filters,
            query=query,
            order=search.Order("trending_score", False),
            after=before,
            limit=page_size,
            select=("1",),
        )
        if len(rows) < page_size:  # the catalog changed under the cursor: start again
            return 0, None, 0
        return 0, (rows[-1][1], rows[-1][0]), start
    offset = decode_cursor(cursor, "relevance")[0]
    if not 0 <= offset < search.RELEVANCE_CANDIDATES:
        raise _invalid_cursor()
    return offset, None, offset


def catalog_facets(*, filters: CatalogFilters) -> dict[str, Any]:
    return facets.facet_counts(filters=filters, query=search.parse_query(filters.q))


def listing_public_detail_json(*, public_id: str) -> str:
    row = catalog_sql.detail_json(public_id)
    if row is None:
        raise NotFound(gettext("No published listing has this id."))
    return row


def listing_get_visible(*, public_id: str, user: User | Any) -> Listing:
    """A listing the user may see: published ones, plus their own and (for staff) any."""
    listing = Listing.objects.select_related("seller").filter(public_id=public_id).first()
    if listing is None:
        raise NotFound(gettext("No listing has this id."))
    if listing.status == ListingStatus.PUBLISHED:
        return listing
    if getattr(user, "is_authenticated", False) and (user.is_staff or listing.seller_id == user.pk):
        return listing
    raise NotFound(gettext("No listing has this id."))


def _seller_queryset(seller: User) -> QuerySet[Listing]:
    return Listing.objects.filter(seller=seller).prefetch_related(
        "tags",
        Prefetch("images", queryset=ListingImage.objects.order_by("position", "id")),
        Prefetch("versions", queryset=PromptVersion.objects.order_by("-number")),
    )


def listing_list_for_seller(*, seller: User, status: str = "") -> QuerySet[Listing]:
    qs = _seller_queryset(seller)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def listing_get_for_seller(*, seller: User, public_id: str) -> Listing:
    """Another seller's listing is a 404, not a 403: ids do not leak what exists."""
    listing = _seller_queryset(seller).filter(public_id=public_id).first()
    if listing is None:
        raise NotFound(gettext("You have no listing with this id."))
    return listing


def image_get_for_seller(*, seller: User, listing_public_id: str, image_public_id: str) -> ListingImage:
    image = (
        ListingImage.objects.select_related("listing")
        .filter(public_id=image_public_id, listing__public_id=listing_public_id, listing__seller=seller)
        .first()
    )
    if image is None:
        raise NotFound(gettext("You have no image with this id."))
    return image


def current_version(listing: Listing) -> PromptVersion | None:
    """Uses the prefetched versions when present."""
    versions = list(listing.versions.all())
    return max(versions, key=lambda v: v.number) if versions else None


def images_flagged_as_copies(*, listing: Listing) -> set[str]:
    """Public ids of the listing's images that an open near-duplicate flag names.

    A flag is written for both listings of a pair with the same detail: the uploaded image's
    public id and the other image's primary key; whichever belongs to this listing is flagged.
    """
    flags = ListingFlag.objects.filter(listing=listing, reason="duplicate_image", status=FlagStatus.OPEN)
    named_ids, named_pks = set(), set()
    for detail in flags.values_list("detail", flat=True):
        named_ids.add(str(detail.get("image", "")))
        named_pks.add(detail.get("other_image_pk"))
    if not named_ids and not named_pks:  # the usual case: no open flag, no second query
        return set()
    return set(
        ListingImage.objects.filter(listing=listing)
        .filter(Q(public_id__in=named_ids) | Q(pk__in=[pk for pk in named_pks if isinstance(pk, int)]))
        .values_list("public_id", flat=True)
    )
