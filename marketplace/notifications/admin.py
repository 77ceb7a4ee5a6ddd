"""Read-only views of notification emails, for an operator looking into one that failed."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from marketplace.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("kind", "key", "recipient", "email", "status", "attempts", "created_at", "sent_at")
    list_filter = ("status", "kind")
    search_fields = ("key", "recipient__email", "email")
    raw_id_fields = ("recipient",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
