"""`make run` under COMPLIANCE_PROFILE=cn: the sandbox verifies the demo users, so the catalog loads."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from marketplace.accounts.models import User
from marketplace.verification import services
from prompts.models import Listing, ListingStatus

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.mark.usefixtures("gate")
def test_the_demo_catalog_loads_with_verification_required() -> None:
    call_command("seed_demo", verbosity=0)
    assert Listing.objects.filter(status=ListingStatus.PUBLISHED).count() == 36
    sellers = User.objects.filter(listings__isnull=False).distinct()
    assert sellers and all(services.is_seller_verified(seller) for seller in sellers)
    assert services.is_phone_verified(User.objects.get(handle="demo-buyer"))
