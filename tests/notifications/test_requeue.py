"""A notification whose send task was lost (a crash between commit and enqueue) is sent by the beat
task after the configured delay, once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from marketplace.notifications import services, tasks
from marketplace.notifications.models import Notification, NotificationStatus
from payments.models import Order
from tests.notifications.helpers import sent
from tests.payments.helpers import checkout, deliver

pytestmark = pytest.mark.django_db


def _paid_but_enqueue_lost(fake: Any, api: Any, listing: Any, capture: Any) -> Order:
    order_id = checkout(api, listing)["order_id"]
    with capture(execute=False):  # the process died after the commit, before the enqueue
        assert deliver(fake.complete(fake.session_for_order(order_id)["id"])).status_code == 200
    return Order.objects.get(public_id=order_id)


def test_a_lost_enqueue_is_sent_once_after_the_delay(
    settings, stripe_fake, listing, buyer, buyer_api, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_REQUEUE_AFTER_SECONDS = 300
    _paid_but_enqueue_lost(stripe_fake, buyer_api, listing, django_capture_on_commit_callbacks)
    assert sent("purchase") == []
    assert tasks.requeue_unsent() == 0  # too early: its task may still be on its way

    with time_machine.travel(timezone.now() + timedelta(seconds=301)):
        assert tasks.requeue_unsent() == 2
        assert tasks.requeue_unsent() == 0
    assert len(sent("purchase")) == 1 and len(sent("sale")) == 1
    assert set(Notification.objects.values_list("status", flat=True)) == {NotificationStatus.SENT}


def test_a_send_whose_worker_died_is_given_back_after_the_lease(
    stripe_fake, listing, buyer_api, django_capture_on_commit_callbacks
):
    _paid_but_enqueue_lost(stripe_fake, buyer_api, listing, django_capture_on_commit_callbacks)
    Notification.objects.update(status=NotificationStatus.SENDING, claimed_at=timezone.now())
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        assert tasks.requeue_unsent() == 0  # still within its lease: maybe sending right now
    with time_machine.travel(timezone.now() + timedelta(minutes=30)):
        assert tasks.requeue_unsent() == 2
    assert len(sent("purchase")) == 1


def test_a_notification_that_keeps_failing_is_failed_for_an_operator_and_not_queued_again(
    stripe_fake, listing, buyer_api, django_capture_on_commit_callbacks
):
    _paid_but_enqueue_lost(stripe_fake, buyer_api, listing, django_capture_on_commit_callbacks)
    Notification.objects.update(attempts=8, last_error="550 mailbox unavailable")
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        assert tasks.requeue_unsent() == 0
    assert set(Notification.objects.values_list("status", "last_error")) == {
        (NotificationStatus.FAILED, "550 mailbox unavailable")
    }
    assert sent("purchase") == []


def test_a_send_that_fails_gives_its_claim_back_and_a_retry_sends_it_once(
    stripe_fake, listing, buyer, buyer_api, django_capture_on_commit_callbacks, monkeypatch
):
    import smtplib

    from django.core.mail.message import EmailMultiAlternatives

    _paid_but_enqueue_lost(stripe_fake, buyer_api, listing, django_capture_on_commit_callbacks)
    receipt = Notification.objects.get(kind="purchase")
    real_send = EmailMultiAlternatives.send

    def refused(self: Any, fail_silently: bool = False) -> int:
        raise smtplib.SMTPServerDisconnected("mail server went away")

    monkeypatch.setattr(EmailMultiAlternatives, "send", refused)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        services.notification_send(notification_id=receipt.pk)
    receipt.refresh_from_db()
    assert (receipt.status, receipt.attempts) == (NotificationStatus.PENDING, 1)
    assert "mail server went away" in receipt.last_error

    monkeypatch.setattr(EmailMultiAlternatives, "send", real_send)
    assert services.notification_send(notification_id=receipt.pk) is True
    assert services.notification_send(notification_id=receipt.pk) is False
    assert len(sent("purchase")) == 1
