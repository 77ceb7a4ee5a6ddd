from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import requires_redis

ROOT = Path(__file__).resolve().parents[2]


def test_healthz_answers_without_the_database(client):
    assert client.get("/healthz").json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_checks_the_database(client):
    body = client.get("/readyz").json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"


@requires_redis
@pytest.mark.django_db
def test_readyz_checks_redis_when_configured(client):
    checks = client.get("/readyz").json()["checks"]
    assert checks["cache"] == "ok"
    assert checks["broker"] == "ok"


@pytest.mark.django_db
def test_readyz_names_the_redis_that_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_BROKER_URL = ""
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == "error: ConnectionError"
    settings.REDIS_URL = ""
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "broker": "error: ConnectionError"}


@pytest.mark.django_db
def test_probes_answer_over_plain_http_by_ip_while_pages_redirect_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["dimsum.example"]
    for path in ("/healthz", "/readyz"):
        response = client.get(path, HTTP_HOST="10.0.0.7:8000")
        assert response.status_code == 200, path
        assert response.json()["status"] == "ok"
        assert response["Cache-Control"] == "no-store"
    page = client.get("/", HTTP_HOST="dimsum.example")
    assert page.status_code == 301 and page["Location"] == "https://dimsum.example/"
    assert client.get("/", HTTP_HOST="10.0.0.7:8000", secure=True).status_code == 400  # the Host check stays


@pytest.mark.django_db
@pytest.mark.parametrize("cookie", ["Europe", "%00", "../../etc/passwd", "x" * 5000])
def test_readyz_ignores_a_junk_timezone_cookie(client, cookie):
    client.cookies["tz"] = cookie
    assert client.get("/readyz").status_code == 200


def _check_settings(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL"}}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = "
            "'marketplace.settings'; django.setup()",
        ],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.slow
