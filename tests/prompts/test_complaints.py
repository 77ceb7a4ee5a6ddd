"""Complaints with a deadline: the published procedure, the reporter's receipt, the overdue queue,
the operator's weekly summary, and an upheld complaint taking the listing off sale."""

from __future__ import annotations

import importlib
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from marketplace.settings import compliance
from prompts import notices
from prompts.models import Complaint, ListingEvent, ListingStatus
from prompts.moderation import complaints
from prompts.moderation.complaint_summary import complaint_summary_send
from tests.factories import UserFactory, make_listing
from tests.notifications.helpers import SECRET, sent, the_one

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(seller):
    return make_listing(seller, publish=True, title="Neon koi", prompt_text=f"{SECRET} [x]")


def _file(listing, *, age: timedelta = timedelta(0), reason: str = "copyright", email: str = "r@example.com"):
    complaint = complaints.complaint_file(listing=listing, reporter=None, reason=reason, contact_email=email)
    Complaint.objects.filter(pk=complaint.pk).update(created_at=timezone.now() - age)
    complaint.refresh_from_db()
    return complaint


# --- the deadline ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "hours"),
    [
        ({"COMPLIANCE_PROFILE": "cn"}, 48),
        ({"COMPLIANCE_PROFILE": "global"}, 72),
        ({"COMPLIANCE_PROFILE": "cn", "COMPLAINT_RESPONSE_HOURS": "24"}, 24),
    ],
)
def test_the_response_time_limit_follows_the_profile_unless_set(monkeypatch, environ, hours):
    monkeypatch.delenv("COMPLAINT_RESPONSE_HOURS", raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    try:
        reloaded = importlib.reload(compliance)
        assert reloaded.COMPLAINT_RESPONSE_HOURS == hours  # noqa: SIM300 (a setting, not a constant)
    finally:
        monkeypatch.undo()
        importlib.reload(compliance)


def test_a_complaint_is_overdue_once_its_hours_have_passed(settings, published):
    settings.COMPLAINT_RESPONSE_HOURS = 48
    complaint = _file(published)
    created = complaint.created_at
    assert complaints.complaint_due_at(complaint) == created + timedelta(hours=48)
    assert not complaints.complaint_overdue(complaint, now=created + timedelta(hours=47, minutes=59))
    assert complaints.complaint_overdue(complaint, now=created + timedelta(hours=48, seconds=1))
    settings.COMPLAINT_RESPONSE_HOURS = 72
    assert not complaints.complaint_overdue(complaint, now=created + timedelta(hours=71))
    assert list(complaints.complaints_overdue(now=created + timedelta(hours=73))) == [complaint]


# --- staff's queue -----------------------------------------------------------------------------------


@pytest.fixture
def admin_client(db):
    root = UserFactory(handle="root-user", email="root@example.com", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(root)
    return client


def _ids_in(html: str, complaints_: list[Complaint]) -> list[str]:
    positions = {c.public_id: html.find(c.public_id) for c in complaints_}
    assert all(p >= 0 for p in positions.values()), positions
    return sorted(positions, key=positions.__getitem__)


def test_the_admin_queue_shows_overdue_complaints_first_with_the_time_left(
    settings, published, staff, admin_client
):
    settings.COMPLAINT_RESPONSE_HOURS = 48
    fresh = _file(published, age=timedelta(hours=2))
    late = _file(published, age=timedelta(hours=60))
    decided = _file(published, age=timedelta(hours=100))
    complaints.complaint_resolve(complaint=decided, by=staff, upheld=False, resolution="Fine.")

    page = admin_client.get("/admin/prompts/complaint/").content.decode()
    assert _ids_in(page, [fresh, late, decided]) == [late.public_id, fresh.public_id, decided.public_id]
    assert "Overdue by 12 hours" in page
    assert re.search(r"4[56] hours left", page)

    overdue_only = admin_client.get("/admin/prompts/complaint/?overdue=yes").content.decode()
    assert late.public_id in overdue_only
    assert fresh.public_id not in overdue_only and decided.public_id not in overdue_only


# --- the reporter's receipt --------------------------------------------------------------------------


def test_the_reporter_sees_the_receipt_number_and_gets_it_by_email_once(
    settings, published, django_capture_on_commit_callbacks
):
    settings.COMPLAINT_RESPONSE_HOURS = 72
    visitor = Client(HTTP_ACCEPT_LANGUAGE="en")
    form = visitor.get(f"/listings/{published.public_id}/report/").content.decode()
    assert "/complaints/#procedure" in form and "72 hours" in form
    with django_capture_on_commit_callbacks(execute=True):
        page = visitor.post(
            f"/listings/{published.public_id}/report/",
            {"reason": "copyright", "note": "Copied from my site.", "contact_email": "me@example.com"},
            follow=True,
        ).content.decode()
    complaint = Complaint.objects.get(listing=published)
    assert f"Your report number is {complaint.public_id}" in page
    assert "72 hours" in page

    with django_capture_on_commit_callbacks(execute=True):
        notices.notify_complaint_received(complaint)  # the same receipt claimed again: no second email
    message = the_one("complaint_received", to="me@example.com", chinese=False)
    assert complaint.public_id in message.subject and complaint.public_id in message.body
    assert "72 hours" in message.body
    assert "List-Unsubscribe" not in message.extra_headers  # essential


def test_a_signed_in_reporter_gets_the_receipt_at_their_account_in_their_language(
    settings, published, django_capture_on_commit_callbacks
):
    settings.COMPLAINT_RESPONSE_HOURS = 48
    reporter = UserFactory(handle="reporter", email="reporter@example.com", language="zh-hans")
    with django_capture_on_commit_callbacks(execute=True):
        complaint = complaints.complaint_file(listing=published, reporter=reporter, reason="personal")
    message = the_one("complaint_received", to="reporter@example.com")
    assert complaint.public_id in message.subject
    assert "48 小时" in message.body


def test_a_signed_in_reporter_is_not_asked_for_an_email(published, django_capture_on_commit_callbacks):
    reporter = UserFactory(handle="reporter", email="reporter@example.com")
    visitor = Client(HTTP_ACCEPT_LANGUAGE="en")
    visitor.force_login(reporter)
    form = visitor.get(f"/listings/{published.public_id}/report/").content.decode()
    assert "Your email (optional)" not in form and 'name="contact_email"' not in form
    assert "We send the receipt and our decision to reporter@example.com." in form

    with django_capture_on_commit_callbacks(execute=True):
        page = visitor.post(
            f"/listings/{published.public_id}/report/",
            {"reason": "copyright", "contact_email": "someone-else@example.com"},
            follow=True,
        ).content.decode()
    complaint = Complaint.objects.get(listing=published)
    assert complaint.contact_email == "reporter@example.com"
    assert "the receipt and the decision go to reporter@example.com" in page
    assert "if you left an email address" not in page
    the_one("complaint_received", to="reporter@example.com", chinese=False)


REPORT_NUMBER = re.compile(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}")


def test_new_report_numbers_are_easy_to_read_out(published):
    numbers = {_file(published).public_id for _ in range(20)}
    assert len(numbers) == 20
    for number in numbers:
        assert REPORT_NUMBER.fullmatch(number), number  # capitals and digits without I, L, O or U


def test_reports_numbered_before_keep_their_numbers(published, staff, admin_client):
    old = _file(published)
    Complaint.objects.filter(pk=old.pk).update(public_id="X47aIrT-7_Y")
    old.refresh_from_db()
    new = _file(published)
    found = admin_client.get("/admin/prompts/complaint/?q=x47airt-7_y").content.decode()
    assert "X47aIrT-7_Y" in found and new.public_id not in found
    found = admin_client.get(f"/admin/prompts/complaint/?q={new.public_id.lower()}").content.decode()
    assert new.public_id in found and "X47aIrT-7_Y" not in found
    complaints.complaint_resolve(complaint=old, by=staff, upheld=True, resolution="A copy.")
    published.refresh_from_db()
    assert "Taken down after report X47aIrT-7_Y" in published.rejection_reason


# --- the weekly summary ------------------------------------------------------------------------------


def test_the_weekly_summary_is_sent_once_per_week_with_the_counts_and_median(
    settings, published, staff, django_capture_on_commit_callbacks
):
    settings.COMPLAINT_SUMMARY_TO = ["ops@example.com"]
    settings.COMPLAINT_RESPONSE_HOURS = 48
    week_start = datetime(2026, 11, 30, tzinfo=UTC)  # Monday of ISO week 2026-W49
    decisions_hours = [(True, 2), (False, 4), (False, 30)]
    for n, (upheld, hours) in enumerate(decisions_hours):
        complaint = _file(published, reason="copyright" if n else "illegal")
        filed = week_start + timedelta(days=1, hours=n)
        Complaint.objects.filter(pk=complaint.pk).update(created_at=filed)
        complaints.complaint_resolve(complaint=complaint, by=staff, upheld=upheld, resolution="")
        Complaint.objects.filter(pk=complaint.pk).update(resolved_at=filed + timedelta(hours=hours))
    still_open = _file(published, reason="personal")
    Complaint.objects.filter(pk=still_open.pk).update(created_at=week_start + timedelta(days=2))
    _file(published)  # filed this week: not in last week's counts, and not overdue
    Complaint.objects.filter(pk=_file(published).pk).update(created_at=week_start - timedelta(days=3))

    monday = datetime(2026, 12, 7, 6, tzinfo=UTC)
    mail.outbox.clear()
    for now in (monday, monday + timedelta(hours=1), monday + timedelta(days=6)):
        with django_capture_on_commit_callbacks(execute=True):
            complaint_summary_send(now=now)
    [summary] = sent("complaint_summary")
    assert summary.to == ["ops@example.com"]
    assert "2026-W49" in summary.subject
    lines = set(summary.body.splitlines())
    assert {
        "Reports received: 4",
        "Upheld: action taken: 1",
        "Dismissed: 2",
        "Open: 1",
        "Illegal or harmful content: 1",
        "Copies someone else's work or prompt: 2",
        "Imitates a real person or uses personal data: 1",
        "Decided: 3",
        "Median time to decision: 4.0 hours",
        "Open past the deadline now: 2",  # last week's open one, and the older one
    } <= lines, summary.body

    with django_capture_on_commit_callbacks(execute=True):
        complaint_summary_send(now=monday + timedelta(days=7))
    assert len(sent("complaint_summary")) == 2  # the next week's


def test_without_recipients_no_summary_is_claimed(settings, published):
    settings.COMPLAINT_SUMMARY_TO, settings.ADMINS = [], []
    assert complaint_summary_send() == 0
    settings.ADMINS = [("Ops", "admins@example.com")]
    assert complaint_summary_send() == 1


# --- upheld: off sale, and the seller told why -------------------------------------------------------


def test_an_upheld_complaint_takes_the_listing_off_sale_and_tells_the_seller(
    published, seller, staff, anon, django_capture_on_commit_callbacks
):
    complaint = _file(published, reason="copyright")
    with django_capture_on_commit_callbacks(execute=True):
        complaints.complaint_resolve(
            complaint=complaint, by=staff, upheld=True, resolution="The examples copy another artist."
        )
    published.refresh_from_db()
    assert published.status == ListingStatus.REJECTED
    assert complaint.public_id in published.rejection_reason
    assert "The examples copy another artist." in published.rejection_reason
    assert anon.get(f"/api/v1/listings/{published.public_id}/").status_code == 404
    assert ListingEvent.objects.filter(listing=published, action="rejected", actor=staff).exists()
    assert ListingEvent.objects.filter(listing=published, action="complaint_resolved").exists()

    message = the_one("listing_rejected", to=seller.email, chinese=False)
    assert complaint.public_id in message.body

    dashboard = Client()
    dashboard.force_login(seller)
    assert complaint.public_id in dashboard.get("/dashboard/").content.decode()
    editor = dashboard.get(f"/dashboard/listings/{published.public_id}/edit/").content.decode()
    assert "A moderator rejected this listing." in editor and complaint.public_id in editor


def test_a_dismissed_complaint_leaves_the_listing_on_sale_and_a_decision_is_made_once(published, staff):
    complaint = _file(published)
    complaints.complaint_resolve(complaint=complaint, by=staff, upheld=False, resolution="")
    published.refresh_from_db()
    assert published.status == ListingStatus.PUBLISHED
    with pytest.raises(complaints.Conflict):
        complaints.complaint_resolve(complaint=complaint, by=staff, upheld=True, resolution="")
    published.refresh_from_db()
    assert published.status == ListingStatus.PUBLISHED


# --- the public procedure page -----------------------------------------------------------------------


def test_the_procedure_page_states_the_time_limit_in_english_and_chinese(settings):
    settings.COMPLAINT_RESPONSE_HOURS = 48
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get("/complaints/").content.decode()
    assert "Response time limit: 48 hours." in english
    assert "How we handle a report" in english
    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get("/complaints/").content.decode()
    assert "处理时限：48 小时。" in chinese
    assert "我们如何处理举报" in chinese
    home = Client().get("/").content.decode()
    assert 'href="/complaints/"' in home  # linked from the footer
