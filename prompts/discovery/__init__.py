"""Discovery: reviews and ratings, favourites, related listings, and the trending score.

Services (writes) and selectors (reads) for these, one module each; the interfaces are
marketplace.api.discovery and the prompts.fold_trending task.
"""

from __future__ import annotations

from prompts.discovery.favourites import favourite_add, favourite_remove, favourites_for
from prompts.discovery.related import RELATED_LIMIT, related_listings
from prompts.discovery.reviews import (
    review_create,
    review_get,
    review_reply,
    reviews_for_listing,
    seller_rating,
)
from prompts.discovery.trending import (
    trending_fold,
    trending_recompute,
    unlocks_set,
    views_fold,
    views_record,
)

__all__ = [
    "RELATED_LIMIT",
    "favourite_add",
    "favourite_remove",
    "favourites_for",
    "related_listings",
    "review_create",
    "review_get",
    "review_reply",
    "reviews_for_listing",
    "seller_rating",
    "trending_fold",
    "trending_recompute",
    "unlocks_set",
    "views_fold",
    "views_record",
]
