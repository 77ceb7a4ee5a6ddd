from __future__ import annotations

from django.urls import path

from marketplace.api import (
    accounts,
    bookings,
    bundles,
    catalog,
    codes,
    discovery,
    manual_payouts,
    orders,
    payouts,
    seller_listings,
    trials,
    tutoring,
    verification,
)
from marketplace.core import converters  # noqa: F401 - registers the "pubid" path converter

urlpatterns = [
    path("auth/register/", accounts.RegisterApi.as_view(), name="auth-register"),
    path("auth/token/", accounts.TokenApi.as_view(), name="auth-token"),
    path("me/", accounts.MeApi.as_view(), name="me"),
    path("me/delete/", accounts.AccountDeleteApi.as_view(), name="me-delete"),
    path("me/verification/", verification.VerificationApi.as_view(), name="verification"),
    path("me/verification/phone/", verification.PhoneCodeApi.as_view(), name="verification-phone"),
    path(
        "me/verification/phone/confirm/",
        verification.PhoneConfirmApi.as_view(),
        name="verification-phone-confirm",
    ),
    path("me/verification/identity/", verification.IdentityApi.as_view(), name="verification-identity"),
    path("me/verification/business/", verification.BusinessApi.as_view(), name="verification-business"),
    path(
        "me/verification/document/", verification.DocumentSessionApi.as_view(), name="verification-document"
    ),
    path("listings/", catalog.CatalogListApi.as_view(), name="catalog-list"),
    path("search/suggest/", catalog.SuggestApi.as_view(), name="search-suggest"),
    path("listings/<pubid:public_id>/", catalog.CatalogDetailApi.as_view(), name="catalog-detail"),
    path("listings/<pubid:public_id>/prompt/", catalog.PromptApi.as_view(), name="listing-prompt"),
    path("listings/<pubid:public_id>/checkout/", orders.CheckoutApi.as_view(), name="listing-checkout"),
    path("listings/<pubid:public_id>/trials/", trials.TrialsApi.as_view(), name="listing-trials"),
    path(
        "listings/<pubid:public_id>/trials/<pubid:trial_id>/image/",
        trials.TrialImageApi.as_view(),
        name="listing-trial-image",
    ),
    path("listings/<pubid:public_id>/quote/", codes.QuoteApi.as_view(), name="listing-quote"),
    path(
        "listings/<pubid:public_id>/related/",
        discovery.RelatedListingsApi.as_view(),
        name="listing-related",
    ),
    path(
        "listings/<pubid:public_id>/reviews/",
        discovery.ListingReviewsApi.as_view(),
        name="listing-reviews",
    ),
    path(
        "listings/<pubid:public_id>/reviews/<pubid:review_id>/reply/",
        discovery.ReviewReplyApi.as_view(),
        name="listing-review-reply",
    ),
    path("trending/", discovery.TrendingApi.as_view(), name="trending"),
    path("sellers/<str:handle>/", discovery.SellerProfileApi.as_view(), name="seller-profile"),
    path("orders/<pubid:public_id>/", orders.OrderApi.as_view(), name="order"),
    path("me/library/", orders.LibraryApi.as_view(), name="library"),
    path("me/favourites/", discovery.FavouritesApi.as_view(), name="favourites"),
    path(
        "me/favourites/<pubid:listing_id>/",
        discovery.FavouriteDetailApi.as_view(),
        name="favourite",
    ),
    path("seller/sales/", payouts.SellerSalesApi.as_view(), name="seller-sales"),
    path(
        "seller/orders/<pubid:public_id>/refund/",
        payouts.SellerRefundApi.as_view(),
        name="seller-refund",
    ),
    path("seller/payouts/", payouts.SellerPayoutsApi.as_view(), name="seller-payouts"),
    path("seller/bundles/", bundles.SellerBundleListApi.as_view(), name="seller-bundles"),
    path("seller/bundles/<pubid:public_id>/", bundles.SellerBundleDetailApi.as_view(), name="seller-bundle"),
    path(
        "seller/bundles/<pubid:public_id>/publish/",
        bundles.SellerBundlePublishApi.as_view(),
        name="seller-bundle-publish",
    ),
    path(
        "seller/bundles/<pubid:public_id>/archive/",
        bundles.SellerBundleArchiveApi.as_view(),
        name="seller-bundle-archive",
    ),
    path("bundles/", bundles.BundleListApi.as_view(), name="bundles"),
    path("bundles/<pubid:public_id>/", bundles.BundleDetailApi.as_view(), name="bundle"),
    path("bundles/<pubid:public_id>/quote/", bundles.BundleQuoteApi.as_view(), name="bundle-quote"),
    path("bundles/<pubid:public_id>/checkout/", bundles.BundleCheckoutApi.as_view(), name="bundle-checkout"),
    path("seller/codes/", codes.SellerCodeListApi.as_view(), name="seller-codes"),
    path("seller/codes/<str:code>/", codes.SellerCodeDetailApi.as_view(), name="seller-code"),
    path(
        "seller/listings/<pubid:public_id>/licences/",
        codes.SellerListingLicencesApi.as_view(),
        name="seller-listing-licences",
    ),
    path("seller/payouts/onboarding/", payouts.SellerOnboardingApi.as_view(), name="seller-onboarding"),
    path(
        "seller/payout-details/",
        manual_payouts.SellerPayoutDetailsApi.as_view(),
        name="seller-payout-details",
    ),
    path("seller/statements/", manual_payouts.SellerStatementsApi.as_view(), name="seller-statements"),
    path("tutoring/offers/<pubid:public_id>/", tutoring.OfferDetailApi.as_view(), name="tutoring-offer"),
    path(
        "tutoring/offers/<pubid:public_id>/slots/",
        tutoring.OfferSlotsApi.as_view(),
        name="tutoring-offer-slots",
    ),
    path(
        "tutoring/offers/<pubid:public_id>/bookings/",
        bookings.BookingCreateApi.as_view(),
        name="tutoring-offer-bookings",
    ),
    path(
        "tutoring/bookings/<pubid:public_id>/cancel/",
        bookings.BookingCancelApi.as_view(),
        name="tutoring-booking-cancel",
    ),
    path(
        "tutoring/bookings/<pubid:public_id>/reschedule/",
        bookings.BookingRescheduleApi.as_view(),
        name="tutoring-booking-reschedule",
    ),
    path("me/bookings/", bookings.MyBookingsApi.as_view(), name="my-bookings"),
    path(
        "me/bookings/<pubid:public_id>/ics/",
        bookings.MyBookingInviteApi.as_view(),
        name="my-booking-ics",
    ),
    path(
        "me/bookings/<pubid:public_id>/review/",
        bookings.BookingReviewApi.as_view(),
        name="my-booking-review",
    ),
    path("seller/bookings/", bookings.SellerBookingsApi.as_view(), name="seller-bookings"),
    path(
        "seller/bookings/<pubid:public_id>/ics/",
        bookings.SellerBookingInviteApi.as_view(),
        name="seller-booking-ics",
    ),
    path(
        "tutoring/offers/<pubid:public_id>/reviews/",
        tutoring.OfferReviewsApi.as_view(),
        name="tutoring-offer-reviews",
    ),
    path("seller/tutoring/offers/", tutoring.SellerOfferListApi.as_view(), name="seller-tutoring-offers"),
    path(
        "seller/tutoring/offers/<pubid:public_id>/",
        tutoring.SellerOfferDetailApi.as_view(),
        name="seller-tutoring-offer",
    ),
    path(
        "seller/tutoring/offers/<pubid:public_id>/availability/",
        tutoring.SellerOfferAvailabilityApi.as_view(),
        name="seller-tutoring-availability",
    ),
    path("seller/listings/", seller_listings.SellerListingListApi.as_view(), name="seller-listings"),
    path(
        "seller/listings/<pubid:public_id>/",
        seller_listings.SellerListingDetailApi.as_view(),
        name="seller-listing",
    ),
    path(
        "seller/listings/<pubid:public_id>/images/",
        seller_listings.SellerListingImagesApi.as_view(),
        name="seller-listing-images",
    ),
    path(
        "seller/listings/<pubid:public_id>/images/<pubid:image_id>/",
        seller_listings.SellerListingImageDetailApi.as_view(),
        name="seller-listing-image",
    ),
    path(
        "seller/listings/<pubid:public_id>/submit/",
        seller_listings.SellerListingSubmitApi.as_view(),
        name="seller-listing-submit",
    ),
    path(
        "seller/listings/<pubid:public_id>/archive/",
        seller_listings.SellerListingArchiveApi.as_view(),
        name="seller-listing-archive",
    ),
    path(
        "seller/listings/<pubid:public_id>/restore/",
        seller_listings.SellerListingRestoreApi.as_view(),
        name="seller-listing-restore",
    ),
]
