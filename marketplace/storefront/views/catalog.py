"""Home, browse and search, listing pages and seller profiles."""

from __future__ import annotations

from typing import Any

import orjson
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from marketplace.core.errors import ApplicationError, NotFound
from marketplace.core.money import CURRENCIES
from marketplace.storefront import labels, no_results, paging
from marketplace.storefront.pricing import remember_currency, visitor_currency
from marketplace.storefront.views.bundles import bundle_cards
from marketplace.storefront.views.common import cards
from marketplace.storefront.views.trials import trial_preview_state, trial_state
from marketplace.tutoring import selectors as tutoring_selectors
from payments.selectors import listing_access, unlock_licence
from payments.services.pricing import licence_prices, licence_upgradable
from prompts import bundles as bundle_selectors
from prompts import discovery, selectors
from prompts.catalog_query import parse_catalog_query
from prompts.documents import rating_json
from prompts.models import Favourite, Listing, PromptVersion

HOME_SHELF = 10
REVIEWS_SHOWN = 10
RELATED_SHOWN = 6
SELLER_OFFERS_SHOWN = 10
BUNDLES_SHOWN = 6
# Related listings and seller stats change slowly and cost most of a listing page's time (a scored
# query over the catalog, an aggregate over the seller's listings): pages reuse them for a while.
RELATED_CACHE_SECONDS = 300
SELLER_CACHE_SECONDS = 60
FILTER_KEYS = ("currency", "min_price", "max_price", *no_results.REMOVABLE)  # with the API's price filters


def _shelf(**filters: Any) -> list[dict[str, Any]]:
    sort = filters.pop("sort", "newest")
    documents, _ = selectors.catalog_page(
        filters=selectors.CatalogFilters(**filters), sort=sort, cursor=None, page_size=HOME_SHELF
    )
    return cards(documents)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """Trending, newest, free and trial listings: four queries of stored card documents."""
    context = {
        "trending": _shelf(sort="popular"),
        "newest": _shelf(sort="newest"),
        "free": _shelf(free=True, sort="popular"),
        "trials": _shelf(trials=True, sort="popular"),
        "categories": labels.CATEGORIES,
        "models": labels.MODELS,
    }
    return render(request, "storefront/home.html", context)


@require_safe
def browse(request: HttpRequest) -> HttpResponse:
    """Browse and search with the API's filters and sorts; the URL is the whole state (shareable)."""
    params = request.GET.copy()
    params.setdefault("page_size", "24")
    error = ""
    results: list[dict[str, Any]] = []
    found = None
    facets: dict[str, Any] = {}
    try:
        filters, sort, cursor, page_size = parse_catalog_query(
            params, visitor_currency=visitor_currency(request)
        )
        found = selectors.catalog_search(
            filters=filters,
            sort=sort,
            cursor=cursor,
            page_size=page_size,
            correct=params.get("correct") != "false",
        )
        results = cards(found.page.cards)
        if filters.q:  # per-option counts only for a search: without words they describe a sample
            facets = paging.catalog_facets(found.filters)
    except ApplicationError as exc:
        error, sort = exc.message, "newest"
    query = request.GET.get("q", "").strip()
    context: dict[str, Any] = {
        "results": results,
        "pager": paging.pager(request.GET, found.page.next_cursor) if found else None,
        "count": paging.count_text(found.count, found.count_is_exact) if found else "",
        "corrected_query": found.corrected_query if found else None,
        "facets": facets,
        "filters_on": sum(1 for key in FILTER_KEYS if request.GET.get(key)),
        "error": error,
        "query": query,
        "sort": sort,
        "sorts": {k: v for k, v in labels.SORTS.items() if k != "relevance" or request.GET.get("q")},
        "categories": labels.CATEGORIES,
        "models": labels.MODELS,
        "languages": labels.LANGUAGES,
        "display_currencies": tuple(CURRENCIES),
        "selected": request.GET,
    }
    if not results:
        searched = found.filters if found is not None and not found.count else None  # not past the last page
        context |= {
            "removable_filters": no_results.removable_filters(request.GET),
            "fewer_words": no_results.fewer_words(request.GET, searched),
            "popular_searches": no_results.popular_searches(query),
            "shorter_query": no_results.query_too_long(query),
        }
    response = render(request, "storefront/browse.html", context, status=400 if error else 200)
    remember_currency(request, response)
    return response


