"""One sign-in lock for every door: the website, the API's token endpoint and the admin.

Failures are rows in the database (SignInFailure), so the lock neither opens nor blocks sign-in
when the cache is down. Three limits, each refusing an attempt before its password is checked:

- per email and client address: LOGIN_MAX_FAILURES failures, then a wait after each further one,
  LOGIN_LOCK_FIRST_MINUTES doubling up to LOGIN_LOCK_MAX_MINUTES. A stranger's failures slow the
  stranger; the owner, signing in from elsewhere, is not locked by them;
- per client address across emails (password spraying): LOGIN_ADDRESS_FAILURES_PER_HOUR;
- per email across addresses (a distributed guess at one account): LOGIN_ACCOUNT_FAILURES_PER_HOUR.

A success clears its email and address's failures; a new password clears every failure of the email.
"""

from __future__ import annotations

import hashlib
import logging
import math
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.db.models import Count, Max, QuerySet
from django.utils import timezone
from django.utils.translation import ngettext

from marketplace.accounts.models import SignInFailure, User
from marketplace.core.errors import ApplicationError

logger = logging.getLogger(__name__)

# Failures older than this no longer count toward the back-off and are pruned.
HORIZON = timedelta(hours=24)
CAP_WINDOW = timedelta(hours=1)


class SignInLocked(ApplicationError):
    """Too many failures: try again in ``retry_after`` seconds, or reset the password."""

    def __init__(self, retry_after: int) -> None:
        minutes = max(1, math.ceil(retry_after / 60))
        message = ngettext(
            "Too many failed attempts to log in. Try again in %(minutes)d minute, or reset your password.",
            "Too many failed attempts to log in. Try again in %(minutes)d minutes, or reset your password.",
            minutes,
        ) % {"minutes": minutes}
        super().__init__("too_many_attempts", message, status_code=429)
        self.retry_after = max(1, retry_after)


def account_key(email: str) -> str:
    """The email as failures name it: normalised, so "Buyer@Example.com " is the same mailbox, and
    hashed, because it is personal data."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def sign_in(*, email: str, password: str, address: str, request: Any = None) -> User | None:
    """The user if the password is right; None if not; SignInLocked while a limit holds."""
    account = account_key(email)
    # Recorded before the check, so concurrent guesses see each other and cannot slip past the lock.
    attempt = SignInFailure.objects.create(account=account, address=address)
    wait = _wait_seconds(account=account, address=address, attempt=attempt)
    if wait > 0:
        attempt.delete()  # a refused attempt is not a failure: it neither counts nor extends the lock
        logger.warning("sign-in locked: %s… from %s for %d s", account[:12], address, wait)
        raise SignInLocked(wait)
    user = authenticate(request, username=email.strip().lower(), password=password)
    if not isinstance(user, User):
        return None  # the attempt stays, as a failure
    SignInFailure.objects.filter(account=account, address=address).delete()
    return user


def clear_account(*, email: str) -> None:
    SignInFailure.objects.filter(account=account_key(email)).delete()


def prune(*, now: datetime | None = None) -> int:
    return SignInFailure.objects.filter(at__lt=(now or timezone.now()) - HORIZON).delete()[0]


def _wait_seconds(*, account: str, address: str, attempt: SignInFailure) -> int:
    earlier = SignInFailure.objects.exclude(pk=attempt.pk).filter(at__gte=attempt.at - HORIZON)
    waits = [
        _back_off_wait(earlier.filter(account=account, address=address), attempt.at),
        _cap_wait(earlier.filter(address=address), settings.LOGIN_ADDRESS_FAILURES_PER_HOUR, attempt.at),
        _cap_wait(earlier.filter(account=account), settings.LOGIN_ACCOUNT_FAILURES_PER_HOUR, attempt.at),
    ]
    return max(waits)


def _back_off_wait(failures: QuerySet[SignInFailure], now: datetime) -> int:
    found = failures.aggregate(count=Count("pk"), last=Max("at"))
    over = found["count"] - settings.LOGIN_MAX_FAILURES
    if over < 0:
        return 0
    minutes = min(settings.LOGIN_LOCK_FIRST_MINUTES * 2 ** min(over, 20), settings.LOGIN_LOCK_MAX_MINUTES)
    return _seconds_until(found["last"] + timedelta(minutes=minutes), now)


def _cap_wait(failures: QuerySet[SignInFailure], cap: int, now: datetime) -> int:
    in_window = failures.filter(at__gt=now - CAP_WINDOW)
    count = in_window.count()
    if count < cap:
        return 0
    # Allowed again once count - cap + 1 of them have left the window.
    oldest = in_window.order_by("at").values_list("at", flat=True)[count - cap]
    return _seconds_until(oldest + CAP_WINDOW, now)


def _seconds_until(moment: datetime, now: datetime) -> int:
    return max(0, math.ceil((moment - now).total_seconds()))
