"""The buyer's order history and the printable receipt of each order."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from marketplace.core.errors import NotFound
from marketplace.storefront.views.common import current_user
from marketplace.storefront.views.sales import ORDER_STATUS_LABELS, what_was_sold
from payments import selectors as payment_selectors
from payments.models import OrderStatus

ORDERS_PER_PAGE = 25


@login_required
@never_cache
@require_safe
def order_history(request: HttpRequest) -> HttpResponse:
    """Every order that took the buyer's money, newest first, with what became of it."""
    page = Paginator(payment_selectors.orders_for(buyer=current_user(request)), ORDERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows = [
        {"order": order, "item": what_was_sold(order), "status": ORDER_STATUS_LABELS[order.history_status]}
        for order in page.object_list
    ]
    return render(request, "storefront/orders.html", {"page": page, "rows": rows})


@login_required
@never_cache
@require_safe
def receipt(request: HttpRequest, public_id: str) -> HttpResponse:
    """Only the buyer sees a receipt; anyone else, the seller included, gets a 404."""
    try:
        order = payment_selectors.order_get_for_buyer(buyer=current_user(request), public_id=public_id)
    except NotFound:
        raise Http404("You have no order with this id.") from None
    if order.status not in (OrderStatus.PAID, OrderStatus.REFUNDED):
        raise Http404("This order was never paid: it has no receipt.")
    context = {
        "order": order,
        "item": what_was_sold(order),
        "status": ORDER_STATUS_LABELS[order.history_status],
        "paid_after_refunds": order.amount - order.refunded_amount,
    }
    return render(request, "storefront/receipt.html", context)
