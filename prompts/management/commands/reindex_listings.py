"""Re-render every listing's public documents and search tokens, and recount autocomplete terms.

Run after an upgrade that changes the documents or the tokenizer. Safe to run any time.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from prompts.documents import listing_documents_refresh
from prompts.models import Listing
from prompts.search.suggest import rebuild_weights


class Command(BaseCommand):
    help = "Re-render listing documents and search index entries; recount autocomplete terms."

    def handle(self, *args: Any, **options: Any) -> None:
        count = 0
        for listing_id in (
            Listing.objects.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=1000)
        ):
            listing_documents_refresh(listing_id=listing_id)
            count += 1
        terms = rebuild_weights()
        self.stdout.write(self.style.SUCCESS(f"Re-indexed {count} listings; {terms} autocomplete terms."))
