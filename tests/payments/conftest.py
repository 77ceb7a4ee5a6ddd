from __future__ import annotations

import pytest

from marketplace.accounts.models import User
from marketplace.celery import app as celery_app
from payments.services import rails
from prompts.models import Listing
from tests.factories import UserFactory, make_listing

ACCOUNT_NUMBER = "6222021234567890123"


@pytest.fixture
def listing(stripe_fake, seller) -> Listing:  # type: ignore[no-untyped-def]
    """The seller's published CNY 19.90 listing, bought through the Stripe fake."""
    return make_listing(seller, publish=True, price_amount=1990, price_currency="CNY")


@pytest.fixture
def manual_seller(db) -> User:  # type: ignore[no-untyped-def]
    """A manual-rail seller (the test sets PAYOUT_RAIL_DEFAULT) with bank details."""
    user = UserFactory(handle="mei-prints", email="mei@example.com")
    rails.payout_details_set(
        user=user, method="bank", holder_name="张三丰", account=ACCOUNT_NUMBER, bank_name="中国工商银行"
    )
    user.refresh_from_db()
    return user


@pytest.fixture
def through_the_broker(settings):  # type: ignore[no-untyped-def]
    """Tasks go to Redis for a real worker (tests.support.worker), not run in this process."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = settings.REDIS_URL
    yield
    celery_app.conf.task_always_eager = True
