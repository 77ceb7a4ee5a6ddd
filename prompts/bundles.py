"""Bundles: a seller's writes (create, edit, publish, archive) and the reads with their visibility.

A bundle holds 2-20 distinct listings of its seller, each published, paid (a free listing needs
no discount) and priced in one currency, the bundle's. These rules are checked when the bundle is
created or edited and again when it is published; a published bundle whose member stops being
published, or changes currency, is not for sale (``bundle_list_public`` leaves it out and
``bundle_get_public`` answers 404) until the seller fixes it.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.accounts.models import User
from marketplace.core.errors import ApplicationError, Conflict, NotFound
from marketplace.core.text import require_visible_text
from prompts.models import (
    BUNDLE_ITEMS_MAX,
    BUNDLE_ITEMS_MIN,
    BUNDLE_PERCENT_MAX,
    BUNDLE_PERCENT_MIN,
    Bundle,
    BundleItem,
    BundleStatus,
    Listing,
    ListingStatus,
)


def _field_error(code: str, field: str, message: str) -> ApplicationError:
    return ApplicationError(code, message, fields={field: [message]})


def _check_title(title: Any) -> str:
    title = str(title or "").strip()
    if not title:
        raise _field_error("title_required", "title", _("Give the bundle a title."))
    require_visible_text(title, field="title")
    return title[:120]


def _check_percent(percent: Any) -> int:
    if (
        isinstance(percent, bool)
        or not isinstance(percent, int)
        or not (BUNDLE_PERCENT_MIN <= percent <= BUNDLE_PERCENT_MAX)
    ):
        raise _field_error(
            "invalid_percent",
            "discount_percent",
            _("The discount is a whole percent from %(low)s to %(high)s.")
            % {"low": BUNDLE_PERCENT_MIN, "high": BUNDLE_PERCENT_MAX},
        )
    return percent


def _members(seller: User, public_ids: list[str]) -> list[Listing]:
    """The listings in the order given, checked against every rule; a 400 on ``listings`` if not."""
    if len(set(public_ids)) != len(public_ids):
        raise _field_error("bundle_duplicate_listing", "listings", _("A listing can be in a bundle once."))
    if not BUNDLE_ITEMS_MIN <= len(public_ids) <= BUNDLE_ITEMS_MAX:
        raise _field_error(
            "bundle_size",
            "listings",
            _("A bundle holds %(low)s to %(high)s listings.")
            % {"low": BUNDLE_ITEMS_MIN, "high": BUNDLE_ITEMS_MAX},
        )
    found = {
        listing.public_id: listing
        for listing in Listing.objects.filter(seller=seller, public_id__in=public_ids)
    }
    missing = [public_id for public_id in public_ids if public_id not in found]
    if missing:
        raise _field_error(
            "bundle_listing_unknown",
            "listings",
            _("You have no listing with the id %(id)s.") % {"id": missing[0]},
        )
    listings = [found[public_id] for public_id in public_ids]
    _check_sellable(listings)
    return listings


def _check_sellable(listings: list[Listing]) -> None:
    for listing in listings:
        if listing.status != ListingStatus.PUBLISHED:
            raise _field_error(
                "bundle_listing_not_published",
                "listings",
                _("“%(title)s” is not published; only published listings can be bundled.")
                % {"title": listing.title},
            )
        if listing.price_amount <= 0:
            raise _field_error(
                "bundle_listing_free",
                "listings",
                _("“%(title)s” is free; a bundle sells paid listings.") % {"title": listing.title},
            )
    if len({listing.price_currency.upper() for listing in listings}) > 1:
        raise _field_error(
            "bundle_currency_mixed",
            "listings",
            _("Every listing in a bundle must be priced in the same currency."),
        )


def _set_items(bundle: Bundle, listings: list[Listing]) -> None:
    BundleItem.objects.filter(bundle=bundle).delete()
    BundleItem.objects.bulk_create(
        [BundleItem(bundle=bundle, listing=listing, position=n) for n, listing in enumerate(listings)]
    )


@transaction.atomic
def bundle_create(
    *, seller: User, title: str, description: str = "", discount_percent: Any, listings: list[str]
) -> Bundle:
    """A draft bundle of the seller's listings (public ids, in the order shown)."""
    title = _check_title(title)
    percent = _check_percent(discount_percent)
    members = _members(seller, listings)
    bundle = Bundle.objects.create(
        seller=seller,
        title=title,
        description=description[:5000],
        discount_percent=percent,
        currency=members[0].price_currency.upper(),
    )
    _set_items(bundle, members)
    return bundle


