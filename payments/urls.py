from __future__ import annotations

from django.urls import path

from payments import views

urlpatterns = [
    path("sandbox/checkout/<str:session_id>/", views.sandbox_checkout, name="sandbox-checkout"),
    path("return/<pubid:public_id>/", views.checkout_return, name="checkout-return"),
    path("onboarding/<str:step>/", views.onboarding_page, name="onboarding"),
]
