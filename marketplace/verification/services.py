"""Real-name verification: phone by SMS code, identity by name + ID number, the gate, revocation.

Provider calls happen outside database transactions; a refused or failed call writes nothing
except, for a mismatch, the failed status the person sees.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.accounts.models import User
from marketplace.core.errors import ApplicationError, Conflict
from marketplace.verification.models import (
    Identity,
    Method,
    PhoneVerification,
    Status,
    Verification,
    VerificationEvent,
)
from marketplace.verification.providers import Provider, ProviderRefused, ProviderUnavailable, provider
from marketplace.verification.providers.sandbox import SANDBOX_CODE

# Sent after a staff member revoked a seller's verification, inside that transaction; prompts
# unpublishes the seller's listings (prompts sits above this app and may not be imported here).
verification_revoked = Signal()

MAX_CODE_ATTEMPTS = 5
RESEND_AFTER = timedelta(seconds=60)
_PHONE = re.compile(r"^1[3-9]\d{9}$")  # a mainland China mobile number, without +86
_ID_NUMBER = re.compile(r"^\d{17}[\dX]$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _hash_key() -> bytes:
    if settings.VERIFICATION_HASH_KEY:
        return settings.VERIFICATION_HASH_KEY.encode()
    return hashlib.sha256(f"dimsum.verification:{settings.SECRET_KEY}".encode()).digest()


def keyed_hash(value: str) -> str:
    """HMAC-SHA256 of an identifier: equal identities compare equal, and the value cannot be read back."""
    return hmac.new(_hash_key(), value.encode(), hashlib.sha256).hexdigest()


def mask_name(name: str) -> str:
    return name[:1] + "*" * max(len(name) - 1, 1)


def mask_phone(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}"


def mask_id_number(id_number: str) -> str:
    return f"{id_number[:1]}{'*' * 16}{id_number[-1:]}"


def _invalid(field: str, message: str) -> ApplicationError:
    return ApplicationError("invalid", message, fields={field: [message]})


def normalise_phone(raw: str) -> str:
    phone = re.sub(r"[\s-]", "", raw or "").removeprefix("+86")
    if not _PHONE.match(phone):
        raise _invalid("phone", _("Enter a mainland China mobile number: 11 digits starting with 1."))
    return phone


def normalise_id_number(raw: str) -> str:
    """A resident ID number (GB 11643): 18 characters whose last is the checksum."""
    number = (raw or "").strip().upper()
    if _ID_NUMBER.match(number):
        total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
        if "10X98765432"[total % 11] == number[17]:
            return number
    raise _invalid(
        "id_number", _("Enter the 18-character number on your resident ID card; check its last character.")
    )


def unavailable() -> ApplicationError:
    return ApplicationError(
        "verification_unavailable",
        _("The verification service did not answer. Nothing was saved; try again in a few minutes."),
        status_code=503,
    )


def verification_url() -> str:
    return settings.SITE_URL + reverse("web:verification")


class VerificationRequired(ApplicationError):
    status_code = 403

    def __init__(self, message: str) -> None:
        url = verification_url()
        super().__init__("verification_required", message, fields={"verification_url": [url]})
        self.url = url


def is_seller_verified(user: User) -> bool:
    return Verification.objects.filter(user=user, status=Status.VERIFIED).exists()


def is_phone_verified(user: User) -> bool:
    return PhoneVerification.objects.filter(user=user, verified_at__isnull=False).exists()


def seller_require_verified(*, user: User) -> None:
    """The gate before a seller publishes anything (a listing, a tutoring offer, a review reply)."""
    if settings.VERIFICATION_REQUIRED and not is_seller_verified(user):
        raise VerificationRequired(
            _("Verify your identity (mobile number, then name and ID number) before you publish.")
        )


def buyer_require_phone(*, user: User) -> None:
    """The gate before a buyer's purchase or review."""
    if settings.VERIFICATION_REQUIRED and not is_phone_verified(user):
        raise VerificationRequired(_("Verify your mobile number before you buy or review."))


