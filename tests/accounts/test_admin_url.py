"""The admin lives at ADMIN_URL, and its sign-in goes through the shared lock there too."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import clear_url_caches

import marketplace.urls
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_door(settings) -> Iterator[str]:  # type: ignore[no-untyped-def]
    settings.ADMIN_URL = "staff-door/"
    importlib.reload(marketplace.urls)
    clear_url_caches()
    yield "/staff-door/"
    settings.ADMIN_URL = "admin/"
    importlib.reload(marketplace.urls)
    clear_url_caches()


def test_the_admin_is_served_at_admin_url_only(staff_door, staff):
    login = Client().get(f"{staff_door}login/")
    assert login.status_code == 200
    assert "'unsafe-inline'" in login["Content-Security-Policy"]  # the admin's own inline styles
    assert Client().get("/admin/login/").status_code == 404
    signed_in = Client().post(
        f"{staff_door}login/", {"username": "mod@example.com", "password": PASSWORD, "next": staff_door}
    )
    assert signed_in.status_code == 302 and signed_in["Location"] == staff_door


def test_the_admin_at_admin_url_is_locked_like_every_door(staff_door, staff):
    for _ in range(5):
        Client().post(f"{staff_door}login/", {"username": "mod@example.com", "password": "wrong-password-1"})
    locked = Client().post(f"{staff_door}login/", {"username": "mod@example.com", "password": PASSWORD})
    assert locked.status_code == 429
    assert "Too many failed attempts to log in" in locked.content.decode()


@pytest.mark.slow
@pytest.mark.parametrize("value", ["/admin/", "admin", "../admin/", "a dmin/"])
def test_a_malformed_admin_url_stops_start_up(value):
    env = {**os.environ, "ADMIN_URL": value, "DJANGO_SETTINGS_MODULE": "marketplace.settings"}
    started = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode != 0
    assert "ADMIN_URL must be a relative path ending with '/'" in started.stderr
