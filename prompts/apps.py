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
        from marketplace.verification.services import verification_revoked

        verification_revoked.connect(_unpublish_for_revoked, dispatch_uid="prompts-unpublish-revoked")


def _reprice_listings(sender: Any, currencies: list[str], **kwargs: Any) -> None:
    """Rates changed (sent after their commit): re-price the listings in those currencies off the request."""
    from prompts.tasks import recompute_reference_prices

    recompute_reference_prices.delay(currencies)


def _unpublish_for_revoked(sender: Any, user: Any, by: Any, **kwargs: Any) -> None:
    """A seller's verification was revoked (sent inside that transaction): off sale with it."""
    from prompts.lifecycle import listings_unpublish_for_unverified_seller

    listings_unpublish_for_unverified_seller(seller=user, by=by)
