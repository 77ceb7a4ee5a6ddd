"""The seller's sales: every sale with its refunds, totals per currency, refunds, a CSV export."""

from __future__ import annotations

import csv
import secrets
from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from marketplace.core.errors import ApplicationError, NotFound
from marketplace.core.money import MoneyError, format_money, major_text, minor_from_major
from marketplace.core.text import spreadsheet_safe
from marketplace.storefront.views.common import current_user, see_other
from payments import selectors as payment_selectors
from payments import services as payment_services
from payments.models import Order, Refund, RefundStatus

SALES_PER_PAGE = 25
CSV_CHUNK = 500

ORDER_STATUS_LABELS = {
    "paid": gettext_lazy("Paid"),
    "partly_refunded": gettext_lazy("Partly refunded"),
    "refunded": gettext_lazy("Refunded"),
    "disputed": gettext_lazy("Disputed"),
}
REFUND_STATUS_LABELS = {
    RefundStatus.PENDING: gettext_lazy("Refund pending"),
    RefundStatus.SUCCEEDED: gettext_lazy("Refund succeeded"),
    RefundStatus.FAILED: gettext_lazy("Refund failed"),
}


def what_was_sold(order: Order) -> str:
    if order.listing is not None:
        return order.listing.title
    if order.bundle is not None:
        return order.bundle.title
    return order.booking.offer.title if order.booking is not None else ""


def _sale_row(order: Order) -> dict[str, Any]:
    return {
        "order": order,
        "item": what_was_sold(order),
        "status": ORDER_STATUS_LABELS[order.history_status],
        "refunds": [
            {"refund": refund, "status": REFUND_STATUS_LABELS[RefundStatus(refund.status)]}
            for refund in order.refunds.all()  # prefetched
        ],
    }


@login_required
@never_cache
@require_safe
def sales(request: HttpRequest) -> HttpResponse:
    """Every sale, newest first, 25 to a page, with the totals per currency above them."""
    seller = current_user(request)
    page = Paginator(payment_selectors.sales_with_refunds_for(seller=seller), SALES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "rows": [_sale_row(order) for order in page.object_list],
        "totals": payment_selectors.sales_totals(seller=seller),
    }
    return render(request, "storefront/dashboard/sales.html", context)


class RefundForm(forms.Form):
    amount = forms.CharField(
        label=gettext_lazy("Amount to refund"),
        max_length=24,
        help_text=gettext_lazy("In the sale's currency, e.g. 4.99. The buyer gets it back on their card."),
    )
    reason = forms.CharField(label=gettext_lazy("Reason (optional)"), required=False, max_length=300)
    # Made when the form is shown; a second submit of the same form answers the first refund.
    request_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, order: Order, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order = order

    def clean_amount(self) -> int:
        try:
            return minor_from_major(self.cleaned_data["amount"], self.order.currency)
        except MoneyError as error:
            raise forms.ValidationError(str(error)) from None


def _sale(request: HttpRequest, public_id: str) -> Order:
    try:
        return payment_selectors.order_get_for_seller(seller=current_user(request), public_id=public_id)
    except NotFound:
        raise Http404("You have no sale with this id.") from None


def _refund_message(refund: Refund, order: Order) -> tuple[int, str]:
    amount = format_money(refund.amount, order.currency)
    if refund.status == RefundStatus.SUCCEEDED:
        return messages.SUCCESS, _("Refunded %(amount)s to the buyer.") % {"amount": amount}
    if refund.status == RefundStatus.PENDING:
        text = _("The refund of %(amount)s is pending: the payment provider did not answer yet, we retry.")
        return messages.WARNING, text % {"amount": amount}
    reason = refund.last_error or _("the payment provider refused it.")
    return messages.ERROR, _("The refund of %(amount)s failed: %(reason)s") % {
        "amount": amount,
        "reason": reason,
    }


def _refund_error(error: ApplicationError, order: Order) -> str:
    """The service speaks in minor units (the API's); the form takes amounts as people type them."""
    if error.code != "invalid_refund_amount":
        return error.message
    left = payment_selectors.refund_available(order)
    most = format_money(left, order.currency)
    return _("You can refund at most %(amount)s of this sale.") % {"amount": most}


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def refund(request: HttpRequest, public_id: str) -> HttpResponse:
    """Ask for the amount, then confirm it; the refund is the API's service, keyed by the form."""
    order = _sale(request, public_id)
    available = payment_selectors.refund_available(order)
    initial = {
        "amount": major_text(available, order.currency),
        "request_key": secrets.token_hex(16),
    }
    form = RefundForm(request.POST if request.method == "POST" else None, order=order, initial=initial)
    context: dict[str, Any] = {
        "order": order,
        "item": what_was_sold(order),
        "form": form,
        "confirming": False,
        "available": available,
    }
    if request.method != "POST" or not form.is_valid():
        status = 400 if request.method == "POST" else 200
        return render(request, "storefront/dashboard/refund.html", context, status=status)
    if "confirm" not in request.POST:
        context.update(confirming=True, amount=form.cleaned_data["amount"])
        return render(request, "storefront/dashboard/refund.html", context)
    try:
        made = payment_services.order_refund(
            order=order,
            amount=form.cleaned_data["amount"],
            by=current_user(request),
            reason=form.cleaned_data["reason"],
            request_key=form.cleaned_data["request_key"],
        )
    except ApplicationError as error:
        form.add_error("amount", _refund_error(error, order))
        return render(request, "storefront/dashboard/refund.html", context, status=400)
    messages.add_message(request, *_refund_message(made, order))
    return see_other(reverse("web:sales") + f"#sale-{order.public_id}")


class _Echo:
    """csv.writer writes each row here and gets the line back, for streaming."""

    def write(self, value: str) -> str:
        return value


CSV_HEADER = [
    "date",
    "order",
    "buyer",
    "item",
    "currency",
    "amount",
    "platform_fee",
    "seller_share",
    "refunded",
    "status",
]


def _csv_rows(orders: Any) -> Iterator[list[str]]:
    yield CSV_HEADER
    for order in orders.iterator(chunk_size=CSV_CHUNK):
        currency = order.currency
        yield [
            order.paid_at.date().isoformat() if order.paid_at else "",
            order.public_id,
            spreadsheet_safe(order.buyer.public_name),
            spreadsheet_safe(what_was_sold(order)),
            currency,
            major_text(order.amount, currency),
            major_text(order.platform_fee, currency),
            major_text(order.seller_amount, currency),
            major_text(order.refunded_amount, currency),
            order.history_status,
        ]


@login_required
@never_cache
@require_safe
def sales_csv(request: HttpRequest) -> StreamingHttpResponse:
    """Every sale as CSV, streamed in chunks: the size of the shop never decides the memory used."""
    writer = csv.writer(_Echo())
    orders = payment_selectors.sales_for(seller=current_user(request))
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in _csv_rows(orders)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="dimsum-sales.csv"'
    return response
