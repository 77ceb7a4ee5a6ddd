"""How many sign-ups one client address may make, the same at every door (website and API).

Two budgets per client address (client_address()), counted by DRF's throttle in the cache:

- accounts created: REGISTER_THROTTLE_RATE (5 an hour). Only an account actually created uses
  it: a form sent back with a mistake (a short password, a taken handle) is not abuse;
- attempts, whatever their outcome: REGISTER_ATTEMPT_THROTTLE_RATE (30 an hour), so the form
  still cannot be hammered, e.g. to learn which emails have accounts.
"""

from __future__ import annotations

import math
from typing import Any

from django.utils.translation import ngettext

from marketplace.core.client import throttle_count, throttle_peek, throttle_wait
from marketplace.core.errors import ApplicationError

ACCOUNTS_SCOPE = "register"
ATTEMPTS_SCOPE = "register_attempt"


class SignUpLimited(ApplicationError):
    """A budget of the client address is spent: try again in ``retry_after`` seconds."""

    def __init__(self, wait: float, *, attempts: bool) -> None:
        minutes = max(1, math.ceil(wait / 60))
        if attempts:
            message = ngettext(
                "Too many sign-up attempts from your network. Try again in %(minutes)d minute.",
                "Too many sign-up attempts from your network. Try again in %(minutes)d minutes.",
                minutes,
            )
        else:
            message = ngettext(
                "Too many sign-ups from your network. Try again in %(minutes)d minute.",
                "Too many sign-ups from your network. Try again in %(minutes)d minutes.",
                minutes,
            )
        super().__init__("throttled", message % {"minutes": minutes}, status_code=429)
        self.retry_after = max(1, math.ceil(wait))


def sign_up_check(request: Any, *, count_attempt: bool) -> None:
    """Raise SignUpLimited while a budget of the request's client address is spent.

    ``count_attempt``: count this request as an attempt; False where a throttle class with
    ATTEMPTS_SCOPE has counted it already (the API view).
    """
    if count_attempt:
        wait = throttle_wait(request, ATTEMPTS_SCOPE)
        if wait is not None:
            raise SignUpLimited(wait, attempts=True)
    wait = throttle_peek(request, ACCOUNTS_SCOPE)
    if wait is not None:
        raise SignUpLimited(wait, attempts=False)


def sign_up_counted(request: Any) -> None:
    """Count the account this request just created against its client address's budget."""
    throttle_count(request, ACCOUNTS_SCOPE)
