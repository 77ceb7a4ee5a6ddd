"""How a seller is paid, on the website: the page says what applies to the seller's rail (Stripe
Connect: Stripe pays out, with the session transfers still due; manual: the statement balance and
when the next statement closes), the payout details form (shown masked only, never decrypted in a
page) and the payout statements with the running balance."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
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
from payments.services.payouts import booking_payouts_upcoming
from payments.services.statements import payout_minimum, statement_next_close

STATEMENTS_PER_PAGE = 25
DETAIL_FIELDS = ("method", "holder_name", "account", "bank_name")


class PayoutDetailsForm(forms.Form):
    rail = forms.ChoiceField(
        label=gettext_lazy("How you are paid"),
        widget=forms.RadioSelect,
        error_messages={
            "invalid_choice": gettext_lazy("This payout method is not available for your account.")
        },
    )
    method = forms.ChoiceField(
        label=gettext_lazy("Pay me to"),
        choices=PayoutMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose a bank account or Alipay.")},
    )
    holder_name = forms.CharField(
        label=gettext_lazy("Account holder's name"),
        max_length=60,
        help_text=gettext_lazy("As the bank or Alipay has it."),
        error_messages={
            "required": gettext_lazy("Enter the account holder's name as the bank or Alipay has it.")
        },
    )
    account = forms.CharField(
        label=gettext_lazy("Account number or Alipay account"),
        max_length=100,
        help_text=gettext_lazy("Bank: the card or account number. Alipay: your mobile number or email."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
        error_messages={"required": gettext_lazy("Enter the bank account number or the Alipay account.")},
    )
    bank_name = forms.CharField(
        label=gettext_lazy("Bank name"),
        max_length=100,
        help_text=gettext_lazy("For a bank account, e.g. 中国工商银行."),
        error_messages={"required": gettext_lazy("Enter the bank's name, such as 中国工商银行.")},
    )

    def __init__(self, *args: Any, rails_allowed: list[str], details_saved: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(PayoutRail.choices)
        rail_field = self.fields["rail"]
        assert isinstance(rail_field, forms.ChoiceField)
        rail_field.choices = [(rail, labels[rail]) for rail in rails_allowed]
        if len(rails_allowed) == 1:  # nothing to choose: the one rail travels with the form
            rail_field.widget = forms.HiddenInput()
        # The account fields count only for the manual rail; saved details are kept when they are
        # left empty, and replaced as a whole when any is typed.
        manual = not self.is_bound or self.data.get("rail") == PayoutRail.MANUAL
        needed = manual and (self.details_typed or not details_saved)
        for name in ("method", "holder_name", "account"):
            self.fields[name].required = needed
        bank = not self.is_bound or self.data.get("method") == PayoutMethod.BANK
        self.fields["bank_name"].required = needed and bank

    @property
    def details_typed(self) -> bool:
        return self.is_bound and any(str(self.data.get(name, "")).strip() for name in DETAIL_FIELDS)


def _rail_context(user: User) -> dict[str, Any]:
    """What the page says about the rail the seller is on now, and the figures it has for it."""
    setup = rails.payout_setup(user=user)
    context: dict[str, Any] = {
        "rail": setup.rail,
        "rails_allowed": setup.rails_allowed,
        "profile": setup.profile,
        "account": setup.account,
        "can_accept_payments": user.can_accept_payments,
    }
    if setup.rail == PayoutRail.MANUAL:
        balance = payment_selectors.manual_balance_for(seller=user)
        context["balance"] = [{**row, "minimum": payout_minimum(row["currency"])} for row in balance]
        context["next_close"] = statement_next_close()
    else:
        context["upcoming_transfers"] = booking_payouts_upcoming(seller=user)
        context["transfer_delay_hours"] = settings.TUTORING_PAYOUT_DELAY_HOURS
    return context


def _page(
    request: HttpRequest, user: User, form: PayoutDetailsForm | None, status: int = 200
) -> HttpResponse:
    context = _rail_context(user)
    if form is None:
        form = _form(context["rails_allowed"], context["profile"], initial={"rail": context["rail"]})
    context["form"] = form
    context["show_form"] = PayoutRail.MANUAL in context["rails_allowed"]
    return render(request, "storefront/dashboard/payout_details.html", context, status=status)


def _form(allowed: list[str], profile: PayoutProfile | None, **kwargs: Any) -> PayoutDetailsForm:
    saved = profile is not None and profile.has_details
    return PayoutDetailsForm(rails_allowed=allowed, details_saved=saved, **kwargs)


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def payout_details(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if request.method != "POST":
        return _page(request, user, None)
    profile = PayoutProfile.objects.filter(user=user).first()
    form = _form(rails.payout_rails_allowed(user=user), profile, data=request.POST)
    if form.is_valid():
        values = form.cleaned_data
        manual = values["rail"] == PayoutRail.MANUAL
        try:
            profile = rails.payout_setup_save(
                user=user,
                rail=values["rail"],
                details=manual and form.details_typed,
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
            _saved_messages(request, user, profile, manual=manual, ignored=not manual and form.details_typed)
            return see_other(reverse("web:dashboard"))
    user.refresh_from_db()
    return _page(request, user, form, status=400)


def _saved_messages(
    request: HttpRequest, user: User, profile: PayoutProfile, *, manual: bool, ignored: bool
) -> None:
    if manual:
        messages.success(
            request,
            _("Your payout details are saved: we pay your statements to %(account)s.")
            % {"account": profile.masked_account},
        )
        return
    messages.success(request, _("Saved: Stripe Connect pays you out."))
    if not user.can_accept_payments:
        messages.warning(
            request,
            _(
                "Free listings can be published now. To sell paid listings, set up a payout "
                "account with our payment provider."
            ),
        )
    if ignored:
        messages.info(
            request,
            _(
                "The bank or Alipay details you typed were not saved: "
                "they are only for bank or Alipay transfer."
            ),
        )


@login_required
@never_cache
@require_safe
def payout_statements(request: HttpRequest) -> HttpResponse:
    seller = current_user(request)
    page = Paginator(payment_selectors.payout_statements_for(seller=seller), STATEMENTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "balance": payment_selectors.manual_balance_for(seller=seller),
        "rail": rails.payout_rail_for(user=seller),
    }
    return render(request, "storefront/dashboard/statements.html", context)
