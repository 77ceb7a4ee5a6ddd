from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from marketplace.accounts.models import User
from marketplace.core.admin import ReadOnlyAdmin, ReadOnlyInline
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
    PayoutBatch,
    PayoutProfile,
    PayoutStatement,
    Refund,
    Unlock,
    WebhookEvent,
)
from payments.sealing import PayoutDetailsUnreadable
from payments.services import statements
from payments.services.codes import code_update


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


@admin.register(PayoutProfile)
class PayoutProfileAdmin(ReadOnlyAdmin):
    """How sellers are paid: masked details only (the ciphertext is never shown)."""

    list_display = ("user", "rail", "method", "masked_holder", "masked_account", "bank_name", "updated_at")
    list_filter = ("rail", "method")
    search_fields = ("user__email", "user__handle")
    fields = ("user", "rail", "method", "masked_holder", "masked_account", "bank_name", "updated_at")


@admin.register(PayoutStatement)
class PayoutStatementAdmin(ReadOnlyAdmin):
    """Manual-rail statements: select closed ones of one currency and create a batch to pay."""

    list_display = ("pk", "seller", "currency", "period_end", "opening_balance", "amount", "status", "batch")
    list_filter = ("status", "currency")
    search_fields = ("seller__email", "seller__handle")
    list_select_related = ("seller", "batch")
    actions = ("create_batch",)

    @admin.action(description="Create payout batch", permissions=["view"])
    def create_batch(self, request: HttpRequest, queryset: QuerySet[PayoutStatement]) -> None:
        assert isinstance(request.user, User)
        if not request.user.has_perm("payments.add_payoutbatch"):
            self.message_user(request, "You need the 'add payout batch' permission.", messages.ERROR)
            return
        try:
            batch = statements.payout_batch_create(statement_ids=[s.pk for s in queryset], by=request.user)
        except ApplicationError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        self.log_addition(request, batch, f"Created with statements {sorted(s.pk for s in queryset)}")
        self.message_user(request, f"Created payout batch {batch.pk}.", messages.SUCCESS)


@admin.register(PayoutBatch)
class PayoutBatchAdmin(ReadOnlyAdmin):
    """Download a batch's file to pay it by bank or Alipay, then mark it paid with the reference."""

    list_display = ("pk", "currency", "created_by", "created_at", "reference", "paid_at")
    list_filter = ("currency",)
    actions = ("download_csv", "mark_paid")

    @admin.action(description="Download batch CSV (account details)", permissions=["view"])
    def download_csv(self, request: HttpRequest, queryset: QuerySet[PayoutBatch]) -> HttpResponse | None:
        assert isinstance(request.user, User)
        if not request.user.has_perm("payments.export_payoutbatch"):
            self.message_user(
                request, "You need the 'download payout batch files' permission.", messages.ERROR
            )
            return None
        if queryset.count() != 1:
            self.message_user(request, "Select one batch to download.", messages.ERROR)
            return None
        batch = queryset.get()
        try:
            content = statements.payout_batch_csv(batch=batch)
        except PayoutDetailsUnreadable as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return None
        # The file holds decrypted account numbers: who downloaded it is in the audit trail.
        self.log_change(request, batch, "Downloaded the batch file with account details")
        response = HttpResponse(content, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="payout-batch-{batch.pk}.csv"'
        return response

    @admin.action(description="Mark batch paid", permissions=["view"])
    def mark_paid(self, request: HttpRequest, queryset: QuerySet[PayoutBatch]) -> TemplateResponse | None:
        assert isinstance(request.user, User)
        if not request.user.has_perm("payments.change_payoutbatch"):
            self.message_user(request, "You need the 'change payout batch' permission.", messages.ERROR)
            return None
        if "reference" in request.POST:
            for batch in queryset:
                try:
                    statements.payout_batch_mark_paid(
                        batch_id=batch.pk, reference=request.POST["reference"], by=request.user
                    )
                except ApplicationError as exc:
                    self.message_user(request, str(exc), messages.ERROR)
                    break
                self.log_change(request, batch, f"Marked paid ({request.POST['reference'][:200]})")
                self.message_user(request, f"Batch {batch.pk} is paid.", messages.SUCCESS)
            else:
                return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Mark payout batches paid",
            "batches": queryset,
            "opts": self.model._meta,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/payments/payoutbatch/mark_paid.html", context)


@admin.register(ListingLicence)
class ListingLicenceAdmin(ReadOnlyAdmin):
    """The paid tiers above the personal licence; the seller sets them (payments.services.codes)."""

    list_display = ("listing", "licence", "amount", "multiple_bps")
    list_filter = ("licence",)
    list_select_related = ("listing",)
    search_fields = ("listing__public_id", "listing__title")


class DiscountCodeBuyerInline(ReadOnlyInline):
    model = DiscountCodeBuyer
    fields = ("buyer", "uses")
    readonly_fields = fields


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
