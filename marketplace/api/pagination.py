"""Cursor pagination for every API list: a cursor this API did not hand out is a 400, not a 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response

from marketplace.core.errors import ApplicationError


class CursorPage(CursorPagination):
    def __init__(
        self, *, ordering: tuple[str, ...], page_size: int, max_page_size: int | None = None
    ) -> None:
        self.ordering = ordering
        self.page_size = page_size
        if max_page_size is not None:
            self.page_size_query_param = "page_size"
            self.max_page_size = max_page_size

    def decode_cursor(self, request: Request) -> Any:
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise ApplicationError(
                "invalid_cursor",
                _("The page cursor is not valid; start again from the first page."),
                fields={"cursor": [_("Not a cursor returned by this API.")]},
            ) from None


def cursor_page_response(
    request: Request,
    rows: QuerySet[Any],
    render: Callable[[list[Any]], Any],
    *,
    ordering: tuple[str, ...],
    page_size: int,
    max_page_size: int | None = None,
) -> Response:
    """The page of `rows` in `ordering` that the request's cursor points at, as
    `{"next": url, "previous": url, "results": render(rows of the page)}`.

    `ordering` must end in a unique column. With `max_page_size`, `?page_size=` asks for 1 up to
    that many rows instead of `page_size`."""
    paginator = CursorPage(ordering=ordering, page_size=page_size, max_page_size=max_page_size)
    page = paginator.paginate_queryset(rows, request) or []
    return paginator.get_paginated_response(render(page))