def _buyer_state(request: HttpRequest, listing: Listing) -> dict[str, Any]:
    """What this visitor may see and do on the listing: three small queries when signed in."""
    user = request.user
    if not user.is_authenticated:
        return {"can_read": False, "owned": False, "favourite": False, "versions": [], "own": False}
    can_read, owned = listing_access(user=user, listing=listing)
    versions = list(PromptVersion.objects.filter(listing=listing).order_by("-number")) if can_read else []
    licence = unlock_licence(user=user, listing=listing) if owned else ""
    return {
        "can_read": can_read,
        "own": listing.seller_id == user.pk,
        "owned": owned,
        "licence": licence,
        "can_upgrade": bool(licence) and licence_upgradable(listing=listing, held=licence),
        "favourite": Favourite.objects.filter(buyer=user, listing=listing).exists(),
        "versions": versions,
    }


@require_safe
def listing_page(request: HttpRequest, public_id: str) -> HttpResponse:
    try:
        document = orjson.loads(selectors.listing_public_detail_json(public_id=public_id))
    except NotFound:
        raise Http404("No published listing has this id.") from None
    listing = Listing.objects.only(
        "pk", "seller_id", "public_id", "status", "target_model", "trial_runs", "variables", "price_amount"
    ).get(public_id=public_id)
    if request.method == "GET":  # uptime checks' HEADs are nobody looking at the listing
        discovery.views_record(public_id=public_id)
    return render_listing_page(request, document, listing)


def _related(public_id: str) -> list[str]:
    try:
        return discovery.related_listings(public_id=public_id, limit=RELATED_SHOWN)
    except NotFound:
        return []  # a draft (in its preview) has no related listings yet


def render_listing_page(
    request: HttpRequest, document: dict[str, Any], listing: Listing, *, preview: bool = False
) -> HttpResponse:
    """The listing page from its public document. The seller studio's draft preview renders it
    too (``preview``): with a banner, and what any buyer sees rather than the seller's own view."""
    handle = document["seller"]["handle"]
    try:
        seller = cache.get_or_set(
            f"web:seller:{handle.lower()}",
            lambda: discovery.seller_rating(handle=handle),
            SELLER_CACHE_SECONDS,
        )
    except NotFound:
        if not preview:
            raise
        # A seller's first draft: no public profile yet, so the preview shows an empty one.
        seller = {**document["seller"], "rating": rating_json(0, 0), "listing_count": 0, "sales_count": 0}
    reviews = list(discovery.reviews_for_listing(listing=listing)[:REVIEWS_SHOWN])
    public_id = document["id"]
    if preview:
        related = cards(_related(public_id))
    else:
        related = cards(
            cache.get_or_set(f"web:related:{public_id}", lambda: _related(public_id), RELATED_CACHE_SECONDS)
            or []
        )
    state = _buyer_state(request, listing)
    if preview:
        state.update(can_read=False, owned=False, favourite=False, versions=[], licence="")
        state.update(trial_preview_state(listing))
    else:
        state.update(trial_state(request, listing, can_read=state["can_read"]))
    context = {
        "listing": document,
        "seller": seller,
        "reviews": reviews,
        "related": related,
        "bundles": []
        if preview
        else bundle_cards(bundle_selectors.bundle_list_public(listing_id=listing.pk)[:BUNDLES_SHOWN]),
        "preview": preview,
        # What checkout sells, so the page names no licence that cannot be bought.
        "licences": [
            {"licence": name, "amount": amount, "held": name == state.get("licence")}
            for name, amount in licence_prices(listing).items()
        ],
        **state,
    }
    return render(request, "storefront/listing.html", context)


@require_safe
def seller_page(request: HttpRequest, handle: str) -> HttpResponse:
    try:
        seller = discovery.seller_rating(handle=handle)
    except NotFound:
        raise Http404("No seller has this handle.") from None
    documents, next_cursor = selectors.catalog_page(
        filters=selectors.CatalogFilters(seller=seller["handle"]),
        sort="popular",
        cursor=None,
        page_size=24,
    )
    offers = list(tutoring_selectors.offers_public_for_seller(handle=seller["handle"])[:SELLER_OFFERS_SHOWN])
    bundles = bundle_selectors.bundle_list_public(seller_handle=seller["handle"])[:BUNDLES_SHOWN]
    context = {
        "seller": seller,
        "results": cards(documents),
        "next_cursor": next_cursor,
        "offers": offers,
        "bundles": bundle_cards(bundles),
    }
    return render(request, "storefront/seller.html", context)
