"""Test settings: production's settings file plus the choices that only make sense under pytest.

Subprocesses that check how the product starts load marketplace.settings themselves.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from marketplace.core.env import env_bool, env_rate, env_str
from marketplace.settings import *  # noqa: F403
from marketplace.settings import OBJECT_STORAGE_BUCKET, REST_FRAMEWORK, STORAGES

# A fast hash: hundreds of test users are created and signed in.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tasks run in the test's process, except in tests that start a real worker.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", True)

# Sign-in and registration throttles stay out of the way of tests that are not about them.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {
        "auth": env_rate("AUTH_THROTTLE_RATE", "1000/min"),
        "register": env_rate("REGISTER_THROTTLE_RATE", "1000/min"),
        "register_attempt": env_rate("REGISTER_ATTEMPT_THROTTLE_RATE", "1000/min"),
    },
}

# Files written by a test run go to a fresh directory, never to the checkout's var/.
_VAR = Path(tempfile.mkdtemp(prefix="dimsum-test-"))
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(_VAR / "media")))
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(_VAR / "private")))
STATIC_ROOT = _VAR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    **STORAGES,
    # No manifest: tests render pages without running collectstatic first.
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if not OBJECT_STORAGE_BUCKET:
    STORAGES["private"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    }
