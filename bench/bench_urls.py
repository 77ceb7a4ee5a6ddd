"""The product's URLs plus one constant JSON view, the baseline of bench/catalog.py.

The constant view goes through the same server, WSGI handler and middleware stack as the catalog,
so the ratio catalog req/s : constant req/s measures what the catalog itself costs. It comes first
in the list so that URL resolution gives it no handicap: the ratio is, if anything, conservative.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import path

from marketplace import urls as product

CONSTANT_PAYLOAD = {
    "status": "ok",
    "items": [{"id": number, "name": f"item-{number}", "price": 100 * number} for number in range(1, 4)],
}


def constant(request: HttpRequest) -> JsonResponse:
    return JsonResponse(CONSTANT_PAYLOAD)


urlpatterns = [path("bench/constant/", constant, name="bench-constant"), *product.urlpatterns]

handler400 = product.handler400
handler403 = product.handler403
handler404 = product.handler404
handler500 = product.handler500
