"""stripe_identity: a document check at Stripe Identity, through the official library and the fake,
its outcome by webhook signed as Stripe signs, applied once."""

from __future__ import annotations

import pytest
from django.test import Client

from marketplace.verification import services
from marketplace.verification.models import Status, VerificationEvent
from tests.payments.helpers import deliver
from tests.verification.conftest import verify_phone

pytestmark = pytest.mark.django_db


@pytest.fixture
def identity(settings, stripe_fake):  # type: ignore[no-untyped-def]
    settings.VERIFICATION_STRIPE_IDENTITY = True
    return stripe_fake


@pytest.fixture
def site(seller) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(seller)
    return client


def _session_of(fake, seller) -> dict:  # type: ignore[no-untyped-def]
    (session,) = [s for s in fake.identity_sessions.values() if s["metadata"]["user_id"] == str(seller.pk)]
    return session


def test_the_website_sends_the_seller_to_stripes_page(identity, site, seller) -> None:  # type: ignore[no-untyped-def]
    verify_phone(seller)
    page = site.get("/account/verification/").content.decode()
    assert 'action="/account/verification/document/"' in page and 'name="id_number"' not in page
    started = site.post("/account/verification/document/")
    session = _session_of(identity, seller)
    assert (started.status_code, started["Location"]) == (303, session["url"])
    assert session["type"] == "document" and session["return_url"].endswith("/account/verification/")
    assert services.verification_for(user=seller).status == Status.PENDING
    assert "document-pending" in site.get("/account/verification/").content.decode()


def test_the_api_returns_the_url_and_refuses_before_the_phone(identity, seller_api, seller) -> None:  # type: ignore[no-untyped-def]
    early = seller_api.post("/api/v1/me/verification/document/")
    assert (early.status_code, early.json()["error"]["code"]) == (409, "phone_required")
    assert identity.identity_sessions == {}
    verify_phone(seller)
    started = seller_api.post("/api/v1/me/verification/document/")
    assert (started.status_code, started.json()["url"]) == (201, _session_of(identity, seller)["url"])


def test_off_unless_configured(settings, stripe_fake, seller_api, seller) -> None:  # type: ignore[no-untyped-def]
    verify_phone(seller)
    assert seller_api.post("/api/v1/me/verification/document/").status_code == 404
    assert stripe_fake.identity_sessions == {}


def test_a_verified_event_delivered_twice_verifies_once(identity, seller_api, seller) -> None:  # type: ignore[no-untyped-def]
    verify_phone(seller)
    seller_api.post("/api/v1/me/verification/document/")
    event = identity.identity_result(_session_of(identity, seller)["id"], verified=True)
    assert deliver(event).status_code == 200
    assert deliver(event).status_code == 200
    # Stripe may also send a second event for the same session: still one verification.
    assert deliver(identity.event(event["type"], event["data"]["object"])).status_code == 200
    assert services.is_seller_verified(seller)
    assert VerificationEvent.objects.filter(user=seller, action="verified").count() == 1
    state = seller_api.get("/api/v1/me/verification/").json()
    assert (state["status"], state["failure_reason"]) == ("verified", "")


def test_a_forged_signature_changes_nothing(identity, seller_api, seller) -> None:  # type: ignore[no-untyped-def]
    verify_phone(seller)
    seller_api.post("/api/v1/me/verification/document/")
    event = identity.identity_result(_session_of(identity, seller)["id"], verified=True)
    assert deliver(event, secret="whsec_forged").status_code == 400
    assert not services.is_seller_verified(seller)


def test_an_event_for_someone_elses_session_changes_nothing(identity, seller_api, seller, buyer) -> None:  # type: ignore[no-untyped-def]
    verify_phone(seller)
    seller_api.post("/api/v1/me/verification/document/")
    session = dict(_session_of(identity, seller), status="verified", metadata={"user_id": str(buyer.pk)})
    assert deliver(identity.event("identity.verification_session.verified", session)).status_code == 200
    assert services.verification_for(user=seller).status == Status.PENDING


def test_requires_input_fails_with_what_to_do_and_a_new_attempt_works(identity, site, seller) -> None:  # type: ignore[no-untyped-def]
    verify_phone(seller)
    site.post("/account/verification/document/")
    first = _session_of(identity, seller)["id"]
    assert (
        deliver(
            identity.identity_result(first, verified=False, error_code="selfie_face_mismatch")
        ).status_code
        == 200
    )
    verification = services.verification_for(user=seller)
    assert verification.status == Status.FAILED and "selfie" in verification.failure_reason
    page = site.get("/account/verification/").content.decode()
    assert "document-failed" in page and "good light" in page
    again = site.post("/account/verification/document/")
    (second,) = [s for s in identity.identity_sessions if s != first]
    assert again["Location"] == identity.identity_sessions[second]["url"]
    deliver(identity.identity_result(second, verified=True))
    assert services.is_seller_verified(seller)
    # A late failure of the first session cannot undo it.
    deliver(identity.identity_result(first, verified=False))
    assert services.is_seller_verified(seller)


def test_the_document_step_and_its_failure_in_chinese(identity, site, seller) -> None:  # type: ignore[no-untyped-def]
    verify_phone(seller)
    site.post("/account/verification/document/")
    deliver(identity.identity_result(_session_of(identity, seller)["id"], verified=False))
    page = site.get("/account/verification/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "用身份证件验证" in page and "证件未能通过验证" in page
