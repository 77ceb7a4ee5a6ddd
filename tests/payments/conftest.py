from __future__ import annotations

import pytest

from prompts.models import Listing
from tests.factories import make_listing


@pytest.fixture
def listing(stripe_fake, seller) -> Listing:  # type: ignore[no-untyped-def]
    """The seller's published CNY 19.90 listing, bought through the Stripe fake."""
    return make_listing(seller, publish=True, price_amount=1990, price_currency="CNY")
