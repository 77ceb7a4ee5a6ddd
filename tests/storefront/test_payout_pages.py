"""The seller's payout pages: what applies to the seller's rail (Stripe Connect or bank/Alipay
statements), payout details (masked only) and statements, in both languages."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from cryptography.fernet import Fernet
from django.test import Client

from payments.models import PayoutProfile
from payments.services import rails
from tests.factories import UserFactory, onboard
from tests.payments.conftest import ACCOUNT_NUMBER
from tests.payments.test_manual_payouts import SHARE, _closed_statement, _listing, _pay
from tests.tutoring.helpers import booked_and_paid, make_offer

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 4, 0, 0, tzinfo=UTC)  # a Monday, for the tests that take the clock


@pytest.fixture(autouse=True)
def _rail(settings):
    settings.PAYOUT_RAIL_DEFAULT = "manual"
    settings.MANUAL_PAYOUT_MINIMUM = {"CNY": 1000}  # minor units
    settings.PAYOUT_DETAILS_KEY = Fernet.generate_key().decode()


def _site(user, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def test_a_seller_enters_bank_details_and_sees_only_the_mask():
    seller = UserFactory(handle="web-seller")
    site = _site(seller)
    assert "Enter payout details" in site.get("/dashboard/").content.decode()
    response = site.post(
        "/dashboard/payouts/details/",
        {
            "rail": "manual",
            "method": "bank",
            "holder_name": "陈大文",
            "account": "6222 0212 3456 7890 123",
            "bank_name": "中国工商银行",
        },
    )
    assert response.status_code == 303
    seller.refresh_from_db()
    assert seller.can_accept_payments
    for page in (
        site.get("/dashboard/").content.decode(),
        site.get("/dashboard/payouts/details/").content.decode(),
    ):
        assert "6222 **** **** 0123" in page and "陈**" in page
        assert ACCOUNT_NUMBER not in page and "陈大文" not in page
    assert PayoutProfile.objects.get(user=seller).masked_account == "6222 **** **** 0123"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"method": "bank", "holder_name": "陈大文", "account": "12ab", "bank_name": "中国银行"},
            "8 to 30 digits",
        ),
        ({"method": "bank", "holder_name": "陈大文", "account": "62220212345678"}, "bank&#x27;s name"),
        ({"method": "alipay", "holder_name": "陈", "account": "13800000000"}, "holder&#x27;s name"),
        ({"holder_name": "陈大文", "account": "13800000000"}, "bank account or Alipay"),
    ],
)
def test_bad_payout_details_are_shown_on_the_form_not_a_500(fields, message):
    seller = UserFactory(handle="typo-seller")
    response = _site(seller).post("/dashboard/payouts/details/", {"rail": "manual", **fields})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not PayoutProfile.objects.filter(user=seller).exclude(method="").exists()


def test_the_chinese_form_shows_chinese_errors():
    site = _site(UserFactory(handle="zh-seller"), "zh-hans")
    fields = {"rail": "manual", "method": "bank", "holder_name": "陈大文", "account": "1"}
    response = site.post("/dashboard/payouts/details/", fields)
    assert response.status_code == 400
    assert "请输入开户银行名称" in response.content.decode()  # a bank account needs the bank's name
    response = site.post("/dashboard/payouts/details/", {**fields, "bank_name": "中国银行"})
    assert response.status_code == 400
    assert "请输入银行账号" in response.content.decode()


def test_the_statements_page_lists_statements_and_the_balance(stripe_fake, buyer_api):
    manual_seller = UserFactory(handle="paid-seller")
    rails.payout_details_set(user=manual_seller, method="alipay", holder_name="陈大文", account="13800000000")
    manual_seller.refresh_from_db()
    statement = _closed_statement(stripe_fake, manual_seller, buyer_api)
    page = _site(manual_seller).get("/dashboard/payouts/statements/").content.decode()
    assert f'id="statement-{statement.pk}"' in page
    assert "15.92" in page and "Closed, waiting to be paid" in page
    zh = _site(manual_seller, "zh-hans").get("/dashboard/payouts/statements/").content.decode()
    assert "已结算，等待付款" in zh
    assert statement.amount == SHARE


ALIPAY = {"method": "alipay", "holder_name": "陈大文", "account": "13800000000", "bank_name": ""}


def _messages(site: Client) -> list[str]:
    page = site.get("/dashboard/").content.decode()
    return re.findall(r'<p class="message [a-z]+">([^<]*)</p>', page)


def test_a_connect_seller_reads_that_stripe_pays_out_and_sees_no_bank_form(settings):
    settings.PAYOUT_RAIL_DEFAULT = "connect"
    seller = UserFactory(handle="connect-seller")
    site = _site(seller)
    page = site.get("/dashboard/payouts/details/").content.decode()
    assert "Stripe pays you out" in page and "Set up payouts" in page
    assert "collect in statements" not in page and 'name="holder_name"' not in page
    onboard(seller)
    page = site.get("/dashboard/payouts/details/").content.decode()
    assert "Active" in page and "Set up payouts" not in page


def test_a_connect_seller_sees_when_the_next_session_transfer_is_due(settings, clock, buyer_api):
    settings.PAYOUT_RAIL_DEFAULT = "connect"
    seller = onboard(UserFactory(handle="tutor-seller"))
    booked_and_paid(buyer_api, make_offer(seller), "2026-05-06T09:00:00+08:00")  # ends 02:00 UTC
    page = _site(seller).get("/dashboard/payouts/details/").content.decode()
    transfers = page[page.index('id="upcoming-transfers"') :]
    assert "¥159.20" in transfers and "1 session" in transfers
    assert 'datetime="2026-05-07T02:00:00+00:00"' in transfers  # the session's end + 24 hours


def test_a_seller_who_may_choose_sees_both_rails_with_labelled_radios():
    seller = UserFactory(handle="choosing-seller")
    page = _site(seller).get("/dashboard/payouts/details/").content.decode()
    assert 'for=""' not in page
    for rail in ("connect", "manual"):
        assert re.search(rf'<label class="check" for="id_rail_\d"><input[^>]*value="{rail}"', page)
    assert 'data-shown-for="rail=manual"' in page and 'data-shown-for="method=bank"' in page
    assert "Next statement closes" in page and "Nothing right now." in page


def test_the_manual_page_shows_the_balance_and_the_minimum(stripe_fake, buyer_api, settings):
    settings.MANUAL_PAYOUT_SCHEDULE = "weekly"
    seller = UserFactory(handle="balance-seller")
    rails.payout_details_set(user=seller, **ALIPAY)
    seller.refresh_from_db()
    _pay(stripe_fake, buyer_api, _listing(seller))
    page = _site(seller).get("/dashboard/payouts/details/").content.decode()
    balance = page[page.index('id="manual-balance"') :]
    assert "¥15.92" in balance and "¥10.00" in balance  # the balance, and the minimum payout
    assert "138****0000" in page and "13800000000" not in page


def test_choosing_connect_ignores_typed_bank_details_and_says_so():
    seller = UserFactory(handle="switch-seller")
    site = _site(seller)
    response = site.post("/dashboard/payouts/details/", {"rail": "connect", **ALIPAY})
    assert response.status_code == 303
    profile = PayoutProfile.objects.get(user=seller)
    assert (profile.rail, profile.method, profile.details_ciphertext) == ("connect", "", "")
    said = _messages(site)
    assert "Saved: Stripe Connect pays you out." in said
    assert any("you typed were not saved" in text for text in said)
    assert any("set up a payout account" in text for text in said)  # what is left to do


def test_back_to_the_manual_rail_with_empty_fields_keeps_the_saved_account():
    seller = UserFactory(handle="back-seller")
    rails.payout_details_set(user=seller, **ALIPAY)
    rails.payout_rail_choose(user=seller, rail="connect")
    site = _site(seller)
    page = site.get("/dashboard/payouts/details/").content.decode()
    assert "Leave these fields empty to keep it" in page
    response = site.post("/dashboard/payouts/details/", {"rail": "manual"})
    assert response.status_code == 303
    profile = PayoutProfile.objects.get(user=seller)
    assert (profile.rail, profile.masked_account) == ("manual", "138****0000")
    assert any("we pay your statements to 138****0000" in text for text in _messages(site))
    seller.refresh_from_db()
    assert seller.can_accept_payments


def test_the_manual_rail_without_saved_details_asks_for_every_field():
    seller = UserFactory(handle="blank-seller")
    response = _site(seller).post("/dashboard/payouts/details/", {"rail": "manual"})
    assert response.status_code == 400
    page = response.content.decode()
    for message in ("Choose a bank account or Alipay.", "account holder&#x27;s name", "Alipay account."):
        assert message in page
    assert not PayoutProfile.objects.filter(user=seller).exists()


def test_a_rail_the_seller_may_not_choose_is_a_400_not_a_500(settings):
    settings.PAYOUT_RAIL_DEFAULT = "connect"  # Connect only
    response = _site(UserFactory(handle="forced-seller")).post(
        "/dashboard/payouts/details/", {"rail": "manual", **ALIPAY}
    )
    assert response.status_code == 400
    assert "This payout method is not available for your account." in response.content.decode()
    assert not PayoutProfile.objects.exists()


def test_a_connect_seller_is_told_statements_are_for_bank_transfer(settings):
    settings.PAYOUT_RAIL_DEFAULT = "connect"
    page = _site(UserFactory(handle="no-statements")).get("/dashboard/payouts/statements/").content.decode()
    assert "You are paid through Stripe Connect" in page
    assert "Nothing right now." not in page and "No statements yet." not in page
