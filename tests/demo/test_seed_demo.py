"""`make run` loads the demo catalog: every listing on sale, searchable, and loading twice adds nothing."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from prompts.models import Listing, ListingStatus

# As `make run` does: autocommit, so each upload is rendered (eagerly) before its submit.
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_demo_data_is_all_on_sale_and_loads_once(anon):
    call_command("seed_demo", verbosity=0)
    assert Listing.objects.filter(status=ListingStatus.PUBLISHED).count() == 36
    assert Listing.objects.filter(language="zh-hans").count() >= 12
    assert Listing.objects.filter(language="en").count() >= 12
    titles = [card["title"] for card in anon.get("/api/v1/listings/", {"q": "熊猫"}).json()["results"]]
    assert sorted(titles) == ["熊猫功夫T恤图案", "熊猫表情包 · 十二种情绪"]
    call_command("seed_demo", verbosity=0)
    assert Listing.objects.count() == 36
