from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from marketplace.rates.models import ExchangeRate
from marketplace.rates.services import rates_apply


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ("currency", "per_usd", "source", "updated_at")
    readonly_fields = ("source", "updated_at")
    fields = ("currency", "per_usd", "source", "updated_at")

    def save_model(self, request: HttpRequest, obj: ExchangeRate, form: Any, change: bool) -> None:
        # Through the service, so listings' reference prices follow the new rate.
        rates_apply(rates={obj.currency: obj.per_usd}, source=f"admin: {request.user}")
        saved = ExchangeRate.objects.get(currency=obj.currency)
        obj.pk, obj.source, obj.updated_at = saved.pk, saved.source, saved.updated_at

    def get_readonly_fields(self, request: HttpRequest, obj: ExchangeRate | None = None) -> tuple[str, ...]:
        return (*self.readonly_fields, "currency") if obj is not None else self.readonly_fields

    def has_delete_permission(self, request: HttpRequest, obj: ExchangeRate | None = None) -> bool:
        return False  # every currency needs a rate; edit it instead
