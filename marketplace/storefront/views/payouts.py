"""The seller's manual payout rail on the website: payout details (shown masked only, never
decrypted in a page) and the payout statements with the running balance."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from marketplace.accounts.models import User
from marketplace.core.errors import ApplicationError
from marketplace.storefront.views.common import current_user, see_other
from payments import selectors as payment_selectors
from payments.models import PayoutMethod, PayoutProfile, PayoutRail
from payments.services import rails

STATEMENTS_PER_PAGE = 25


class PayoutDetailsForm(forms.Form):
    rail = forms.ChoiceField(label=gettext_lazy("How you are paid"), widget=forms.RadioSelect)
    method = forms.ChoiceField(
        label=gettext_lazy("Pay me to"),
        choices=PayoutMethod.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    holder_name = forms.CharField(
        label=gettext_lazy("Account holder's name"),
        max_length=60,
        required=False,
        help_text=gettext_lazy("As the bank or Alipay has it."),
    )
    account = forms.CharField(
        label=gettext_lazy("Account number or Alipay account"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("Bank: the card or account number. Alipay: your mobile number or email."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    bank_name = forms.CharField(label=gettext_lazy("Bank name"), max_length=100, required=False)

    def __init__(self, *args: Any, rails_allowed: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(PayoutRail.choices)
        rail_field = self.fields["rail"]
        assert isinstance(rail_field, forms.ChoiceField)
        rail_field.choices = [(rail, labels[rail]) for rail in rails_allowed]


def _context(user: User, form: PayoutDetailsForm) -> dict[str, Any]:
    profile = PayoutProfile.objects.filter(user=user).first()
    return {
        "form": form,
        "profile": profile,
        "rail": rails.payout_rail_for(user=user, profile=profile),
        "can_accept_payments": user.can_accept_payments,
    }


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def payout_details(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    allowed = rails.payout_rails_allowed(user=user)
    if request.method != "POST":
        form = PayoutDetailsForm(rails_allowed=allowed, initial={"rail": rails.payout_rail_for(user=user)})
        return render(request, "storefront/dashboard/payout_details.html", _context(user, form))
    form = PayoutDetailsForm(request.POST, rails_allowed=allowed)
    if form.is_valid():
        values = form.cleaned_data
        try:
            rails.payout_setup_save(
                user=user,
                rail=values["rail"],
                details=values["rail"] == PayoutRail.MANUAL,
                method=values.get("method", ""),
                holder_name=values.get("holder_name", ""),
                account=values.get("account", ""),
                bank_name=values.get("bank_name", ""),
            )
        except ApplicationError as error:
            if not error.fields:
                form.add_error(None, error.message)
            for field, field_messages in error.fields.items():
                form.add_error(field if field in form.fields else None, field_messages)
        else:
            messages.success(request, _("Your payout details are saved."))
            return see_other(reverse("web:dashboard"))
    user.refresh_from_db()
    return render(request, "storefront/dashboard/payout_details.html", _context(user, form), status=400)


@login_required
@never_cache
@require_safe
def payout_statements(request: HttpRequest) -> HttpResponse:
    seller = current_user(request)
    page = Paginator(payment_selectors.payout_statements_for(seller=seller), STATEMENTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "balance": payment_selectors.manual_balance_for(seller=seller)}
    return render(request, "storefront/dashboard/statements.html", context)
