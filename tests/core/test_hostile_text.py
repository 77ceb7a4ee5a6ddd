"""Control characters anywhere in a request, and invisible or direction-flipping text in names.

Control characters (C0 but tab, newline and carriage return; DEL) are a 400 naming the field,
from the JSON body (values and keys), form bodies, multipart field names, the query string, the
path and the Idempotency-Key header; on PostgreSQL a NUL would otherwise be a 500 and on SQLite
a stored row. A cookie holding one is ignored. Titles, tags and offer titles must show something
and may not carry bidirectional overrides.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from marketplace.accounts.models import User
from marketplace.tutoring.models import TutoringOffer
from prompts.models import Listing, Tag
from tests.factories import make_listing
from tests.storefront.test_tutor_admin_pages import NEW, form_errors, offer_form
from tests.storefront.test_tutoring_pages import browser
from tests.tutoring.helpers import make_offer

pytestmark = pytest.mark.django_db

LISTING = {
    "title": "Panda emoji pack",
    "target_model": "midjourney",
    "category": "emoji",
    "tags": ["panda"],
    "price": {"amount": 399, "currency": "USD"},
    "prompt_text": "cute [animal] emoji",
}
OFFER = {
    "title": "Lighting 1:1",
    "duration_minutes": 60,
    "price": {"amount": 19900, "currency": "CNY"},
    "timezone": "Asia/Shanghai",
}
CONTROLS = ["\x00", "\x01", "\x08", "\x0b", "\x1b", "\x7f"]


def refused(response: Any, field: str, code: str = "invalid_characters") -> dict[str, Any]:
    assert response.status_code == 400, response.content[:300]
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"] == (
        f"{field} contains a control character (such as a NUL byte); remove it and retry."
    )
    assert error["fields"] == {field: ["Control characters are not allowed."]}
    return error


# --- JSON bodies ---------------------------------------------------------------------------------


@pytest.mark.parametrize("char", CONTROLS)
def test_a_control_character_in_a_json_value_is_refused_by_name(seller_api, char):
    refused(
        seller_api.post("/api/v1/seller/listings/", {**LISTING, "title": f"Panda{char}"}, format="json"),
        "title",
    )
    refused(
        seller_api.post("/api/v1/seller/listings/", {**LISTING, "tags": ["ok", f"b{char}d"]}, format="json"),
        "tags.1",
    )
    price = {"amount": 19900, "currency": f"CN{char}"}
    refused(
        seller_api.post("/api/v1/seller/tutoring/offers/", {**OFFER, "price": price}, format="json"),
        "price.currency",
    )
    assert not Listing.objects.exists() and not TutoringOffer.objects.exists()


def test_a_control_character_in_a_json_key_is_refused_and_shown_escaped(anon, seller_api):
    refused(anon.post("/api/v1/auth/token/", {"email\x00": "a@example.com"}, format="json"), "email\\x00")
    body = {**OFFER, "price": {"amount": 19900, "currency": "CNY", "\x1bx": 1}}
    refused(seller_api.post("/api/v1/seller/tutoring/offers/", body, format="json"), "price.\\x1bx")
    assert not TutoringOffer.objects.exists()


def test_tab_newline_and_carriage_return_are_text(seller_api):
    body = {**OFFER, "description": "Line one\r\n\tLine two\n"}
    response = seller_api.post("/api/v1/seller/tutoring/offers/", body, format="json")
    assert response.status_code == 201
    assert TutoringOffer.objects.get().description == "Line one\r\n\tLine two"


def test_a_nul_in_a_signed_out_json_body_is_refused(anon):
    body = {
        "email": "new@example.com",
        "password": "a long passphrase",
        "handle": "newbie",
        "display_name": "N\x00",
    }
    refused(anon.post("/api/v1/auth/register/", body, format="json"), "display_name")
    assert not User.objects.exists()


# --- form and multipart bodies to the API -----------------------------------------------------------


def test_form_and_multipart_bodies_to_the_api_are_checked(anon, seller, seller_api):
    refused(anon.post("/api/v1/auth/token/", {"email": "a\x00@example.com", "password": "x"}), "email")
    refused(
        anon.post(
            "/api/v1/auth/token/",
            "email=a%00%40example.com&password=x",
            content_type="application/x-www-form-urlencoded",
        ),
        "email",
    )
    refused(anon.post("/api/v1/auth/token/", {"pass\x01word": "x"}), "pass\\x01word")
    listing = make_listing(seller)
    url = f"/api/v1/seller/listings/{listing.public_id}/images/"
    refused(seller_api.post(url, {"alt\x00": "a"}), "alt\\x00")


# --- query strings, paths, headers and cookies -------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/listings/?q=a%00b",
        "/api/v1/listings/?a%00=1",
        "/api/v1/search/suggest/?q=%7F",
        "/api/v1/tutoring/offers/abcdefghijk/slots/?tz=Asia/Shang%00hai",
        "/api/v1/tutoring/offers/abcdefghijk/reviews/?x=%01",
    ],
)
def test_a_control_character_in_an_api_query_is_refused(anon, url):
    field = "a\\x00" if "a%00=" in url else {"q": "q", "tz": "tz", "x": "x"}[url.split("?")[1].split("=")[0]]
    refused(anon.get(url), field, code="invalid_parameter")


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/browse/?q=a%00b", "q"),
        ("/browse/?tag=%1B", "tag"),
        ("/library/?q=%00", "q"),
        ("/tutoring/?page=%00", "page"),
        ("/accounts/login/?next=/%00", "next"),
    ],
)
def test_a_control_character_in_a_page_address_is_a_400_page(url, field):
    response = Client().get(url)
    assert response.status_code == 400
    assert (
        f"{field} contains a control character (such as a NUL byte); remove it and retry."
        in response.content.decode()
    )


def test_a_probe_reads_nothing_from_its_address_and_still_answers():
    assert Client().get("/readyz?x=%01").status_code == 200
    assert Client().get("/healthz?x=%00").status_code == 200


@pytest.mark.parametrize(
    "path", ["/sellers/a%00b/", "/accounts/reset/a%00b/c%01d/", "/api/v1/sellers/a%1Fb/", "/%7F/"]
)
def test_a_control_character_in_the_path_is_not_found(path):
    response = Client().get(path)
    assert response.status_code == 404
    if path.startswith("/api/"):
        assert response.json()["error"]["code"] == "not_found"
    else:
        assert "Not found." in response.content.decode()


def test_a_control_character_in_the_idempotency_key_is_refused(buyer, client_for, seller):
    listing = make_listing(seller, publish=True, price_amount=1990, price_currency="CNY")
    api = client_for(buyer)
    response = api.post(f"/api/v1/listings/{listing.public_id}/checkout/", HTTP_IDEMPOTENCY_KEY="key\x01")
    refused(response, "Idempotency-Key")


@pytest.mark.parametrize("name", ["sessionid", "csrftoken", "django_language", "tz"])
def test_a_cookie_holding_a_control_character_is_ignored(buyer, name):
    client = Client()
    client.cookies[name] = "abcdefgh\x00ijklmnop"
    assert client.get("/").status_code == 200
    assert client.get("/readyz").status_code == 200


# --- the website's form posts --------------------------------------------------------------------


def test_a_control_character_in_a_website_form_is_a_400_page_and_writes_nothing(seller):
    response = Client().post("/accounts/login/", {"email": "a\x00@example.com", "password": "x"})
    assert response.status_code == 400
    assert "email contains a control character" in response.content.decode()
    response = browser(seller).post(NEW, offer_form(title="Lighting\x7f 1:1"))
    assert response.status_code == 400
    assert "title contains a control character" in response.content.decode()
    response = Client().post(
        "/accounts/signup/", {"email": "n@example.com", "handle": "newbie", "password": "pw", "\x00": "x"}
    )
    assert response.status_code == 400
    assert not TutoringOffer.objects.exists() and not User.objects.exclude(pk=seller.pk).exists()


# --- invisible and direction-flipping text --------------------------------------------------------

INVISIBLE = {
    "zero-width spaces": "\u200b\u200b",
    "zero-width joiner and spaces": " \u200d \ufeff ",
    "left-to-right marks only": "\u200e\u200f",
    "a right-to-left override": "Panda \u202egpj.exe",
    "a left-to-right isolate": "Panda \u2066pack\u2069",
}


def invisible_refused(response: Any, field: str) -> None:
    assert response.status_code == 400, response.content[:300]
    error = response.json()["error"]
    assert error["code"] == "invisible_text"
    assert field in error["fields"]
    assert error["message"] in {
        "Use visible characters; this text shows nothing.",
        "Remove the right-to-left or left-to-right override characters.",
    }


@pytest.mark.parametrize("text", INVISIBLE.values(), ids=INVISIBLE.keys())
def test_invisible_or_flipped_listing_titles_and_tags_are_refused(seller, seller_api, text):
    invisible_refused(
        seller_api.post("/api/v1/seller/listings/", {**LISTING, "title": text}, format="json"), "title"
    )
    invisible_refused(
        seller_api.post("/api/v1/seller/listings/", {**LISTING, "tags": ["panda", text]}, format="json"),
        "tags",
    )
    assert not Listing.objects.exists() and not Tag.objects.exists()
    listing = make_listing(seller, title="Panda emoji pack")
    url = f"/api/v1/seller/listings/{listing.public_id}/"
    invisible_refused(seller_api.patch(url, {"title": text}, format="json"), "title")
    invisible_refused(seller_api.patch(url, {"tags": [text]}, format="json"), "tags")
    listing.refresh_from_db()
    assert listing.title == "Panda emoji pack"


@pytest.mark.parametrize("text", INVISIBLE.values(), ids=INVISIBLE.keys())
def test_invisible_or_flipped_offer_titles_are_refused_on_the_api_and_the_website(seller, seller_api, text):
    invisible_refused(
        seller_api.post("/api/v1/seller/tutoring/offers/", {**OFFER, "title": text}, format="json"), "title"
    )
    offer = make_offer(seller)
    url = f"/api/v1/seller/tutoring/offers/{offer.public_id}/"
    invisible_refused(seller_api.patch(url, {"title": text}, format="json"), "title")
    response = browser(seller).post(NEW, offer_form(title=text))
    assert response.status_code == 400
    assert set(form_errors(response)) & {
        "Use visible characters; this text shows nothing.",
        "Remove the right-to-left or left-to-right override characters.",
        "This field is required.",  # the form strips what str.strip() counts as whitespace first
    }
    assert list(TutoringOffer.objects.values_list("title", flat=True)) == ["Prompt craft 1:1"]


def test_marks_and_joiners_inside_real_text_are_kept(seller_api):
    title = "עברית\u200f and emoji 👩\u200d💻"
    response = seller_api.post("/api/v1/seller/listings/", {**LISTING, "title": title}, format="json")
    assert response.status_code == 201
    assert Listing.objects.get().title == title


@pytest.mark.parametrize("handle", ["a\u202eb", "\u200b\u200b", "a\u200bb", "a b", "a\x7fb"])
def test_handles_take_only_lowercase_letters_digits_dash_and_underscore(anon, handle):
    body = {"email": "new@example.com", "password": "a long passphrase", "handle": handle}
    response = anon.post("/api/v1/auth/register/", body, format="json")
    assert response.status_code == 400
    assert "handle" in response.json()["error"]["fields"]
    assert not User.objects.exists()


@pytest.mark.parametrize("text", INVISIBLE.values(), ids=INVISIBLE.keys())
def test_invisible_or_flipped_display_names_are_refused_at_sign_up_and_on_the_account_page(
    anon, seller, text
):
    body = {"email": "new@example.com", "password": "a long passphrase", "handle": "newbie"}
    body["display_name"] = text
    invisible_refused(anon.post("/api/v1/auth/register/", body, format="json"), "display_name")
    assert not User.objects.filter(handle="newbie").exists()

    page = browser(seller).post("/account/", {"display_name": text, "bio": ""})
    assert page.status_code == 400
    seller.refresh_from_db()
    assert seller.display_name != text
