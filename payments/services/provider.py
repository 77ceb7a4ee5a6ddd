"""Which payment provider serves this process: Stripe, or the sandbox."""

from __future__ import annotations

from functools import cache

from django.conf import settings

from payments.gateway import (
    Gateway,
)


@cache
def _gateway_for(provider: str, api_base: str) -> Gateway:
    if provider == "stripe":
        from payments.stripe_client import StripeGateway

        return StripeGateway()
    from payments.sandbox import SandboxGateway

    return SandboxGateway()


def gateway() -> Gateway:
    return _gateway_for(settings.PAYMENTS_PROVIDER, settings.STRIPE_API_BASE)
