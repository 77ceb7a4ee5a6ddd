"""Cursor pagination for every API list: a cursor this API did not hand out is a 400, not a 404."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request

from marketplace.core.errors import ApplicationError


class CursorPage(CursorPagination):
    def decode_cursor(self, request: Request) -> Any:
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise ApplicationError(
                "invalid_cursor",
                _("The page cursor is not valid; start again from the first page."),
                fields={"cursor": [_("Not a cursor returned by this API.")]},
            ) from None
