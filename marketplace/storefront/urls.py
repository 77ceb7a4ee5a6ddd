"""The website's URLs, under the `web` namespace (the API has its own names under /api/v1/)."""

from __future__ import annotations

from django.urls import path

from marketplace.storefront.views import (
    account_deletion,
    accounts,
    bundles,
    catalog,
    dashboard,
    notifications,
    orders,
    payouts,
    purchases,
    sales,
    seo,
    trials,
    tutoring,
    verification,
)
from marketplace.storefront.views.studio import bundles as studio_bundles
from marketplace.storefront.views.studio import editor as studio
from marketplace.storefront.views.studio import images as studio_images
from marketplace.storefront.views.studio import lifecycle as studio_lifecycle
from marketplace.storefront.views.studio import pricing as studio_pricing

app_name = "web"

urlpatterns = [
    path("", catalog.home, name="home"),
    path("browse/", catalog.browse, name="browse"),
    path("listings/<pubid:public_id>/", catalog.listing_page, name="listing-page"),
    path("sellers/<str:handle>/", catalog.seller_page, name="seller-page"),
    path("bundles/<pubid:public_id>/", bundles.bundle_page, name="bundle-page"),
    path("bundles/<pubid:public_id>/buy/", bundles.bundle_buy, name="bundle-buy"),
    path("robots.txt", seo.robots_txt, name="robots"),
    path("favicon.ico", seo.favicon, name="favicon"),
    path("sitemap.xml", seo.sitemap_index, name="sitemap"),
    path("sitemap-<slug:section>.xml", seo.sitemap_section, name="sitemap-section"),
    # Buying, and what a buyer does with what they bought.
    path("listings/<pubid:public_id>/buy/", purchases.buy, name="buy"),
    path("listings/<pubid:public_id>/checkout/", purchases.checkout_page, name="checkout"),
    path("listings/<pubid:public_id>/favourite/", purchases.favourite, name="favourite"),
    path("listings/<pubid:public_id>/review/", purchases.review, name="review"),
    path("listings/<pubid:public_id>/report/", purchases.report, name="report"),
    path("listings/<pubid:public_id>/trials/", trials.trial_create, name="trial-create"),
    path("listings/<pubid:public_id>/trials/status/", trials.trial_status, name="trial-status"),
    path("listings/<pubid:public_id>/trials/<pubid:trial_id>/image/", trials.trial_image, name="trial-image"),
    path("complaints/", purchases.complaints_info, name="complaints-info"),
    path("orders/<pubid:public_id>/status/", purchases.order_status, name="order-status"),
    path("orders/", orders.order_history, name="orders"),
    path("orders/<pubid:public_id>/receipt/", orders.receipt, name="receipt"),
    path("library/", purchases.library, name="library"),
    path("favourites/", purchases.favourites, name="favourites"),
    # Accounts.
    path("language/", accounts.set_language, name="set-language"),
    path("accounts/signup/", accounts.signup, name="signup"),
    path("accounts/login/", accounts.login, name="login"),
    path("accounts/logout/", accounts.logout, name="logout"),
    path("accounts/password-reset/", accounts.password_reset, name="password-reset"),
    path("accounts/password-reset/sent/", accounts.password_reset_sent, name="password-reset-sent"),
    path("accounts/reset/<uidb64>/<token>/", accounts.password_reset_confirm, name="password-reset-confirm"),
    path("accounts/reset/done/", accounts.password_reset_complete, name="password-reset-complete"),
    path("account/", accounts.account, name="account"),
    path("account/verification/", verification.verification_page, name="verification"),
    path("account/verification/phone/", verification.phone_send, name="verification-phone"),
    path(
        "account/verification/phone/confirm/", verification.phone_confirm, name="verification-phone-confirm"
    ),
    path("account/verification/identity/", verification.identity, name="verification-identity"),
    path("account/verification/business/", verification.business_licence, name="verification-business"),
    path("account/verification/document/", verification.document, name="verification-document"),
    path("account/tokens/", accounts.token_create, name="token-create"),
    path("account/delete/", account_deletion.account_delete_page, name="account-delete"),
    path("account/notifications/", notifications.preferences, name="notification-preferences"),
    path("unsubscribe/<str:token>/", notifications.unsubscribe, name="notifications-unsubscribe"),
    path("account/tokens/<int:token_id>/revoke/", accounts.token_revoke, name="token-revoke"),
    # Selling.
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard/payouts/", dashboard.payouts_onboarding, name="payouts-onboarding"),
    path("dashboard/payouts/details/", payouts.payout_details, name="payout-details"),
    path("dashboard/payouts/statements/", payouts.payout_statements, name="payout-statements"),
    path("dashboard/status/", dashboard.dashboard_status, name="dashboard-status"),
    path("dashboard/sales/", sales.sales, name="sales"),
    path("dashboard/sales/export.csv", sales.sales_csv, name="sales-csv"),
    path("dashboard/sales/<pubid:public_id>/refund/", sales.refund, name="sale-refund"),
    # The seller studio: the listing editor (the seller listings API, on the website).
    path("dashboard/listings/new/", studio.listing_new, name="studio-new"),
    path("dashboard/codes/", studio_pricing.codes, name="codes"),
    path("dashboard/bundles/", studio_bundles.bundles, name="studio-bundles"),
    path("dashboard/bundles/<pubid:public_id>/", studio_bundles.bundle_edit, name="studio-bundle"),
    path("dashboard/listings/<pubid:public_id>/licences/", studio_pricing.licences, name="studio-licences"),
    path("dashboard/listings/<pubid:public_id>/edit/", studio.listing_edit, name="studio-edit"),
    path("dashboard/listings/<pubid:public_id>/status/", studio.listing_status, name="studio-status"),
    path(
        "dashboard/listings/<pubid:public_id>/preview/",
        studio_lifecycle.listing_preview,
        name="studio-preview",
    ),
    path(
        "dashboard/listings/<pubid:public_id>/submit/", studio_lifecycle.listing_submit, name="studio-submit"
    ),
    path(
        "dashboard/listings/<pubid:public_id>/archive/",
        studio_lifecycle.listing_archive,
        name="studio-archive",
    ),
    path(
        "dashboard/listings/<pubid:public_id>/restore/",
        studio_lifecycle.listing_restore,
        name="studio-restore",
    ),
    path(
        "dashboard/listings/<pubid:public_id>/delete/", studio_lifecycle.listing_delete, name="studio-delete"
    ),
    path("dashboard/listings/<pubid:public_id>/images/", studio_images.images_upload, name="studio-images"),
    path(
        "dashboard/listings/<pubid:public_id>/images/<pubid:image_id>/move/",
        studio_images.image_move,
        name="studio-image-move",
    ),
    path(
        "dashboard/listings/<pubid:public_id>/images/<pubid:image_id>/delete/",
        studio_images.image_delete,
        name="studio-image-delete",
    ),
    path("dashboard/tutoring/", tutoring.tutor_offers, name="tutor-offers"),
    path("dashboard/tutoring/new/", tutoring.tutor_offer_new, name="tutor-offer-new"),
    path("dashboard/tutoring/<pubid:public_id>/edit/", tutoring.tutor_offer_edit, name="tutor-offer-edit"),
    path("dashboard/tutoring/<pubid:public_id>/hours/", tutoring.tutor_offer_hours, name="tutor-offer-hours"),
    # Tutoring.
    path("tutoring/", tutoring.offers, name="tutoring"),
    path("tutoring/<pubid:public_id>/", tutoring.offer_page, name="tutoring-offer"),
    path("tutoring/<pubid:public_id>/book/", tutoring.book, name="tutoring-book"),
    path("bookings/", tutoring.my_bookings, name="my-bookings"),
    path("bookings/<pubid:public_id>/cancel/", tutoring.booking_cancel, name="booking-cancel"),
    path("bookings/<pubid:public_id>/reschedule/", tutoring.booking_reschedule, name="booking-reschedule"),
    path("bookings/<pubid:public_id>/invite.ics", tutoring.booking_ics, name="booking-ics"),
    path("bookings/<pubid:public_id>/review/", tutoring.booking_review, name="booking-review"),
]
