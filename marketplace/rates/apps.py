from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatesConfig(AppConfig):
    name = "marketplace.rates"
    label = "rates"
    verbose_name = _("Exchange rates")
