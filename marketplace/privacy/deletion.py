"""Account deletion, the user's right: personal data goes at once, the records the law requires stay.

Within one transaction: the user row is anonymised (email, handle, names, bio, password, API
tokens; the old password hash is gone, so every signed-in session fails its check), the prompts
they unlocked die with the account, their published listings are archived, their tutoring offers
unpublished, held (unpaid) bookings released. Orders, refunds and the ledger stay, pointing at the
anonymised row, until retention pseudonymises them (marketplace.privacy.retention); so do the
audit trail's rows, sign-in events with their user agent cleared, until retention deletes them.

An account with money in flight (an unpaid payout, an open dispute, a refund or reversal being
sent, a checkout still open, a confirmed session still to come) is refused with what to do
first: deleting it would leave a payment nobody can settle.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.accounts import lockout
from marketplace.accounts.models import ApiToken, SignInEvent, User
from marketplace.core.errors import ApplicationError, Conflict
from marketplace.notifications.models import Notification, NotificationPreference
from marketplace.tutoring.models import Booking, BookingStatus, TutoringOffer
from marketplace.tutoring.services import booking_release
from payments.models import (
    Order,
    OrderStatus,
    Payout,
    PayoutProfile,
    PayoutStatement,
    PayoutStatus,
    Refund,
    RefundStatus,
    ReversalStatus,
    StatementStatus,
    TransferReversal,
    Unlock,
)
from payments.selectors import manual_balance_for
from payments.services.statements import statement_close_final
from prompts.models import Complaint, Favourite, Listing, ListingStatus
from prompts.services import listing_archive
from prompts.trials.services import trial_runs_forget_buyer

logger = logging.getLogger(__name__)

OPEN_CHECKOUT_WINDOW = timedelta(hours=24)
DELETED_EMAIL_DOMAIN = "deleted.invalid"  # RFC 2606: no mailbox can exist there


def account_delete_blockers(*, user: User) -> list[str]:
    """What must be settled before the account can go, each as a sentence saying what to do."""
    blockers = []
    mine = Q(buyer=user) | Q(seller=user)
    if Payout.objects.filter(order__seller=user).exclude(status=PayoutStatus.PAID).exists():
        blockers.append(
            _(
                "A payout to you has not arrived yet. "
                "Wait until your dashboard shows it paid, or contact support."
            )
        )
    if Order.objects.filter(mine, disputed=True, payout_held=True).exists():
        blockers.append(_("A payment of yours is disputed. Wait for the bank's decision (we email you)."))
    if Refund.objects.filter(order__in=Order.objects.filter(mine), status=RefundStatus.PENDING).exists():
        blockers.append(_("A refund is still being sent. Try again once it has arrived (within a few days)."))
    unpaid_statement = PayoutStatement.objects.filter(seller=user).exclude(status=StatementStatus.PAID)
    if unpaid_statement.exists():
        blockers.append(
            _(
                "A final statement of your earnings is closed and staff will pay it to your bank or "
                "Alipay account (we email you when it is sent). Delete the account after that."
            )
        )
    elif any(row["amount"] > 0 for row in manual_balance_for(seller=user)):
        blockers.append(
            _(
                "Some of your earnings have not been paid to your bank or Alipay account yet. "
                "Deleting the account closes a final statement for staff to pay; earnings from a "
                "session still to end or a refund in flight wait until that settles."
            )
        )
    if TransferReversal.objects.filter(order__seller=user, status=ReversalStatus.PENDING).exists():
        blockers.append(_("Money from a lost dispute is still being taken back from your payout account."))
    # A checkout paid after the account went would charge a buyer nobody can serve. Stripe's
    # checkout sessions expire within a day, so an older pending order cannot be paid any more.
    open_since = timezone.now() - OPEN_CHECKOUT_WINDOW
    if Order.objects.filter(buyer=user, status=OrderStatus.PENDING, created_at__gte=open_since).exists():
        blockers.append(
            _(
                "A checkout of yours is still open. "
                "Finish paying, or wait a day for it to expire; then try again."
            )
        )
    upcoming = Booking.objects.filter(mine, status=BookingStatus.CONFIRMED, ends_at__gt=timezone.now())
    if upcoming.exists():
        blockers.append(
            _(
                "You have tutoring sessions still to come. Cancel them on your bookings page first "
                "(refunds follow the cancellation policy), or delete the account after they end."
            )
        )
    return blockers


def account_delete(*, user: User, password: str, address: str) -> None:
    """Delete the account after checking its password; SignInLocked, or ApplicationError if refused."""
    # Checked outside the transaction: a wrong password must stay counted by the sign-in lock.
    if lockout.sign_in(email=user.email, password=password, address=address) is None:
        raise ApplicationError(
            "password_incorrect",
            _("The password is not right. Enter the password you sign in with."),
            fields={"password": [_("The password is not right.")]},
            status_code=403,
        )
    # Earnings below MANUAL_PAYOUT_MINIMUM would never make a scheduled statement: close a final
    # one now (its own transaction, kept when the deletion below is refused) for staff to pay.
    statement_close_final(seller=user)
    _account_anonymise(user_id=user.pk)


@transaction.atomic
def _account_anonymise(*, user_id: int) -> None:
    user = User.objects.select_for_update().get(pk=user_id, is_active=True)
    blockers = account_delete_blockers(user=user)
    if blockers:
        raise Conflict("money_in_flight", " ".join(blockers))
    now = timezone.now()
    for listing in Listing.objects.filter(
        seller=user, status__in=[ListingStatus.PUBLISHED, ListingStatus.PENDING_REVIEW]
    ):
        listing_archive(listing=listing, by=user)
    TutoringOffer.objects.filter(seller=user, is_active=True).update(is_active=False, updated_at=now)
    for booking_id in Booking.objects.filter(
        Q(buyer=user) | Q(seller=user), status=BookingStatus.HELD
    ).values_list("pk", flat=True):
        booking_release(booking_id=booking_id)
    Unlock.objects.active().filter(buyer=user).update(revoked_at=now, revoke_reason="account_deleted")
    Favourite.objects.filter(buyer=user).delete()
    trial_runs_forget_buyer(buyer=user)
    NotificationPreference.objects.filter(user=user).delete()
    Notification.objects.filter(recipient=user).delete()
    Complaint.objects.filter(reporter=user).update(contact_email="")
    ApiToken.objects.filter(user=user).delete()
    # Sign-in events are the log the law keeps (until retention): the address and time stay, with
    # the anonymised user; the user agent, which may single out a device, goes now.
    SignInEvent.objects.filter(user=user).exclude(user_agent="").update(user_agent="")
    PayoutProfile.objects.filter(user=user).update(
        method="", details_ciphertext="", masked_holder="", masked_account="", bank_name=""
    )
    handle = f"deleted-{secrets.token_hex(6)}"
    user.email, user.handle = f"{handle}@{DELETED_EMAIL_DOMAIN}", handle
    user.display_name, user.bio = "", ""
    user.is_active, user.is_staff, user.is_superuser, user.can_accept_payments = False, False, False, False
    user.set_unusable_password()  # also fails every session's auth hash check
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    logger.info("privacy: account %s deleted and anonymised", user.pk)
