from __future__ import annotations

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    name = "marketplace.accounts"
    label = "accounts"
    default = True


class DimsumAdminConfig(admin_apps.AdminConfig):
    """Django's admin, served by a site whose sign-in goes through the shared sign-in lock."""

    default = False
    default_site = "marketplace.accounts.admin_site.DimsumAdminSite"
