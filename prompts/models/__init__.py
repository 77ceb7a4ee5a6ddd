"""The models of the prompts app, one module per concern, all re-exported here (Django's convention).

Migrations name ``new_public_id``, ``_private_storage`` and ``original_upload_to`` by their path in
this package, so they are re-exported too.
"""

from prompts.models.bundles import (
    BUNDLE_ITEMS_MAX,
    BUNDLE_ITEMS_MIN,
    BUNDLE_PERCENT_MAX,
    BUNDLE_PERCENT_MIN,
    Bundle,
    BundleItem,
    BundleStatus,
)
from prompts.models.discovery import REVIEW_TEXT_MAX, Favourite, ListingActivity, Review, ViewBatch
from prompts.models.images import (
    AiClass,
    AiEvidence,
    ImageSource,
    ImageStatus,
    ListingImage,
    _private_storage,
    original_upload_to,
)
from prompts.models.listings import (
    TEXT_MODELS,
    Category,
    Language,
    License,
    Listing,
    ListingQuerySet,
    ListingStatus,
    PromptVersion,
    Tag,
    TargetModel,
    new_public_id,
)
from prompts.models.moderation import (
    COMPLAINT_NOTE_MAX,
    Complaint,
    ComplaintReason,
    ComplaintStatus,
    FlagStatus,
    ListingEvent,
    ListingFlag,
    ScreeningAction,
    ScreeningList,
    ScreeningTerm,
)
from prompts.models.search import SearchTerm
from prompts.models.trials import (
    TRIAL_RUNS_MAX,
    TrialBudget,
    TrialKind,
    TrialRun,
    TrialStatus,
    trial_upload_to,
)

__all__ = [
    "BUNDLE_ITEMS_MAX",
    "BUNDLE_ITEMS_MIN",
    "BUNDLE_PERCENT_MAX",
    "BUNDLE_PERCENT_MIN",
    "COMPLAINT_NOTE_MAX",
    "REVIEW_TEXT_MAX",
    "TEXT_MODELS",
    "TRIAL_RUNS_MAX",
    "AiClass",
    "AiEvidence",
    "Bundle",
    "BundleItem",
    "BundleStatus",
    "Category",
    "Complaint",
    "ComplaintReason",
    "ComplaintStatus",
    "Favourite",
    "FlagStatus",
    "ImageSource",
    "ImageStatus",
    "Language",
    "License",
    "Listing",
    "ListingActivity",
    "ListingEvent",
    "ListingFlag",
    "ListingImage",
    "ListingQuerySet",
    "ListingStatus",
    "PromptVersion",
    "Review",
    "ScreeningAction",
    "ScreeningList",
    "ScreeningTerm",
    "SearchTerm",
    "Tag",
    "TargetModel",
    "TrialBudget",
    "TrialKind",
    "TrialRun",
    "TrialStatus",
    "ViewBatch",
    "_private_storage",
    "new_public_id",
    "original_upload_to",
    "trial_upload_to",
]
