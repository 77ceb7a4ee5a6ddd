"""Audit trails and money rows are read-only in the admin, even for a superuser: services change them."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory, make_listing

pytestmark = pytest.mark.django_db

READ_ONLY = [
    "accounts.signinevent",
    "verification.verificationevent",
    "prompts.listingevent",
    "prompts.favourite",
    "payments.order",
    "payments.unlock",
    "payments.ledgerentry",
    "payments.payout",
    "payments.webhookevent",
    "payments.connectedaccount",
    "payments.payoutprofile",
    "payments.payoutstatement",
    "payments.payoutbatch",
    "payments.listinglicence",
    "payments.discountcode",
]


@pytest.fixture
def superuser_client() -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("model", READ_ONLY)
def test_a_superuser_reads_the_list_but_cannot_add_a_row(superuser_client: Client, model: str) -> None:
    app, name = model.split(".")
    assert superuser_client.get(reverse(f"admin:{app}_{name}_changelist")).status_code == 200
    assert superuser_client.get(reverse(f"admin:{app}_{name}_add")).status_code == 403


def test_a_listings_versions_images_and_events_are_shown_but_never_added_or_deleted_there(
    superuser_client: Client, seller
) -> None:  # type: ignore[no-untyped-def]
    listing = make_listing(seller, publish=True)
    page = superuser_client.get(reverse("admin:prompts_listing_change", args=[listing.pk])).content.decode()
    limits = re.findall(r'name="([\w-]+)-MAX_NUM_FORMS" value="(\d+)"', page)
    assert len(limits) == 3 and all(value == "0" for _, value in limits)
    assert "-DELETE" not in page
