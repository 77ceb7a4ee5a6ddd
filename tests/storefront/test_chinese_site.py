"""The Chinese site as a zh-hans visitor reads it: no English left in the visible text.

Each main page is fetched as a Chinese visitor would reach it (signed out and in, forms sent with
mistakes, every checkout outcome) and its visible text (text nodes and the attributes a person
reads: placeholder, title, aria-label, alt, button values) is searched for English words. Brand and
model names, codes and what the test's users typed themselves are allowed.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from django.test import Client, TestCase

from marketplace.tutoring.models import Booking
from payments import services
from payments.models import Order, OrderStatus
from payments.sandbox import SandboxGateway
from tests.factories import UserFactory, make_listing
from tests.tutoring.helpers import make_offer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

NOW = datetime(2026, 5, 4, 0, 0, tzinfo=UTC)
WED_9 = "2026-05-06T09:00:00+08:00"

# Names that stay as they are in Chinese: the brand, image and text models, payment providers,
# currencies and units, formats, and the handles and titles the test's own users chose.
ALLOWED = {
    "dimsum",
    "midjourney",
    "stable",
    "diffusion",
    "sdxl",
    "flux",
    "dall",
    "chatgpt",
    "ernie",
    "vilg",
    "stripe",
    "connect",  # Stripe Connect, the provider's product that pays sellers out
    "alipay",
    "wechat",
    "pay",
    "api",
    "utc",
    "usd",
    "cny",
    "jpy",
    "eur",
    "gbp",
    "png",
    "jpeg",
    "jpg",
    "webp",
    "csv",
    "ics",
    "http",
    "https",
    "www",
    "url",
    "json",
    "openapi",
    "sandbox",
    "seller",
    "one",
    "buyer",
    "example",
    "com",
    "meet",
    "dms",
    "rest",
    "bearer",
    "authorization",
    "english",  # the language switcher names each language in itself
    "lotus",
    "prompts",  # the example handle in the sign-up form's help
    "aud",
    "cad",
    "chf",
    "hkd",
    "krw",
    "sgd",
    "iana",
    # The image label and its metadata, quoted as they are written on every image.
    "generated",
    "iptc",
    "digitalsourcetype",
    "trainedalgorithmicmedia",
}
# Values typed as they are whatever the language: time zone keys such as Asia/Kathmandu.
CODES = re.compile(r"\S+@\S+|https?://\S+|\b[A-Z][a-z]+/[A-Za-z_]+\b")
WORD = re.compile(r"[A-Za-z]{3,}")
READ_ATTRIBUTES = {"placeholder", "title", "aria-label", "alt"}


class _VisibleText(HTMLParser):
    """Text a person sees or hears: text nodes outside script/style/code, and the read attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "code", "pre", "template"):
            self._hidden += 1
        for name, value in attrs:
            if value and (
                name in READ_ATTRIBUTES
                or (tag == "input" and name == "value" and ("type", "submit") in attrs)
            ):
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "code", "pre", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def english_words(html: str) -> set[str]:
    parser = _VisibleText()
    parser.feed(html)
    text = " ".join(parser.parts)
    text = CODES.sub(" ", text)  # emails, links, zone keys
    return {word for word in WORD.findall(text) if word.lower() not in ALLOWED}


