"""Deleting your account from the website: what happens, what must be settled first, the password."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from marketplace.accounts import lockout
from marketplace.core.client import client_address
from marketplace.core.errors import ApplicationError
from marketplace.privacy.deletion import account_delete, account_delete_blockers
from marketplace.storefront.views.common import current_user, see_other


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("To confirm that it is you."),
    )


@sensitive_post_parameters("password")
@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def account_delete_page(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = DeleteAccountForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            account_delete(user=user, password=form.cleaned_data["password"], address=client_address(request))
        except (lockout.SignInLocked, ApplicationError) as error:
            form.add_error("password" if error.code == "password_incorrect" else None, error.message)
        else:
            auth_logout(request)
            messages.success(
                request, gettext("Your account is deleted. Thank you for having been part of Dimsum.")
            )
            return see_other(reverse("web:home"))
    context = {"form": form, "blockers": account_delete_blockers(user=user)}
    return render(request, "storefront/accounts/delete.html", context, status=400 if form.is_bound else 200)
