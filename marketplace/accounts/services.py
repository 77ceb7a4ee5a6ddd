from __future__ import annotations

import re
import secrets

from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.accounts.models import HANDLE_PATTERN, ApiToken, User, hash_token
from marketplace.core.errors import ApplicationError

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
    token = ApiToken.objects.create(
        user=user, name=name[:60] or "default", key_hash=hash_token(raw), prefix=raw[:12]
    )
    return token, raw


def token_obtain(*, email: str, password: str, name: str = "default") -> tuple[ApiToken, str]:
    user = authenticate(username=email.strip().lower(), password=password)
    if user is None or not isinstance(user, User):
        raise ApplicationError("invalid_credentials", _("Email or password is wrong."), status_code=401)
    return token_create(user=user, name=name)


def token_revoke(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def user_language_remember(*, user: User, language: str) -> None:
    """Record the language the user reads the site in, for the emails we send them later."""
    if language in dict(settings.LANGUAGES) and user.language != language:
        User.objects.filter(pk=user.pk).update(language=language)
        user.language = language
