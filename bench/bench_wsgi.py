"""WSGI entry point for benchmarks: marketplace.wsgi with bench/bench_urls.py as the URLconf.

Everything else (settings, middleware, database) is the product's, read from the environment.
Run from the repository root: ``gunicorn bench.bench_wsgi:application``.
"""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")

from django.conf import settings
from django.core.wsgi import get_wsgi_application

# Loads marketplace.settings, then swaps only the URLconf.
settings.ROOT_URLCONF = "bench.bench_urls"
application = get_wsgi_application()
