from __future__ import annotations

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "marketplace.accounts"
    label = "accounts"
    verbose_name = _("Accounts")
    default = True

    def ready(self) -> None:
        from marketplace.accounts import sign_in_audit

        sign_in_audit.connect()


class DimsumAdminConfig(admin_apps.AdminConfig):
    """Django's admin, served by a site whose sign-in goes through the shared sign-in lock."""

    default = False
    default_site = "marketplace.accounts.admin_site.DimsumAdminSite"
