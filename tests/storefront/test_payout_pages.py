"""The seller's manual payout pages: payout details (masked only) and statements, in both languages."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.test import Client

from payments.models import PayoutProfile
from payments.services import rails
from tests.factories import UserFactory
from tests.payments.conftest import ACCOUNT_NUMBER
from tests.payments.test_manual_payouts import SHARE, _closed_statement

pytestmark = pytest.mark.django_db


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
    response = _site(UserFactory(handle="zh-seller"), "zh-hans").post(
        "/dashboard/payouts/details/",
        {"rail": "manual", "method": "bank", "holder_name": "陈大文", "account": "1"},
    )
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
