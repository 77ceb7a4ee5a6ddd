from __future__ import annotations

import hashlib
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

HANDLE_PATTERN = r"^[a-z0-9](?:[a-z0-9_-]{1,28}[a-z0-9])$"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("handle", email.split("@")[0].lower()[:30])
        return self.create_user(email, password, is_staff=True, is_superuser=True, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person on Dimsum. Anyone can buy; a user with listings is a seller."""

    email = models.EmailField(_("email address"), unique=True)  # named in messages (password too similar)
    handle = models.CharField(max_length=30, unique=True, help_text="Public name, e.g. 'lotus-prompts'.")
    display_name = models.CharField(max_length=60, blank=True)
    # The language of the website when the user last signed up, signed in or switched: emails
    # (booking confirmations, reminders) are written in it.
    language = models.CharField(max_length=10, default="en", choices=settings.LANGUAGES)
    bio = models.TextField(max_length=1000, blank=True)
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    # Set by payments from the payment provider (Stripe Connect charges_enabled): paid listings need it.
    can_accept_payments = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["handle"]

    class Meta:
        verbose_name = pgettext_lazy("model", "user")
        verbose_name_plural = pgettext_lazy("model", "users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            models.UniqueConstraint(Lower("handle"), name="user_handle_ci_unique"),
        ]

    def __str__(self) -> str:
        return f"@{self.handle}"

    @property
    def public_name(self) -> str:
        return self.display_name or self.handle


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token. Only its SHA-256 is stored; the raw value is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=60, default="default")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12, help_text="First characters, to tell tokens apart.")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # Set from API_TOKEN_TTL_DAYS when the token is created; null: valid until revoked.
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "API token")
        verbose_name_plural = pgettext_lazy("model", "API tokens")
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()


class SignInFailure(models.Model):
    """A failed sign-in, or one whose password is being checked, at any door (website, API, admin).

    The sign-in lock counts these rows (marketplace/accounts/lockout.py). The email is stored as
    its SHA-256, so unknown emails count the same as known ones and no address book builds up.
    """

    account = models.CharField(max_length=64, help_text="SHA-256 of the normalised email.")
    address = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["account", "address", "at"]),
            models.Index(fields=["address", "at"]),
            models.Index(fields=["at"]),
        ]

    def __str__(self) -> str:
        return f"{self.account[:12]}… from {self.address} at {self.at:%Y-%m-%d %H:%M:%S}"


class SignInEvent(models.Model):
    """A successful sign-in or a sign-out, at any door: part of the audit trail (README "Compliance").

    Kept RETENTION_AUDIT_DAYS, then deleted by the retention task. On account deletion the row
    stays (it points at the anonymised user) with its user agent cleared: the address and time are
    the log the law asks to keep.
    """

    class Kind(models.TextChoices):
        SIGN_IN = "sign_in", _("Signed in")
        SIGN_OUT = "sign_out", _("Signed out")

    class Door(models.TextChoices):
        WEBSITE = "website", _("Website")
        API = "api", _("API token")
        ADMIN = "admin", _("Admin")

    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    door = models.CharField(max_length=10, choices=Door.choices)
    address = models.CharField(max_length=64, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "sign-in event")
        verbose_name_plural = pgettext_lazy("model", "sign-in events")
        indexes = [models.Index(fields=["user", "at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.user_id} via {self.door} at {self.at:%Y-%m-%d %H:%M:%S}"