def zh(user=None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.cookies["tz"] = "Asia/Shanghai"
    if user is not None:
        client.force_login(user)
        user.language = "zh-hans"
        user.save(update_fields=["language"])
    return client


def assert_chinese(response, where: str) -> None:
    assert response.status_code in (200, 400, 403, 404, 409, 429), (where, response.status_code)
    left = english_words(response.content.decode())
    assert not left, f"{where} shows English: {sorted(left)}"


@pytest.fixture(autouse=True)
def _chinese_names(seller, buyer):
    """The users' own names are theirs, not the site's: Chinese ones keep the check about the site."""
    seller.display_name, buyer.display_name = "张老师", "小李"
    seller.save(update_fields=["display_name"])
    buyer.save(update_fields=["display_name"])


@pytest.fixture
def shop(seller):
    listing = make_listing(
        seller,
        publish=True,
        title="霓虹锦鲤壁纸",
        description="在霓虹池塘里发光的锦鲤。",
        tags=["霓虹", "锦鲤"],
        price_amount=2900,
        price_currency="CNY",
    )
    offer = make_offer(seller, title="提示词一对一", description="写出更好的图像提示词。")
    return listing, offer


def _order(buyer, listing, status: str, reason: str = "") -> Order:
    order = Order.objects.filter(buyer=buyer, listing=listing).first()
    assert order is not None
    Order.objects.filter(pk=order.pk).update(status=status, failure_reason=reason)
    return order


def test_public_pages_are_chinese(shop, seller):
    listing, offer = shop
    visitor = zh()
    for url in [
        "/",
        "/browse/",
        "/browse/?q=锦鲤",
        "/browse/?q=没有这种提示词",
        f"/listings/{listing.public_id}/",
        f"/sellers/{seller.handle}/",
        "/tutoring/",
        f"/tutoring/{offer.public_id}/?from=2026-05-06",
        "/accounts/signup/",
        "/accounts/login/",
        "/complaints/",
        "/accounts/password-reset/",
        f"/listings/{listing.public_id}/report/",
        "/listings/AAAAAAAAAAA/",  # a 404
    ]:
        assert_chinese(visitor.get(url), url)


def test_sign_up_and_sign_in_errors_are_chinese(buyer):
    visitor = zh()
    weak = visitor.post(
        "/accounts/signup/", {"email": "new@example.com", "handle": "newbie", "password": "1234"}
    )
    assert "密码太短，至少需要 10 个字符。" in weak.content.decode()  # Django 5.2's msgid, translated by us
    assert_chinese(weak, "sign-up with a weak password")
    bad_handle = {"email": "new@example.com", "handle": "Bad Handle!", "password": "a-fine-passphrase-9"}
    assert_chinese(visitor.post("/accounts/signup/", bad_handle), "sign-up with a bad handle")
    similar = visitor.post(
        "/accounts/signup/",
        {"email": "bob.smith@example.com", "handle": "bob", "password": "bob.smith@example"},
    )
    assert_chinese(similar, "sign-up with a password like the email")
    taken = visitor.post(
        "/accounts/signup/", {"email": buyer.email, "handle": "buyer", "password": "a-fine-passphrase-9"}
    )
    assert_chinese(taken, "sign-up with a taken email")
    assert_chinese(visitor.post("/accounts/login/", {"email": buyer.email, "password": "wrong"}), "sign-in")


def test_signed_in_pages_are_chinese(shop, seller, buyer):
    listing, offer = shop
    for user, urls in [
        (buyer, ["/account/", "/library/", "/favourites/", "/bookings/", f"/listings/{listing.public_id}/"]),
        (
            seller,
            [
                "/dashboard/",
                "/dashboard/tutoring/",
                "/dashboard/tutoring/new/",
                f"/dashboard/tutoring/{offer.public_id}/edit/",
                f"/dashboard/tutoring/{offer.public_id}/hours/",
            ],
        ),
    ]:
        client = zh(user)
        for url in urls:
            assert_chinese(client.get(url), url)


def test_checkout_outcomes_are_chinese_and_told_apart(shop, buyer):
    listing, _offer = shop
    client = zh(buyer)
    with TestCase.captureOnCommitCallbacks(execute=True):
        checkout = client.post(f"/listings/{listing.public_id}/buy/")["Location"]
    assert_chinese(client.get(checkout), "sandbox checkout")
    order = Order.objects.get(buyer=buyer)
    seen = {}
    for status, query in [
        ("pending", ""),
        ("pending", "?canceled=1"),
        (OrderStatus.EXPIRED, ""),
        (OrderStatus.FAILED, ""),
        (OrderStatus.PAID, ""),
        (OrderStatus.REFUNDED, ""),
    ]:
        _order(buyer, listing, status, reason="The payment did not go through.")
        page = client.get(f"/payments/return/{order.public_id}/{query}")
        assert_chinese(page, f"return page, {status}{query}")
        seen[status + query] = re.search(r"<h1>([^<]+)</h1>", page.content.decode()).group(1)
    assert len(set(seen.values())) == len(seen), seen  # cancelled, expired, failed... each its own words
    _order(buyer, listing, OrderStatus.EXPIRED)
    assert_chinese(client.get(checkout.replace("http://testserver", "")), "an expired sandbox checkout")


def test_after_a_purchase_the_buyer_and_seller_pages_are_chinese(shop, buyer, seller):
    listing, _offer = shop
    client = zh(buyer)
    with TestCase.captureOnCommitCallbacks(execute=True):
        checkout = client.post(f"/listings/{listing.public_id}/buy/")["Location"]
        client.post(checkout, {"action": "pay"})
    assert Order.objects.get(buyer=buyer).status == OrderStatus.PAID
    for url in ["/library/", f"/listings/{listing.public_id}/"]:
        assert_chinese(client.get(url), f"{url} after buying")
    assert_chinese(zh(seller).get("/dashboard/"), "the dashboard with a sale")


def test_booking_pages_are_chinese(shop, buyer, seller):
    _listing, offer = shop
    client = zh(buyer)
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(f"/tutoring/{offer.public_id}/book/", {"start": WED_9, "from": "2026-05-06"})
    booking = Booking.objects.get()
    assert_chinese(client.get("/bookings/"), "my bookings, held")
    order = Order.objects.get(booking=booking)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.order_apply_session(session=SandboxGateway().pay(order.checkout_session_id or ""))
    assert_chinese(client.get(f"/payments/return/{order.public_id}/"), "booked")
    assert_chinese(client.get("/bookings/"), "my bookings, confirmed")
    assert_chinese(zh(seller).get("/bookings/"), "the tutor's bookings")
    assert_chinese(client.get(f"/bookings/{booking.public_id}/reschedule/"), "rescheduling")
    taken = zh(UserFactory(display_name="王五", handle="w5")).post(
        f"/tutoring/{offer.public_id}/book/", {"start": WED_9, "from": "2026-05-06"}, follow=True
    )
    assert_chinese(taken, "a taken slot")


@pytest.mark.parametrize(
    ("language", "tz", "label"),
    [
        ("zh-hans", "UTC", "协调世界时（UTC）"),
        ("en", "", "Coordinated Universal Time (UTC)"),
        ("zh-hans", "America/New_York", "纽约（北美东部时间）"),
        ("en", "Etc/GMT+5", "UTC−05:00"),
    ],
)
def test_time_zones_have_names_a_person_reads(language, tz, label):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if tz:
        client.cookies["tz"] = tz
    footer = client.get("/").content.decode()
    assert label in footer and "Unknown Region" not in footer and "未知地区" not in footer


def test_the_crawler_sees_english():
    """The check itself: English text is caught, names and attributes we allow are not."""
    assert english_words("<p>Buy now</p>") == {"Buy", "now"}
    assert english_words('<p>购买 Midjourney</p><input placeholder="Search">') == {"Search"}
    assert english_words("<script>var hidden = 1;</script><p>中文</p>") == set()
