"""Sellers' payout accounts (Stripe Connect Express), and whether a seller can be paid.

A seller can be paid while their connected account takes charges. seller_account_sync is the
only writer of that answer: ConnectedAccount.charges_enabled, and its copy on the user,
User.can_accept_payments, which prompts (submitting a paid listing) and the website read because
they may not import payments. seller_account_for_payment is the guard every order passes.
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
)
from payments.selectors import seller_payout_account
from payments.services.provider import gateway


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
        User.objects.filter(pk=account.user_id).update(can_accept_payments=state.charges_enabled)
        return account


def seller_account_for_payment(*, seller: User) -> ConnectedAccount:
    """The account a buyer's payment goes to; a 409 when the seller cannot take payments now."""
    account = seller_payout_account(seller=seller)
    if account is None:
        raise Conflict(
            "seller_cannot_accept_payments", _("The seller cannot take payments right now; try later.")
        )
    return account
