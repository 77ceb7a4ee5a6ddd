"""Stripe Identity for real-name verification: payments holds the Stripe calls, verification the rules."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from marketplace.accounts.models import User
from marketplace.core.errors import ApplicationError
from marketplace.verification import documents
from payments.gateway import ProviderError


def _stripe() -> Any:
    if settings.PAYMENTS_PROVIDER != "stripe":
        raise ImproperlyConfigured("VERIFICATION_STRIPE_IDENTITY needs PAYMENTS_PROVIDER=stripe.")
    from payments.services.provider import gateway

    return gateway()


def identity_session_start(*, user: User, return_url: str) -> str:
    """Start a document check at Stripe; the URL to send the person to."""
    documents.document_session_can_start(user=user)
    previous = documents.pending_session_id(user=user)
    try:
        session_id, url = _stripe().create_identity_session(
            user_id=user.pk,
            return_url=return_url,
            # Concurrent double submits share one session; each later attempt gets a new one.
            idempotency_key=f"identity:{user.pk}:{previous or 'new'}",
        )
    except ProviderError:
        raise ApplicationError(
            "verification_unavailable",
            _("The verification service did not answer. Nothing was saved; try again in a few minutes."),
            status_code=503,
        ) from None
    documents.document_session_started(user=user, session_id=session_id)
    return url


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def identity_outcome(obj: dict[str, Any]) -> documents.DocumentOutcome:
    """The signed event's VerificationSession, as verification reads it (never its images)."""
    document = (obj.get("verified_outputs") or {}) if isinstance(obj.get("verified_outputs"), dict) else {}
    id_number = _text(document.get("id_number"))
    error = obj.get("last_error") if isinstance(obj.get("last_error"), dict) else {}
    address: dict[str, Any] = document["address"] if isinstance(document.get("address"), dict) else {}
    return documents.DocumentOutcome(
        session_id=_text(obj.get("id")),
        user_id=_text(
            (obj.get("metadata") or {}).get("user_id") if isinstance(obj.get("metadata"), dict) else ""
        ),
        status=_text(obj.get("status")),
        last4=id_number[-4:] if len(id_number) >= 8 else "",
        error_code=_text((error or {}).get("code")),
        country=_text(document.get("issuing_country")) or _text(address.get("country")),
    )
