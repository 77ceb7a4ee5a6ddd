"""The seller's discount codes and a listing's licence tiers, on the website (the seller API's twins)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from marketplace.core.errors import ApplicationError, NotFound
from marketplace.core.money import CURRENCIES, MoneyError, major_text, minor_from_major
from marketplace.storefront.views.common import current_user, see_other
from marketplace.storefront.views.studio.common import add_service_errors, own_listing_or_404
from payments import selectors as payment_selectors
from payments.models import CodeKind, CodeScope, Licence, ListingLicence
from payments.services import codes as code_services
from payments.services.pricing import licence_prices
from prompts import selectors
from prompts.models import ListingStatus

CURRENCY_CHOICES = [(code, code) for code in CURRENCIES]
TIER_FORM_FIELD = {"amount": "amount", "multiple_bps": "multiple"}  # a tier's service field -> its form field


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"), max_length=40, help_text=gettext_lazy("Buyers type it in any case.")
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Discount"),
        choices=[
            (CodeKind.PERCENT, gettext_lazy("Percent off")),
            (CodeKind.FIXED, gettext_lazy("Fixed amount off")),
        ],
    )
    value = forms.CharField(
        label=gettext_lazy("How much"),
        max_length=20,
        help_text=gettext_lazy("A percent (20), or an amount (3.00)."),
    )
    currency = forms.ChoiceField(
        label=gettext_lazy("Currency of a fixed amount or minimum"), choices=CURRENCY_CHOICES
    )
    scope = forms.ChoiceField(
        label=gettext_lazy("For"),
        choices=[
            (CodeScope.ALL_LISTINGS, gettext_lazy("All my listings")),
            (CodeScope.LISTINGS, gettext_lazy("Chosen listings")),
            (CodeScope.TUTORING, gettext_lazy("My tutoring offers")),
            (CodeScope.BUNDLES, gettext_lazy("My bundles")),
        ],
    )
    listings = forms.MultipleChoiceField(label=gettext_lazy("Chosen listings"), required=False, choices=[])
    starts_at = forms.DateTimeField(label=gettext_lazy("Starts"), required=False)
    ends_at = forms.DateTimeField(label=gettext_lazy("Ends"), required=False)
    max_uses = forms.IntegerField(label=gettext_lazy("Uses in all"), required=False, min_value=1)
    max_uses_per_buyer = forms.IntegerField(label=gettext_lazy("Uses per buyer"), required=False, min_value=1)
    min_order = forms.CharField(label=gettext_lazy("Minimum order"), required=False, max_length=20)

    def __init__(self, *args: Any, listing_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["listings"].choices = listing_choices  # type: ignore[attr-defined]


def _code_arguments(data: dict[str, Any]) -> dict[str, Any]:
    currency, value = data["currency"], data["value"].strip()
    arguments: dict[str, Any] = {
        "code": data["code"],
        "kind": data["kind"],
        "scope": data["scope"],
        "starts_at": data["starts_at"],
        "ends_at": data["ends_at"],
        "max_uses": data["max_uses"],
        "max_uses_per_buyer": data["max_uses_per_buyer"],
    }
    try:
        if data["kind"] == CodeKind.PERCENT:
            if not (value.isascii() and value.isdigit()):  # "²" is a digit to isdigit(), not to int()
                raise ApplicationError(
                    "invalid",
                    _("Give a percent from 1 to 100."),
                    fields={"value": [_("Give a percent from 1 to 100.")]},
                )
            arguments["percent"] = int(value)
        else:
            arguments["amount"], arguments["currency"] = minor_from_major(value, currency), currency
        if data["min_order"].strip():
            arguments["min_order_amount"] = minor_from_major(data["min_order"], currency)
            arguments["min_order_currency"] = currency
    except MoneyError as exc:
        raise ApplicationError("invalid", str(exc), fields={"value": [str(exc)]}) from None
    return arguments


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def codes(request: HttpRequest) -> HttpResponse:
    """List the seller's codes; create one; switch one off or on."""
    seller = current_user(request)
    listing_choices = [
        (listing.public_id, listing.title)
        for listing in selectors.listing_list_for_seller(seller=seller, status=ListingStatus.PUBLISHED)[:200]
    ]
    form = CodeForm(request.POST or None, listing_choices=listing_choices)
    if request.method == "POST" and request.POST.get("switch"):
        try:
            found = payment_selectors.code_get_for_seller(seller=seller, code=request.POST["switch"])
        except NotFound as exc:
            messages.error(request, exc.message)
        else:
            code_services.code_update(code=found, active=not found.active)
            messages.success(
                request,
                _("Code %(code)s is on.") % {"code": found.code}
                if not found.active
                else _("Code %(code)s is off.") % {"code": found.code},
            )
        return see_other(reverse("web:codes"))
    if request.method == "POST" and form.is_valid():
        try:
            arguments = _code_arguments(form.cleaned_data)
            arguments["listings"] = [
                selectors.listing_get_for_seller(seller=seller, public_id=public_id)
                for public_id in form.cleaned_data["listings"]
            ]
            created = code_services.code_create(seller=seller, **arguments)
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Code %(code)s is ready to share.") % {"code": created.code})
            return see_other(reverse("web:codes"))
    rows = list(payment_selectors.codes_for_seller(seller=seller)[:200])
    status = 400 if request.method == "POST" else 200  # a POST that is still here was refused
    return render(request, "storefront/studio/codes.html", {"form": form, "codes": rows}, status=status)


