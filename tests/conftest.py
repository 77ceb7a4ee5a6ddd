from __future__ import annotations

from collections.abc import Callable

import pytest
import stripe
import time_machine
from django.conf import settings
from django.test import TestCase
from rest_framework.test import APIClient

from marketplace.accounts.models import User
from marketplace.accounts.services import token_create
from marketplace.tutoring.models import TutoringOffer
from tests.factories import UserFactory, onboard
from tests.tutoring.helpers import make_offer

# A test that needs a service carries its marker, so `-m postgres` or `-m redis` selects it, and
# skips where the service is not configured.
requires_postgres = pytest.mark.postgres
requires_redis = pytest.mark.redis


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    missing = {
        "postgres": None if settings.IS_POSTGRES else "needs PostgreSQL (set DATABASE_URL)",
        "redis": None if settings.REDIS_URL else "needs Redis (set REDIS_URL)",
    }
    for item in items:
        for marker, reason in missing.items():
            if reason and item.get_closest_marker(marker):
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(autouse=True)
def _isolated(settings, django_db_blocker):  # type: ignore[no-untyped-def]
    settings.LISTING_REVIEW = "auto"
    from django.core.cache import cache
    from django.utils import translation

    from prompts.search.spelling import clear_vocabulary

    with django_db_blocker.unblock():
        cache.clear()
    clear_vocabulary()
    yield
    # A request in Chinese leaves its language active in this thread: the next test starts in English.
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def seller(db) -> User:  # type: ignore[no-untyped-def]
    """A seller with a payout account (the sandbox's), so paid listings can be published."""
    return onboard(UserFactory(handle="seller-one", email="seller@example.com"))


@pytest.fixture
def other_seller(db) -> User:  # type: ignore[no-untyped-def]
    return onboard(UserFactory(handle="seller-two", email="seller2@example.com"))


@pytest.fixture
def buyer(db) -> User:  # type: ignore[no-untyped-def]
    return UserFactory(handle="buyer", email="buyer@example.com")


@pytest.fixture
def stranger(db) -> User:  # type: ignore[no-untyped-def]
    return UserFactory(handle="stranger", email="stranger@example.com")


@pytest.fixture
def staff(db) -> User:  # type: ignore[no-untyped-def]
    return UserFactory(handle="moderator", email="mod@example.com", is_staff=True)


class CommittingAPIClient(APIClient):
    """Runs on-commit callbacks (task enqueues, document refreshes) after each request, as in production.

    Tests run inside a transaction that is rolled back, so without this nothing would ever "commit".
    """

    def request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().request(*args, **kwargs)


@pytest.fixture
def anon() -> APIClient:
    return CommittingAPIClient()


@pytest.fixture
def client_for() -> Callable[[User], APIClient]:
    """An API client authenticated with a fresh bearer token of the user."""

    def make(user: User) -> APIClient:
        _, raw = token_create(user=user)
        api = CommittingAPIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return api

    return make


@pytest.fixture
def seller_api(seller, client_for) -> APIClient:  # type: ignore[no-untyped-def]
    return client_for(seller)


@pytest.fixture
def buyer_api(buyer, client_for) -> APIClient:  # type: ignore[no-untyped-def]
    return client_for(buyer)


@pytest.fixture
def offer(seller) -> TutoringOffer:  # type: ignore[no-untyped-def]
    """The seller's tutoring offer: an hour for CNY 199.00, every day 09:00-12:00 in Shanghai."""
    return make_offer(seller)


@pytest.fixture
def clock(request):  # type: ignore[no-untyped-def]
    """Time stands still at the test module's NOW; tests move it with clock.move_to() or shift()."""
    with time_machine.travel(request.module.NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def fast_retries(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The stripe library sleeps 0.5 s and more between retries; the retries themselves stay real."""
    monkeypatch.setattr(stripe._http_client.HTTPClient, "INITIAL_DELAY", 0.01)
    monkeypatch.setattr(stripe._http_client.HTTPClient, "MAX_DELAY", 0.02)


@pytest.fixture
def stripe_fake(settings):  # type: ignore[no-untyped-def]
    """Payments through the official stripe library, over HTTP, to the in-process fake."""
    from payments import services
    from tests.support.fake_stripe import SECRET_KEY, WEBHOOK_SECRET, FakeStripeServer

    server = FakeStripeServer()
    with server as fake:
        settings.PAYMENTS_PROVIDER = "stripe"
        settings.STRIPE_SECRET_KEY = SECRET_KEY
        settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
        settings.STRIPE_API_BASE = server.url
        services._gateway_for.cache_clear()
        yield fake
    services._gateway_for.cache_clear()
