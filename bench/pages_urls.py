"""The product's URLs plus a constant page: the baseline of bench/pages.py.

The constant page renders a template that extends the site's base layout (header, footer,
language switcher, CSRF token) with no data, through the same middleware as every page.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from marketplace import urls as product


def constant_page(request: HttpRequest) -> HttpResponse:
    return render(request, "storefront/complaints.html")


urlpatterns = [path("bench/constant-page/", constant_page), *product.urlpatterns]

handler400 = product.handler400
handler403 = product.handler403
handler404 = product.handler404
handler500 = product.handler500
