"""Render a claimed notification: a plain-text and HTML email in the recipient's language.

The owning app's builder (kinds.register) says what the email says; this module adds the
greeting, the signature and, for kinds one may turn off, the one-click unsubscribe link and its
List-Unsubscribe headers (RFC 8058).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from marketplace.notifications.kinds import KINDS, builder_for
from marketplace.notifications.models import Notification

UNSUBSCRIBE_SALT = "notifications.unsubscribe"


def language_for(notification: Notification) -> str:
    """The recipient's saved language (User.language), else the one the event's request used."""
    code = notification.recipient.language if notification.recipient else notification.language
    try:
        return translation.get_supported_language_variant(str(code)) if code else settings.LANGUAGE_CODE
    except LookupError:
        return settings.LANGUAGE_CODE


def unsubscribe_token(*, user_id: int, kind: str) -> str:
    return signing.dumps({"u": user_id, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_read(token: str) -> tuple[int, str] | None:
    """(user id, kind) from a token this site signed; None when tampered with or malformed."""
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("u"), int) or value.get("k") not in KINDS:
        return None
    return value["u"], value["k"]


def unsubscribe_url(*, user_id: int, kind: str) -> str:
    path = reverse("web:notifications-unsubscribe", args=[unsubscribe_token(user_id=user_id, kind=kind)])
    return settings.SITE_URL + path


def message(notification: Notification) -> EmailMultiAlternatives | None:
    """The email, or None when the builder finds its subject gone."""
    recipient = notification.recipient
    with translation.override(language_for(notification)):
        content = builder_for(notification.kind)(notification)
        if content is None:
            return None
        unsubscribe = ""
        if recipient is not None and not KINDS[notification.kind].essential:
            unsubscribe = unsubscribe_url(user_id=recipient.pk, kind=notification.kind)
        name = recipient.public_name if recipient else ""
        context: dict[str, Any] = {
            "content": content,
            "greeting": _("Hello %(name)s,") % {"name": name} if name else _("Hello,"),
            "signature": _("The %(site)s team") % {"site": settings.SITE_NAME},
            "unsubscribe": unsubscribe,
            "unsubscribe_label": _("Stop these emails"),
            "preferences": settings.SITE_URL + reverse("web:notification-preferences"),
            "preferences_label": _("Choose which emails you get"),
            "lang": translation.get_language(),
        }
        text = render_to_string("notifications/email/notice.txt", context)
        html = render_to_string("notifications/email/notice.html", context)
    # The kind in a header: mail filters (and tests) tell the emails apart without reading them.
    headers = {"X-Dimsum-Notification": notification.kind}
    if unsubscribe:
        headers["List-Unsubscribe"] = f"<{unsubscribe}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email = EmailMultiAlternatives(
        subject=content.subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email if recipient else notification.email],
        headers=headers,
    )
    email.attach_alternative(html, "text/html")
    return email
