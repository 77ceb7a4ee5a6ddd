"""Listing documents stored before yuan and yen were told apart get the new price display."""

from __future__ import annotations

from importlib import import_module

import orjson
import pytest
from django.apps import apps

from prompts.models import Listing
from tests.factories import make_listing

pytestmark = pytest.mark.django_db

migration = import_module("prompts.migrations.0020_documents_price_display")


def test_stored_documents_say_cn_yuan_and_jp_yen_and_keep_everything_else(seller):
    yuan = make_listing(seller, publish=True, title="熊猫表情包", price_amount=900, price_currency="CNY")
    yen = make_listing(seller, publish=True, title="Ukiyo-e cats", price_amount=900, price_currency="JPY")
    for listing, old in ((yuan, "¥9.00"), (yen, "¥900")):  # as documents were written before
        documents = {}
        for field in ("card_json", "detail_json"):
            document = orjson.loads(getattr(listing, field))
            document["price"]["display"] = old
            documents[field] = orjson.dumps(document).decode()
        Listing.objects.filter(pk=listing.pk).update(**documents)
    before = orjson.loads(Listing.objects.get(pk=yuan.pk).detail_json)
    assert before["price"]["display"] == "¥9.00"

    for _ in range(2):  # a second run changes nothing
        migration.rewrite_displays(apps, None)

    for listing, shown in ((yuan, "CN¥9.00"), (yen, "JP¥900")):
        row = Listing.objects.get(pk=listing.pk)
        assert orjson.loads(row.card_json)["price"]["display"] == shown
        assert orjson.loads(row.detail_json)["price"]["display"] == shown
    after = orjson.loads(Listing.objects.get(pk=yuan.pk).detail_json)
    assert {**before, "price": after["price"]} == after
