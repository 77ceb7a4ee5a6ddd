"""Every page a visitor reaches: one h1, labelled form controls, images with alt text, lang set.

A screen-reader or keyboard user meets the same pages; these are the checks that catch the usual
slips (an input without a label, an image without alt) on every page at once.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client, TestCase

from marketplace.notifications.emails import unsubscribe_token
from tests.factories import make_listing
from tests.tutoring.helpers import make_offer

pytestmark = pytest.mark.django_db

CONTROLS = {"input", "select", "textarea"}
UNLABELLED_OK = {"hidden", "submit", "button"}


class PageAudit(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.h1 = 0
        self.labels_for: set[str] = set()
        self.controls: list[dict[str, str | None]] = []
        self.images_without_alt: list[str] = []
        self.html_lang: str | None = None
        self.label_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "html":
            self.html_lang = attributes.get("lang")
        elif tag == "h1":
            self.h1 += 1
        elif tag == "label":
            self.label_depth += 1
            if attributes.get("for"):
                self.labels_for.add(str(attributes["for"]))
        elif tag == "img" and attributes.get("alt") is None:
            self.images_without_alt.append(str(attributes.get("src")))
        elif tag in CONTROLS and (attributes.get("type") or "text") not in UNLABELLED_OK:
            self.controls.append({**attributes, "_tag": tag, "_wrapped": "yes" if self.label_depth else None})

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.label_depth -= 1

    def unlabelled(self) -> list[str]:
        return [
            f"<{c['_tag']} name={c.get('name')}>"
            for c in self.controls
            if not c["_wrapped"] and c.get("id") not in self.labels_for and not c.get("aria-label")
        ]


@pytest.fixture
def pages(seller, buyer):
    listing = make_listing(seller, publish=True, title="Neon koi", price_amount=0)
    offer = make_offer(seller)
    site = Client()
    site.force_login(buyer)
    with TestCase.captureOnCommitCallbacks(execute=True):
        site.post(f"/listings/{listing.public_id}/buy/")
    seller_site = Client()
    seller_site.force_login(seller)
    anonymous = Client()
    return [
        (anonymous, "/"),
        (anonymous, "/browse/?q=koi"),
        (anonymous, f"/listings/{listing.public_id}/"),
        (anonymous, f"/listings/{listing.public_id}/report/"),
        (anonymous, f"/sellers/{seller.handle}/"),
        (anonymous, "/tutoring/"),
        (anonymous, f"/tutoring/{offer.public_id}/"),
        (anonymous, "/accounts/login/"),
        (anonymous, "/accounts/signup/"),
        (anonymous, "/accounts/password-reset/"),
        (anonymous, "/complaints/"),
        (site, f"/listings/{listing.public_id}/"),
        (site, "/library/"),
        (site, "/favourites/"),
        (site, "/bookings/"),
        (site, "/account/"),
        (site, "/account/notifications/"),
        (anonymous, f"/unsubscribe/{unsubscribe_token(user_id=seller.pk, kind='sale')}/"),
        (site, f"/tutoring/{offer.public_id}/"),
        (seller_site, "/dashboard/"),
        (site, "/orders/"),
        (seller_site, "/dashboard/sales/"),
    ]


def test_every_page_has_one_heading_labels_alt_text_and_a_language(pages):
    problems = {}
    for client, path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        audit = PageAudit()
        audit.feed(response.content.decode())
        found = []
        if audit.h1 != 1:
            found.append(f"{audit.h1} h1 elements")
        if audit.unlabelled():
            found.append(f"unlabelled: {audit.unlabelled()}")
        if audit.images_without_alt:
            found.append(f"images without alt: {audit.images_without_alt}")
        if audit.html_lang not in ("en", "zh-Hans"):
            found.append(f"html lang={audit.html_lang}")
        if found:
            problems[path] = found
    assert problems == {}


def test_the_audit_notices_what_it_checks():
    audit = PageAudit()
    audit.feed('<html><body><input name="q"><label><input name="ok"></label><img src="x.png"></body></html>')
    assert audit.unlabelled() == ["<input name=q>"]
    assert audit.images_without_alt == ["x.png"] and audit.h1 == 0 and audit.html_lang is None
