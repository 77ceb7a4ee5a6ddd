"""Sellers' payout accounts (Stripe Connect Express), and whether a seller can be paid.

A Connect seller can be paid while their connected account takes charges; a manual-rail seller
while their payout details are complete (services.rails, whose seller_payments_refresh writes the
answer's copy on the user, User.can_accept_payments, which prompts and the website read because
they may not import payments). seller_payment_destination is the guard every order passes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from marketplace.accounts.models import User
from marketplace.core.errors import Conflict
from payments.gateway import (
    AccountState,
)
from payments.models import (
    ConnectedAccount,
    PayoutRail,
)
from payments.selectors import seller_payout_account
from payments.services.provider import gateway
from payments.services.rails import payout_rail_for, seller_payments_refresh


def seller_onboarding_link(*, user: User, site_url: str = "") -> str:
    """Create the seller's Connect account if needed and return where to finish onboarding."""
    account = ConnectedAccount.objects.filter(user=user).first()
    if account is None:
        state = gateway().create_account(email=user.email, user_id=user.pk)
        account, _ = ConnectedAccount.objects.get_or_create(
            user=user, defaults={"provider": gateway().name, "account_id": state.id}
        )
    base = (site_url or settings.SITE_URL).rstrip("/")  # the seller's own host when they use the website
    url = gateway().account_link(
        account_id=account.account_id,
        refresh_url=f"{base}/payments/onboarding/refresh/",
        return_url=f"{base}/payments/onboarding/done/",
    )
    seller_account_sync(account_id=account.account_id)
    return url


def seller_account_sync(*, account_id: str, state: AccountState | None = None) -> ConnectedAccount | None:
    state = state or gateway().retrieve_account(account_id)
    with transaction.atomic():
        account = ConnectedAccount.objects.select_for_update().filter(account_id=account_id).first()
        if account is None:
            return None
        account.charges_enabled = state.charges_enabled
        account.payouts_enabled = state.payouts_enabled
        account.details_submitted = state.details_submitted
        account.save()
        seller_payments_refresh(user=account.user)
        return account


def seller_payment_destination(*, seller: User) -> tuple[str, str]:
    """(payout rail, destination account) of a buyer's payment; a 409 when the seller cannot take
    payments now. A manual-rail sale is charged on the platform: no destination account."""
    if payout_rail_for(user=seller) == PayoutRail.MANUAL:
        if not seller.can_accept_payments:
            raise Conflict(
                "seller_cannot_accept_payments", _("The seller cannot take payments right now; try later.")
            )
        return PayoutRail.MANUAL.value, ""
    return PayoutRail.CONNECT.value, seller_account_for_payment(seller=seller).account_id


def seller_account_for_payment(*, seller: User) -> ConnectedAccount:
    """The account a buyer's payment goes to; a 409 when the seller cannot take payments now."""
    account = seller_payout_account(seller=seller)
    if account is None:
        raise Conflict(
            "seller_cannot_accept_payments", _("The seller cannot take payments right now; try later.")
        )
    return account
