"""Sign-ins and sign-outs at every door land in the audit trail; staff read them, nobody edits them."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from marketplace.accounts.models import SignInEvent
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) " + "x" * 400


def _events(user) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    return list(
        SignInEvent.objects.filter(user=user).order_by("at", "pk").values_list("kind", "door", "address")
    )


def test_a_website_sign_in_and_sign_out_are_recorded_with_address_and_agent(buyer) -> None:  # type: ignore[no-untyped-def]
    site = Client(HTTP_USER_AGENT=BROWSER + "\x00\n", REMOTE_ADDR="203.0.113.9")
    wrong = site.post("/accounts/login/", {"email": buyer.email, "password": "not-the-password"})
    assert wrong.status_code == 400 and _events(buyer) == []  # a failure is not a sign-in
    assert site.post("/accounts/login/", {"email": buyer.email, "password": PASSWORD}).status_code == 303
    site.post("/accounts/logout/")
    assert _events(buyer) == [("sign_in", "website", "203.0.113.9"), ("sign_out", "website", "203.0.113.9")]
    agent = SignInEvent.objects.filter(user=buyer).first().user_agent  # type: ignore[union-attr]
    assert agent == BROWSER[:200] and "\x00" not in agent


def test_the_address_is_the_one_the_proxy_setting_trusts(settings, buyer) -> None:  # type: ignore[no-untyped-def]
    settings.TRUSTED_PROXY_COUNT = 1
    site = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1, 198.51.100.7")
    site.post("/accounts/login/", {"email": buyer.email, "password": PASSWORD})
    assert _events(buyer) == [("sign_in", "website", "198.51.100.7")]


def test_api_token_creation_and_revocation_are_a_sign_in_and_a_sign_out(anon, buyer) -> None:  # type: ignore[no-untyped-def]
    wrong = anon.post(
        "/api/v1/auth/token/", {"email": buyer.email, "password": "nope-nope-nope"}, format="json"
    )
    assert wrong.status_code == 401 and _events(buyer) == []
    token = anon.post(
        "/api/v1/auth/token/",
        {"email": buyer.email, "password": PASSWORD},
        format="json",
        HTTP_USER_AGENT="dimsum-cli/1.0",
        REMOTE_ADDR="192.0.2.4",
    ).json()["token"]
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert anon.delete("/api/v1/auth/token/", REMOTE_ADDR="192.0.2.5").status_code == 204
    assert anon.delete("/api/v1/auth/token/").status_code == 401  # revoked: no second sign-out
    assert _events(buyer) == [("sign_in", "api", "192.0.2.4"), ("sign_out", "api", "192.0.2.5")]
    assert SignInEvent.objects.filter(user=buyer, kind="sign_in").get().user_agent == "dimsum-cli/1.0"


def test_registering_over_the_api_is_a_sign_in(anon) -> None:  # type: ignore[no-untyped-def]
    body = {"email": "lin@example.com", "password": PASSWORD, "handle": "lin"}
    assert anon.post("/api/v1/auth/register/", body, format="json").status_code == 201
    assert SignInEvent.objects.get().door == "api"


def test_an_admin_sign_in_is_recorded_as_the_admin_door(db) -> None:  # type: ignore[no-untyped-def]
    staff = UserFactory(is_staff=True, is_superuser=True)
    site = Client()
    response = site.post(reverse("admin:login"), {"username": staff.email, "password": PASSWORD})
    assert response.status_code == 302
    assert _events(staff) == [("sign_in", "admin", "127.0.0.1")]


def test_staff_read_the_events_in_the_admin_and_cannot_change_them(buyer) -> None:  # type: ignore[no-untyped-def]
    Client(REMOTE_ADDR="203.0.113.9").post("/accounts/login/", {"email": buyer.email, "password": PASSWORD})
    event = SignInEvent.objects.get(user=buyer)
    staff = UserFactory(is_staff=True, is_superuser=True)
    admin = Client()
    admin.force_login(staff)
    listing = admin.get(reverse("admin:accounts_signinevent_changelist"))
    assert listing.status_code == 200 and "203.0.113.9" in listing.content.decode()
    assert admin.get(reverse("admin:accounts_signinevent_add")).status_code == 403
    page = admin.get(reverse("admin:accounts_signinevent_change", args=[event.pk])).content.decode()
    assert 'name="_save"' not in page
    admin.post(reverse("admin:accounts_signinevent_delete", args=[event.pk]), {"post": "yes"})
    assert SignInEvent.objects.filter(pk=event.pk).exists()
