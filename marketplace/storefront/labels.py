"""Translated display names for the catalog's codes (models, categories, sorts...).

The codes are stable API values; what a visitor reads is chosen here, in their language.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from prompts.models import AiClass, Category, TargetModel

# Model names are brands: the same in every language, except where Chinese has its own
# (文心一格 for ERNIE-ViLG, 太乙 for Taiyi).
MODELS = {value: label for value, label in TargetModel.choices} | {
    "other": _("Other model"),
    "ernie-vilg": _("ERNIE-ViLG"),
    "taiyi": _("Taiyi"),
}
CATEGORIES = {
    "emoji": _("Emoji"),
    "wallpaper": _("Wallpaper"),
    "t-shirt": _("T-shirt print"),
    "press-on-nails": _("Press-on nails"),
    "illustration": _("Illustration"),
    "fashion-model": _("Fashion model"),
    "product": _("Product shot"),
    "logo": _("Logo"),
    "other": _("Other"),
}
LANGUAGES = {"en": _("English"), "zh-hans": _("Chinese")}
SORTS = {
    "relevance": _("Best match"),
    "newest": _("Newest"),
    "popular": _("Trending"),
    "price": _("Price: low to high"),
    "-price": _("Price: high to low"),
}
LISTING_STATUSES = {
    "draft": _("Draft"),
    "pending_review": _("In review"),
    "published": _("Published"),
    "rejected": _("Rejected"),
    "archived": _("Archived"),
}
IMAGE_STATUSES = {
    "pending": _("Waiting"),
    "processing": _("Rendering"),
    "ready": _("Ready"),
    "failed": _("Failed"),
}
# The notice beside an example image: what its provenance says (labelling measures Art. 6).
AI_CLASSES = {
    "ai_generated": _("AI-generated, per the file's own metadata"),
    "declared": _("AI-generated, as declared by the seller"),
    "suspected": _(
        "Suspected AI-generated: undeclared, but the file bears a generator's traces or a visible AI label"
    ),
    "none": _("AI-generated"),
}

assert set(CATEGORIES) == set(Category.values)
assert set(MODELS) == set(TargetModel.values)
assert set(AI_CLASSES) == set(AiClass.values)
