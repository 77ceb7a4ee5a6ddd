from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PromptsConfig(AppConfig):
    name = "prompts"
    verbose_name = _("Prompt listings")

    def ready(self) -> None:
        from marketplace.rates.signals import rates_changed
        from prompts import notices

        notices.register()
        rates_changed.connect(_reprice_listings, dispatch_uid="prompts-reprice-listings")


def _reprice_listings(sender: Any, currencies: list[str], **kwargs: Any) -> None:
    """Rates changed (sent after their commit): re-price the listings in those currencies off the request."""
    from prompts.tasks import recompute_reference_prices

    recompute_reference_prices.delay(currencies)