class LicenceTierForm(forms.Form):
    mode = forms.ChoiceField(
        label=gettext_lazy("Offer"),
        choices=[
            ("off", gettext_lazy("Not offered")),
            ("amount", gettext_lazy("At a price")),
            ("multiple", gettext_lazy("At a multiple of the personal price")),
        ],
    )
    amount = forms.CharField(label=gettext_lazy("Price"), required=False, max_length=20)
    multiple = forms.CharField(
        label=gettext_lazy("Multiple"),
        required=False,
        max_length=8,
        help_text=gettext_lazy("2.5 for two and a half times."),
    )


def _multiple(text: str) -> Decimal:
    """'2.5' -> Decimal('2.5'); anything that is not a finite number (inf, nan, '') is a ValueError."""
    multiple = Decimal(text.strip())
    if not multiple.is_finite():
        raise ValueError(text)
    return multiple


def _tier_arguments(form: LicenceTierForm, currency: str) -> dict[str, int | None]:
    mode, data = form.cleaned_data["mode"], form.cleaned_data
    try:
        if mode == "amount":
            return {"amount": minor_from_major(data["amount"], currency), "multiple_bps": None}
        if mode == "multiple":
            return {"amount": None, "multiple_bps": int(_multiple(data["multiple"]) * 10_000)}
    except (MoneyError, InvalidOperation, ValueError):
        message = _("Give a price such as 9.90, or a multiple such as 2.5.")
        raise ApplicationError("invalid", message, fields={mode: [message]}) from None
    return {"amount": None, "multiple_bps": None}


def _tier_initial(tier: ListingLicence | None, currency: str) -> dict[str, str]:
    if tier is None:
        return {"mode": "off"}
    if tier.amount is not None:
        return {"mode": "amount", "amount": major_text(tier.amount, currency)}
    return {"mode": "multiple", "multiple": str(Decimal(tier.multiple_bps or 0) / 10_000)}


def _tier_error(error: ApplicationError, licence: str) -> ApplicationError | None:
    """The service's refusal as one tier's form shows it ("commercial.amount" is its "amount"), or
    None when it is about the other tier."""
    prefix = f"{licence}."
    fields = {
        TIER_FORM_FIELD.get(name.removeprefix(prefix), name): texts
        for name, texts in error.fields.items()
        if name.startswith(prefix)
    }
    if error.fields and not fields:
        return None
    return ApplicationError(error.code, error.message, fields=fields)


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def licences(request: HttpRequest, public_id: str) -> HttpResponse:
    """A listing's commercial and extended licences: off, at a price, or a multiple of the base."""
    listing = own_listing_or_404(request, public_id)
    tiers = {tier.licence: tier for tier in ListingLicence.objects.filter(listing=listing)}
    forms_by_licence = {
        licence: LicenceTierForm(
            request.POST or None,
            prefix=licence.value,
            initial=_tier_initial(tiers.get(licence), listing.price_currency),
        )
        for licence in (Licence.COMMERCIAL, Licence.EXTENDED)
    }
    if request.method == "POST" and all(form.is_valid() for form in forms_by_licence.values()):
        wanted: dict[str, dict[str, int | None]] = {}
        for licence, form in forms_by_licence.items():
            try:
                wanted[licence] = _tier_arguments(form, listing.price_currency)
            except ApplicationError as exc:  # shown on the tier that has it
                add_service_errors(form, exc)
        if len(wanted) == len(forms_by_licence):
            try:
                code_services.licences_set(listing=listing, tiers=wanted)
            except ApplicationError as exc:
                for licence, form in forms_by_licence.items():
                    tier_error = _tier_error(exc, licence)
                    if tier_error is not None:
                        add_service_errors(form, tier_error)
            else:
                messages.success(request, _("Licences saved."))
                return see_other(reverse("web:studio-licences", args=[listing.public_id]))
    context = {
        "listing": listing,
        "tier_forms": [(licence.label, form) for licence, form in forms_by_licence.items()],
        "prices": licence_prices(listing),
    }
    status = 400 if request.method == "POST" else 200  # a POST that is still here was refused
    return render(request, "storefront/studio/licences.html", context, status=status)
