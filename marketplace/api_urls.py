from __future__ import annotations

from django.urls import path, register_converter

from marketplace.accounts import api as accounts_api
from marketplace.core.converters import PublicIdConverter
from payments import api as payments_api
from prompts import api as prompts_api

register_converter(PublicIdConverter, "pubid")

urlpatterns = [
    path("auth/register/", accounts_api.RegisterApi.as_view(), name="auth-register"),
    path("auth/token/", accounts_api.TokenApi.as_view(), name="auth-token"),
    path("me/", accounts_api.MeApi.as_view(), name="me"),
    path("listings/", prompts_api.CatalogListApi.as_view(), name="catalog-list"),
    path("listings/<pubid:public_id>/", prompts_api.CatalogDetailApi.as_view(), name="catalog-detail"),
    path("listings/<pubid:public_id>/prompt/", prompts_api.PromptApi.as_view(), name="listing-prompt"),
    path("listings/<pubid:public_id>/checkout/", payments_api.CheckoutApi.as_view(), name="listing-checkout"),
    path("orders/<pubid:public_id>/", payments_api.OrderApi.as_view(), name="order"),
    path("me/library/", payments_api.LibraryApi.as_view(), name="library"),
    path("seller/sales/", payments_api.SellerSalesApi.as_view(), name="seller-sales"),
    path(
        "seller/orders/<pubid:public_id>/refund/",
        payments_api.SellerRefundApi.as_view(),
        name="seller-refund",
    ),
    path("seller/payouts/", payments_api.SellerPayoutsApi.as_view(), name="seller-payouts"),
    path("seller/payouts/onboarding/", payments_api.SellerOnboardingApi.as_view(), name="seller-onboarding"),
    path("seller/listings/", prompts_api.SellerListingListApi.as_view(), name="seller-listings"),
    path(
        "seller/listings/<pubid:public_id>/",
        prompts_api.SellerListingDetailApi.as_view(),
        name="seller-listing",
    ),
    path(
        "seller/listings/<pubid:public_id>/images/",
        prompts_api.SellerListingImagesApi.as_view(),
        name="seller-listing-images",
    ),
    path(
        "seller/listings/<pubid:public_id>/images/<pubid:image_id>/",
        prompts_api.SellerListingImageDetailApi.as_view(),
        name="seller-listing-image",
    ),
    path(
        "seller/listings/<pubid:public_id>/submit/",
        prompts_api.SellerListingSubmitApi.as_view(),
        name="seller-listing-submit",
    ),
    path(
        "seller/listings/<pubid:public_id>/archive/",
        prompts_api.SellerListingArchiveApi.as_view(),
        name="seller-listing-archive",
    ),
]
