"""Sign up, log in (with throttling), log out, password reset by email, account page and API tokens."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.password_validation import MinimumLengthValidator
from django.core import mail
from django.test import Client
from django.utils import translation

from marketplace.accounts.models import ApiToken, User
from marketplace.accounts.services import token_create
from tests.factories import PASSWORD, UserFactory, make_listing

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "brand-new-passphrase-77"
TOKEN = re.compile(r"dms_[A-Za-z0-9_-]{20,}")


def _site(user: User | None = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _signed_in_as(client: Client) -> str | None:
    """The handle the website greets, or None: what the visitor sees in the navigation."""
    page = client.get("/").content.decode()
    found = re.search(r'href="/account/">@([a-z0-9_-]+)<', page)
    return found.group(1) if found else None


def _log_in(client: Client, email: str, password: str, **extra: str):  # type: ignore[no-untyped-def]
    return client.post("/accounts/login/", {"email": email, "password": password}, **extra)


def _api_me(raw_token: str):  # type: ignore[no-untyped-def]
    return Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {raw_token}")


# --- Sign up -----------------------------------------------------------------------------------------


def test_signing_up_logs_you_in_and_returns_you_where_you_were():
    site = _site()
    response = site.post(
        "/accounts/signup/?next=/library/",
        {
            "email": "New.Person@Example.com",
            "handle": "New-Person",
            "password": PASSWORD,
            "next": "/library/",
        },
    )
    assert response.status_code == 303 and response["Location"] == "/library/"
    user = User.objects.get(handle="new-person")
    assert user.email == "new.person@example.com"
    assert _signed_in_as(site) == "new-person"


def test_signup_never_redirects_off_site():
    site = _site()
    response = site.post(
        "/accounts/signup/",
        {
            "email": "a@example.com",
            "handle": "person-a",
            "password": PASSWORD,
            "next": "https://evil.example/",
        },
    )
    assert response.status_code == 303 and response["Location"] == "/"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"password": "password"}, "This password is too common."),
        ({"password": "short"}, "at least 10 characters"),
        ({"handle": "Not A Handle!"}, "Use 3–30 lowercase letters"),
        ({"handle": "admin"}, "This handle is reserved."),
        ({"email": "buyer@example.com"}, "An account with this email already exists."),
        ({"handle": "buyer"}, "This handle is taken."),
        ({"email": "not-an-email"}, "Enter a valid email address."),
    ],
)
def test_signup_mistakes_are_shown_on_the_form(buyer, fields, message):
    form = {"email": "fresh@example.com", "handle": "fresh-face", "password": PASSWORD} | fields
    response = _site().post("/accounts/signup/", form)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not User.objects.filter(handle="fresh-face").exists()
    assert not User.objects.filter(email="fresh@example.com").exists()


# --- The header's Log in and Sign up links ------------------------------------------------------------


def _header_links(page: str) -> dict[str, str]:
    """The header's Log in and Sign up links by their text, HTML-unescaped."""
    header = page.split("</header>", 1)[0]
    found = re.findall(
        r'<a (?:class="button" )?href="(/accounts/(?:login|signup)/[^"]*)">(Log in|Sign up)</a>', header
    )
    return {text: href.replace("&amp;", "&") for href, text in found}


def test_the_header_links_bring_you_back_to_the_page_you_were_on(seller):
    listing = make_listing(seller, publish=True)
    page = _site().get(f"/listings/{listing.public_id}/?lang=en").content.decode()
    back = f"/listings/{listing.public_id}/%3Flang%3Den"
    assert _header_links(page) == {
        "Log in": f"/accounts/login/?next={back}",
        "Sign up": f"/accounts/signup/?next={back}",
    }


def test_on_the_login_page_the_header_passes_its_next_on_without_nesting(seller):
    listing = make_listing(seller, publish=True)
    listing_path = f"/listings/{listing.public_id}/"
    page = _site().get(f"/accounts/login/?next={listing_path}").content.decode()
    links = _header_links(page)
    assert links == {
        "Log in": f"/accounts/login/?next={listing_path}",
        "Sign up": f"/accounts/signup/?next={listing_path}",
    }
    # Following the header's Sign up link and signing up lands back on the listing.
    site = _site()
    signup_page = site.get(links["Sign up"]).content.decode()
    assert f'name="next" value="{listing_path}"' in signup_page
    assert _header_links(signup_page)["Log in"] == f"/accounts/login/?next={listing_path}"
    form = {"email": "new@example.com", "handle": "new-person", "password": PASSWORD, "next": listing_path}
    response = site.post("/accounts/signup/", form)
    assert response.status_code == 303 and response["Location"] == listing_path


