"""Who may read what was paid for, and what buyers and sellers see of their money."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from marketplace.accounts.models import User
from marketplace.core.errors import NotFound
from payments.models import (
    ConnectedAccount,
    DiscountCode,
    LedgerAccount,
    LedgerEntry,
    Order,
    OrderStatus,
    PayoutStatement,
    RefundStatus,
    Unlock,
)
from prompts.models import Listing
from prompts.search import matching as search_matching
from prompts.search import query as search
from prompts.search import spelling


def prompt_access_allowed(*, user: Any, listing: Listing) -> bool:
    """May this user read the listing's prompt text? Its seller, staff, and buyers who unlocked it."""
    if _reads_without_buying(user=user, listing=listing):
        return True
    return has_unlocked(user=user, listing=listing)


def _reads_without_buying(*, user: Any, listing: Listing) -> bool:
    """The listing's seller and staff read its prompt without an unlock (active accounts only)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(listing.seller_id == user.pk or user.is_staff)


def has_unlocked(*, user: Any, listing: Listing) -> bool:
    """Did this user unlock the listing as a buyer (an active unlock)? Unlike prompt_access_allowed,
    its seller and staff are not buyers: this is who may review it."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return Unlock.objects.active().filter(buyer=user, listing=listing).exists()


def listing_access(*, user: Any, listing: Listing) -> tuple[bool, bool]:
    """(may read the prompt, unlocked it as a buyer) in one query: what a listing page needs."""
    owned = has_unlocked(user=user, listing=listing)
    return owned or _reads_without_buying(user=user, listing=listing), owned


def library_for(*, buyer: User) -> QuerySet[Any, Any]:
    """The buyer's active unlocks, newest first, with the listing's public card: one query."""
    return (
        Unlock.objects.active()
        .filter(buyer=buyer)
        .annotate(latest_version=Max("listing__versions__number"))
        .values(
            "pk",
            "granted_at",
            "latest_version",
            "listing__public_id",
            "listing__card_json",
            "order__public_id",
            "licence",
        )
        .order_by("-granted_at", "-pk")
    )


@dataclass(frozen=True)
class LibrarySearch:
    rows: QuerySet[Any, Any]  # library_for's rows whose listing matches
    corrected_query: str | None  # the query they match, when a typo was corrected


def library_search(*, buyer: User, text: str) -> LibrarySearch:
    """The buyer's library rows (as library_for) whose listing matches ``text`` as the catalog
    search matches it: synonyms in either language, the same normalisation. When none does and a
    spelling correction finds some, those, with the correction. Archived listings are found too."""
    owned = list(
        Unlock.objects.active()
        .filter(buyer=buyer)
        .values_list("pk", "listing_id", "listing__status", "listing__card_json")
    )
    found, corrected = _library_matches(owned, text), None
    if not found:
        fixed = spelling.correct_query(text)
        found = _library_matches(owned, fixed) if fixed else []
        corrected = fixed if found else None
    return LibrarySearch(library_for(buyer=buyer).filter(pk__in=found), corrected)


def _library_matches(owned: Sequence[tuple[int, int, str, str | None]], text: str) -> list[int]:
    query = search.parse_query(text)
    if query is None:
        return []
    listings = search_matching.listings_matching(query, [row[1:] for row in owned])
    return [pk for pk, listing_id, _, _ in owned if listing_id in listings]


def seller_payout_account(*, seller: User) -> ConnectedAccount | None:
    """The seller's connected account while it takes charges (see services.accounts); else None."""
    if not seller.can_accept_payments:
        return None
    return ConnectedAccount.objects.filter(user=seller, charges_enabled=True).first()


def order_get_for_buyer(*, buyer: User, public_id: str) -> Order:
    order = (
        Order.objects.select_related("listing", "bundle", "booking__offer", "seller", "discount_code")
        .filter(public_id=public_id, buyer=buyer)
        .first()
    )
    if order is None:
        raise NotFound(_("You have no order with this id."))
    return order


def refund_available(order: Order) -> int:
    """What a refund may still take: the refundable amount less the refunds still in flight."""
    in_flight = order.refunds.filter(status=RefundStatus.PENDING).aggregate(total=Sum("amount"))["total"]
    return max(0, order.refundable_amount - (in_flight or 0))


