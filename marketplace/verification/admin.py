from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from marketplace.core.admin import ReadOnlyAdmin
from marketplace.core.errors import ApplicationError
from marketplace.verification.models import PhoneVerification, Verification, VerificationEvent
from marketplace.verification.services import verification_revoke


@admin.register(Verification)
class VerificationAdmin(admin.ModelAdmin):
    list_display = ("user", "status", "method", "provider", "masked_name", "masked_identifier", "verified_at")
    list_filter = ("status", "method", "provider")
    search_fields = ("user__email", "user__handle")
    # Changed only through services (the revoke action): never edited by hand.
    readonly_fields = (
        "user", "provider", "status", "method", "identity", "masked_name", "masked_identifier",
        "failure_reason", "verified_at", "revoked_at", "updated_at",
    )  # fmt: skip
    actions = ("revoke",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Revoke verification (unpublishes the seller's listings)"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[Verification]) -> None:
        done = 0
        for verification in queryset.select_related("user"):
            try:
                verification_revoke(verification=verification, by=request.user)  # type: ignore[arg-type]
            except ApplicationError as error:
                self.message_user(request, f"{verification.user}: {error.message}", messages.WARNING)
            else:
                done += 1
        revoked = ngettext("%(count)d verification revoked.", "%(count)d verifications revoked.", done)
        self.message_user(request, revoked % {"count": done})


@admin.register(PhoneVerification)
class PhoneVerificationAdmin(admin.ModelAdmin):
    list_display = ("user", "masked_phone", "verified_at")
    search_fields = ("user__email", "user__handle")
    readonly_fields = (
        "user",
        "masked_phone",
        "verified_at",
        "pending_masked_phone",
        "code_sent_at",
        "attempts",
    )
    exclude = ("phone_hash", "pending_phone_hash", "code_hash")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(VerificationEvent)
class VerificationEventAdmin(ReadOnlyAdmin):
    """The audit trail of verification changes: read-only."""

    list_display = ("at", "user", "action", "provider", "actor")
    list_filter = ("action",)
    search_fields = ("user__email", "user__handle")
