"""The seller's bundles on the website (the seller bundles API's twin): list, create, edit,
publish and archive."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from marketplace.accounts.models import User
from marketplace.core.errors import ApplicationError, NotFound
from marketplace.storefront.views.common import current_user, see_other
from marketplace.storefront.views.studio.common import add_service_errors
from prompts import bundles as bundle_services
from prompts import selectors
from prompts.models import Bundle, BundleStatus, ListingStatus


class BundleForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=120)
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    discount_percent = forms.IntegerField(
        label=gettext_lazy("Discount (percent)"),
        min_value=1,
        max_value=90,
        help_text=gettext_lazy("1 to 90: what comes off each listing's price."),
    )
    listings = forms.MultipleChoiceField(
        label=gettext_lazy("Listings"),
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("2 to 20 of your published listings, in one currency."),
    )

    def __init__(self, *args: Any, listing_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["listings"].choices = listing_choices  # type: ignore[attr-defined]


def _choices(seller: User) -> list[tuple[str, str]]:
    published = selectors.listing_list_for_seller(seller=seller, status=ListingStatus.PUBLISHED)[:200]
    return [(listing.public_id, listing.title) for listing in published]


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def bundles(request: HttpRequest) -> HttpResponse:
    """The seller's bundles, and a form for a new one (created as a draft, then published)."""
    seller = current_user(request)
    form = BundleForm(request.POST or None, listing_choices=_choices(seller))
    if request.method == "POST" and form.is_valid():
        try:
            created = bundle_services.bundle_create(seller=seller, **form.cleaned_data)
            if request.POST.get("publish"):
                bundle_services.bundle_publish(bundle=created, by=seller)
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Bundle “%(title)s” saved.") % {"title": created.title})
            return see_other(reverse("web:studio-bundle", args=[created.public_id]))
    rows = list(bundle_services.bundle_list_for_seller(seller=seller)[:200])
    return render(request, "storefront/studio/bundles.html", {"form": form, "bundles": rows})


def _own_bundle(seller: User, public_id: str) -> Bundle:
    try:
        return bundle_services.bundle_get_for_seller(seller=seller, public_id=public_id)
    except NotFound:
        raise Http404("You have no bundle with this id.") from None


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def bundle_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    """Edit a bundle's title, discount and listings; publish or archive it."""
    seller = current_user(request)
    bundle = _own_bundle(seller, public_id)
    initial = {
        "title": bundle.title,
        "description": bundle.description,
        "discount_percent": bundle.discount_percent,
        "listings": [listing.public_id for listing in bundle_services.bundle_listings(bundle)],
    }
    form = BundleForm(request.POST or None, initial=initial, listing_choices=_choices(seller))
    action = request.POST.get("action", "save")
    if request.method == "POST":
        try:
            if action == "archive":
                bundle_services.bundle_archive(bundle=bundle, by=seller)
            elif action == "publish" and not form.has_changed():
                bundle_services.bundle_publish(bundle=bundle, by=seller)
            elif form.is_valid():
                bundle_services.bundle_update(bundle=bundle, by=seller, data=form.cleaned_data)
                if action == "publish":
                    bundle_services.bundle_publish(bundle=bundle, by=seller)
            else:
                raise ApplicationError("invalid", _("Check the fields below."))
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Bundle saved."))
            return see_other(reverse("web:studio-bundle", args=[bundle.public_id]))
    context = {"form": form, "bundle": bundle, "archived": bundle.status == BundleStatus.ARCHIVED}
    return render(request, "storefront/studio/bundle.html", context)
