"""A manual-rail seller on a 390 px phone, in Chinese: enters bank details (a typo first), sees only
the mask, and reads a closed statement on the statements page."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.utils import timezone

from marketplace.accounts.models import User
from payments.models import PayoutStatement
from tests.browser.conftest import snap
from tests.browser.sales_walk import _fits_the_screen, _visitor
from tests.browser.studio_walk import _sign_up

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_seller_enters_payout_details_and_reads_statements_on_a_phone(
    browser: Any, live_server: Any, settings
):
    settings.PAYOUT_RAIL_DEFAULT = "manual"
    settings.PAYOUT_DETAILS_KEY = Fernet.generate_key().decode()
    settings.SITE_URL = live_server.url
    visitor = _visitor(browser, live_server.url, "zh-hans", phone=True)
    page = visitor.page
    _sign_up(page, "bank-seller@example.com", "bank-seller", "a-long-walk-password-42")
    page.locator("a[href='/dashboard/payouts/details/']").first.click()
    page.locator("input[name=method][value=bank]").check()
    page.locator("#id_holder_name").fill("陈大文")
    page.locator("#id_account").fill("6222 021")  # too short
    page.locator("#id_bank_name").fill("中国工商银行")
    page.locator("main form button[type=submit]").click()
    page.locator(".errorlist", has_text="8 至 30 位数字").wait_for()
    _fits_the_screen(page, phone=True)
    page.locator("#id_account").fill("6222 0212 3456 7890 123")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/dashboard/$"))
    payouts = page.locator("section[aria-labelledby=payouts-h]")
    assert "6222 **** **** 0123" in payouts.inner_text()
    assert "6222021234567890123" not in page.content()
    snap(page, "payout-details-phone-zh")

    seller = User.objects.get(handle="bank-seller")
    now = timezone.now()
    PayoutStatement.objects.create(
        seller=seller, currency="CNY", period_start=now - timedelta(days=7), period_end=now, amount=12345
    )
    page.locator("a[href='/dashboard/payouts/statements/']").first.click()
    row = page.locator("tbody tr").first
    assert "123.45" in row.inner_text() and "已结算，等待付款" in row.inner_text()
    _fits_the_screen(page, phone=True)
    snap(page, "payout-statements-phone-zh")
    visitor.context.close()


def test_the_payout_form_shows_only_the_fields_of_the_chosen_rail(page: Any, settings):
    settings.PAYOUT_RAIL_DEFAULT = "country"  # Connect first, the manual rail to choose
    settings.PAYOUT_DETAILS_KEY = Fernet.generate_key().decode()
    _sign_up(page, "rail-seller@example.com", "rail-seller", "a-long-walk-password-42")
    page.goto("/dashboard/payouts/details/")
    assert page.locator("input[name=rail][value=connect]").is_checked()
    assert page.locator("#current-rail h2").inner_text() == "Stripe pays you out"
    holder = page.locator("#id_holder_name")
    assert not holder.is_visible()
    page.locator("label[for=id_rail_1]").click()  # "Bank or Alipay transfer", by its label
    holder.wait_for(state="visible")
    assert not page.locator("#id_bank_name").is_visible()  # Alipay needs no bank name
    page.locator("input[name=method][value=bank]").check()
    page.locator("#id_bank_name").wait_for(state="visible")
    snap(page, "payout-rail-manual")
    page.locator("input[name=rail][value=connect]").check()
    holder.wait_for(state="hidden")
    page.locator("input[name=rail][value=manual]").check()
    page.locator("input[name=method][value=alipay]").check()
    holder.fill("陈大文")
    page.locator("#id_account").fill("13800000000")
    page.locator("form[data-payout-form] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/dashboard/$"))
    assert "we pay your statements to 138****0000" in page.locator(".messages").inner_text()
    assert "Bank or Alipay transfer" in page.locator("#account-payouts").inner_text()
