from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TutoringConfig(AppConfig):
    name = "marketplace.tutoring"
    label = "tutoring"
    verbose_name = _("Tutoring")

    def ready(self) -> None:
        from marketplace.verification.services import verification_revoked

        verification_revoked.connect(_offers_off_for_revoked, dispatch_uid="tutoring-offers-off-revoked")


def _offers_off_for_revoked(sender: Any, user: Any, by: Any, **kwargs: Any) -> None:
    """A seller's verification was revoked (sent inside that transaction): their offers come off
    their page; booked sessions stay booked."""
    from marketplace.tutoring.services import offers_deactivate_for_seller

    offers_deactivate_for_seller(seller=user)
