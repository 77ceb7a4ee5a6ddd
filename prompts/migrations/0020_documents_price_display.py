"""Stored listing documents write their price's ``display`` as marketplace.core.money does now:
CN¥ for yuan and JP¥ for yen, where both used to read "¥".

Only the ``display`` text of the price is rewritten, in batches; running it again changes nothing.
"""

from typing import Any

import orjson
from django.db import migrations

from marketplace.core.money import money_json

BATCH = 1000


def _with_display(document: str) -> str:
    if not document:
        return document  # never rendered: the next render writes the new display
    fields = orjson.loads(document)
    price = fields.get("price")
    if not isinstance(price, dict):
        return document
    fields["price"] = money_json(price["amount"], price["currency"])
    return orjson.dumps(fields).decode()


def rewrite_displays(apps: Any, schema_editor: Any) -> None:
    listing = apps.get_model("prompts", "Listing")
    after = 0
    while batch := list(
        listing.objects.filter(pk__gt=after).order_by("pk").only("pk", "card_json", "detail_json")[:BATCH]
    ):
        for row in batch:
            row.card_json = _with_display(row.card_json)
            row.detail_json = _with_display(row.detail_json)
        listing.objects.bulk_update(batch, ["card_json", "detail_json"])
        after = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("prompts", "0019_complaint_report_number"),
    ]

    operations = [
        migrations.RunPython(rewrite_displays, migrations.RunPython.noop),
    ]
