from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from marketplace.accounts.models import User
from marketplace.core.errors import ApplicationError
from payments import services
from payments.gateway import ProviderError
from payments.models import (
    ConnectedAccount,
    DiscountCode,
    DiscountCodeBuyer,
    LedgerEntry,
    ListingLicence,
    Order,
    Payout,
    Refund,
    Unlock,
    WebhookEvent,
)
from payments.services.codes import code_update


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RefundInline(admin.TabularInline):
    model = Refund
    extra = 0
    can_delete = False
    fields = ("sequence", "amount", "status", "provider_refund_id", "reason", "requested_by", "created_at")
    readonly_fields = fields


class LedgerInline(admin.TabularInline):
    model = LedgerEntry
    extra = 0
    can_delete = False
    fields = ("created_at", "account", "kind", "amount", "currency", "external_id")
    readonly_fields = fields


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = (
        "public_id",
        "listing",
        "buyer",
        "status",
        "amount",
        "currency",
        "refunded_amount",
        "disputed",
        "created_at",
    )
    list_filter = ("status", "currency", "provider", "disputed", "duplicate")
    search_fields = (
        "public_id",
        "buyer__email",
        "listing__public_id",
        "checkout_session_id",
        "payment_intent_id",
    )
    list_select_related = ("listing", "buyer")
    inlines = (RefundInline, LedgerInline)
    actions = ("refund_in_full",)

    @admin.action(description="Refund selected orders in full", permissions=["view"])
    def refund_in_full(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        assert isinstance(request.user, User)
        if not request.user.has_perm("payments.add_refund"):
            self.message_user(request, "You need the 'add refund' permission.", messages.ERROR)
            return
        for order in queryset:
            try:
                services.order_refund(order=order, amount=None, by=request.user, reason="Refunded by staff.")
                self.message_user(request, f"Refunded {order.public_id}.", messages.SUCCESS)
            except (ApplicationError, ProviderError) as exc:
                self.message_user(request, f"{order.public_id}: {exc}", messages.WARNING)


@admin.register(Unlock)
class UnlockAdmin(ReadOnlyAdmin):
    list_display = ("listing", "buyer", "order", "granted_at", "revoked_at", "revoke_reason")
    list_select_related = ("listing", "buyer", "order")
    search_fields = ("buyer__email", "listing__public_id")


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "order", "account", "kind", "amount", "currency", "external_id")
    list_filter = ("account", "kind", "currency")
    search_fields = ("order__public_id", "external_id", "key")


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdmin):
    """Tutoring payouts. A failed one says why; check its transfer group in the dashboard."""

    list_display = ("order", "status", "amount", "currency", "destination_account", "attempts", "paid_at")
    list_filter = ("status",)
    list_select_related = ("order",)
    search_fields = ("order__public_id", "transfer_id", "destination_account")


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "type", "event_id", "object_id", "source")
    list_filter = ("type", "source")
    search_fields = ("event_id", "object_id")


@admin.register(ConnectedAccount)
class ConnectedAccountAdmin(ReadOnlyAdmin):
    list_display = ("user", "account_id", "charges_enabled", "payouts_enabled", "updated_at")
    search_fields = ("user__email", "account_id")


@admin.register(ListingLicence)
class ListingLicenceAdmin(ReadOnlyAdmin):
    """The paid tiers above the personal licence; the seller sets them (payments.services.codes)."""

    list_display = ("listing", "licence", "amount", "multiple_bps")
    list_filter = ("licence",)
    list_select_related = ("listing",)
    search_fields = ("listing__public_id", "listing__title")


class DiscountCodeBuyerInline(admin.TabularInline):
    model = DiscountCodeBuyer
    extra = 0
    can_delete = False
    fields = ("buyer", "uses")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DiscountCode)
class DiscountCodeAdmin(ReadOnlyAdmin):
    """Sellers' codes, read-only: the use counters are kept by checkout and must never be edited.
    Staff can switch an abused code off (or on again) through the seller's own service."""

    list_display = (
        "code",
        "seller",
        "kind",
        "percent",
        "amount",
        "currency",
        "scope",
        "uses",
        "max_uses",
        "active",
    )
    list_filter = ("active", "kind", "scope")
    list_select_related = ("seller",)
    search_fields = ("code", "seller__email", "seller__handle")
    inlines = (DiscountCodeBuyerInline,)
    actions = ("switch_off", "switch_on")

    def _set_active(self, request: HttpRequest, queryset: QuerySet[DiscountCode], active: bool) -> None:
        if not request.user.has_perm("payments.change_discountcode"):
            self.message_user(request, "You need the 'change discount code' permission.", messages.ERROR)
            return
        for code in queryset:
            code_update(code=code, active=active)
        self.message_user(request, f"{len(queryset)} code(s) switched {'on' if active else 'off'}.")

    @admin.action(description="Switch selected codes off", permissions=["view"])
    def switch_off(self, request: HttpRequest, queryset: QuerySet[DiscountCode]) -> None:
        self._set_active(request, queryset, False)

    @admin.action(description="Switch selected codes on", permissions=["view"])
    def switch_on(self, request: HttpRequest, queryset: QuerySet[DiscountCode]) -> None:
        self._set_active(request, queryset, True)
