"""The shipped synonym groups, and a re-index: categories and models are now indexed under their
English and Chinese names, and hyphenated words also joined ("t-shirt" as "tshirt")."""

from typing import Any

from django.db import migrations


def load_shipped_synonyms(apps: Any, schema_editor: Any) -> None:
    from prompts.search.synonyms import shipped_groups

    synonym = apps.get_model("prompts", "SearchSynonym")
    if synonym.objects.exists():
        return
    synonym.objects.bulk_create(synonym(terms="\n".join(terms)) for terms in shipped_groups())


def reindex_published(apps: Any, schema_editor: Any) -> None:
    from prompts.search.index import index_write, listing_texts

    listing = apps.get_model("prompts", "Listing")
    after = 0
    while batch := list(
        listing.objects.filter(pk__gt=after, status="published")
        .select_related("seller")
        .prefetch_related("tags")
        .order_by("pk")[:500]
    ):
        for row in batch:
            texts = listing_texts(
                title=row.title,
                tags=[tag.slug for tag in row.tags.all()],
                description=row.description,
                target_model=row.target_model,
                category=row.category,
                seller_handle=row.seller.handle,
            )
            index_write(listing_id=row.pk, texts=texts)
        after = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("prompts", "0015_search_synonyms"),
    ]

    operations = [
        migrations.RunPython(load_shipped_synonyms, migrations.RunPython.noop),
        migrations.RunPython(reindex_published, migrations.RunPython.noop),
    ]
