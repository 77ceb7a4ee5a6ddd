"""Staff see sellers' discount codes and licence tiers in the admin; the use counters stay read-only."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from payments.models import DiscountCode, DiscountCodeBuyer, ListingLicence
from tests.factories import UserFactory, make_listing

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client() -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def code(seller, buyer) -> DiscountCode:  # type: ignore[no-untyped-def]
    spring = DiscountCode.objects.create(
        seller=seller, code="SPRING25", kind="percent", percent=25, uses=3, max_uses=10
    )
    DiscountCodeBuyer.objects.create(code=spring, buyer=buyer, uses=2)
    return spring


def test_codes_are_listed_with_their_uses_and_cannot_be_edited_added_or_deleted(
    admin_client, code, buyer
) -> None:  # type: ignore[no-untyped-def]
    listing = admin_client.get(reverse("admin:payments_discountcode_changelist")).content.decode()
    assert "SPRING25" in listing
    page = admin_client.get(reverse("admin:payments_discountcode_change", args=[code.pk])).content.decode()
    assert "SPRING25" in page and buyer.handle in page  # the buyer-side counter, inline
    assert 'name="uses"' not in page and 'name="buyers-0-uses"' not in page  # shown, never an input
    response = admin_client.post(
        reverse("admin:payments_discountcode_change", args=[code.pk]), {"uses": 0, "active": "on"}
    )
    assert response.status_code == 403
    assert admin_client.get(reverse("admin:payments_discountcode_add")).status_code == 403
    admin_client.post(reverse("admin:payments_discountcode_delete", args=[code.pk]), {"post": "yes"})
    code.refresh_from_db()
    assert code.uses == 3


def test_staff_switch_a_code_off_and_on_through_the_service(admin_client, code) -> None:  # type: ignore[no-untyped-def]
    changelist = reverse("admin:payments_discountcode_changelist")
    admin_client.post(changelist, {"action": "switch_off", "_selected_action": [code.pk]})
    code.refresh_from_db()
    assert (code.active, code.uses) == (False, 3)
    admin_client.post(changelist, {"action": "switch_on", "_selected_action": [code.pk]})
    code.refresh_from_db()
    assert code.active is True


def test_a_viewer_without_the_change_permission_cannot_switch_a_code_off(code) -> None:  # type: ignore[no-untyped-def]
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_discountcode"))
    client = Client()
    client.force_login(viewer)
    changelist = reverse("admin:payments_discountcode_changelist")
    assert "SPRING25" in client.get(changelist).content.decode()
    client.post(changelist, {"action": "switch_off", "_selected_action": [code.pk]})
    code.refresh_from_db()
    assert code.active is True


def test_licence_tiers_are_listed_read_only(admin_client, seller) -> None:  # type: ignore[no-untyped-def]
    listing = make_listing(seller, publish=True)
    tier = ListingLicence.objects.create(listing=listing, licence="commercial", multiple_bps=25_000)
    page = admin_client.get(reverse("admin:payments_listinglicence_changelist")).content.decode()
    assert "25000" in page and "commercial" in page.lower()
    assert admin_client.get(reverse("admin:payments_listinglicence_add")).status_code == 403
    change = admin_client.get(reverse("admin:payments_listinglicence_change", args=[tier.pk]))
    assert change.status_code == 200 and 'name="multiple_bps"' not in change.content.decode()