def order_get_for_seller(*, seller: User, public_id: str) -> Order:
    order = (
        Order.objects.select_related("listing", "bundle", "booking__offer", "buyer")
        .filter(public_id=public_id, seller=seller)
        .first()
    )
    if order is None:
        raise NotFound(_("You have no sale with this id."))
    return order


def sales_for(*, seller: User) -> QuerySet[Order]:
    return (
        Order.objects.filter(seller=seller, status__in=[OrderStatus.PAID, OrderStatus.REFUNDED])
        .select_related("listing", "bundle", "booking__offer", "buyer")
        .order_by("-paid_at", "-pk")
    )


def sales_with_refunds_for(*, seller: User) -> QuerySet[Order]:
    """The seller's sales with their refunds, newest first: two queries per page."""
    return sales_for(seller=seller).prefetch_related("refunds")


def orders_for(*, buyer: User) -> QuerySet[Order]:
    """The buyer's orders that took money (paid, then perhaps refunded), newest first."""
    return (
        Order.objects.filter(buyer=buyer, status__in=[OrderStatus.PAID, OrderStatus.REFUNDED])
        .select_related("listing", "bundle", "booking__offer")
        .order_by("-paid_at", "-pk")
    )


def sales_totals(*, seller: User) -> list[dict[str, Any]]:
    """Per currency: sales count, gross, platform fees, refunds and the seller's net, from the ledger.

    A sale refunded in full no longer counts as a sale; its money stays in gross and refunds.
    """
    orders = (
        Order.objects.filter(seller=seller, status__in=[OrderStatus.PAID, OrderStatus.REFUNDED])
        .values("currency")
        .annotate(
            count=Count("pk", filter=Q(status=OrderStatus.PAID)),
            gross=Sum("amount"),
            fees=Sum("platform_fee"),
            refunded=Sum("refunded_amount"),
        )
    )
    net = dict(
        LedgerEntry.objects.filter(order__seller=seller, account=LedgerAccount.SELLER)
        .values("currency")
        .annotate(total=Sum("amount"))
        .values_list("currency", "total")
    )
    held = dict(  # what the seller still has on disputed orders: their ledger balance there
        LedgerEntry.objects.filter(
            order__seller=seller, order__payout_held=True, account=LedgerAccount.SELLER
        )
        .values("currency")
        .annotate(total=Sum("amount"))
        .values_list("currency", "total")
    )
    return [
        {**row, "net": net.get(row["currency"], 0), "held": held.get(row["currency"], 0)}
        for row in orders.order_by("currency")
    ]


def codes_for_seller(*, seller: User) -> QuerySet[DiscountCode]:
    return (
        DiscountCode.objects.filter(seller=seller).prefetch_related("listings").order_by("-created_at", "-pk")
    )


def code_get_for_seller(*, seller: User, code: str) -> DiscountCode:
    """The seller's code by its text, in any case; another seller's code is a 404."""
    found = codes_for_seller(seller=seller).filter(code__iexact=code).first()
    if found is None:
        raise NotFound(_("You have no code with this name."))
    return found


def unlock_licence(*, user: User, listing: Listing) -> str:
    """The licence of the user's active unlock of the listing, "" when they hold none."""
    return (
        Unlock.objects.active().filter(buyer=user, listing=listing).values_list("licence", flat=True).first()
        or ""
    )


def payout_statements_for(*, seller: User) -> QuerySet[Any, Any]:
    """The seller's manual payout statements, newest first, with the batch that paid them."""
    return (
        PayoutStatement.objects.filter(seller=seller).select_related("batch").order_by("-period_end", "-pk")
    )


def unsettled_rows(*, seller_id: int, currency: str | None = None) -> QuerySet[LedgerEntry]:
    """The seller's manual-rail ledger rows no statement holds yet (their running balance)."""
    rows = LedgerEntry.objects.filter(
        account=LedgerAccount.SELLER,
        statement__isnull=True,
        order__seller_id=seller_id,
        order__payout_rail="manual",
    )
    return rows.filter(currency=currency) if currency else rows


def manual_balance_for(*, seller: User) -> list[dict[str, Any]]:
    """The running balance per currency: the sum of unsettled_rows (negative after money was
    taken back from sales already paid out)."""
    totals = (
        unsettled_rows(seller_id=seller.pk)
        .values("currency")
        .annotate(amount=Sum("amount"))
        .order_by("currency")
    )
    return [{"currency": row["currency"], "amount": row["amount"]} for row in totals]