def phone_code_send(*, user: User, phone: str) -> PhoneVerification:
    """Send a code by SMS to the number; only its hash is kept, until it is confirmed or expires."""
    phone = normalise_phone(phone)
    record = PhoneVerification.objects.filter(user=user).first()
    if record and record.code_sent_at and timezone.now() - record.code_sent_at < RESEND_AFTER:
        raise ApplicationError(
            "code_sent_recently",
            _("A code was sent less than a minute ago; wait before asking again."),
            status_code=429,
        )
    active = provider()
    code = SANDBOX_CODE if active.name == "sandbox" else f"{secrets.randbelow(10**6):06d}"
    try:
        active.send_code(phone=phone, code=code)
    except ProviderRefused:
        raise _invalid(
            "phone", _("No text message could be sent to this number; check it or try another.")
        ) from None
    except ProviderUnavailable:
        raise unavailable() from None
    record, _created = PhoneVerification.objects.update_or_create(
        user=user,
        defaults={
            "pending_masked_phone": mask_phone(phone),
            "pending_phone_hash": keyed_hash(phone),
            "code_hash": keyed_hash(f"code:{user.pk}:{code}"),
            "code_sent_at": timezone.now(),
            "attempts": 0,
        },
    )
    return record


def phone_code_confirm(*, user: User, code: str) -> PhoneVerification:
    """Confirm the code sent last. A wrong code counts as an attempt, which stays counted."""
    record = PhoneVerification.objects.filter(user=user).first()
    if record is None or not _code_usable(record):
        raise _invalid("code", _("This code has expired or was tried too often; ask for a new one."))
    if not hmac.compare_digest(record.code_hash, keyed_hash(f"code:{user.pk}:{(code or '').strip()}")):
        PhoneVerification.objects.filter(pk=record.pk).update(attempts=F("attempts") + 1)
        raise _invalid("code", _("That code is not the one we sent; check the text message and try again."))
    now = timezone.now()
    # The claim: of two concurrent confirmations of one code, one matches.
    claimed = PhoneVerification.objects.filter(pk=record.pk, code_hash=record.code_hash).update(
        masked_phone=record.pending_masked_phone,
        phone_hash=record.pending_phone_hash,
        verified_at=now,
        pending_masked_phone="",
        pending_phone_hash="",
        code_hash="",
        attempts=0,
    )
    if claimed != 1:
        raise _invalid("code", _("This code has expired or was tried too often; ask for a new one."))
    record.refresh_from_db()
    return record


def _code_usable(record: PhoneVerification) -> bool:
    ttl = timedelta(seconds=settings.VERIFICATION_CODE_TTL_SECONDS)
    return bool(
        record.code_hash
        and record.code_sent_at is not None
        and timezone.now() - record.code_sent_at <= ttl
        and record.attempts < MAX_CODE_ATTEMPTS
    )


def require_verifiable(user: User, *, phone_first: str) -> None:
    """Before any identity check: the mobile number is verified (``phone_first`` says so otherwise) and
    the identity is not yet (a verified seller cannot swap identities, nor lose theirs to a typo)."""
    if not is_phone_verified(user):
        raise ApplicationError("phone_required", phone_first, status_code=409)
    if is_seller_verified(user):
        raise Conflict("already_verified", _("Your identity is verified already."))


def verify_with_provider(
    user: User,
    active: Provider,
    check: Callable[[], bool],
    *,
    failure_reason: str,
    mismatch: ApplicationError,
    key_hash: str,
    masked_name: str,
    masked_id: str,
    method: str,
    country: str,
    in_use_message: str = "",
) -> Verification:
    """Ask the provider (``check``, outside any transaction): no answer is a 503 that writes nothing; a
    mismatch records ``failure_reason`` (what the person sees on their status) and raises ``mismatch``;
    a match claims the identity ``key_hash`` for ``user``."""
    try:
        matches = check()
    except (ProviderUnavailable, ProviderRefused):
        raise unavailable() from None
    if not matches:
        record_failure(user, active.name, failure_reason)
        raise mismatch
    return identity_claim(
        user,
        active.name,
        key_hash,
        masked_name,
        masked_id,
        method=method,
        country=country,
        in_use_message=in_use_message,
    )