@pytest.mark.parametrize(
    "path", ["/accounts/login/", "/accounts/signup/", "/accounts/login/?next=https://evil.example/"]
)
def test_sign_in_pages_without_a_safe_next_give_their_header_links_none(path):
    assert _header_links(_site().get(path).content.decode()) == {
        "Log in": "/accounts/login/",
        "Sign up": "/accounts/signup/",
    }


# --- Log in, log out ---------------------------------------------------------------------------------


def test_logging_in_with_the_right_password_goes_to_next(buyer):
    site = _site()
    response = site.post(
        "/accounts/login/", {"email": "BUYER@example.com", "password": PASSWORD, "next": "/library/"}
    )
    assert response.status_code == 303 and response["Location"] == "/library/"
    assert _signed_in_as(site) == "buyer"


def test_the_login_page_keeps_a_safe_next_and_drops_an_unsafe_one():
    assert 'name="next" value="/library/"' in _site().get("/accounts/login/?next=/library/").content.decode()
    page = _site().get("/accounts/login/?next=https://evil.example/").content.decode()
    assert 'value="https://evil.example/"' not in page


def test_a_wrong_password_shows_an_error_and_does_not_log_in(buyer):
    site = _site()
    response = _log_in(site, "buyer@example.com", "wrong-password-123")
    assert response.status_code == 400
    assert "The email or the password is wrong." in response.content.decode()
    assert _signed_in_as(site) is None


def test_the_sixth_attempt_is_refused_even_with_the_right_password(buyer, settings):
    settings.LOGIN_MAX_FAILURES = 5
    site = _site()
    for _ in range(5):
        assert _log_in(site, "buyer@example.com", "wrong-password-123").status_code == 400
    refused = _log_in(site, "buyer@example.com", PASSWORD)
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "Too many failed attempts to log in" in page
    assert 'name="password"' in page  # the form is still there
    assert _signed_in_as(site) is None
    # The lock holds for this email from this address: the owner, elsewhere, still gets in.
    assert _log_in(_site(), "buyer@example.com", PASSWORD, REMOTE_ADDR="192.0.2.9").status_code == 303


def test_failures_from_one_address_lock_that_address_for_every_account(buyer, stranger, settings):
    settings.LOGIN_ADDRESS_FAILURES_PER_HOUR = 5
    site = _site()
    for n in range(5):
        _log_in(site, f"nobody{n}@example.com", "wrong-password-123", REMOTE_ADDR="198.51.100.7")
    assert _log_in(site, "stranger@example.com", PASSWORD, REMOTE_ADDR="198.51.100.7").status_code == 429
    # Someone else, elsewhere, is not affected.
    other = _site()
    assert _log_in(other, "stranger@example.com", PASSWORD, REMOTE_ADDR="203.0.113.5").status_code == 303


def test_a_success_clears_the_count_of_failures_for_the_email(buyer):
    site = _site()
    for _ in range(4):
        _log_in(site, "buyer@example.com", "wrong-password-123", REMOTE_ADDR="192.0.2.1")
    assert _log_in(site, "buyer@example.com", PASSWORD, REMOTE_ADDR="192.0.2.1").status_code == 303
    site.post("/accounts/logout/")
    # Four more failures from a fresh address: had the count not been cleared, this would be 8 > 5.
    for _ in range(4):
        _log_in(site, "buyer@example.com", "wrong-password-123", REMOTE_ADDR="192.0.2.2")
    assert _log_in(site, "buyer@example.com", PASSWORD, REMOTE_ADDR="192.0.2.2").status_code == 303


