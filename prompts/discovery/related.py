"""Related listings: published listings that share tags, category, model or seller."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, Count, ExpressionWrapper, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from marketplace.core.errors import NotFound
from prompts.models import Listing

RELATED_LIMIT = 12
# Related score: each shared tag, then same category, same model, same seller.
RELATED_WEIGHTS = {"tag": 3, "category": 2, "model": 2, "seller": 1}


def related_listings(*, public_id: str, limit: int = RELATED_LIMIT) -> list[str]:
    """Cards of published listings most like this one: shared tags first, then category, model and
    seller; ties go to the trending. Two queries whatever the catalog holds."""
    listing = (
        Listing.objects.published()
        .filter(public_id=public_id)
        .values("pk", "target_model", "category", "seller_id")
        .first()
    )
    if listing is None:
        raise NotFound(_("No published listing has this id."))
    through = Listing.tags.through
    # Any: django-stubs cannot follow an annotation on the auto-created through model.
    shared_per_listing: Any = (
        through.objects.filter(
            listing_id=OuterRef("pk"),
            tag_id__in=through.objects.filter(listing_id=listing["pk"]).values("tag_id"),
        )
        .order_by()
        .values("listing_id")
        .annotate(shared=Count("pk"))
    )
    shared_tags = shared_per_listing.values("shared")
    weights = RELATED_WEIGHTS

    def same(lookup: Q, weight: int) -> Case:
        return Case(When(lookup, then=Value(weight)), default=Value(0), output_field=IntegerField())

    score = ExpressionWrapper(
        Coalesce(Subquery(shared_tags, output_field=IntegerField()), 0) * weights["tag"]
        + same(Q(category=listing["category"]), weights["category"])
        + same(Q(target_model=listing["target_model"]), weights["model"])
        + same(Q(seller_id=listing["seller_id"]), weights["seller"]),
        output_field=IntegerField(),
    )
    rows = (
        Listing.objects.published()
        .exclude(pk=listing["pk"])
        .annotate(related_score=score)
        .filter(related_score__gt=0)
        .order_by("-related_score", "-trending_score", "-pk")
        .values_list("card_json", flat=True)[:limit]
    )
    return list(rows)
