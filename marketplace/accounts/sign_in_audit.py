"""Sessions' sign-ins and sign-outs into the audit trail, from Django's auth signals.

Django's `login()` and `logout()` are the one place every session door passes through (the
website's sign-in and sign-up, the admin, a password reset that signs in), so listening there
records them all; a door added later is recorded without remembering to. API tokens have no
session: their sign-in and sign-out are recorded by `token_obtain` and `token_sign_out`.
"""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.http import HttpRequest

from marketplace.accounts.models import SignInEvent, User
from marketplace.accounts.services import sign_in_event_record
from marketplace.core.client import client_address, user_agent


def _door(request: HttpRequest | None) -> str:
    match = getattr(request, "resolver_match", None)
    return (
        SignInEvent.Door.ADMIN
        if match is not None and match.namespace == "admin"
        else SignInEvent.Door.WEBSITE
    )


def _record(kind: str, request: HttpRequest | None, user: object) -> None:
    if not isinstance(user, User):  # a sign-out of nobody signed in
        return
    sign_in_event_record(
        user=user,
        kind=kind,
        door=_door(request),
        address=client_address(request) if request is not None else "",
        user_agent=user_agent(request) if request is not None else "",
    )


def _on_signed_in(sender: object, request: HttpRequest | None, user: object, **kwargs: object) -> None:
    _record(SignInEvent.Kind.SIGN_IN, request, user)


def _on_signed_out(sender: object, request: HttpRequest | None, user: object, **kwargs: object) -> None:
    _record(SignInEvent.Kind.SIGN_OUT, request, user)


def connect() -> None:
    user_logged_in.connect(_on_signed_in, dispatch_uid="dimsum.sign_in_audit.in")
    user_logged_out.connect(_on_signed_out, dispatch_uid="dimsum.sign_in_audit.out")
