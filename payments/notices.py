"""The emails payments sends about money: receipts, sales, refunds, disputes, payouts.

Each event claims its notification in the transaction that applies it
(marketplace.notifications.services.notification_claim); the builders below render it at send
time, from the rows, in the recipient's language (the caller has switched to it). They name the
listing by its title and never read its prompt text.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from marketplace.core.money import format_money
from marketplace.notifications import kinds
from marketplace.notifications.kinds import Content
from marketplace.notifications.models import Notification
from marketplace.notifications.services import notification_claim
from payments.models import Order, Payout, PayoutStatement, Refund


def _title(order: Order) -> str:
    if order.listing is not None:
        return order.listing.title
    if order.bundle is not None:
        return order.bundle.title
    return order.booking.offer.title if order.booking is not None else order.public_id


def _link(order: Order) -> str:
    if order.bundle is not None:
        return settings.SITE_URL + reverse("web:bundle-page", args=[order.bundle.public_id])
    if order.listing is None:
        return ""
    return settings.SITE_URL + reverse("web:listing-page", args=[order.listing.public_id])


def _order(order_id: object) -> Order | None:
    related = ("listing", "bundle", "booking__offer", "seller", "buyer")
    return Order.objects.select_related(*related).filter(pk=int(str(order_id))).first()


def _order_facts(order: Order) -> list[tuple[str, str]]:
    return [(_("Order number"), order.public_id), (_("Item"), _title(order))]


# --- claims, called inside the transactions that apply the events ------------------------------------


def notify_order_paid(order: Order) -> None:
    """A listing order just paid: the buyer's receipt and the seller's sale."""
    notification_claim(kind="purchase", key=order.pk, recipient_id=order.buyer_id)
    notification_claim(kind="sale", key=order.pk, recipient_id=order.seller_id)


def notify_refunded(refund: Refund, order: Order) -> None:
    notification_claim(kind="refund_buyer", key=refund.pk, recipient_id=order.buyer_id)
    notification_claim(kind="refund_seller", key=refund.pk, recipient_id=order.seller_id)


def notify_dispute(order: Order, *, dispute_id: str, status: str, opened: bool) -> None:
    notification_claim(
        kind="dispute_opened" if opened else "dispute_decided",
        key=dispute_id,
        recipient_id=order.seller_id,
        data={"order": order.pk, "status": status},
    )


def notify_payout(payout: Payout) -> None:
    notification_claim(kind="payout_sent", key=payout.pk, recipient_id=payout.order.seller_id)


# --- builders ----------------------------------------------------------------------------------------


def _purchase(notification: Notification) -> Content | None:
    order = _order(notification.key)
    if order is None:
        return None
    return Content(
        subject=_("Your receipt for %(title)s") % {"title": _title(order)},
        headline=_("Thank you for your purchase. This is your receipt."),
        facts=[
            *_order_facts(order),
            (_("Amount paid"), format_money(order.amount, order.currency)),
            (_("Seller"), order.seller.public_name if order.seller else ""),
        ],
        link=_link(order),
        link_label=_("Open your prompt"),
    )


def _sale(notification: Notification) -> Content | None:
    order = _order(notification.key)
    if order is None:
        return None
    return Content(
        subject=_("You made a sale: %(title)s") % {"title": _title(order)},
        headline=_("Someone bought your listing."),
        facts=[
            *_order_facts(order),
            (_("Amount paid"), format_money(order.amount, order.currency)),
            (_("Your share"), format_money(order.seller_amount, order.currency)),
        ],
        link=settings.SITE_URL + reverse("web:dashboard"),
        link_label=_("Open your dashboard"),
    )


def _refund(notification: Notification) -> Content | None:
    refund = Refund.objects.filter(pk=int(notification.key)).first()
    order = _order(refund.order_id) if refund else None
    if refund is None or order is None:
        return None
    to_buyer = notification.kind == "refund_buyer"
    headline = (
        _("You have been refunded. The money goes back to the card you paid with.")
        if to_buyer
        else _("A sale of yours was refunded to the buyer.")
    )
    return Content(
        subject=_("Refund for %(title)s") % {"title": _title(order)},
        headline=headline,
        facts=[
            *_order_facts(order),
            (_("Amount refunded"), format_money(refund.amount, order.currency)),
            (_("Order total"), format_money(order.amount, order.currency)),
        ],
    )


def _dispute(notification: Notification) -> Content | None:
    order = _order(notification.data.get("order"))
    if order is None:
        return None
    status = str(notification.data.get("status", ""))
    if notification.kind == "dispute_opened":
        subject = _("A buyer disputed a payment: %(title)s")
        headline = _("The buyer's bank opened a dispute. The buyer's access and your payout are on hold.")
    elif status == "lost":
        subject = _("Dispute lost: %(title)s")
        headline = _("The bank decided for the buyer. Your share of this sale is taken back.")
    else:
        subject = _("Dispute won: %(title)s")
        headline = _("The bank decided in your favour. Your payout is released.")
    return Content(
        subject=subject % {"title": _title(order)},
        headline=headline,
        facts=[*_order_facts(order), (_("Amount"), format_money(order.amount, order.currency))],
        link=settings.SITE_URL + reverse("web:dashboard"),
        link_label=_("Open your dashboard"),
    )


def _statement_payout(notification: Notification) -> Content | None:
    statement = (
        PayoutStatement.objects.select_related("batch")
        .filter(pk=int(notification.key.removeprefix("statement:")))
        .first()
    )
    if statement is None or statement.batch is None:
        return None
    amount = format_money(statement.amount, statement.currency)
    return Content(
        subject=_("Payout sent: %(amount)s") % {"amount": amount},
        headline=_("We sent your earnings to your payout account."),
        facts=[
            (_("Statement"), str(statement.pk)),
            (_("Amount"), amount),
            (_("Payment reference"), statement.batch.reference),
        ],
        link=settings.SITE_URL + reverse("web:payout-statements"),
        link_label=_("See your statements"),
    )


def _payout(notification: Notification) -> Content | None:
    if notification.key.startswith("statement:"):  # a manual payout statement
        return _statement_payout(notification)
    payout = Payout.objects.filter(pk=int(notification.key)).first()
    order = _order(payout.order_id) if payout else None
    if payout is None or order is None:
        return None
    return Content(
        subject=_("Payout sent: %(amount)s") % {"amount": format_money(payout.amount, payout.currency)},
        headline=_("We sent your earnings to your payout account."),
        facts=[*_order_facts(order), (_("Amount"), format_money(payout.amount, payout.currency))],
    )


def register() -> None:
    kinds.register("purchase", _purchase)
    kinds.register("sale", _sale)
    kinds.register("refund_buyer", _refund)
    kinds.register("refund_seller", _refund)
    kinds.register("dispute_opened", _dispute)
    kinds.register("dispute_decided", _dispute)
    kinds.register("payout_sent", _payout)
