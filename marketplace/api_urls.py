from __future__ import annotations

from django.urls import path

from marketplace.accounts import api as accounts_api
from marketplace.core import converters  # noqa: F401 - registers the "pubid" path converter
from marketplace.tutoring import api as tutoring_api
from payments import api as payments_api
from payments import booking_api
from prompts import api as prompts_api
from prompts import discovery_api

urlpatterns = [
    path("auth/register/", accounts_api.RegisterApi.as_view(), name="auth-register"),
    path("auth/token/", accounts_api.TokenApi.as_view(), name="auth-token"),
    path("me/", accounts_api.MeApi.as_view(), name="me"),
    path("listings/", prompts_api.CatalogListApi.as_view(), name="catalog-list"),
    path("search/suggest/", prompts_api.SuggestApi.as_view(), name="search-suggest"),
    path("listings/<pubid:public_id>/", prompts_api.CatalogDetailApi.as_view(), name="catalog-detail"),
    path("listings/<pubid:public_id>/prompt/", prompts_api.PromptApi.as_view(), name="listing-prompt"),
    path("listings/<pubid:public_id>/checkout/", payments_api.CheckoutApi.as_view(), name="listing-checkout"),
    path(
        "listings/<pubid:public_id>/related/",
        discovery_api.RelatedListingsApi.as_view(),
        name="listing-related",
    ),
    path(
        "listings/<pubid:public_id>/reviews/",
        discovery_api.ListingReviewsApi.as_view(),
        name="listing-reviews",
    ),
    path(
        "listings/<pubid:public_id>/reviews/<pubid:review_id>/reply/",
        discovery_api.ReviewReplyApi.as_view(),
        name="listing-review-reply",
    ),
    path("trending/", discovery_api.TrendingApi.as_view(), name="trending"),
    path("sellers/<str:handle>/", discovery_api.SellerProfileApi.as_view(), name="seller-profile"),
    path("orders/<pubid:public_id>/", payments_api.OrderApi.as_view(), name="order"),
    path("me/library/", payments_api.LibraryApi.as_view(), name="library"),
    path("me/favourites/", discovery_api.FavouritesApi.as_view(), name="favourites"),
    path(
        "me/favourites/<pubid:listing_id>/",
        discovery_api.FavouriteDetailApi.as_view(),
        name="favourite",
    ),
    path("seller/sales/", payments_api.SellerSalesApi.as_view(), name="seller-sales"),
    path(
        "seller/orders/<pubid:public_id>/refund/",
        payments_api.SellerRefundApi.as_view(),
        name="seller-refund",
    ),
    path("seller/payouts/", payments_api.SellerPayoutsApi.as_view(), name="seller-payouts"),
    path("seller/payouts/onboarding/", payments_api.SellerOnboardingApi.as_view(), name="seller-onboarding"),
    path("tutoring/offers/<pubid:public_id>/", tutoring_api.OfferDetailApi.as_view(), name="tutoring-offer"),
    path(
        "tutoring/offers/<pubid:public_id>/slots/",
        tutoring_api.OfferSlotsApi.as_view(),
        name="tutoring-offer-slots",
    ),
    path(
        "tutoring/offers/<pubid:public_id>/bookings/",
        booking_api.BookingCreateApi.as_view(),
        name="tutoring-offer-bookings",
    ),
    path(
        "tutoring/bookings/<pubid:public_id>/cancel/",
        booking_api.BookingCancelApi.as_view(),
        name="tutoring-booking-cancel",
    ),
    path(
        "tutoring/bookings/<pubid:public_id>/reschedule/",
        tutoring_api.BookingRescheduleApi.as_view(),
        name="tutoring-booking-reschedule",
    ),
    path("me/bookings/", tutoring_api.MyBookingsApi.as_view(), name="my-bookings"),
    path(
        "me/bookings/<pubid:public_id>/ics/",
        tutoring_api.MyBookingInviteApi.as_view(),
        name="my-booking-ics",
    ),
    path(
        "me/bookings/<pubid:public_id>/review/",
        booking_api.BookingReviewApi.as_view(),
        name="my-booking-review",
    ),
    path("seller/bookings/", booking_api.SellerBookingsApi.as_view(), name="seller-bookings"),
    path(
        "seller/bookings/<pubid:public_id>/ics/",
        tutoring_api.SellerBookingInviteApi.as_view(),
        name="seller-booking-ics",
    ),
    path(
        "tutoring/offers/<pubid:public_id>/reviews/",
        tutoring_api.OfferReviewsApi.as_view(),
        name="tutoring-offer-reviews",
    ),
    path("seller/tutoring/offers/", tutoring_api.SellerOfferListApi.as_view(), name="seller-tutoring-offers"),
    path(
        "seller/tutoring/offers/<pubid:public_id>/",
        tutoring_api.SellerOfferDetailApi.as_view(),
        name="seller-tutoring-offer",
    ),
    path(
        "seller/tutoring/offers/<pubid:public_id>/availability/",
        tutoring_api.SellerOfferAvailabilityApi.as_view(),
        name="seller-tutoring-availability",
    ),
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
