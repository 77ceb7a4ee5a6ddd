from __future__ import annotations

import pytest

from prompts.models import Listing
from tests.factories import make_listing


@pytest.fixture
def listing(seller) -> Listing:  # type: ignore[no-untyped-def]
    """A draft listing of the seller's."""
    return make_listing(seller)
