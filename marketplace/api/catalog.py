"""REST interface for the public catalog: browse, suggest, one listing, and its prompt text."""

from __future__ import annotations

from typing import Any

import orjson
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.api.openapi import errors
from marketplace.api.schema import CatalogPageOutput, ListingDetailOutput
from marketplace.core.errors import ApplicationError
from marketplace.core.money import CURRENCIES
from payments.selectors import prompt_access_allowed
from prompts import selectors
from prompts.catalog_query import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    bad_param,
    boolean_param,
    parse_catalog_query,
)
from prompts.discovery import views_record
from prompts.models import Category, Language, TargetModel
from prompts.search.suggest import suggest


def _json(payload: Any, status_code: int = 200) -> HttpResponse:
    return HttpResponse(orjson.dumps(payload), content_type="application/json", status=status_code)


# --- Public catalog ------------------------------------------------------------------------------

CATALOG_PARAMETERS = [
    OpenApiParameter("q", str, description="Words to find in title, description, tags and model."),
    OpenApiParameter("model", str, enum=TargetModel.values),
    OpenApiParameter("category", str, enum=Category.values),
    OpenApiParameter("tag", str),
    OpenApiParameter("language", str, enum=Language.values),
    OpenApiParameter("currency", str, enum=list(CURRENCIES)),
    OpenApiParameter("min_price", int, description="Minor units; needs `currency`."),
    OpenApiParameter("max_price", int, description="Minor units; needs `currency`."),
    OpenApiParameter("free", bool),
    OpenApiParameter("trials", bool, description="true: only listings a buyer can try before buying."),
    OpenApiParameter("seller", str, description="Seller handle."),
    OpenApiParameter(
        "sort",
        str,
        enum=list(selectors.SORTS),
        description="Default: relevance with q, else newest. `price` orders currencies by real value.",
    ),
    OpenApiParameter("cursor", str, description="`next_cursor` or `previous_cursor` of a page."),
    OpenApiParameter(
        "correct",
        bool,
        description="Default true: a query that finds fewer than 3 listings is retried with its "
        "misspelt words corrected (`corrected_query`). false searches the words as typed.",
    ),
    OpenApiParameter("page_size", int, description=f"1-{MAX_PAGE_SIZE}, default {DEFAULT_PAGE_SIZE}."),
    OpenApiParameter("facets", bool, description="Add counts per model, category, language, currency, free."),
]


CATALOG_PAGE = CatalogPageOutput


def _page_url(request: Request, cursor: str | None) -> str | None:
    if not cursor:
        return None
    query = request.query_params.copy()
    query["cursor"] = cursor
    return f"{request.path}?{query.urlencode()}"


def catalog_page_body(request: Request, params: Any) -> tuple[selectors.CatalogFilters, dict[str, Any]]:
    """One catalog page as a response body (cards, cursors and links both ways, the count, the
    typo correction), for `params`. The filters returned are those the page was found with."""
    filters, sort, cursor, page_size = parse_catalog_query(params)
    found = selectors.catalog_search(
        filters=filters,
        sort=sort,
        cursor=cursor,
        page_size=page_size,
        correct=boolean_param(params, "correct") is not False,
    )
    page = found.page
    body = {
        "results": [orjson.Fragment(card) for card in page.cards],
        "count": found.count,
        "count_is_exact": found.count_is_exact,
        "corrected_query": found.corrected_query,
        # The words as sent only beside a correction: a search never echoes what nobody needs.
        "original_query": found.query if found.corrected_query else None,
        "next_cursor": page.next_cursor,
        "next": _page_url(request, page.next_cursor),
        "previous_cursor": page.previous_cursor,
        "previous": _page_url(request, page.previous_cursor),
        "fewer_words": [
            {"q": shorter.q, "count": shorter.count, "count_is_exact": shorter.count_is_exact}
            for shorter in (selectors.fewer_words(filters=found.filters) if not found.count else ())
        ],
    }
    return found.filters, body


class CatalogListApi(APIView):
    """Published listings. Never includes prompt text."""

    authentication_classes = ()
    permission_classes = (AllowAny,)

    @extend_schema(
        parameters=CATALOG_PARAMETERS,
        responses=CATALOG_PAGE,
        summary="Browse the catalog",
        operation_id="catalog_list",
    )
    def get(self, request: Request) -> HttpResponse:
        filters, body = catalog_page_body(request, request.query_params)
        if boolean_param(request.query_params, "facets"):
            body["facets"] = selectors.catalog_facets(filters=filters)
        return _json(body)


class SuggestApi(APIView):
    authentication_classes = ()
    permission_classes = (AllowAny,)

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, required=True, description="What the person has typed so far.")
        ],
        responses=inline_serializer(
            "Suggestions", {"suggestions": serializers.ListField(child=serializers.CharField())}
        ),
        summary="Autocomplete from tags, titles and words in titles",
    )
    def get(self, request: Request) -> HttpResponse:
        prefix = request.query_params.get("q", "")
        if "\x00" in prefix or len(prefix) > 60:
            raise bad_param("q", _("Type at most 60 characters."))
        return _json({"suggestions": suggest(prefix)})


class CatalogDetailApi(APIView):
    authentication_classes = ()
    permission_classes = (AllowAny,)

    @extend_schema(
        responses=ListingDetailOutput,
        summary="One published listing (no prompt text)",
        operation_id="catalog_detail",
    )
    def get(self, request: Request, public_id: str) -> HttpResponse:
        document = selectors.listing_public_detail_json(public_id=public_id)
        views_record(public_id=public_id)  # Redis (in-process without it), never the database
        return HttpResponse(document, content_type="application/json")


class PromptApi(APIView):
    permission_classes = (AllowAny,)

    @extend_schema(
        responses={
            200: inline_serializer(
                "PromptOutput",
                {
                    "listing": serializers.CharField(),
                    "version": serializers.IntegerField(),
                    "text": serializers.CharField(),
                    "usage_notes": serializers.CharField(),
                    "variables": serializers.ListField(child=serializers.CharField()),
                    "updated_at": serializers.DateTimeField(),
                },
            ),
            **errors(403),
        },
        summary="The prompt text, for its seller, staff and buyers who unlocked it",
    )
    def get(self, request: Request, public_id: str) -> Response:
        listing = selectors.listing_get_visible(public_id=public_id, user=request.user)
        if not prompt_access_allowed(user=request.user, listing=listing):
            raise ApplicationError(
                "not_unlocked",
                _("Unlock this listing to read its prompt."),
                status_code=status.HTTP_403_FORBIDDEN,
            )
        version = listing.versions.order_by("-number").first()
        assert version is not None
        return Response(
            {
                "listing": listing.public_id,
                "version": version.number,
                "text": version.text,
                "usage_notes": version.usage_notes,
                "variables": version.variables,
                "updated_at": version.created_at,
            }
        )
