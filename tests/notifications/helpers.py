from __future__ import annotations

import re

from django.core import mail
from django.core.mail import EmailMultiAlternatives

SECRET = "CANARY-SECRET-PROMPT"
_CJK = re.compile(r"[\u4e00-\u9fff]")


def sent(kind: str) -> list[EmailMultiAlternatives]:
    return [m for m in mail.outbox if m.extra_headers.get("X-Dimsum-Notification") == kind]


def html_of(message: EmailMultiAlternatives) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return str(html)


def the_one(kind: str, *, to: str, chinese: bool = True) -> EmailMultiAlternatives:
    """The single email of this kind: to the right person, text and HTML, in the right language,
    without the prompt's text."""
    messages = sent(kind)
    assert len(messages) == 1, [m.subject for m in messages]
    [message] = messages
    assert message.to == [to]
    html = html_of(message)
    assert message.body.strip() and "<html" in html
    for part in (message.subject, message.body, html):
        assert SECRET not in part
        assert bool(_CJK.search(part)) is chinese, part
    return message
