from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = _("Payments")

    def ready(self) -> None:
        from django.db.models.signals import post_init, post_save

        from marketplace.verification.models import Verification
        from payments import notices

        notices.register()
        # Verifying (or losing) an identity can change a seller's payout rail (their verified country)
        # and whether a manual-rail seller may take payments. A signal, because verification may not
        # import payments (tests/test_architecture.py); it acts only when the status or the country
        # changed, not on every save of a verification (provider references, timestamps, ...).
        post_init.connect(
            _remember_payout_facts, sender=Verification, dispatch_uid="payments-verification-init"
        )
        post_save.connect(
            _refresh_can_accept_payments, sender=Verification, dispatch_uid="payments-verification"
        )


def _payout_facts(instance: Any) -> tuple[Any, Any]:
    # From __dict__: reading a deferred field here would query (and recurse through post_init).
    return vars(instance).get("status"), vars(instance).get("country")


def _remember_payout_facts(sender: Any, instance: Any, **kwargs: Any) -> None:
    instance._payout_facts_saved = _payout_facts(instance) if instance.pk else None


def _refresh_can_accept_payments(
    sender: Any, instance: Any, created: bool = False, update_fields: Any = None, **kwargs: Any
) -> None:
    if update_fields is not None and not {"status", "country"} & set(update_fields):
        return
    now = _payout_facts(instance)
    if not created and None not in now and getattr(instance, "_payout_facts_saved", None) == now:
        return
    instance._payout_facts_saved = now
    from payments.services.rails import seller_payments_refresh

    seller_payments_refresh(user=instance.user)
