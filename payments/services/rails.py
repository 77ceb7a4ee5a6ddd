"""Which rail pays a seller (Stripe Connect or manual statements), their payout details, and the
one answer to "can this seller take payments now?" (User.can_accept_payments, which prompts and
the website read because they may not import payments).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.utils.translation import gettext as _

from marketplace.accounts.models import User
from marketplace.core.errors import ApplicationError
from marketplace.verification.models import Status, Verification
from marketplace.verification.services import mask_name
from payments import sealing
from payments.models import ConnectedAccount, PayoutMethod, PayoutProfile, PayoutRail


def _verified_country(user: User) -> str:
    return (
        Verification.objects.filter(user=user, status=Status.VERIFIED)
        .values_list("country", flat=True)
        .first()
        or ""
    )


def _connect_serves(country: str) -> bool:
    """False only when the seller's verified country is known and Connect does not pay out there."""
    return not country or country in settings.STRIPE_CONNECT_COUNTRIES


def _allowed(country: str) -> list[str]:
    """connect: Connect only, whatever the country (the operator's word). Otherwise the manual
    rail, and Connect too where it pays out in the seller's verified country."""
    if settings.PAYOUT_RAIL_DEFAULT == "connect":
        return [PayoutRail.CONNECT.value]
    rails = [PayoutRail.CONNECT.value] if _connect_serves(country) else []
    return [*rails, PayoutRail.MANUAL.value]


def _rail(profile: PayoutProfile | None, country: str) -> str:
    allowed = _allowed(country)
    if profile is not None and profile.rail in allowed:
        return profile.rail
    default = settings.PAYOUT_RAIL_DEFAULT
    if default == "country":
        default = PayoutRail.CONNECT if _connect_serves(country) else PayoutRail.MANUAL
    return str(default) if str(default) in allowed else allowed[0]


def payout_rails_allowed(*, user: User) -> list[str]:
    return _allowed(_verified_country(user))


def payout_rail_for(*, user: User, profile: PayoutProfile | None = None) -> str:
    """The seller's chosen rail while it is allowed, else the deployment's default for them."""
    profile = profile or PayoutProfile.objects.filter(user=user).first()
    return _rail(profile, _verified_country(user))


@dataclass(frozen=True)
class PayoutSetup:
    """What a page shows of how a seller is paid, read in one query."""

    rail: str
    rails_allowed: list[str]
    profile: PayoutProfile | None
    account: ConnectedAccount | None
    verification: Verification | None = None


def payout_setup(*, user: User) -> PayoutSetup:
    row = User.objects.select_related("payout_account", "payout_profile", "verification").get(pk=user.pk)
    profile = _related(row, "payout_profile")
    verification = _related(row, "verification")
    country = verification.country if verification and verification.status == Status.VERIFIED else ""
    account = _related(row, "payout_account")
    return PayoutSetup(_rail(profile, country), _allowed(country), profile, account, verification)


def _related(row: User, name: str) -> Any:
    try:
        return getattr(row, name)
    except ObjectDoesNotExist:
        return None


def seller_can_be_paid(*, user: User) -> bool:
    if not user.is_active:  # a deleted or disabled account sells nothing
        return False
    if payout_rail_for(user=user) == PayoutRail.MANUAL:
        profile = PayoutProfile.objects.filter(user=user).first()
        verified = (
            not settings.VERIFICATION_REQUIRED
            or Verification.objects.filter(user=user, status=Status.VERIFIED).exists()
        )
        return profile is not None and profile.has_details and verified
    return ConnectedAccount.objects.filter(user=user, charges_enabled=True).exists()


def seller_payments_refresh(*, user: User) -> bool:
    """Recompute User.can_accept_payments from the seller's rail; the only writer of that flag."""
    can = seller_can_be_paid(user=user)
    User.objects.filter(pk=user.pk).update(can_accept_payments=can)
    user.can_accept_payments = can
    return can


@transaction.atomic
def payout_rail_choose(*, user: User, rail: str) -> PayoutProfile:
    if rail not in payout_rails_allowed(user=user):
        raise ApplicationError(
            "payout_rail_not_allowed",
            _("This payout method is not available for your account."),
            fields={
                "rail": [
                    _("Choose one of: %(rails)s.") % {"rails": ", ".join(payout_rails_allowed(user=user))}
                ]
            },
        )
    profile, _created = PayoutProfile.objects.select_for_update().get_or_create(user=user)
    profile.rail = rail
    profile.save(update_fields=["rail", "updated_at"])
    seller_payments_refresh(user=user)
    return profile


