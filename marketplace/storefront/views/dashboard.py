"""Website: dashboard pages (being built; see marketplace/storefront/urls.py for the routes)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


def _not_yet(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404("This page is not built yet.")


dashboard = _not_yet
payouts_onboarding = _not_yet
