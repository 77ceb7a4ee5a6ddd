"""The website's verification step: plain forms (no JavaScript), English and Chinese."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from marketplace.verification import services
from tests.verification.conftest import ZHANG_ID, verify_phone, verify_seller

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(seller) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(seller)
    return client


def test_a_seller_verifies_phone_then_identity_and_returns_where_they_were(site, seller) -> None:  # type: ignore[no-untyped-def]
    page = site.get("/account/verification/?next=/dashboard/")
    assert page.status_code == 200 and 'name="phone"' in page.content.decode()
    assert "<script>" not in page.content.decode()
    sent = site.post("/account/verification/phone/", {"phone": "138 0000 0000", "next": "/dashboard/"})
    assert sent.status_code == 303 and sent["Location"].startswith("/account/verification/?next=")
    page = site.get(sent["Location"]).content.decode()
    assert "138****0000" in page and "123456" in page  # the sandbox says its code
    confirmed = site.post("/account/verification/phone/confirm/", {"code": "123456", "next": "/dashboard/"})
    # Sent from the dashboard (publishing), the ID step follows at once.
    assert confirmed.status_code == 303
    assert confirmed["Location"] == "/account/verification/?next=%2Fdashboard%2F#identity"
    verified = site.post(
        "/account/verification/identity/",
        {"name": "张三", "id_number": ZHANG_ID, "next": "https://evil.example/"},
    )
    assert (verified.status_code, verified["Location"]) == (303, "/account/verification/")
    page = site.get("/account/verification/").content.decode()
    assert "张*" in page and ZHANG_ID not in page
    assert services.is_seller_verified(seller)


def test_mistakes_come_back_next_to_the_field(site, seller) -> None:  # type: ignore[no-untyped-def]
    bad = site.post("/account/verification/phone/", {"phone": "12345"})
    assert bad.status_code == 400 and "11 digits" in bad.content.decode()
    site.post("/account/verification/phone/", {"phone": "13800000000"})
    wrong = site.post("/account/verification/phone/confirm/", {"code": "999999"})
    assert wrong.status_code == 400 and "not the one we sent" in wrong.content.decode()
    site.post("/account/verification/phone/confirm/", {"code": "123456"})
    mismatch = site.post("/account/verification/identity/", {"name": "Mismatch", "id_number": ZHANG_ID})
    assert mismatch.status_code == 400 and "do not match" in mismatch.content.decode()
    assert ZHANG_ID not in mismatch.content.decode()  # the form does not echo the number back


def test_the_provider_down_is_a_503_page_with_a_retry_hint(site, aliyun) -> None:  # type: ignore[no-untyped-def]
    aliyun.mode = "down"
    response = site.post("/account/verification/phone/", {"phone": "13800000000"})
    assert response.status_code == 503 and "try again in a few minutes" in response.content.decode()


def test_the_page_speaks_chinese(site) -> None:  # type: ignore[no-untyped-def]
    page = site.get("/account/verification/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "手机号码" in page and "身份证号码" in page


@pytest.mark.usefixtures("gate")
def test_the_dashboard_shows_the_verification_step_next_to_payouts(site, seller) -> None:  # type: ignore[no-untyped-def]
    page = site.get("/dashboard/").content.decode()
    assert 'id="verification-step"' in page and "/account/verification/?next=/dashboard/" in page
    assert page.index('id="verification-step"') < page.index('id="payouts-h"')


def _sandbox_notice(page: str) -> bool:
    return 'id="sandbox-code"' in page and "Sandbox: no text is sent; the code is 123456." in page


def test_the_sandbox_says_its_code_on_the_page_until_the_phone_is_verified(site, seller) -> None:  # type: ignore[no-untyped-def]
    assert _sandbox_notice(site.get("/account/verification/").content.decode())
    site.post("/account/verification/phone/", {"phone": "13800000000"})
    page = site.get("/account/verification/").content.decode()
    assert "We texted a code to 138****0000" in page and _sandbox_notice(page)
    assert _sandbox_notice(site.get("/account/verification/").content.decode())  # not a one-off message
    site.post("/account/verification/phone/confirm/", {"code": "123456"})
    assert not _sandbox_notice(site.get("/account/verification/").content.decode())


def test_a_real_sms_provider_gets_no_sandbox_notice(site, aliyun) -> None:  # type: ignore[no-untyped-def]
    site.post("/account/verification/phone/", {"phone": "13800000000"})
    page = site.get("/account/verification/").content.decode()
    assert "We texted a code to" in page and "123456" not in page and not _sandbox_notice(page)


def test_a_verified_seller_is_shown_where_to_go_next(site, seller) -> None:  # type: ignore[no-untyped-def]
    assert 'id="next-steps"' not in site.get("/account/verification/").content.decode()
    verify_seller(seller)
    page = site.get("/account/verification/").content.decode()
    steps = page[page.index('id="next-steps"') :]
    assert 'href="/dashboard/listings/new/"' in steps and "Create a listing" in steps
    assert 'href="/dashboard/"' in steps and "Back to your dashboard" in steps
    assert "Continue where you were" not in steps
    page = site.get("/account/verification/?next=/dashboard/sales/").content.decode()
    steps = page[page.index('id="next-steps"') :]
    assert 'href="/dashboard/sales/"' in steps and "Continue where you were" in steps
    page = site.get("/account/verification/?next=https://evil.example/").content.decode()
    assert 'href="https://evil.example/"' not in page and "Continue where you were" not in page


def test_a_buyer_with_a_verified_phone_continues_to_where_they_were(site, seller) -> None:  # type: ignore[no-untyped-def]
    verify_phone(seller)
    page = site.get("/account/verification/?next=/listings/abc/").content.decode()
    steps = page[page.index('id="next-steps"') :]
    assert 'href="/listings/abc/"' in steps and "Create a listing" not in steps


def test_the_next_steps_speak_chinese(site, seller) -> None:  # type: ignore[no-untyped-def]
    verify_seller(seller)
    with translation.override("en"):  # the page activates Chinese; later tests expect English
        page = site.get("/account/verification/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    steps = page[page.index('id="next-steps"') :]
    assert "创建商品" in steps and "返回卖家中心" in steps
