from __future__ import annotations

import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.accounts import lockout
from marketplace.accounts.models import HANDLE_PATTERN, ApiToken, SignInEvent, User, hash_token
from marketplace.core.errors import ApplicationError
from marketplace.core.text import require_visible_text

TOKEN_PREFIX = "dms_"
RESERVED_HANDLES = {"admin", "api", "staff", "support", "dimsum", "root", "system", "me", "seller"}


def _check_handle(handle: str) -> str:
    handle = handle.strip().lower()
    if not re.fullmatch(HANDLE_PATTERN, handle):
        raise ApplicationError(
            "invalid",
            _("The handle is not valid."),
            fields={
                "handle": [
                    _("Use 3-30 lowercase letters, digits, '-' or '_'; start and end with a letter or digit.")
                ]
            },
        )
    if handle in RESERVED_HANDLES:
        raise ApplicationError(
            "invalid", _("The handle is not valid."), fields={"handle": [_("This handle is reserved.")]}
        )
    return handle


@transaction.atomic
def user_register(*, email: str, password: str, handle: str, display_name: str = "") -> User:
    email = User.objects.normalize_email(email).strip().lower()
    handle = _check_handle(handle)
    require_visible_text(display_name, field="display_name")
    candidate = User(email=email, handle=handle, display_name=display_name)
    try:
        password_validation.validate_password(password, user=candidate)
    except ValidationError as exc:
        raise ApplicationError(
            "invalid", _("The password is too weak."), fields={"password": exc.messages}
        ) from None
    if User.objects.filter(email__iexact=email).exists():
        raise ApplicationError(
            "email_taken",
            _("An account with this email already exists."),
            fields={"email": [_("Already registered.")]},
            status_code=409,
        )
    if User.objects.filter(handle__iexact=handle).exists():
        raise ApplicationError(
            "handle_taken",
            _("This handle is taken."),
            fields={"handle": [_("Choose another handle.")]},
            status_code=409,
        )
    candidate.set_password(password)
    try:
        # A savepoint, so a lost race against the unique constraints leaves the outer transaction usable.
        with transaction.atomic():
            candidate.save()
    except IntegrityError:
        raise ApplicationError(
            "email_taken", _("This email or handle was just taken."), status_code=409
        ) from None
    return candidate


def token_create(*, user: User, name: str = "default") -> tuple[ApiToken, str]:
    """Return the token row and the raw token, which is never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    ttl_days = settings.API_TOKEN_TTL_DAYS
    token = ApiToken.objects.create(
        user=user,
        name=name[:60] or "default",
        key_hash=hash_token(raw),
        prefix=raw[:12],
        created_at=now,
        expires_at=now + timedelta(days=ttl_days) if ttl_days else None,
    )
    return token, raw


def token_obtain(
    *, email: str, password: str, address: str, name: str = "default", user_agent: str = ""
) -> tuple[ApiToken, str]:
    """A new token for the right email and password; lockout.SignInLocked while the lock holds."""
    user = lockout.sign_in(email=email, password=password, address=address)
    if user is None:
        raise ApplicationError("invalid_credentials", _("Email or password is wrong."), status_code=401)
    return token_sign_in(user=user, name=name, address=address, user_agent=user_agent)


@transaction.atomic
def token_sign_in(*, user: User, name: str, address: str, user_agent: str = "") -> tuple[ApiToken, str]:
    """A token issued to a person who just proved who they are: a sign-in, in the audit trail."""
    created = token_create(user=user, name=name)
    sign_in_event_record(
        user=user,
        kind=SignInEvent.Kind.SIGN_IN,
        door=SignInEvent.Door.API,
        address=address,
        user_agent=user_agent,
    )
    return created


def token_revoke(*, token: ApiToken) -> int:
    """Revoke the token if it is still live; 1 when this call revoked it, 0 when it already was."""
    return ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


@transaction.atomic
def token_sign_out(*, token: ApiToken, address: str, user_agent: str = "") -> None:
    """The API's sign-out: the token used for the request is revoked, and the sign-out recorded once."""
    if token_revoke(token=token):
        sign_in_event_record(
            user=token.user,
            kind=SignInEvent.Kind.SIGN_OUT,
            door=SignInEvent.Door.API,
            address=address,
            user_agent=user_agent,
        )


_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def sign_in_event_record(*, user: User, kind: str, door: str, address: str, user_agent: str) -> SignInEvent:
    """One row of the sign-in audit trail; the user agent is cut to its first 200 printable characters."""
    agent = _CONTROL_CHARACTERS.sub("", user_agent or "")[:200]
    return SignInEvent.objects.create(user=user, kind=kind, door=door, address=address[:64], user_agent=agent)


@transaction.atomic
def user_password_set(*, user: User, password: str | None) -> None:
    """Set a new password (None: none can be used) and close every way in the old one opened.

    Every API token is revoked and the email's sign-in failures are cleared. Sessions signed in
    with the old password end at their next request, because Django checks each session against
    the password's hash; an interface that keeps the current session calls
    update_session_auth_hash after this.
    """
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save()
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    lockout.clear_account(email=user.email)


def user_language_remember(*, user: User, language: str) -> None:
    """Record the language the user reads the site in, for the emails we send them later."""
    if language in dict(settings.LANGUAGES) and user.language != language:
        User.objects.filter(pk=user.pk).update(language=language)
        user.language = language
