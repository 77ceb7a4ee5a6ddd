from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = _("Payments")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from marketplace.verification.models import Verification
        from payments import notices

        notices.register()
        # Verifying (or losing) an identity can change a seller's payout rail (their verified country)
        # and whether a manual-rail seller may take payments; verification may not import payments.
        post_save.connect(
            _refresh_can_accept_payments, sender=Verification, dispatch_uid="payments-verification"
        )


def _refresh_can_accept_payments(sender: Any, instance: Any, **kwargs: Any) -> None:
    from payments.services.rails import seller_payments_refresh

    seller_payments_refresh(user=instance.user)
