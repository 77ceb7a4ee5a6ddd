"""The admin site: Django's, with the shared sign-in lock and password changes through the service."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import reverse

from marketplace.accounts.forms import LockedAdminAuthenticationForm, OwnPasswordChangeForm


class DimsumAdminSite(admin.AdminSite):
    login_form = LockedAdminAuthenticationForm

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        response = super().login(request, extra_context)
        context = getattr(response, "context_data", None) or {}
        locked = getattr(context.get("form"), "locked", None)
        if locked is not None:
            response.status_code = 429
            response["Retry-After"] = str(locked.retry_after)
        return response

    def password_change(  # type: ignore[override]  # Django's stub says TemplateResponse; a success redirects
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponseBase:
        # Django's view with our form: the change revokes API tokens and other sessions, and
        # PasswordChangeView keeps this session signed in.
        from django.contrib.auth.views import PasswordChangeView

        defaults: dict[str, Any] = {
            "form_class": OwnPasswordChangeForm,
            "success_url": reverse("admin:password_change_done", current_app=self.name),
            "extra_context": {**self.each_context(request), **(extra_context or {})},
        }
        if self.password_change_template is not None:
            defaults["template_name"] = self.password_change_template
        request.current_app = self.name
        return PasswordChangeView.as_view(**defaults)(request)
