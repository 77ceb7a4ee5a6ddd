"""The complaint queue in the admin: open reports first, the most overdue at the top, each with the
time left to its deadline (COMPLAINT_RESPONSE_HOURS after the report) or how long it is overdue."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import admin
from django.db.models import Case, F, IntegerField, QuerySet, Value, When
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from marketplace.core.errors import ApplicationError
from prompts.models import Complaint, ComplaintStatus
from prompts.moderation import complaints


def _hours(delta: timedelta) -> int:
    return max(0, int(delta.total_seconds() // 3600))


class OverdueFilter(admin.SimpleListFilter):
    title = _("deadline")
    parameter_name = "overdue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Overdue")), ("no", _("Within the deadline"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Complaint]) -> QuerySet[Complaint]:
        overdue = complaints.complaints_overdue()
        if self.value() == "yes":
            return queryset.filter(pk__in=overdue.values("pk"))
        if self.value() == "no":
            return queryset.filter(status=ComplaintStatus.OPEN).exclude(pk__in=overdue.values("pk"))
        return queryset


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    """Upholding a report takes its listing off sale (rejected, with the complaint as the reason the
    seller sees); say what you found in the resolution before you decide: the reporter reads it."""

    list_display = (
        "public_id",
        "created_at",
        "deadline",
        "listing",
        "reason",
        "status",
        "reporter",
        "contact_email",
    )
    list_filter = (OverdueFilter, "status", "reason")
    search_fields = ("public_id", "listing__public_id", "listing__title", "note", "contact_email")
    readonly_fields = (
        "public_id",
        "listing",
        "reporter",
        "contact_email",
        "reason",
        "note",
        "created_at",
        "deadline",
        "resolved_at",
        "status",
    )
    fields = (*readonly_fields, "resolution")
    actions = ("uphold", "dismiss")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Complaint]:
        return super().get_queryset(request).select_related("listing", "reporter")

    def get_ordering(self, request: HttpRequest) -> list[Any]:
        # Open first; every open one has the same window, so the oldest is the most overdue.
        open_first = Case(
            When(status=ComplaintStatus.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
        open_since = Case(When(status=ComplaintStatus.OPEN, then=F("created_at")))
        return [open_first.asc(), open_since.asc(nulls_last=True), "-created_at"]

    def get_sortable_by(self, request: HttpRequest) -> tuple[()]:
        return ()  # a column click would drop the overdue-first order

    @admin.display(description=_("Deadline"))
    def deadline(self, obj: Complaint) -> str:
        now = timezone.now()
        due = complaints.complaint_due_at(obj)
        if obj.status != ComplaintStatus.OPEN:
            return str(_("Decided"))
        if due < now:
            hours = _hours(now - due)
            return ngettext("Overdue by %(count)s hour", "Overdue by %(count)s hours", hours) % {
                "count": hours
            }
        hours = _hours(due - now)
        return ngettext("%(count)s hour left", "%(count)s hours left", hours) % {"count": hours}

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def _resolve(self, request: HttpRequest, queryset: QuerySet[Complaint], upheld: bool) -> None:
        done = 0
        for complaint in queryset.filter(status=ComplaintStatus.OPEN):
            try:
                complaints.complaint_resolve(
                    complaint=complaint, by=request.user, upheld=upheld, resolution=complaint.resolution
                )
            except ApplicationError as exc:  # decided meanwhile by someone else
                self.message_user(request, f"{complaint.public_id}: {exc.message}", level="warning")
                continue
            done += 1
        self.message_user(
            request,
            _("Decided %(count)s. The listing's audit trail records each decision.") % {"count": done},
        )

    @admin.action(description=_("Uphold the selected complaints and take their listings off sale"))
    def uphold(self, request: HttpRequest, queryset: QuerySet[Complaint]) -> None:
        self._resolve(request, queryset, upheld=True)

    @admin.action(description=_("Dismiss the selected complaints"))
    def dismiss(self, request: HttpRequest, queryset: QuerySet[Complaint]) -> None:
        self._resolve(request, queryset, upheld=False)
