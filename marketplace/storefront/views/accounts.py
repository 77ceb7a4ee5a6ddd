"""Sign up, log in and out, password reset by email, and the account page with API tokens."""

from __future__ import annotations

import hashlib
import logging
import re
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import password_validation
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language as django_set_language

from marketplace.accounts import lockout, services, signup_limits
from marketplace.accounts.forms import ResetPasswordForm
from marketplace.accounts.models import HANDLE_PATTERN, ApiToken, User
from marketplace.core.client import client_address
from marketplace.core.errors import ApplicationError
from marketplace.core.text import validate_visible_text
from marketplace.storefront.views.common import current_user, redirect_back, safe_next, see_other

logger = logging.getLogger(__name__)

# The raw token of a token just created waits here for the one page render that shows it.
NEW_TOKEN_SESSION_KEY = "storefront:new-api-token"
TOKENS_SHOWN = 50


# --- Sign up ---------------------------------------------------------------------------------------


class SignupForm(forms.Form):
    email = forms.EmailField(
        label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    handle = forms.CharField(
        label=_("Handle"),
        max_length=30,
        help_text=_("Your public name, e.g. lotus-prompts: 3–30 lowercase letters, digits, “-” or “_”."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        # Lazy: the validators' rules in the language of the request that renders the form.
        help_text=lazy(password_validation.password_validators_help_text_html, str)(),
    )

    def clean_handle(self) -> str:
        handle = str(self.cleaned_data["handle"]).strip().lower()
        if not re.fullmatch(HANDLE_PATTERN, handle):
            raise forms.ValidationError(
                _(
                    "Use 3–30 lowercase letters, digits, “-” or “_”, "
                    "starting and ending with a letter or digit."
                )
            )
        return handle


# The service's rules, in the visitor's language (its own messages are the API's, in English).
SIGNUP_ERRORS = {
    ("email_taken", "email"): _("An account with this email already exists. Log in or reset your password."),
    ("handle_taken", "handle"): _("This handle is taken. Choose another one."),
    ("invalid", "handle"): _("This handle is reserved. Choose another one."),
}


def _add_service_errors(form: forms.Form, error: ApplicationError) -> None:
    if not error.fields:  # the lost race against the unique constraints, or a rule we do not know
        just_taken = gettext("This email or handle was just taken. Try again.")
        form.add_error(None, just_taken if error.code == "email_taken" else error.message)
    for field, field_messages in error.fields.items():
        if field == "password":  # Django's password validators, already in the visitor's language
            form.add_error("password", field_messages)
        elif (error.code, field) in SIGNUP_ERRORS:
            form.add_error(field if field in form.fields else None, str(SIGNUP_ERRORS[(error.code, field)]))
        else:
            form.add_error(field if field in form.fields else None, field_messages)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """One form, the API's rules (user_register), then signed in and back where the visitor was."""
    form = SignupForm(request.POST if request.method == "POST" else None)
    if form.is_bound:
        # The API's sign-up budgets per client address: one budget, whichever door is used.
        try:
            signup_limits.sign_up_check(request, count_attempt=True)
        except signup_limits.SignUpLimited as limited:
            form.add_error(None, limited.message)
            context = {"form": form, "next": safe_next(request)}
            response = render(request, "storefront/accounts/signup.html", context, status=429)
            response["Retry-After"] = str(limited.retry_after)
            return response
    if form.is_valid():
        try:
            user = services.user_register(
                email=form.cleaned_data["email"],
                handle=form.cleaned_data["handle"],
                password=form.cleaned_data["password"],
            )
        except ApplicationError as error:
            _add_service_errors(form, error)
        else:
            signup_limits.sign_up_counted(request)
            auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            services.user_language_remember(user=user, language=translation.get_language())
            messages.success(request, gettext("Welcome to Dimsum, @%(handle)s!") % {"handle": user.handle})
            return redirect_back(request, reverse("web:home"))
    status = 400 if form.is_bound else 200
    return render(
        request, "storefront/accounts/signup.html", {"form": form, "next": safe_next(request)}, status=status
    )


# --- Log in, through the sign-in lock ------------------------------------------------------------------


class LoginForm(forms.Form):
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


def _count(key: str, seconds: int) -> int:
    """Add one to a cache counter that starts when first counted and expires `seconds` later."""
    cache.add(key, 0, seconds)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, seconds)
        return 1


def email_digest(email: str) -> str:
    """An email as cache keys name it: hashed, because keys end up in monitoring and emails are
    personal data; normalised, so "Buyer@Example.com " is the same mailbox."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST if request.method == "POST" else None)
    status, retry_after = 200, None
    if form.is_valid():
        try:
            user = lockout.sign_in(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                address=client_address(request),
                request=request,
            )
        except lockout.SignInLocked as locked:
            status, retry_after = 429, locked.retry_after
            form.add_error(None, locked.message)
        else:
            if user is not None:
                auth_login(request, user)
                services.user_language_remember(user=user, language=translation.get_language())
                return redirect_back(request, reverse("web:home"))
            status = 400
            form.add_error(None, gettext("The email or the password is wrong."))
    elif form.is_bound:
        status = 400
    response = render(
        request, "storefront/accounts/login.html", {"form": form, "next": safe_next(request)}, status=status
    )
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def logout(request: HttpRequest) -> HttpResponse:
    """A POST (CSRF-checked) logs out; a GET, such as a typed or linked address, shows the button:
    a link anyone can put in a page must not log a visitor out."""
    if request.method != "POST":
        return render(request, "storefront/accounts/logout.html", {"next": safe_next(request)})
    auth_logout(request)
    messages.success(request, gettext("You are logged out."))
    return redirect_back(request, reverse("web:home"))


# --- Password reset by email (Django's views, our templates) ----------------------------------------


class _PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    # The form saves through user_password_set: API tokens are revoked, every session signed in
    # with the old password ends, and the email's sign-in lock is lifted (whoever reads the
    # mailbox may log in again at once).
    form_class = ResetPasswordForm
    template_name = "storefront/accounts/password_reset_confirm.html"
    success_url = reverse_lazy("web:password-reset-complete")


def _within_limit(key: str, limit: int, seconds: int) -> bool:
    """Count one more in a fixed window of `seconds`; False once the count passes `limit`."""
    return _count(key, seconds) <= limit


class _PasswordResetView(auth_views.PasswordResetView):
    """Django's reset view, with a cap on the emails a mailbox can be sent.

    Each client address may have WEB_PASSWORD_RESET_PER_HOUR emails an hour sent to one mailbox;
    a mailbox gets at most 10 times that an hour in all, and one address may ask for 10 times that
    across mailboxes. Past a limit the page answers exactly as always ("if an account exists...")
    and sends nothing: nobody can flood a mailbox through us, one stranger cannot use up a user's
    own resets, and the answer still says nothing about which emails have accounts.
    """

    def form_valid(self, form: Any) -> HttpResponse:
        per_hour = settings.WEB_PASSWORD_RESET_PER_HOUR
        mailbox = email_digest(form.cleaned_data["email"])
        address = client_address(self.request)
        budgets = [
            (f"web-reset:address:{address}", per_hour * 10),
            (f"web-reset:pair:{mailbox}:{address}", per_hour),
            (f"web-reset:email:{mailbox}", per_hour * 10),
        ]
        if not all(_within_limit(key, limit, 3600) for key, limit in budgets):
            logger.warning("password reset: limit reached for %s; no email sent", mailbox[-12:])
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


password_reset = _PasswordResetView.as_view(
    template_name="storefront/accounts/password_reset.html",
    email_template_name="storefront/accounts/email/password_reset.txt",
    subject_template_name="storefront/accounts/email/password_reset_subject.txt",
    success_url=reverse_lazy("web:password-reset-sent"),
)
password_reset_sent = auth_views.PasswordResetDoneView.as_view(
    template_name="storefront/accounts/password_reset_sent.html"
)
password_reset_confirm = _PasswordResetConfirmView.as_view()
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="storefront/accounts/password_reset_complete.html"
)


# --- Account page: profile and API tokens ------------------------------------------------------------


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=60,
        required=False,
        validators=[validate_visible_text],
        help_text=_("Shown on your seller page instead of your handle."),
    )
    bio = forms.CharField(
        label=_("About you"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("A few lines buyers see on your seller page."),
    )


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=60,
        help_text=_("What it is for, e.g. “upload script”."),
    )


def _profile_update(*, user: User, display_name: str, bio: str) -> None:
    # Two free-text fields of the user's own row; no rule beyond the form's lengths.
    User.objects.filter(pk=user.pk).update(display_name=display_name.strip(), bio=bio.strip())


def _account_context(request: HttpRequest, user: User) -> dict[str, Any]:
    tokens = list(
        ApiToken.objects.filter(user=user, revoked_at__isnull=True).order_by("-created_at", "-pk")[
            : TOKENS_SHOWN + 1
        ]
    )
    return {
        "tokens": tokens[:TOKENS_SHOWN],
        "more_tokens": len(tokens) > TOKENS_SHOWN,
        "new_token": request.session.pop(NEW_TOKEN_SESSION_KEY, None),
        "api_me_url": request.build_absolute_uri(reverse("me")),
        "api_listings_url": request.build_absolute_uri(reverse("seller-listings")),
    }


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    initial = {"display_name": user.display_name, "bio": user.bio}
    form = ProfileForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_valid():
        _profile_update(user=user, **form.cleaned_data)
        messages.success(request, gettext("Your profile is saved."))
        return redirect_back(request, reverse("web:account"))
    context = {"form": form, "token_form": TokenForm(), **_account_context(request, user)}
    return render(request, "storefront/accounts/account.html", context, status=400 if form.is_bound else 200)


@login_required
@never_cache
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    token_form = TokenForm(request.POST)
    if not token_form.is_valid():
        form = ProfileForm(initial={"display_name": user.display_name, "bio": user.bio})
        context = {"form": form, "token_form": token_form, **_account_context(request, user)}
        return render(request, "storefront/accounts/account.html", context, status=400)
    token, raw = services.token_create(user=user, name=token_form.cleaned_data["name"].strip())
    # Shown on the next render of the account page only: popped from the session there.
    request.session[NEW_TOKEN_SESSION_KEY] = {"id": token.pk, "name": token.name, "raw": raw}
    return see_other(reverse("web:account") + "#new-token")


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = ApiToken.objects.filter(pk=token_id, user=current_user(request)).first()
    if token is None:
        raise Http404("You have no token with this id.")
    services.token_revoke(token=token)
    messages.success(
        request, gettext("The token “%(name)s” is revoked and no longer works.") % {"name": token.name}
    )
    return redirect_back(request, reverse("web:account"))


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switcher, and for a signed-in user, the language of their emails too."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and isinstance(request.user, User):
        services.user_language_remember(user=request.user, language=language)
    return response
