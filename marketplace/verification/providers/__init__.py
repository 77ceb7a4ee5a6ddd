"""Verification providers behind one interface, chosen by VERIFICATION_PROVIDER.

A provider sends an SMS code to a mobile number, checks a name against an ID number, and a
company's name and legal representative against its unified social credit code. It never keeps
any of them: the services hash and mask what they store.
"""

from __future__ import annotations

from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class ProviderUnavailable(Exception):
    """The provider did not answer or failed on its side: the person can only retry later."""


class ProviderRefused(Exception):
    """The provider refused the input (an invalid number, too many messages): the person can fix it."""


class Provider(Protocol):
    name: str

    def send_code(self, *, phone: str, code: str) -> None: ...

    def identity_matches(self, *, name: str, id_number: str) -> bool: ...

    def business_matches(self, *, company_name: str, credit_code: str, legal_representative: str) -> bool: ...


def provider() -> Provider:
    from marketplace.verification.providers import cn_sms_id, sandbox

    if settings.VERIFICATION_PROVIDER == "cn_sms_id":
        return cn_sms_id.CnSmsIdProvider()
    if not settings.VERIFICATION_SANDBOX_ALLOWED:
        raise ImproperlyConfigured("The sandbox verification provider verifies anyone: DEBUG=0 refuses it.")
    return sandbox.SandboxProvider()
