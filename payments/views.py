"""Web endpoints of payments: the Stripe webhook, the sandbox checkout page, the return page."""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from marketplace.core.database import database_unavailable
from marketplace.core.errors import envelope
from marketplace.core.money import format_money
from payments import services
from payments.gateway import MalformedEvent, ProviderError, SignatureError
from payments.models import Order, SandboxSession
from payments.webhooks import event_process

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> JsonResponse:
    """Verify on the raw body, apply once, and answer 5xx on failure so Stripe retries.

    A body that fails the signature, or is signed but not a usable event, is a 400: retrying
    it cannot help."""
    try:
        event = services.gateway().parse_event(request.body, request.headers.get("Stripe-Signature", ""))
    except SignatureError:
        return JsonResponse(envelope("invalid_signature", "The webhook signature is not valid."), status=400)
    except MalformedEvent as exc:
        # Signed, so it came from Stripe: a 400 stops the retries, the warning gets it looked at.
        logger.warning("webhook %s: malformed event refused: %s", exc.event_id or "(no id)", exc)
        return JsonResponse(envelope("malformed_event", f"The event is not usable: {exc}."), status=400)
    try:
        applied = event_process(event=event)
    except ProviderError as exc:
        logger.warning("webhook %s: provider error %s", event.id, exc.code)
        return JsonResponse(
            envelope("provider_error", "Could not fetch the object; retry later."), status=503
        )
    except Exception as exc:
        if database_unavailable(exc):
            raise  # a 503 with Retry-After from DatabaseUnavailableMiddleware; Stripe retries
        logger.exception("webhook %s (%s) failed", event.id, event.type)
        return JsonResponse(
            envelope("server_error", "The event could not be applied; retry later."), status=500
        )
    return JsonResponse({"received": True, "duplicate": not applied})


@require_http_methods(["GET", "HEAD", "POST"])
def sandbox_checkout(request: HttpRequest, session_id: str) -> HttpResponse:
    """The sandbox's stand-in for Stripe Checkout. It says plainly that no money moves."""
    if settings.PAYMENTS_PROVIDER != "sandbox":
        raise Http404
    session = (
        SandboxSession.objects.select_related("order__listing", "order__booking__offer")
        .filter(session_id=session_id)
        .first()
    )
    if session is None:
        raise Http404
    if request.method == "POST":
        from payments.sandbox import SandboxGateway

        sandbox = SandboxGateway()
        paying = request.POST.get("action") == "pay"
        state = sandbox.pay(session_id) if paying else sandbox.cancel(session_id)
        services.order_apply_session(session=state)  # the same fulfilment function a webhook drives
        # Like Stripe's cancel_url, the return page hears that the buyer chose to cancel.
        back = f"/payments/return/{session.order.public_id}/" + ("" if paying else "?canceled=1")
        return HttpResponse(status=303, headers={"Location": back})
    order = session.order
    return render(
        request,
        "payments/sandbox_checkout.html",
        {"session": session, "order": order, "price": format_money(order.amount, order.currency)},
    )


def checkout_return(request: HttpRequest, public_id: str) -> HttpResponse:
    """Where the buyer lands after checkout. It re-asks the provider; the query string proves nothing."""
    order = Order.objects.select_related("listing", "booking__offer").filter(public_id=public_id).first()
    if order is None:
        raise Http404
    if order.status == "pending" and order.checkout_session_id:
        try:
            services.order_apply_session(
                session=services.gateway().retrieve_session(order.checkout_session_id)
            )
            order.refresh_from_db()
        except ProviderError:
            pass  # the webhook will tell us; the page says it is still on its way
    # Only its buyer learns how an order went; anyone else gets the same 404 as for no order.
    # The provider was asked first all the same: a buyer whose login lapsed still gets the unlock.
    if not request.user.is_authenticated or order.buyer_id != request.user.pk:
        raise Http404
    context = {
        "order": order,
        "canceled": "canceled" in request.GET,
        "refunded": format_money(order.refunded_amount, order.currency),
    }
    return render(request, "payments/return.html", context)


def onboarding_page(request: HttpRequest, step: str) -> HttpResponse:
    return render(request, "payments/onboarding.html", {"step": step})
