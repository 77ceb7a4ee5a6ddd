"""Django's sign-in and password forms, wired to the sign-in lock and the password service."""

from __future__ import annotations

from typing import Any

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.admin.forms import AdminPasswordChangeForm as AdminOwnPasswordChangeForm
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError

from marketplace.accounts import lockout, services
from marketplace.accounts.models import User
from marketplace.core.client import client_address


class PasswordByServiceMixin:
    """Every Django form that sets a password does it in set_password_and_save; ours hand it to
    user_password_set, which also revokes the user's API tokens."""

    cleaned_data: dict[str, Any]

    def set_password_and_save(
        self,
        user: User,
        password_field_name: str = "password1",  # noqa: S107 - a field's name, not a password
        commit: bool = True,
        **kwargs: Any,
    ) -> User:
        usable = self.cleaned_data.get("set_usable_password", True)
        password = self.cleaned_data[password_field_name] if usable else None
        services.user_password_set(user=user, password=password)
        return user


class ResetPasswordForm(PasswordByServiceMixin, auth_forms.SetPasswordForm):
    """The emailed reset link's form."""


class UserPasswordForm(PasswordByServiceMixin, auth_forms.AdminPasswordChangeForm):
    """The admin's "change password" page of any user."""


class OwnPasswordChangeForm(PasswordByServiceMixin, AdminOwnPasswordChangeForm):
    """The admin's "change my password" page."""


class LockedAdminAuthenticationForm(AdminAuthenticationForm):
    """The admin's sign-in, through the same lock as the website and the API."""

    locked: lockout.SignInLocked | None = None

    def clean(self) -> dict[str, Any]:
        email = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if email is not None and password:
            try:
                user = lockout.sign_in(
                    email=email, password=password, address=client_address(self.request), request=self.request
                )
            except lockout.SignInLocked as locked:
                self.locked = locked
                raise ValidationError(locked.message, code="too_many_attempts") from None
            if user is None:
                raise self.get_invalid_login_error()
            self.user_cache = user
            self.confirm_login_allowed(user)
        return self.cleaned_data
