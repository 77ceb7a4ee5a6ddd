from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from marketplace.core import converters  # noqa: F401 - registers the "pubid" path converter
from marketplace.core import views as core_views
from payments import views as payments_views

urlpatterns = [
    # First: Stripe's deliveries are the busiest route, and URLs resolve in order.
    path("webhooks/stripe/", payments_views.stripe_webhook, name="stripe-webhook"),
    path("", include("marketplace.storefront.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path(settings.ADMIN_URL, admin.site.urls),
    path("api/v1/", include("marketplace.api.urls")),
    path("payments/", include("payments.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "api/docs/",
        # Our template: drf-spectacular's own carries an inline <style> the site's CSP refuses.
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="storefront/api_docs.html"),
        name="api-docs",
    ),
]

if settings.SERVE_MEDIA:
    # Only public previews live under MEDIA_ROOT; originals are in PRIVATE_MEDIA_ROOT, never routed.
    urlpatterns += [
        re_path(r"^media/(?P<path>previews/.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    ]

handler400 = "marketplace.core.errors.handler400"
handler403 = "marketplace.core.errors.handler403"
handler404 = "marketplace.core.errors.handler404"
handler500 = "marketplace.core.middleware.server_error"  # a database outage is a 503
