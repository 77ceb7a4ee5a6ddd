"""Response shapes of the listing API for its OpenAPI schema.

The catalog serves pre-rendered JSON documents (prompts.documents), so these serializers only
describe them; they never render anything.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from marketplace.core.openapi import MoneyOutput, RatingOutput


class PersonOutput(serializers.Serializer):
    handle = serializers.CharField()
    name = serializers.CharField()


class PreviewSizeOutput(serializers.Serializer):
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    url = serializers.CharField(help_text="Absolute, or relative to this site with local storage.")


class GeneratorOutput(serializers.Serializer):
    model = serializers.CharField()


class PreviewOutput(serializers.Serializer):
    id = serializers.CharField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    blurhash = serializers.CharField()
    dominant_color = serializers.CharField()
    generated_by_platform = serializers.BooleanField()
    generator = GeneratorOutput(allow_null=True)
    ai_label = serializers.BooleanField()
    sizes = PreviewSizeOutput(many=True)


class _ListingDocument(serializers.Serializer):
    id = serializers.CharField()
    title = serializers.CharField()
    language = serializers.CharField()
    target_model = serializers.CharField()
    category = serializers.CharField()
    tags = serializers.ListField(child=serializers.CharField())
    price = MoneyOutput()
    is_free = serializers.BooleanField()
    license = serializers.CharField()
    seller = PersonOutput()
    has_platform_previews = serializers.BooleanField()
    published_at = serializers.DateTimeField(allow_null=True)
    url = serializers.CharField(help_text="Path of the listing's detail on this API.")
    rating = RatingOutput()


class CardOutput(_ListingDocument):
    excerpt = serializers.CharField()
    cover = PreviewOutput(allow_null=True)


class ListingDetailOutput(_ListingDocument):
    description = serializers.CharField()
    variables = serializers.ListField(child=serializers.CharField())
    example_outputs = serializers.ListField(child=serializers.CharField())
    previews = PreviewOutput(many=True)
    updated_at = serializers.DateTimeField(allow_null=True)


class SavedListingOutput(CardOutput):
    """A card; only `id` when the listing is no longer on sale (it has no card then)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.required = name == "id"


class FacetsOutput(serializers.Serializer):
    capped = serializers.BooleanField(help_text="True when only the first matches were counted.")
    total = serializers.IntegerField()
    target_model = serializers.DictField(child=serializers.IntegerField())
    category = serializers.DictField(child=serializers.IntegerField())
    language = serializers.DictField(child=serializers.IntegerField())
    price_currency = serializers.DictField(child=serializers.IntegerField())
    free = serializers.DictField(child=serializers.IntegerField(), help_text='Keys "true" and "false".')


class CatalogPageOutput(serializers.Serializer):
    results = CardOutput(many=True)
    next_cursor = serializers.CharField(allow_null=True, help_text="Pass as `cursor` for the next page.")
    next = serializers.CharField(allow_null=True, help_text="Path and query of the next page.")
    facets = FacetsOutput(
        required=False, help_text="With facets=true: counts per model, category, language, currency, free."
    )
