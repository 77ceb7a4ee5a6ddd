from __future__ import annotations

import pytest

from marketplace.accounts.models import User
from prompts.models import Listing
from tests.factories import make_listing
from tests.notifications.helpers import SECRET


@pytest.fixture
def zh_seller(seller: User) -> User:
    seller.language = "zh-hans"
    seller.save(update_fields=["language"])
    return seller


@pytest.fixture
def zh_buyer(buyer: User) -> User:
    buyer.language = "zh-hans"
    buyer.save(update_fields=["language"])
    return buyer


@pytest.fixture
def listing(stripe_fake, seller) -> Listing:  # type: ignore[no-untyped-def]
    """CNY 19.90, with a prompt text no email may show."""
    return make_listing(
        seller, publish=True, price_amount=1990, price_currency="CNY", prompt_text=f"{SECRET} [x]"
    )
