"""Load the shipped rates, so a fresh database (the embedded `make run`) sorts prices offline."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import migrations

RATES_FILE = Path(__file__).resolve().parent.parent / "default_rates.json"


def load_default_rates(apps: Any, schema_editor: Any) -> None:
    exchange_rate = apps.get_model("rates", "ExchangeRate")
    rates = json.loads(RATES_FILE.read_text(encoding="utf-8"))["rates"]
    for code, value in rates.items():
        exchange_rate.objects.get_or_create(currency=code, defaults={"per_usd": Decimal(value), "source": "default"})


class Migration(migrations.Migration):
    dependencies = [("rates", "0001_exchange_rates")]
    operations = [migrations.RunPython(load_default_rates, migrations.RunPython.noop)]