def identity_verify(*, user: User, name: str, id_number: str) -> Verification:
    """Check a name against an ID number with the provider; verified unless the identity has enough shops."""
    require_verifiable(user, phone_first=_("Verify your mobile number first, then your name and ID number."))
    name = (name or "").strip()
    if not 2 <= len(name) <= 30:
        raise _invalid("name", _("Enter your name exactly as on your ID card."))
    id_number = normalise_id_number(id_number)
    active = provider()
    return verify_with_provider(
        user,
        active,
        lambda: active.identity_matches(name=name, id_number=id_number),
        failure_reason=_("The name and ID number do not match."),
        mismatch=_invalid(
            "id_number", _("The name and ID number do not match; check both against your ID card.")
        ),
        key_hash=keyed_hash(f"id:{id_number}"),
        masked_name=mask_name(name),
        masked_id=mask_id_number(id_number),
        method=Method.IDENTITY_DOCUMENT,
        # A resident ID number: mainland China (the sandbox stands in for it under the cn profile).
        country="CN" if active.name == "cn_sms_id" or settings.COMPLIANCE_PROFILE == "cn" else "",
    )


@transaction.atomic
def record_failure(user: User, provider_name: str, reason: str) -> None:
    Verification.objects.update_or_create(
        user=user,
        defaults={
            "provider": provider_name,
            "status": Status.FAILED,
            "failure_reason": reason,
            "updated_at": timezone.now(),
        },
    )
    VerificationEvent.objects.create(user=user, actor=user, action="failed", provider=provider_name)


@transaction.atomic
def identity_claim(
    user: User,
    provider_name: str,
    key_hash: str,
    masked_name: str,
    masked_id: str,
    *,
    method: str = Method.IDENTITY_DOCUMENT,
    in_use_message: str = "",
    country: str = "",
) -> Verification:
    """Verify ``user`` as the identity ``key_hash`` (a person's ID number, a company's credit code)."""
    identity, _created = Identity.objects.get_or_create(key_hash=key_hash)
    identity = Identity.objects.select_for_update().get(pk=identity.pk)  # serialises claims of one identity
    others = identity.verifications.filter(status=Status.VERIFIED).exclude(user=user).count()
    if others >= settings.VERIFICATION_MAX_ACCOUNTS_PER_IDENTITY:
        raise Conflict(
            "identity_in_use",
            in_use_message
            or _("This identity is already verified on another account. Each person may open only one shop."),
        )
    now = timezone.now()
    verification, _created = Verification.objects.update_or_create(
        user=user,
        defaults={
            "provider": provider_name,
            "status": Status.VERIFIED,
            "method": method,
            "identity": identity,
            "masked_name": masked_name,
            "masked_identifier": masked_id,
            "country": country,
            "failure_reason": "",
            "verified_at": now,
            "revoked_at": None,
            "updated_at": now,
        },
    )
    VerificationEvent.objects.create(user=user, actor=user, action="verified", provider=provider_name)
    return verification


@transaction.atomic
def verification_revoke(*, verification: Verification, by: User) -> Verification:
    """Staff withdraw a seller's verification: their listings are unpublished (prompts listens)."""
    verification = Verification.objects.select_for_update().get(pk=verification.pk)
    if verification.status != Status.VERIFIED:
        raise Conflict("not_verified", _("Only a verified seller's verification can be revoked."))
    now = timezone.now()
    verification.status, verification.revoked_at, verification.updated_at = Status.UNVERIFIED, now, now
    verification.failure_reason = _("Revoked by staff.")
    verification.save()
    VerificationEvent.objects.create(
        user=verification.user, actor=by, action="revoked", provider=verification.provider
    )
    verification_revoked.send(sender=Verification, user=verification.user, by=by)
    return verification


def verification_for(*, user: User) -> Verification | None:
    return Verification.objects.filter(user=user).first()


def phone_for(*, user: User) -> PhoneVerification | None:
    return PhoneVerification.objects.filter(user=user).first()
