"""Public listing documents say how many trial runs the listing offers (`trial_runs`).

Documents rendered before this change lack the field; it is added to them here, in batches,
without re-rendering anything else. Running it again changes nothing.
"""

from typing import Any

import orjson
from django.db import migrations

BATCH = 1000


def _with_trial_runs(document: str, trial_runs: int) -> str:
    if not document:
        return document  # never rendered: the next render includes the field
    fields = orjson.loads(document)
    fields["trial_runs"] = trial_runs
    return orjson.dumps(fields).decode()


def add_trial_runs(apps: Any, schema_editor: Any) -> None:
    listing = apps.get_model("prompts", "Listing")
    after = 0
    while batch := list(
        listing.objects.filter(pk__gt=after)
        .order_by("pk")
        .only("pk", "trial_runs", "card_json", "detail_json")[:BATCH]
    ):
        for row in batch:
            row.card_json = _with_trial_runs(row.card_json, row.trial_runs)
            row.detail_json = _with_trial_runs(row.detail_json, row.trial_runs)
        listing.objects.bulk_update(batch, ["card_json", "detail_json"])
        after = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("prompts", "0017_bundles"),
    ]

    operations = [
        migrations.RunPython(add_trial_runs, migrations.RunPython.noop),
    ]
