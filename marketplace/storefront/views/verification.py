"""The verification pages: a mobile number by SMS code (buyers and sellers), then name + ID number
(sellers who are people) or a business licence (sellers who are companies).

Plain forms, no JavaScript; each step calls the service the API calls."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from marketplace.core.errors import ApplicationError
from marketplace.storefront.views.common import current_user, safe_next, see_other
from marketplace.verification import business, services
from marketplace.verification.providers.sandbox import SANDBOX_CODE
from payments.services.identity import identity_session_start


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=gettext_lazy("Mobile number"),
        max_length=20,
        help_text=gettext_lazy("A mainland China mobile number, e.g. 13800000000. We text you a code."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code from the text message"),
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class IdentityForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name, as on your ID card"), max_length=30)
    id_number = forms.CharField(
        label=gettext_lazy("Resident ID number"),
        max_length=18,
        help_text=gettext_lazy("Checked with the verification provider and never stored by Dimsum."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class BusinessForm(forms.Form):
    company_name = forms.CharField(
        label=gettext_lazy("Company name, as on the business licence"), max_length=60
    )
    credit_code = forms.CharField(
        label=gettext_lazy("Unified social credit code"),
        max_length=20,
        help_text=gettext_lazy("18 characters, on the business licence. We keep only a masked copy."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    legal_representative = forms.CharField(label=gettext_lazy("Legal representative"), max_length=30)


def verification_step(request: HttpRequest, error: ApplicationError, back: str) -> HttpResponse | None:
    """A gated service refused for want of verification: to the verification page, then back."""
    if error.code != "verification_required":
        return None
    messages.warning(request, error.message)
    return see_other(reverse("web:verification") + "?" + urlencode({"next": back}))


@login_required
@never_cache
@require_safe
def verification_page(request: HttpRequest) -> HttpResponse:
    return _page(request)


_FORMS: tuple[type[forms.Form], ...] = (PhoneForm, CodeForm, IdentityForm, BusinessForm)


def _page(request: HttpRequest, bound: forms.Form | None = None, status: int = 200) -> HttpResponse:
    """The page, with fresh forms except ``bound`` (the one just submitted, with its errors)."""
    phone_form, code_form, identity_form, business_form = (
        bound if bound is not None and type(bound) is kind else kind() for kind in _FORMS
    )
    user = current_user(request)
    phone = services.phone_for(user=user)
    context: dict[str, Any] = {
        "phone": phone,
        "code_pending": bool(phone and phone.code_hash),
        "verification": services.verification_for(user=user),
        "required": settings.VERIFICATION_REQUIRED,
        "document_check": settings.VERIFICATION_STRIPE_IDENTITY,
        "sandbox_code": SANDBOX_CODE if settings.VERIFICATION_PROVIDER == "sandbox" else "",
        "phone_form": phone_form,
        "code_form": code_form,
        "identity_form": identity_form,
        "business_form": business_form,
        # A company's form stays open after its own refusal.
        "company": isinstance(bound, BusinessForm),
        "next": safe_next(request),
    }
    return render(request, "storefront/verification.html", context, status=status)


def _done(request: HttpRequest, message: str) -> HttpResponse:
    messages.success(request, message)
    target = safe_next(request)
    return see_other(target or reverse("web:verification"))


def _refused(request: HttpRequest, form: forms.Form, error: ApplicationError) -> HttpResponse:
    for field, errors in error.fields.items():
        for text in errors:
            form.add_error(field if field in form.fields else None, text)
    if not error.fields:
        form.add_error(None, error.message)
    if isinstance(form, IdentityForm):  # never echo the ID number back into the page
        form.data = {**form.data.dict(), "id_number": ""}  # type: ignore[attr-defined]
    return _page(request, form, status=error.status_code)


@login_required
@require_POST
def phone_send(request: HttpRequest) -> HttpResponse:
    form = PhoneForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        services.phone_code_send(user=current_user(request), phone=form.cleaned_data["phone"])
    except ApplicationError as error:
        return _refused(request, form, error)
    messages.success(request, _("We sent a code to your phone. Enter it below."))
    query = urlencode({"next": safe_next(request)}) if safe_next(request) else ""
    return see_other(reverse("web:verification") + (f"?{query}" if query else "") + "#code")


@login_required
@require_POST
def phone_confirm(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    user = current_user(request)
    try:
        services.phone_code_confirm(user=user, code=form.cleaned_data["code"])
    except ApplicationError as error:
        return _refused(request, form, error)
    if _seller_step_left(request, user):
        messages.success(request, _("Your mobile number is verified. Now your name and ID number."))
        query = urlencode({"next": safe_next(request)})
        return see_other(reverse("web:verification") + f"?{query}#identity")
    return _done(request, _("Your mobile number is verified."))


def _seller_step_left(request: HttpRequest, user: Any) -> bool:
    """Sent here from the seller dashboard (publishing), the phone is only the first of two steps:
    going back before the ID step would only bounce the seller off the same gate again."""
    target = safe_next(request) or ""
    return target.startswith("/dashboard/") and not services.is_seller_verified(user)


@login_required
@require_POST
def identity(request: HttpRequest) -> HttpResponse:
    form = IdentityForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        services.identity_verify(user=current_user(request), **form.cleaned_data)
    except ApplicationError as error:
        return _refused(request, form, error)
    return _done(request, _("Your identity is verified: you can publish."))


@login_required
@require_POST
def business_licence(request: HttpRequest) -> HttpResponse:
    form = BusinessForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        business.business_verify(user=current_user(request), **form.cleaned_data)
    except ApplicationError as error:
        return _refused(request, form, error)
    return _done(request, _("Your company is verified: you can publish."))


@login_required
@require_POST
def document(request: HttpRequest) -> HttpResponse:
    """Stripe Identity: off to Stripe's page for the document and selfie; its webhook gives the outcome."""
    try:
        url = identity_session_start(user=current_user(request), return_url=services.verification_url())
    except ApplicationError as error:
        messages.error(request, error.message)
        return see_other(reverse("web:verification"))
    return see_other(url)
