"""The public pages: home, browse and search, listing, seller, in English and Chinese."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from prompts.models import Complaint, ListingEvent
from tests.factories import make_listing

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog(seller, other_seller):
    return {
        "koi": make_listing(
            seller,
            publish=True,
            title="Neon koi wallpaper",
            price_amount=499,
            price_currency="USD",
            category="wallpaper",
            tags=["neon", "koi"],
        ),
        "dumpling": make_listing(
            other_seller,
            publish=True,
            title="纽约唐人街小孩吃烧卖",
            description="街头插画风格。",
            language="zh-hans",
            price_amount=2900,
            price_currency="CNY",
            category="illustration",
            tags=["烧卖"],
        ),
        "free": make_listing(seller, publish=True, title="Free emoji pack", price_amount=0, category="emoji"),
        "draft": make_listing(seller, title="Unfinished draft"),
    }


def _text(response) -> str:
    return response.content.decode()


def test_home_shows_trending_newest_and_free_shelves_with_prices_in_the_visitor_locale(catalog):
    page = _text(Client().get("/"))
    assert "Neon koi wallpaper" in page and "纽约唐人街小孩吃烧卖" in page
    assert "Unfinished draft" not in page
    assert "$4.99" in page and "CN¥29.00" in page  # English formats CNY with its own symbol
    free_shelf = page.split('id="free-h"')[1]
    assert "Free emoji pack" in free_shelf and "Neon koi wallpaper" not in free_shelf

    chinese = _text(Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get("/"))
    assert '<html lang="zh-Hans">' in chinese
    assert "US$4.99" in chinese and "¥29.00" in chinese  # and Chinese marks the dollar


def test_the_free_shelf_holds_free_listings_and_the_trial_shelf_listings_a_buyer_can_try(seller, catalog):
    make_listing(seller, publish=True, title="Paid ink dragons", price_amount=499, trial_runs=2)
    page = _text(Client().get("/"))
    assert "Free to try" not in page
    free_shelf = page.split('id="free-h"')[1].split("</section>")[0]
    assert ">Free</h2>" in free_shelf and "Free emoji pack" in free_shelf
    assert "Paid ink dragons" not in free_shelf
    trial_shelf = page.split('id="trials-h"')[1].split("</section>")[0]
    assert ">Try before you buy</h2>" in trial_shelf and "/browse/?trials=true" in trial_shelf
    assert "Paid ink dragons" in trial_shelf and "Free emoji pack" not in trial_shelf

    chinese = _text(Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get("/"))
    assert ">免费</h2>" in chinese and ">先试后买</h2>" in chinese and ">免费试用</h2>" not in chinese

    browse = _text(Client().get("/browse/", {"trials": "true"}))
    assert "Paid ink dragons" in browse and "Neon koi wallpaper" not in browse
    assert 'name="trials" value="true" checked' in browse


def test_home_has_no_trial_shelf_when_no_listing_offers_trials(catalog):
    assert 'id="trials-h"' not in _text(Client().get("/"))


def test_home_runs_the_same_number_of_queries_however_many_listings_exist(seller, catalog):
    client = Client()
    client.get("/")
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    for n in range(6):
        make_listing(seller, publish=True, title=f"More koi {n}", price_amount=100 + n)
    with CaptureQueriesContext(connection) as many:
        client.get("/")
    assert len(many) == len(few)


@pytest.mark.parametrize("query", ["烧卖", "唐人街", "人街"])
def test_a_chinese_search_finds_the_listing_by_any_substring(catalog, query):
    page = _text(Client().get("/browse/", {"q": query}))
    assert "纽约唐人街小孩吃烧卖" in page
    assert "Neon koi wallpaper" not in page


def test_browse_filters_are_in_the_url_and_bad_filters_explain_themselves(catalog):
    page = _text(Client().get("/browse/", {"category": "wallpaper"}))
    assert "Neon koi wallpaper" in page and "纽约唐人街小孩吃烧卖" not in page
    assert 'value="wallpaper" selected' in page  # the form shows the state of the URL

    bad = Client().get("/browse/", {"min_price": "100"})
    assert bad.status_code == 400
    assert "add currency=USD" in _text(bad)


def test_browse_pages_with_a_cursor_link(seller, catalog):
    for n in range(30):
        make_listing(seller, publish=True, title=f"Koi variation {n}", price_amount=0)
    first = _text(Client().get("/browse/", {"sort": "newest"}))
    link = re.search(r'href="(\?[^"]*cursor=[^"]+)" ?>', first) or re.search(
        r'rel="next" href="([^"]+)"', first
    )
    assert link, "no next-page link"
    second = _text(Client().get("/browse/" + link.group(1).replace("&amp;", "&")))
    titles_first = set(re.findall(r"Koi variation \d+", first))
    titles_second = set(re.findall(r"Koi variation \d+", second))
    assert titles_second and not titles_first & titles_second


def test_the_listing_page_shows_what_a_buyer_needs_and_never_the_prompt(catalog):
    koi = catalog["koi"]
    response = Client().get(f"/listings/{koi.public_id}/")
    page = _text(response)
    assert response.status_code == 200
    assert "Neon koi wallpaper" in page and "$4.99" in page
    assert "Log in to buy" in page and "@seller-one" in page
    assert "data-blurhash" in page and "AI-generated" in page
    assert koi.versions.first().text not in page
    assert "Content-Security-Policy" in response.headers
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert not re.search(r"<script(?![^>]*\bsrc=)", page) and 'style="' not in page  # the CSP blocks them


def test_the_listing_page_of_a_draft_or_unknown_id_is_a_404(catalog):
    assert Client().get(f"/listings/{catalog['draft'].public_id}/").status_code == 404
    assert Client().get("/listings/NoSuchId0000/").status_code == 404


def test_the_seller_page_lists_their_published_listings(catalog, seller):
    page = _text(Client().get(f"/sellers/{seller.handle}/"))
    assert "Neon koi wallpaper" in page and "Free emoji pack" in page
    assert "Unfinished draft" not in page and "纽约唐人街小孩吃烧卖" not in page
    assert Client().get("/sellers/nobody-here/").status_code == 404


def test_anyone_can_report_a_listing_and_staff_see_it_in_the_admin(catalog, staff):
    koi = catalog["koi"]
    client = Client()
    invalid = client.post(f"/listings/{koi.public_id}/report/", {"reason": "nonsense"})
    assert invalid.status_code == 400 and Complaint.objects.count() == 0

    sent = client.post(
        f"/listings/{koi.public_id}/report/",
        {"reason": "copyright", "note": "This is my artwork.", "contact_email": "artist@example.com"},
        follow=True,
    )
    assert "Your report number is" in _text(sent)
    complaint = Complaint.objects.get()
    assert (complaint.reason, complaint.contact_email, complaint.status) == (
        "copyright",
        "artist@example.com",
        "open",
    )
    assert ListingEvent.objects.filter(listing=koi, action="complaint_filed").exists()

    from django.contrib.auth.models import Permission

    staff.user_permissions.add(Permission.objects.get(codename="view_complaint"))
    admin = Client()
    admin.force_login(staff)
    assert "This is my artwork." in _text(admin.get(f"/admin/prompts/complaint/{complaint.pk}/change/"))


def test_switching_language_keeps_the_page_and_translates_it(catalog):
    client = Client()
    response = client.post("/language/", {"language": "zh-hans", "next": "/browse/"})
    assert response.status_code == 302 and response["Location"] == "/browse/"
    assert '<html lang="zh-Hans">' in _text(client.get("/browse/"))


def test_a_signed_in_user_switching_language_gets_emails_in_it(buyer):
    client = Client()
    client.force_login(buyer)
    client.post("/language/", {"language": "zh-hans", "next": "/"})
    buyer.refresh_from_db()
    assert buyer.language == "zh-hans"
    from marketplace.tutoring.emails import language_for

    assert language_for(buyer) == "zh-hans"


def test_signing_up_in_chinese_records_the_language_for_emails(db):
    from marketplace.accounts.models import User

    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.post(
        "/accounts/signup/",
        {"email": "li@example.com", "handle": "li-wei", "password": "a long fresh passphrase 42"},
    )
    assert User.objects.get(email="li@example.com").language == "zh-hans"
