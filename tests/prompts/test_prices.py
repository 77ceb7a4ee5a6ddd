"""Prices across currencies: reference amounts from exchange rates, the price sort by real value,
and rates refreshed from a feed (a local HTTP server or a mocked transport, never the network)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from django.test import Client

from marketplace.core.money import convert
from marketplace.rates import services as rates
from marketplace.rates.models import ExchangeRate
from marketplace.rates.tasks import refresh
from prompts import services
from prompts.models import Listing
from prompts.pricing import reference_prices_recompute
from tests.factories import make_mixed_currency_listings

pytestmark = pytest.mark.django_db

CATALOG = "/api/v1/listings/"


@pytest.fixture
def mixed(seller) -> dict[str, Listing]:
    return make_mixed_currency_listings(seller)


def price_order(client: Client, sort: str = "price", **params: Any) -> list[str]:
    response = client.get(CATALOG, {"sort": sort, **params})
    assert response.status_code == 200, response.content
    return [card["title"] for card in response.json()["results"]]


# --- Conversion ------------------------------------------------------------------------------------


def test_conversion_rounds_half_up_once_and_knows_jpy_has_no_decimals():
    assert convert(2000, "JPY", "USD", source_per_usd=Decimal(150), target_per_usd=Decimal(1)) == 1333
    assert convert(1000, "USD", "JPY", source_per_usd=Decimal(1), target_per_usd=Decimal(150)) == 1500
    assert convert(990, "CNY", "USD", source_per_usd=Decimal("7.18"), target_per_usd=Decimal(1)) == 138
    assert convert(5, "USD", "USD", source_per_usd=Decimal(2), target_per_usd=Decimal(2)) == 5


# --- Reference amounts and the sort ---------------------------------------------------------------


def test_each_listing_carries_its_price_in_us_cents(mixed):
    references = {key: listing.price_reference for key, listing in mixed.items()}
    assert references == {"eur": 543, "cny": 696, "usd": 1000, "jpy": 1333}


def test_the_price_sort_orders_mixed_currencies_by_real_value(mixed):
    client = Client()
    assert price_order(client) == ["Euro prompt", "Yuan prompt", "Dollar prompt", "Yen prompt"]
    assert price_order(client, "-price") == ["Yen prompt", "Dollar prompt", "Yuan prompt", "Euro prompt"]


def test_price_sort_pages_with_cursors_in_real_value_order(mixed):
    client = Client()
    first = client.get(CATALOG, {"sort": "price", "page_size": "2"}).json()
    second = client.get(CATALOG, {"sort": "price", "page_size": "2", "cursor": first["next_cursor"]}).json()
    titles = [card["title"] for page in (first, second) for card in page["results"]]
    assert titles == ["Euro prompt", "Yuan prompt", "Dollar prompt", "Yen prompt"]


def test_a_price_change_moves_the_listing_in_the_sort(seller, mixed):
    services.listing_update(listing=mixed["jpy"], by=seller, changes={"price_amount": 300})
    mixed["jpy"].refresh_from_db()
    assert mixed["jpy"].price_reference == 200
    assert price_order(Client())[0] == "Yen prompt"


def test_the_api_price_filter_keeps_minor_units_in_one_currency(mixed):
    response = Client().get(CATALOG, {"currency": "CNY", "min_price": "4000"})
    assert [card["title"] for card in response.json()["results"]] == ["Yuan prompt"]


# --- Refreshing rates -------------------------------------------------------------------------------


def feed_transport(status: int, body: bytes) -> httpx.MockTransport:
    return httpx.MockTransport(lambda request: httpx.Response(status, content=body))


@pytest.fixture
def feed_url(settings) -> str:
    settings.EXCHANGE_RATES_URL = "https://rates.example.test/latest.json"
    return settings.EXCHANGE_RATES_URL


def test_new_rates_reprice_listings_and_reorder_the_sort(mixed, feed_url, django_capture_on_commit_callbacks):
    # The yuan strengthens tenfold: ¥50.00 is now worth $50, the dearest of the four.
    body = b'{"base": "USD", "rates": {"CNY": 0.718, "EUR": 0.92, "JPY": 150, "XYZ": 3}}'
    with django_capture_on_commit_callbacks(execute=True):
        changed = rates.rates_refresh(transport=feed_transport(200, body))
    assert changed == ["CNY"]
    assert ExchangeRate.objects.get(currency="CNY").per_usd == Decimal("0.718")
    assert Listing.objects.get(pk=mixed["cny"].pk).price_reference == 6964
    assert price_order(Client())[-1] == "Yuan prompt"
    assert reference_prices_recompute() == 0  # nothing left to do: a re-run writes nothing


def test_a_feed_in_another_base_currency_is_read_per_us_dollar(feed_url):
    body = b'{"base_code": "EUR", "rates": {"USD": 2, "CNY": 14.36}}'
    assert rates.parse_feed(body) == {"EUR": Decimal("0.5"), "USD": Decimal(1), "CNY": Decimal("7.18")}


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (503, b"busy"),
        (200, b"<html>not json</html>"),
        (200, b'{"base": "USD", "rates": {"CNY": -7}}'),
        (200, b'{"base": "USD", "rates": {"CNY": 0}}'),
        (200, b'{"base": "USD", "rates": {"CNY": 1e40}}'),
        (200, b'{"base": "USD", "rates": {"CNY": 1e-40}}'),
        (200, b'{"base": "USD", "rates": {"CNY": "seven"}}'),
        (200, b"[1, 2]"),
        (200, b'{"base": "EUR", "rates": {"CNY": 7.8}}'),
        (200, b'{"rates": "none"}'),
    ],
)
def test_a_bad_feed_keeps_the_old_rates_and_logs(mixed, feed_url, caplog, status, body):
    with caplog.at_level(logging.WARNING, logger="marketplace.rates.services"):
        assert rates.rates_refresh(transport=feed_transport(status, body)) == []
    assert ExchangeRate.objects.get(currency="CNY").per_usd == Decimal("7.18")
    assert Listing.objects.get(pk=mixed["cny"].pk).price_reference == 696
    assert "keeping the current ones" in caplog.text


def test_an_unreachable_feed_times_out_and_keeps_the_old_rates(feed_url, caplog):
    def hang(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("timed out", request=request)

    assert rates.rates_refresh(transport=httpx.MockTransport(hang)) == []
    assert ExchangeRate.objects.get(currency="JPY").per_usd == Decimal(150)
    assert "timed out" in caplog.text


class FeedHandler(BaseHTTPRequestHandler):
    body = b'{"base": "USD", "rates": {"JPY": 100}}'
    hits = 0

    def do_GET(self) -> None:
        type(self).hits += 1
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def local_feed(settings) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FeedHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.EXCHANGE_RATES_URL = f"http://127.0.0.1:{server.server_address[1]}/rates.json"
    yield settings.EXCHANGE_RATES_URL
    server.shutdown()
    server.server_close()


def test_the_beat_task_fetches_the_feed_and_a_second_run_changes_nothing(
    mixed, local_feed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert refresh.delay().get() == ["JPY"]
    with django_capture_on_commit_callbacks(execute=True) as second:
        assert refresh.delay().get() == []
    assert not second  # no re-pricing queued when nothing changed
    assert FeedHandler.hits >= 2
    assert Listing.objects.get(pk=mixed["jpy"].pk).price_reference == 2000  # ¥2,000 at 100 per dollar


def test_without_a_feed_the_shipped_rates_stay(settings):
    settings.EXCHANGE_RATES_URL = ""
    assert rates.rates_refresh() == []
    assert ExchangeRate.objects.filter(source="default").count() == 11


def test_staff_edit_a_rate_in_the_admin_and_listings_follow(mixed, django_capture_on_commit_callbacks):
    from tests.factories import UserFactory

    staff: Any = UserFactory(handle="staff", email="staff@example.com", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)
    rate = ExchangeRate.objects.get(currency="EUR")
    assert client.get("/admin/rates/exchangerate/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/rates/exchangerate/{rate.pk}/change/", {"per_usd": "0.05"})
    assert response.status_code == 302, response.content
    assert Listing.objects.get(pk=mixed["eur"].pk).price_reference == 10000  # €5.00 = $100 now
    assert price_order(Client())[-1] == "Euro prompt"


def test_recomputing_writes_only_stale_rows_of_the_changed_currencies_in_batches(mixed):
    Listing.objects.filter(pk__in=[mixed["eur"].pk, mixed["usd"].pk]).update(price_reference=1)
    assert reference_prices_recompute(currencies=["EUR"], batch_size=1) == 1
    references = dict(Listing.objects.values_list("title", "price_reference"))
    assert references["Euro prompt"] == 543 and references["Dollar prompt"] == 1
    assert reference_prices_recompute(batch_size=3) == 1
    assert Listing.objects.get(pk=mixed["usd"].pk).price_reference == 1000


def test_staff_cannot_change_a_price_in_the_admin_behind_the_reference_price(mixed, admin_user):
    """The price is the seller's, set through the services that keep the sort key in step."""
    client = Client()
    client.force_login(admin_user)
    listing = mixed["usd"]
    page = client.get(f"/admin/prompts/listing/{listing.pk}/change/").content.decode()
    assert 'name="price_amount"' not in page and 'name="price_currency"' not in page
    assert '<div class="readonly">1000</div>' in page  # the amount is shown, read-only