def test_production_without_a_secret_key_refuses_to_start():
    result = _check_settings(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.slow
def test_production_refuses_the_sandbox_payment_provider():
    result = _check_settings(DEBUG="0", SECRET_KEY="y" * 64)
    assert result.returncode != 0
    assert "sandbox payment provider" in result.stderr


@pytest.mark.slow
def test_a_malformed_setting_names_the_variable():
    result = _check_settings(DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be one of" in result.stderr
    result = _check_settings(LISTING_REVIEW="sometimes")
    assert "LISTING_REVIEW must be one of" in result.stderr


@pytest.mark.slow
def test_deploy_checks_pass_in_production_settings():
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    env.update(
        DJANGO_SETTINGS_MODULE="marketplace.settings",
        DEBUG="0",
        SECRET_KEY="x" * 60 + "-prod-like-secret",
        ALLOWED_HOSTS="dimsum.example",
        STRIPE_SECRET_KEY="sk_test_x",
        STRIPE_WEBHOOK_SECRET="whsec_x",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_tests_run_on_the_configured_database():
    expected = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite3"
    assert settings.DATABASES["default"]["ENGINE"].endswith(expected)


@pytest.mark.slow
def test_object_storage_keeps_originals_private_and_previews_public():
    script = "\n".join(
        [
            "import django, os",
            "os.environ['DJANGO_SETTINGS_MODULE'] = 'marketplace.settings'",
            "django.setup()",
            "from django.core.files.storage import storages",
            "public, private = storages['default'], storages['private']",
            "url = public.url('previews/a/320.webp')",
            "print(type(public).__name__, public.location, public.querystring_auth, url)",
            "print(type(private).__name__, private.location, private.querystring_auth, private.bucket_name)",
        ]
    )
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    env.update(
        OBJECT_STORAGE_BUCKET="dimsum-media",
        OBJECT_STORAGE_PRIVATE_BUCKET="dimsum-originals",
        OBJECT_STORAGE_PUBLIC_DOMAIN="cdn.dimsum.example",
        OBJECT_STORAGE_REGION="ap-east-1",
        OBJECT_STORAGE_ACCESS_KEY_ID="test",
        OBJECT_STORAGE_SECRET_ACCESS_KEY="test",
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    public, private = result.stdout.splitlines()
    assert public == "S3Storage public False https://cdn.dimsum.example/public/previews/a/320.webp"
    assert private == "S3Storage private True dimsum-originals"


@pytest.mark.slow
@pytest.mark.parametrize("retired", ["WEB_LOGIN_MAX_FAILURES", "WEB_LOGIN_LOCK_MINUTES"])
def test_a_retired_sign_in_lock_setting_stops_start_up_and_names_the_new_ones(retired):
    result = _check_settings(**{retired: "3"})
    assert result.returncode != 0
    assert f"{retired} is no longer read" in result.stderr and "LOGIN_MAX_FAILURES" in result.stderr


def _read_settings(*names: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Load the production settings in a fresh process with ``env`` and print the named values."""
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL"}}
    script = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'marketplace.settings'; django.setup(); "
        f"from django.conf import settings; [print(getattr(settings, name)) for name in {list(names)!r}]"
    )
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.slow
def test_hosts_named_in_debug_are_added_to_this_machines_own():
    # Naming a LAN address must not turn localhost away (a 400 for the address `make run` printed).
    result = _read_settings("ALLOWED_HOSTS", ALLOWED_HOSTS="192.168.1.20, dimsum.lan,localhost")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == str(
        ["localhost", "127.0.0.1", "[::1]", "testserver", "192.168.1.20", "dimsum.lan"]
    )
    assert _read_settings("ALLOWED_HOSTS").stdout.splitlines()[-1] == str(
        ["localhost", "127.0.0.1", "[::1]", "testserver"]
    )


@pytest.mark.slow
def test_production_serves_only_the_hosts_it_names():
    production = {
        "DEBUG": "0",
        "SECRET_KEY": "x" * 60,
        "STRIPE_SECRET_KEY": "sk_test_x",
        "STRIPE_WEBHOOK_SECRET": "whsec_x",
    }
    named = _read_settings("ALLOWED_HOSTS", ALLOWED_HOSTS="dimsum.example", **production)
    assert named.returncode == 0, named.stderr
    assert named.stdout.splitlines()[-1] == "['dimsum.example']"
    assert _read_settings("ALLOWED_HOSTS", **production).stdout.splitlines()[-1] == "[]"


@pytest.mark.slow
@pytest.mark.parametrize("value", ["1280,wide,320", "640;320", "1280,-5"])
def test_malformed_preview_widths_stop_start_up_naming_the_variable(value):
    result = _check_settings(PREVIEW_WIDTHS=value)
    assert result.returncode != 0
    assert "ImproperlyConfigured: PREVIEW_WIDTHS must" in result.stderr


@pytest.mark.slow
def test_preview_widths_are_read_as_integers():
    result = _read_settings("PREVIEW_WIDTHS", PREVIEW_WIDTHS=" 800, 400 ")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[800, 400]"


@pytest.mark.slow
def test_secrets_are_read_from_the_files_their_file_variables_name(tmp_path):
    (tmp_path / "secret_key").write_text("s" * 64 + "\n")
    (tmp_path / "stripe_key").write_text("sk_test_from_file\n")
    (tmp_path / "stripe_hook").write_text("whsec_from_file")
    result = _read_settings(
        "SECRET_KEY",
        "STRIPE_SECRET_KEY",
        "STRIPE_WEBHOOK_SECRET",
        "PAYMENTS_PROVIDER",
        DEBUG="0",
        SECRET_KEY_FILE=str(tmp_path / "secret_key"),
        STRIPE_SECRET_KEY_FILE=str(tmp_path / "stripe_key"),
        STRIPE_WEBHOOK_SECRET_FILE=str(tmp_path / "stripe_hook"),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-4:] == ["s" * 64, "sk_test_from_file", "whsec_from_file", "stripe"]


@pytest.mark.slow
def test_a_database_url_file_chooses_the_database(tmp_path):
    (tmp_path / "database_url").write_text(f"sqlite:///{tmp_path}/from-file.db\n")
    result = _read_settings("DATABASE_URL", DATABASE_URL_FILE=str(tmp_path / "database_url"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == f"sqlite:///{tmp_path}/from-file.db"


@pytest.mark.slow
def test_a_secret_set_both_directly_and_through_a_file_stops_start_up(tmp_path):
    (tmp_path / "key").write_text("sk_test_from_file")
    result = _check_settings(
        STRIPE_SECRET_KEY="sk_test_direct",
        STRIPE_SECRET_KEY_FILE=str(tmp_path / "key"),
        STRIPE_WEBHOOK_SECRET="whsec_x",
    )
    assert result.returncode != 0
    assert "Set STRIPE_SECRET_KEY or STRIPE_SECRET_KEY_FILE, not both." in result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("variable", ["SECRET_KEY_FILE", "OPENAI_API_KEY_FILE", "STABILITY_API_KEY_FILE"])
def test_an_unreadable_secret_file_stops_start_up_naming_the_variable(tmp_path, variable):
    result = _check_settings(**{variable: str(tmp_path / "missing")})
    assert result.returncode != 0
    assert f"{variable}='{tmp_path / 'missing'}' cannot be read" in result.stderr


@pytest.mark.slow
def test_an_empty_secret_file_stops_start_up_naming_the_variable(tmp_path):
    (tmp_path / "empty").write_text("\n")
    result = _check_settings(
        OBJECT_STORAGE_BUCKET="media", OBJECT_STORAGE_SECRET_ACCESS_KEY_FILE=str(tmp_path / "empty")
    )
    assert result.returncode != 0
    expected = f"OBJECT_STORAGE_SECRET_ACCESS_KEY_FILE='{tmp_path / 'empty'}' names an empty file"
    assert expected in result.stderr


@pytest.mark.slow
def test_production_settings_are_the_same_in_a_process_that_imported_pytest():
    # A management command or shell that happens to import pytest is still production.
    script = (
        "import pytest, django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'marketplace.settings'; "
        "django.setup(); from django.conf import settings; from django.contrib.auth.hashers import "
        "get_hasher; print(get_hasher().algorithm, settings.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES'], "
        "settings.MEDIA_ROOT == settings.BASE_DIR / 'var' / 'media', settings.CELERY_TASK_ALWAYS_EAGER)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "MEDIA_", "REDIS_"))}
    env.update(CELERY_BROKER_URL="redis://127.0.0.1:1/0")
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "pbkdf2_sha256",
        "{'auth':",
        "'10/min',",
        "'register':",
        "'5/hour',",
        "'register_attempt':",
        "'30/hour'}",
        "True",
        "False",
    ]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("AUTH_THROTTLE_RATE", "ten/min"),
        ("REGISTER_THROTTLE_RATE", "5"),
        ("REGISTER_ATTEMPT_THROTTLE_RATE", "30"),
    ],
)
def test_a_malformed_throttle_rate_stops_start_up_instead_of_failing_each_request(variable, value):
    result = _check_settings(**{variable: value})
    assert result.returncode != 0
    assert f"ImproperlyConfigured: {variable} must be a count per period like 10/min" in result.stderr


@pytest.mark.slow
def test_an_unknown_log_level_stops_start_up_naming_the_variable():
    result = _check_settings(LOG_LEVEL="verbose")
    assert result.returncode != 0
    assert "ImproperlyConfigured: LOG_LEVEL must be one of" in result.stderr
    assert _read_settings("LOG_LEVEL", LOG_LEVEL="warning").stdout.splitlines()[-1] == "WARNING"


@pytest.mark.slow
def test_stripe_identity_without_the_stripe_payments_provider_refuses_to_start():
    result = _check_settings(VERIFICATION_STRIPE_IDENTITY="1")
    assert result.returncode != 0
    assert "ImproperlyConfigured: VERIFICATION_STRIPE_IDENTITY=1 needs the Stripe payments provider" in (
        result.stderr
    )
    started = _read_settings(
        "VERIFICATION_STRIPE_IDENTITY",
        VERIFICATION_STRIPE_IDENTITY="1",
        STRIPE_SECRET_KEY="sk_test_x",
        STRIPE_WEBHOOK_SECRET="whsec_x",
    )
    assert started.returncode == 0, started.stderr
    assert started.stdout.splitlines()[-1] == "True"
