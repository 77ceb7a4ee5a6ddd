"""Dates read the same way on every page of a language: one format for English, one for Chinese."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client

from marketplace.accounts.services import token_create
from tests.factories import make_listing

pytestmark = pytest.mark.django_db

WHEN = datetime(2026, 5, 4, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai


def _page(user, url: str, language: str) -> str:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.cookies["tz"] = "Asia/Shanghai"
    client.force_login(user)
    return client.get(url).content.decode()


@pytest.mark.parametrize(
    ("language", "date", "date_and_time"),
    [("en", "May 4, 2026", "May 4, 2026, 9:30 AM"), ("zh-hans", "2026年5月4日", "2026年5月4日 09:30")],
)
def test_one_date_format_per_language(seller, language, date, date_and_time):
    with time_machine.travel(WHEN, tick=False):
        listing = make_listing(seller, publish=True)
        token_create(user=seller, name="script")
    listing_page = _page(seller, f"/listings/{listing.public_id}/", language)
    account_page = _page(seller, "/account/", language)
    assert f"<dd>{date}</dd>" in listing_page  # published on
    assert date_and_time in account_page  # the token's "created" column, a short format before
    assert "05/04/2026" not in account_page and "2026/05/04" not in account_page
