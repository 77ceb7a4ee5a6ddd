"""`make run` loads the demo catalog: every listing on sale, searchable, and loading twice adds nothing."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from payments.models import DiscountCode
from prompts.models import Bundle, Listing, ListingStatus

# As `make run` does: autocommit, so each upload is rendered (eagerly) before its submit.
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_demo_data_is_all_on_sale_and_loads_once(anon):
    call_command("seed_demo", verbosity=0)
    assert Listing.objects.filter(status=ListingStatus.PUBLISHED).count() == 36
    assert Listing.objects.filter(language="zh-hans").count() >= 12
    assert Listing.objects.filter(language="en").count() >= 12
    titles = [card["title"] for card in anon.get("/api/v1/listings/", {"q": "熊猫"}).json()["results"]]
    assert sorted(titles) == ["熊猫功夫T恤图案", "熊猫表情包 · 十二种情绪"]
    # Something to show for bundles and codes: a published bundle a visitor can open, a code per seller.
    bundles = anon.get("/api/v1/bundles/").json()["results"]
    assert bundles and all(len(bundle["listings"]) == 3 for bundle in bundles)
    assert anon.get(f"/bundles/{bundles[0]['id']}/").status_code == 200
    assert DiscountCode.objects.filter(code="WELCOME10").count() == 3  # one per demo seller
    call_command("seed_demo", verbosity=0)
    assert Listing.objects.count() == 36
    assert Bundle.objects.count() == len(bundles) and DiscountCode.objects.count() == 3
