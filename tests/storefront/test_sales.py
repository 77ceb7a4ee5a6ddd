"""The seller's sales page: every sale, totals per currency, refunds from the dashboard, CSV export."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext

from marketplace.accounts.models import User
from marketplace.core.errors import Conflict
from marketplace.storefront.views.sales import spreadsheet_safe
from payments import services as payment_services
from payments.gateway import ProviderError
from payments.models import Order, OrderStatus, Refund, RefundStatus, Unlock
from payments.tasks import count_unlocks
from prompts.discovery import seller_rating
from prompts.models import Listing
from tests.factories import UserFactory, make_listing

pytestmark = pytest.mark.django_db


def site(user: User | None = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def paid_order(buyer: User, listing: Listing) -> Order:
    """The buyer buys the listing on the website and pays in the sandbox checkout."""
    client = site(buyer)
    with TestCase.captureOnCommitCallbacks(execute=True):
        checkout = client.post(f"/listings/{listing.public_id}/buy/")["Location"]
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert client.post(checkout, {"action": "pay"}).status_code == 303
    order = Order.objects.filter(buyer=buyer, listing=listing).latest("pk")
    assert order.status == OrderStatus.PAID
    return order


def _listing(seller: User, title: str, amount: int, currency: str) -> Listing:
    return make_listing(
        seller,
        publish=True,
        title=title,
        price_amount=amount,
        price_currency=currency,
        prompt_text=f"SECRET-{title} [style]",
    )


@pytest.fixture
def koi(seller: User) -> Listing:
    return _listing(seller, "Neon koi wallpaper", 499, "USD")


def _refund_key(page: str) -> str:
    found = re.search(r'name="request_key" value="([0-9a-f]+)"', page)
    assert found, "the refund form carries a request key"
    return found.group(1)


def _refund(who: User | Client, order: Order, amount: str, key: str, *, confirm: bool = True):  # type: ignore[no-untyped-def]
    body = {"amount": amount, "reason": "", "request_key": key}
    if confirm:
        body["confirm"] = "1"
    with TestCase.captureOnCommitCallbacks(execute=True):
        client = who if isinstance(who, Client) else site(who)
        return client.post(f"/dashboard/sales/{order.public_id}/refund/", body)


def test_the_sales_page_lists_every_sale_with_its_money_and_totals_per_currency(seller, koi):
    yen = _listing(seller, "Ukiyo-e cats", 333, "JPY")
    buyer_one = UserFactory(display_name="Mei Lin")
    buyer_two = UserFactory(display_name="Taro Yamada")
    paid_order(buyer_one, koi)
    paid_order(buyer_two, koi)
    paid_order(buyer_two, yen)
    page = site(seller).get("/dashboard/sales/").content.decode()
    assert "Mei Lin" in page and "Taro Yamada" in page and "Ukiyo-e cats" in page
    # USD 4.99: 20% fee rounded half up is $1.00, the seller keeps $3.99. JPY has no decimals:
    # JP¥333 gives a JP¥67 fee (66.6 rounded) and JP¥266 to the seller.
    assert "$4.99" in page and "$1.00" in page and "$3.99" in page
    assert "JP¥333" in page and "JP¥67" in page and "JP¥266" in page and "¥333.00" not in page
    totals = re.search(r'<table class="data sales-totals">.*?</table>', page, re.S)
    assert totals is not None
    figures = re.sub(r'<span class="cell-label">[^<]*</span> ?', "", totals.group(0))  # phone-only labels
    rows = re.findall(r'<th scope="row">(\w+)</th><td>(\d+)</td>\s*<td>([^<]+)</td><td>([^<]+)</td>', figures)
    assert rows == [("JPY", "1", "JP¥333", "JP¥67"), ("USD", "2", "$9.98", "$2.00")]
    assert "$7.98" in totals.group(0) and "JP¥266" in totals.group(0)  # the earnings per currency
    assert "SECRET-" not in page


def test_a_partial_refund_submitted_twice_with_one_key_refunds_once(seller, buyer, koi):
    order = paid_order(buyer, koi)
    form = site(seller).get(f"/dashboard/sales/{order.public_id}/refund/").content.decode()
    key = _refund_key(form)
    assert 'value="4.99"' in form  # what is left to refund, in major units

    review = _refund(seller, order, "1.50", key, confirm=False)
    assert review.status_code == 200 and "Confirm refund" in review.content.decode()
    assert not Refund.objects.exists()  # nothing happens before the confirmation

    browser = site(seller)
    first = _refund(browser, order, "1.50", key)
    again = _refund(browser, order, "1.50", key)  # the same form submitted twice
    assert first.status_code == again.status_code == 303
    (refund,) = Refund.objects.all()
    assert (refund.amount, refund.status) == (150, RefundStatus.SUCCEEDED)
    order.refresh_from_db()
    assert (order.refunded_amount, order.status) == (150, OrderStatus.PAID)

    page = browser.get(first["Location"]).content.decode()
    assert "Refunded $1.50 to the buyer." in page
    assert "Partly refunded" in page and "Refund succeeded: $1.50" in page

    second = _refund(seller, order, "1.00", _refund_key(form) + "0")  # a new form: a new refund
    assert second.status_code == 303 and Refund.objects.count() == 2


def test_a_refund_over_what_is_left_is_refused_with_the_amount_left(seller, buyer, koi):
    order = paid_order(buyer, koi)
    assert _refund(seller, order, "4.00", "a" * 32).status_code == 303
    too_much = _refund(seller, order, "1.00", "b" * 32)
    assert too_much.status_code == 400
    assert "You can refund at most $0.99 of this sale." in too_much.content.decode()
    for typo in ("abc", "1.999", "-1"):
        refused = _refund(seller, order, typo, "c" * 32)
        assert refused.status_code == 400 and "errorlist" in refused.content.decode()
    assert Refund.objects.count() == 1
    order.refresh_from_db()
    assert order.refunded_amount == 400


def test_a_yen_refund_takes_whole_yen(seller, buyer):
    order = paid_order(buyer, _listing(seller, "Ukiyo-e cats", 500, "JPY"))
    refused = _refund(seller, order, "10.5", "d" * 32)
    assert refused.status_code == 400
    assert "JPY amounts are whole yen, such as 500." in refused.content.decode()
    assert _refund(seller, order, "120", "e" * 32).status_code == 303
    order.refresh_from_db()
    assert order.refunded_amount == 120


def test_another_seller_cannot_see_or_refund_your_sale(seller, other_seller, buyer, koi):
    order = paid_order(buyer, koi)
    url = f"/dashboard/sales/{order.public_id}/refund/"
    assert site(other_seller).get(url).status_code == 404
    assert _refund(other_seller, order, "4.99", "f" * 32).status_code == 404
    assert site(buyer).get(url).status_code == 404
    assert "Neon koi wallpaper" not in site(other_seller).get("/dashboard/sales/").content.decode()
    assert site().get("/dashboard/sales/").status_code == 302  # to the login page
    assert not Refund.objects.exists()


def test_a_full_refund_stops_counting_in_the_dashboard_and_the_public_sales_figure(seller, buyer, koi):
    order = paid_order(buyer, koi)
    paid_order(UserFactory(), koi)
    count_unlocks()
    assert seller_rating(handle=seller.handle)["sales_count"] == 2
    assert _refund(seller, order, "4.99", "g" * 32).status_code == 303
    assert Unlock.objects.get(order=order).revoked_at is not None
    page = site(seller).get("/dashboard/").content.decode()
    assert "Sales: 1" in page
    count_unlocks()  # the beat task, every minute
    assert seller_rating(handle=seller.handle)["sales_count"] == 1
    sales = site(seller).get("/dashboard/sales/").content.decode()
    assert '<span class="status refunded">Refunded</span>' in sales


def test_the_csv_export_streams_every_sale_and_defuses_formulas(seller, koi):
    sneaky = UserFactory(display_name='=HYPERLINK("http://evil.example","x")')
    paid_order(sneaky, koi)
    paid_order(UserFactory(display_name="Mei Lin"), koi)
    response = site(seller).get("/dashboard/sales/export.csv")
    assert response.streaming and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["date", "order", "buyer"]
    assert len(rows) == 3
    buyers = {row[2] for row in rows[1:]}
    assert buyers == {'\'=HYPERLINK("http://evil.example","x")', "Mei Lin"}
    assert {row[5] for row in rows[1:]} == {"4.99"} and {row[7] for row in rows[1:]} == {"3.99"}
    assert all("SECRET-" not in cell for row in rows for cell in row)


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_spreadsheet_safe_prefixes_every_formula_start(text):
    assert spreadsheet_safe(text) == "'" + text
    assert spreadsheet_safe("Mei " + text) == "Mei " + text


def test_the_sales_page_speaks_chinese(seller, buyer, koi):
    order = paid_order(buyer, koi)
    _refund(seller, order, "1.00", "h" * 32)
    client = site(seller)
    client.cookies["django_language"] = "zh-hans"
    page = client.get("/dashboard/sales/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "各币种的销售与收入" in page and "部分退款" in page and "退款成功" in page


class _Refusing:
    """A payment provider that fails every refund, as a transient outage or a final refusal."""

    def __init__(self, *, transient: bool) -> None:
        self.transient = transient

    def create_refund(self, **kwargs):  # type: ignore[no-untyped-def]
        raise ProviderError("charge_already_refunded", transient=self.transient)


@pytest.mark.parametrize(
    ("transient", "shown"),
    [(True, "Refund pending: $2.00"), (False, "Refund failed: $2.00")],
    ids=["pending", "failed"],
)
def test_a_refund_the_provider_did_not_make_shows_its_status(
    seller, buyer, koi, monkeypatch, transient, shown
):
    order = paid_order(buyer, koi)
    monkeypatch.setattr("payments.services.refunds.gateway", lambda: _Refusing(transient=transient))
    browser = site(seller)
    response = _refund(browser, order, "2.00", "i" * 32)
    assert response.status_code == 303
    page = browser.get(response["Location"]).content.decode()
    assert shown in page
    if transient:
        assert "The refund of $2.00 is pending" in page
    else:
        assert "The refund of $2.00 failed: charge_already_refunded" in page
    order.refresh_from_db()
    assert order.refunded_amount == 0


def test_a_disputed_sale_cannot_be_refunded_from_the_dashboard_or_the_api(seller, buyer, koi):
    """The buyer's bank decides a disputed charge: a refund on top would pay the buyer twice."""
    order = paid_order(buyer, koi)
    Order.objects.filter(pk=order.pk).update(disputed=True)
    browser = site(seller)
    sales = browser.get("/dashboard/sales/").content.decode()
    assert f'href="/dashboard/sales/{order.public_id}/refund/"' not in sales
    refused = _refund(browser, order, "1.00", "j" * 32)
    assert refused.status_code == 400
    with pytest.raises(Conflict) as error:
        payment_services.order_refund(order=order, amount=100, by=seller, reason="", request_key="k" * 32)
    assert error.value.code == "order_disputed"
    assert Refund.objects.count() == 0


def test_the_refund_form_offers_what_is_left_after_a_refund_still_in_flight(seller, buyer, koi, monkeypatch):
    order = paid_order(buyer, koi)  # $4.99
    monkeypatch.setattr("payments.services.refunds.gateway", lambda: _Refusing(transient=True))
    assert _refund(site(seller), order, "2.00", "l" * 32).status_code == 303  # pending
    form = site(seller).get(f"/dashboard/sales/{order.public_id}/refund/").content.decode()
    assert 'value="2.99"' in form and "$2.99" in form


def test_the_sales_page_and_the_history_run_as_many_queries_for_one_sale_as_for_many(seller, buyer, koi):
    def queries(client: Client, path: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured)

    seller_site, buyer_site = site(seller), site(buyer)
    order = paid_order(buyer, koi)
    _refund(seller_site, order, "1.00", "j" * 32)
    before = queries(seller_site, "/dashboard/sales/"), queries(buyer_site, "/orders/")
    for n in range(4):
        more = _listing(seller, f"Listing {n}", 299, "EUR")
        _refund(seller_site, paid_order(buyer, more), "0.50", f"{n}" * 32)
    assert (queries(seller_site, "/dashboard/sales/"), queries(buyer_site, "/orders/")) == before