def test_the_login_form_needs_its_csrf_token(buyer):
    strict = Client(enforce_csrf_checks=True)
    assert _log_in(strict, "buyer@example.com", PASSWORD).status_code == 403
    page = strict.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert token is not None
    response = strict.post(
        "/accounts/login/",
        {"email": "buyer@example.com", "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
    )
    assert response.status_code == 303


def test_logging_out_takes_a_post(buyer):
    site = _site(buyer)
    assert site.post("/accounts/logout/").status_code == 303
    assert _signed_in_as(site) is None


def test_the_logout_address_shows_a_button_that_needs_its_csrf_token(buyer):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(buyer)
    page = strict.get("/accounts/logout/?next=/library/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "You are logged in as @buyer." in html
    assert re.search(r'<form[^>]*method="post" action="/accounts/logout/"', html)
    assert 'name="next" value="/library/"' in html
    assert _signed_in_as(strict) == "buyer"  # opening the address logs nobody out

    assert strict.post("/accounts/logout/").status_code == 403  # a forged form
    assert _signed_in_as(strict) == "buyer"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token is not None
    done = strict.post("/accounts/logout/", {"csrfmiddlewaretoken": token.group(1), "next": "/library/"})
    assert done.status_code == 303 and done["Location"] == "/library/"
    assert _signed_in_as(strict) is None


def test_the_logout_address_tells_a_visitor_who_is_not_logged_in():
    page = _site().get("/accounts/logout/")
    assert page.status_code == 200
    assert "You are not logged in." in page.content.decode()


# --- Password reset ----------------------------------------------------------------------------------


def _reset_link() -> str:
    assert len(mail.outbox) == 1
    found = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", mail.outbox[0].body)
    assert found is not None, mail.outbox[0].body
    return found.group(1)


def test_the_emailed_link_sets_a_new_password(buyer):
    site = _site()
    response = site.post("/accounts/password-reset/", {"email": "buyer@example.com"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password-reset/sent/"
    assert "If an account exists" in site.get(response["Location"]).content.decode()
    assert mail.outbox[0].to == ["buyer@example.com"]
    assert "Dimsum" in mail.outbox[0].subject and "@buyer" in mail.outbox[0].body

    form = site.get(_reset_link(), follow=True)
    assert form.status_code == 200 and 'name="new_password1"' in form.content.decode()
    done = site.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302 and done["Location"] == "/accounts/reset/done/"
    assert "Password changed" in site.get(done["Location"]).content.decode()

    assert _log_in(_site(), "buyer@example.com", PASSWORD).status_code == 400
    assert _log_in(_site(), "buyer@example.com", NEW_PASSWORD).status_code == 303
    # The link works once.
    used = _site().get(_reset_link(), follow=True).content.decode()
    assert "This link does not work any more" in used


def test_an_unknown_email_gets_the_same_answer_and_no_mail():
    response = _site().post("/accounts/password-reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password-reset/sent/"
    assert mail.outbox == []


def _reset(email: str, address: str) -> None:
    response = _site().post("/accounts/password-reset/", {"email": email}, REMOTE_ADDR=address)
    assert response.status_code == 302 and response["Location"] == "/accounts/password-reset/sent/"


def test_reset_emails_stop_at_the_hourly_limits_with_the_same_answer(buyer, settings):
    settings.WEB_PASSWORD_RESET_PER_HOUR = 2
    for _ in range(3):
        _reset("Buyer@Example.com", "203.0.113.9")  # one stranger, one mailbox: 2 an hour
    assert len(mail.outbox) == 2
    _reset("buyer@example.com", "192.0.2.50")  # the owner, from elsewhere, still gets one
    assert len(mail.outbox) == 3
    for n in range(30):  # many addresses: the mailbox gets 10x the limit in all, then nothing
        _reset("buyer@example.com", f"198.18.0.{n}")
    assert len(mail.outbox) == 20
    mail.outbox.clear()
    UserFactory(email="late@example.com")
    for n in range(20):  # one address, many mailboxes: 10x the limit, then nothing
        _reset(f"someone{n}@example.com", "198.51.100.7")
    _reset("late@example.com", "198.51.100.7")
    assert mail.outbox == []
    _reset("late@example.com", "198.51.100.8")
    assert [m.to for m in mail.outbox] == [["late@example.com"]]


def test_resetting_the_password_lifts_a_lock_out(buyer):
    for _ in range(5):
        _log_in(_site(), "buyer@example.com", "wrong-password-123", REMOTE_ADDR="192.0.2.1")
    assert _log_in(_site(), "buyer@example.com", PASSWORD, REMOTE_ADDR="192.0.2.1").status_code == 429
    site = _site()
    site.post("/accounts/password-reset/", {"email": "buyer@example.com"})
    form = site.get(_reset_link(), follow=True)
    site.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert _log_in(_site(), "buyer@example.com", NEW_PASSWORD, REMOTE_ADDR="192.0.2.1").status_code == 303


# --- Account page and API tokens ---------------------------------------------------------------------


def test_the_account_page_needs_a_login():
    response = _site().get("/account/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/account/"


def test_a_new_token_is_shown_once_and_authenticates_the_api(seller):
    site = _site(seller)
    created = site.post("/account/tokens/", {"name": "upload script"})
    assert created.status_code == 303
    page = site.get(created["Location"]).content.decode()
    raw = TOKEN.search(page)
    assert raw is not None and "shown only this once" in page
    assert f"Bearer {raw.group(0)}" in page  # the curl example uses it

    me = _api_me(raw.group(0))
    assert me.status_code == 200 and me.json()["handle"] == "seller-one"

    again = site.get("/account/").content.decode()
    assert raw.group(0) not in again and TOKEN.search(again) is None
    assert "upload script" in again and raw.group(0)[:12] in again  # listed by name and prefix
    assert ApiToken.objects.get(user=seller).last_used_at is not None


def test_a_token_needs_a_name(seller):
    response = _site(seller).post("/account/tokens/", {"name": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not ApiToken.objects.filter(user=seller).exists()


def test_a_revoked_token_stops_working(seller):
    token, raw = token_create(user=seller, name="old laptop")
    assert _api_me(raw).status_code == 200
    site = _site(seller)
    response = site.post(f"/account/tokens/{token.pk}/revoke/")
    assert response.status_code == 303 and response["Location"] == "/account/"
    assert "is revoked" in site.get("/account/").content.decode()
    assert _api_me(raw).status_code == 401
    assert "old laptop" not in site.get("/account/").content.decode()


def test_nobody_else_can_revoke_your_token(seller, stranger):
    token, raw = token_create(user=seller, name="mine")
    assert _site(stranger).post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    assert _site().post(f"/account/tokens/{token.pk}/revoke/").status_code == 302  # to the login page
    assert _site(seller).get(f"/account/tokens/{token.pk}/revoke/").status_code == 405
    assert _api_me(raw).status_code == 200


def test_the_account_page_lists_only_your_active_tokens(seller, stranger):
    token_create(user=seller, name="seller laptop")
    token_create(user=stranger, name="stranger laptop")
    page = _site(seller).get("/account/").content.decode()
    assert "seller laptop" in page and "stranger laptop" not in page
    assert 'href="/api/docs/"' in page


def test_the_profile_is_editable(seller):
    site = _site(seller)
    response = site.post("/account/", {"display_name": "  Lotus Prompts ", "bio": "Ink and neon."})
    assert response.status_code == 303
    seller.refresh_from_db()
    assert (seller.display_name, seller.bio) == ("Lotus Prompts", "Ink and neon.")
    too_long = site.post("/account/", {"display_name": "x" * 61, "bio": ""})
    assert too_long.status_code == 400
    seller.refresh_from_db()
    assert seller.display_name == "Lotus Prompts"


# --- Language --------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/signup/", "/accounts/password-reset/"])
def test_the_pages_follow_accept_language(path):
    chinese = _site().get(path, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert chinese.status_code == 200
    assert '<html lang="zh-Hans">' in chinese.content.decode()
    assert '<html lang="en">' in _site().get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_signup_rules_come_in_the_visitors_language():
    # Django's own catalogue translates the password rules, so this holds before ours is merged.
    with translation.override("zh-hans"):
        rule = str(MinimumLengthValidator(10).get_help_text())
    assert rule != str(MinimumLengthValidator(10).get_help_text())
    page = _site().get("/accounts/signup/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert rule in page


def test_log_in_in_chinese(buyer):
    page = _site().get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "忘记密码？" in page
    wrong = _site().post(
        "/accounts/login/",
        {"email": "buyer@example.com", "password": "wrong-password-123"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert "邮箱或密码错误。" in wrong.content.decode()


def test_a_head_request_between_the_redirect_and_the_page_leaves_the_message(buyer):
    client = Client()
    client.force_login(buyer)
    saved = client.post("/account/", {"display_name": "Mei", "bio": ""})
    assert saved.status_code == 303
    assert client.head(saved["Location"]).status_code == 200  # a link preview, say, with the cookie
    assert "Your profile is saved." in client.get(saved["Location"]).content.decode()
    assert "Your profile is saved." not in client.get(saved["Location"]).content.decode()  # shown once
