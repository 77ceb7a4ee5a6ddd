"""A seller's identity document checked at a provider (Stripe Identity), instead of name + ID number.

Payments (the only app that talks to Stripe) creates the provider's session and calls
`document_session_started`; the provider's webhook events come back through payments to
`document_session_apply`, which applies a session's outcome once however often it arrives.
Only the session id, the status and a masked display are kept, never the document or its images.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from marketplace.accounts.models import User
from marketplace.core.errors import ApplicationError, Conflict
from marketplace.verification.models import Identity, Method, Status, Verification, VerificationEvent
from marketplace.verification.services import is_phone_verified, is_seller_verified, keyed_hash

PROVIDER = "stripe_identity"


@dataclass(frozen=True)
class DocumentOutcome:
    """What the provider says of a session: `verified`, `requires_input` (failed) or anything else."""

    session_id: str
    user_id: str
    status: str
    last4: str = ""
    error_code: str = ""
    country: str = ""


def document_session_can_start(*, user: User) -> None:
    if not settings.VERIFICATION_STRIPE_IDENTITY:
        raise ApplicationError(
            "not_available", _("Identity documents are not checked on this site."), status_code=404
        )
    if not is_phone_verified(user):
        raise ApplicationError(
            "phone_required",
            _("Verify your mobile number first, then your identity document."),
            status_code=409,
        )
    if is_seller_verified(user):
        raise Conflict("already_verified", _("Your identity is verified already."))


def pending_session_id(*, user: User) -> str:
    """The provider session last started for the user, "" if none."""
    return (
        Verification.objects.filter(user=user, provider=PROVIDER)
        .values_list("provider_session_id", flat=True)
        .first()
        or ""
    )


@transaction.atomic
def document_session_started(*, user: User, session_id: str) -> Verification:
    verification, _created = Verification.objects.update_or_create(
        user=user,
        defaults={
            "provider": PROVIDER,
            "status": Status.PENDING,
            "method": Method.IDENTITY_DOCUMENT,
            "provider_session_id": session_id,
            "failure_reason": "",
            "updated_at": timezone.now(),
        },
    )
    return verification


# Stripe Identity's last_error codes, in words a person can act on. Kept in English (the webhook
# has no reader's language) and translated where shown.
def _reason(error_code: str) -> str:
    if error_code.startswith("selfie_"):
        return gettext_noop(
            "The selfie did not match the document. Try again in good light, facing the camera."
        )
    if error_code in ("document_expired", "document_type_not_supported"):
        return gettext_noop(
            "That document cannot be used (expired or not accepted). Try again with another ID document."
        )
    return gettext_noop(
        "The document could not be verified. Try again with a clear photo of a valid ID document."
    )


@transaction.atomic
def document_session_apply(*, outcome: DocumentOutcome) -> bool:
    """Apply a provider session's outcome once; False when it changed nothing (repeat, stale, unknown)."""
    verification = (
        Verification.objects.select_for_update()
        .filter(provider=PROVIDER, provider_session_id=outcome.session_id)
        .first()
    )
    if verification is None or str(verification.user_id) != outcome.user_id:
        return False  # not a session we started for that user
    if verification.status == Status.VERIFIED:
        return False  # verified is final here; a later requires_input for the same session is stale
    now = timezone.now()
    if outcome.status == "verified":
        # One identity per session: no document number reaches us, so the session is the identity.
        identity, _created = Identity.objects.get_or_create(
            key_hash=keyed_hash(f"stripe:{outcome.session_id}")
        )
        verification.status, verification.identity, verification.verified_at = Status.VERIFIED, identity, now
        verification.masked_identifier = f"****{outcome.last4}" if outcome.last4 else ""
        verification.country = outcome.country.upper()[:2]
        verification.failure_reason, verification.revoked_at = "", None
        action = "verified"
    elif outcome.status == "requires_input":
        if verification.status == Status.FAILED:
            return False
        verification.status, verification.failure_reason = Status.FAILED, _reason(outcome.error_code)
        action = "failed"
    else:
        return False
    verification.updated_at = now
    verification.save()
    VerificationEvent.objects.create(user=verification.user, actor=None, action=action, provider=PROVIDER)
    return True
