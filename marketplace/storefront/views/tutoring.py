"""Website: tutoring offers, the slot picker in the visitor's time zone, booking, and my bookings.

Slots come from the selector the slots API uses and are shown in the visitor's zone (the `tz`
cookie, see middleware.py); each start is posted back with its UTC offset, so the instant booked
is the instant shown whatever zone the page was rendered in.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import orjson
from babel.dates import format_skeleton, format_time, get_timezone_name
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Avg, Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marketplace.accounts.models import User
from marketplace.core.errors import ApplicationError, NotFound
from marketplace.storefront import formatting
from marketplace.storefront.views.bookings import booking_rows
from marketplace.tutoring import ics, selectors
from marketplace.tutoring.api import parse_start
from marketplace.tutoring.models import REVIEW_TEXT_MAX, Booking, BookingStatus, TutoringOffer
from payments import services as payment_services
from payments.models import Order, OrderStatus
from payments.selectors import library_for
from payments.services.bookings import booking_review as payment_booking_review
from prompts.models import Listing

from django.views.decorators.http import require_GET, require_POST  # noqa: I001
