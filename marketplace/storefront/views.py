"""The server-rendered website. For now: the catalog's front page and a listing page."""

from __future__ import annotations

import orjson
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from marketplace.core.errors import ApplicationError, NotFound
from prompts import selectors
from prompts.api import parse_catalog_query


def home(request: HttpRequest) -> HttpResponse:
    try:
        filters, sort, cursor, page_size = parse_catalog_query(request.GET)
        cards, next_cursor = selectors.catalog_page(
            filters=filters, sort=sort, cursor=cursor, page_size=page_size
        )
        error = ""
    except ApplicationError as exc:
        cards, next_cursor, error = [], None, exc.message
    context = {
        "cards": [orjson.loads(card) for card in cards],
        "next_cursor": next_cursor,
        "query": request.GET.get("q", ""),
        "error": error,
    }
    return render(request, "storefront/home.html", context, status=400 if error else 200)


def listing_page(request: HttpRequest, public_id: str) -> HttpResponse:
    try:
        listing = orjson.loads(selectors.listing_public_detail_json(public_id=public_id))
    except NotFound:
        raise Http404("No published listing has this id.") from None
    return render(request, "storefront/listing.html", {"listing": listing})