_BANK_ACCOUNT = re.compile(r"\d{8,30}")
_PHONE = re.compile(r"1\d{10}")
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,190}\.[A-Za-z]{2,}")


def mask_bank_account(number: str) -> str:
    """6222021234560123 -> '6222 **** **** 0123'."""
    return f"{number[:4]} **** **** {number[-4:]}"


def mask_alipay_id(account: str) -> str:
    """A mobile number -> '138****0000'; an email -> 'm***@example.com'."""
    if "@" in account:
        local, domain = account.split("@", 1)
        return f"{local[:1]}***@{domain}"
    return f"{account[:3]}****{account[-4:]}"


def _invalid(field: str, message: str) -> ApplicationError:
    return ApplicationError("invalid_payout_details", message, fields={field: [message]})


def _clean_account(method: str, account: str) -> tuple[str, str]:
    """(the account as stored, its masked display); a 400 naming the field when it is malformed."""
    if method == PayoutMethod.BANK:
        digits = re.sub(r"[\s-]", "", account)
        if not _BANK_ACCOUNT.fullmatch(digits):
            raise _invalid("account", _("Enter the bank account number: 8 to 30 digits."))
        return digits, mask_bank_account(digits)
    account = account.strip()
    if not (_PHONE.fullmatch(account) or _EMAIL.fullmatch(account)):
        raise _invalid(
            "account", _("Enter the Alipay account: a mainland mobile number or an email address.")
        )
    return account, mask_alipay_id(account)


@transaction.atomic
def payout_details_set(
    *, user: User, method: str, holder_name: str, account: str, bank_name: str = ""
) -> PayoutProfile:
    """Replace the seller's payout details; the plaintext is only in the ciphertext column."""
    if method not in PayoutMethod.values:
        raise _invalid("method", _("Choose a bank account or Alipay."))
    holder_name = (holder_name or "").strip()
    if not 2 <= len(holder_name) <= 60:
        raise _invalid("holder_name", _("Enter the account holder's name as the bank or Alipay has it."))
    stored, masked = _clean_account(method, account or "")
    bank_name = (bank_name or "").strip()[:100]
    if method == PayoutMethod.BANK and not bank_name:
        raise _invalid("bank_name", _("Enter the bank's name, such as 中国工商银行."))
    profile, _created = PayoutProfile.objects.select_for_update().get_or_create(user=user)
    profile.method = method
    profile.details_ciphertext = sealing.seal(
        {"holder_name": holder_name, "account": stored, "bank_name": bank_name if method == "bank" else ""}
    )
    profile.masked_holder = mask_name(holder_name)
    profile.masked_account = masked
    profile.bank_name = bank_name if method == PayoutMethod.BANK else ""
    profile.save()
    seller_payments_refresh(user=user)
    return profile


@transaction.atomic
def payout_setup_save(
    *,
    user: User,
    rail: str = "",
    details: bool = False,
    method: str = "",
    holder_name: str = "",
    account: str = "",
    bank_name: str = "",
) -> PayoutProfile:
    """Save the payout form in one go: the details first (when ``details``), then the rail (when
    given). Either refused (a 400 naming the field) changes nothing: a seller never ends up on a
    rail whose details were rejected, nor with details kept for a rail they could not choose."""
    profile = None
    if details:
        profile = payout_details_set(
            user=user, method=method, holder_name=holder_name, account=account, bank_name=bank_name
        )
    if rail:
        profile = payout_rail_choose(user=user, rail=rail)
    return profile or PayoutProfile.objects.get_or_create(user=user)[0]


def payout_details_reseal() -> int:
    """Re-encrypt every profile under the current PAYOUT_DETAILS_KEY (after a key rotation)."""
    count = 0
    for pk in PayoutProfile.objects.exclude(details_ciphertext="").values_list("pk", flat=True):
        with transaction.atomic():
            profile = PayoutProfile.objects.select_for_update().get(pk=pk)
            profile.details_ciphertext = sealing.reseal(profile.details_ciphertext)
            profile.save(update_fields=["details_ciphertext"])
            count += 1
    return count