@transaction.atomic
def bundle_update(*, bundle: Bundle, by: User, data: dict[str, Any]) -> Bundle:
    """Change the title, description, discount or listings; an archived bundle is read-only."""
    bundle = Bundle.objects.select_for_update().get(pk=bundle.pk, seller=by)
    if bundle.status == BundleStatus.ARCHIVED:
        raise Conflict("bundle_archived", _("This bundle is archived; create a new one."))
    if "title" in data:
        bundle.title = _check_title(data["title"])
    if "description" in data:
        bundle.description = str(data["description"])[:5000]
    if "discount_percent" in data:
        bundle.discount_percent = _check_percent(data["discount_percent"])
    if "listings" in data:
        members = _members(by, list(data["listings"]))
        bundle.currency = members[0].price_currency.upper()
        _set_items(bundle, members)
    bundle.save()
    return bundle


@transaction.atomic
def bundle_publish(*, bundle: Bundle, by: User) -> Bundle:
    """Put a draft bundle on sale, its listings checked again (they may have changed since)."""
    bundle = Bundle.objects.select_for_update().get(pk=bundle.pk, seller=by)
    if bundle.status == BundleStatus.ARCHIVED:
        raise Conflict("bundle_archived", _("This bundle is archived; create a new one."))
    members = [item.listing for item in bundle.items.select_related("listing")]
    if not BUNDLE_ITEMS_MIN <= len(members) <= BUNDLE_ITEMS_MAX:
        raise _field_error("bundle_size", "listings", _("A bundle holds 2 to 20 listings."))
    _check_sellable(members)
    bundle.currency = members[0].price_currency.upper()
    bundle.status = BundleStatus.PUBLISHED
    bundle.published_at = bundle.published_at or timezone.now()
    bundle.save()
    return bundle


@transaction.atomic
def bundle_archive(*, bundle: Bundle, by: User) -> Bundle:
    """Take a bundle off sale for good; orders that sold it keep pointing at it."""
    Bundle.objects.filter(pk=bundle.pk, seller=by).update(
        status=BundleStatus.ARCHIVED, updated_at=timezone.now()
    )
    bundle.refresh_from_db()
    return bundle


# Reads.


def _with_listings(queryset: QuerySet[Bundle]) -> QuerySet[Bundle]:
    items = BundleItem.objects.select_related("listing").order_by("position")
    return queryset.select_related("seller").prefetch_related(Prefetch("items", queryset=items))


def _sellable() -> Q:
    """Published, and every member still published and priced in the bundle's currency."""
    broken = BundleItem.objects.filter(bundle=OuterRef("pk")).filter(
        ~Q(listing__status=ListingStatus.PUBLISHED) | ~Q(listing__price_currency__iexact=OuterRef("currency"))
    )
    return Q(status=BundleStatus.PUBLISHED) & ~Q(Exists(broken))


def bundle_list_public(*, seller_handle: str = "", listing_id: int | None = None) -> QuerySet[Bundle]:
    """Bundles on sale, newest first; of one seller, or holding one listing, when given."""
    queryset = Bundle.objects.filter(_sellable())
    if seller_handle:
        queryset = queryset.filter(seller__handle__iexact=seller_handle)
    if listing_id is not None:
        queryset = queryset.filter(items__listing_id=listing_id)
    return _with_listings(queryset).order_by("-published_at", "-id")


def bundle_get_public(*, public_id: str) -> Bundle:
    bundle = _with_listings(Bundle.objects.filter(_sellable(), public_id=public_id)).first()
    if bundle is None:
        raise NotFound(_("No bundle on sale has this id."))
    return bundle


def bundle_list_for_seller(*, seller: User) -> QuerySet[Bundle]:
    return _with_listings(Bundle.objects.filter(seller=seller)).order_by("-created_at", "-id")


def bundle_get_for_seller(*, seller: User, public_id: str) -> Bundle:
    """Another seller's bundle is a 404, not a 403."""
    bundle = _with_listings(Bundle.objects.filter(seller=seller, public_id=public_id)).first()
    if bundle is None:
        raise NotFound(_("You have no bundle with this id."))
    return bundle


def bundle_listings(bundle: Bundle) -> list[Listing]:
    """The member listings in the seller's order (prefetched by the selectors above)."""
    return [item.listing for item in bundle.items.all()]
