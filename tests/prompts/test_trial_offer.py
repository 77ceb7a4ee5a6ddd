"""The public catalog says how many free trial runs a listing offers, before anyone buys or signs in."""

from __future__ import annotations

import importlib

import orjson
import pytest
from django.apps import apps

from prompts.models import Listing
from tests.factories import make_listing
from tests.support.openapi import RAW_SCHEMA, checked_call

pytestmark = pytest.mark.django_db

CATALOG = "/api/v1/listings/"


def _cards(anon) -> dict[str, int]:
    return {card["id"]: card["trial_runs"] for card in anon.get(CATALOG).json()["results"]}


def test_cards_and_the_detail_say_how_many_free_trial_runs_a_listing_offers(seller, anon):
    tried = make_listing(seller, publish=True, title="Koi to try", trial_runs=3)
    untried = make_listing(seller, publish=True, title="Koi to buy")
    assert _cards(anon) == {tried.public_id: 3, untried.public_id: 0}
    detail = checked_call(
        "GET", "/api/v1/listings/{public_id}/", path_parameters={"public_id": tried.public_id}
    )
    assert detail.json()["trial_runs"] == 3


@pytest.mark.parametrize("shape", ["CardOutput", "ListingDetailOutput"])
def test_the_schema_documents_trial_runs(shape):
    document = RAW_SCHEMA["components"]["schemas"][shape]
    assert "trial_runs" in document["required"]
    assert document["properties"]["trial_runs"]["type"] == "integer"


def test_a_seller_changing_trial_runs_changes_what_the_public_catalog_says(seller, seller_api, anon):
    listing = make_listing(seller, publish=True, trial_runs=1)
    path = f"/api/v1/seller/listings/{listing.public_id}/"
    assert seller_api.patch(path, {"trial_runs": 4}, format="json").status_code == 200
    assert anon.get(f"{CATALOG}{listing.public_id}/").json()["trial_runs"] == 4
    assert _cards(anon) == {listing.public_id: 4}
    assert seller_api.patch(path, {"trial_runs": 0}, format="json").status_code == 200
    assert anon.get(f"{CATALOG}{listing.public_id}/").json()["trial_runs"] == 0
    assert _cards(anon) == {listing.public_id: 0}


def _rendered_before_trial_runs(listing: Listing) -> None:
    """Stored documents as they were rendered before they carried `trial_runs`."""
    listing.refresh_from_db()
    documents = {}
    for field in ("card_json", "detail_json"):
        document = orjson.loads(getattr(listing, field))
        del document["trial_runs"]
        documents[field] = orjson.dumps(document).decode()
    Listing.objects.filter(pk=listing.pk).update(**documents)


def test_the_migration_adds_trial_runs_to_documents_rendered_before(seller, anon):
    migration = importlib.import_module("prompts.migrations.0018_listing_documents_trial_runs")
    listing = make_listing(seller, publish=True, trial_runs=2)
    draft = make_listing(seller, title="Never rendered")
    Listing.objects.filter(pk=draft.pk).update(card_json="", detail_json="")
    _rendered_before_trial_runs(listing)
    assert "trial_runs" not in anon.get(f"{CATALOG}{listing.public_id}/").json()

    migration.add_trial_runs(apps, None)
    after_once = Listing.objects.values("card_json", "detail_json").get(pk=listing.pk)
    migration.add_trial_runs(apps, None)

    assert Listing.objects.values("card_json", "detail_json").get(pk=listing.pk) == after_once
    assert anon.get(f"{CATALOG}{listing.public_id}/").json()["trial_runs"] == 2
    assert _cards(anon) == {listing.public_id: 2}
    assert Listing.objects.values_list("card_json", "detail_json").get(pk=draft.pk) == ("", "")
