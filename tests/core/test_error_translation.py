"""Service errors speak the visitor's language; their codes stay the same English words."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from tests.factories import make_listing

pytestmark = pytest.mark.django_db

CHINESE = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content[:500]
    error: dict[str, Any] = response.json()["error"]
    return error


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        (CHINESE, "这是你自己的商品，你已经可以查看它的提示词。"),
        (ENGLISH, "This is your own listing; you can read its prompt already."),
    ],
)
def test_buying_your_own_listing_is_refused_in_the_visitors_language(seller, client_for, headers, message):
    listing = make_listing(seller, publish=True, price_amount=1990, price_currency="CNY")
    response = client_for(seller).post(f"/api/v1/listings/{listing.public_id}/checkout/", **headers)
    error = _error(response, 409)
    assert error == {"code": "own_listing", "message": message, "fields": {}}


@pytest.mark.parametrize(
    ("headers", "message"),
    [(CHINESE, "你没有该 ID 的订单。"), (ENGLISH, "You have no order with this id.")],
)
def test_an_unknown_order_is_a_404_in_the_visitors_language(buyer, client_for, headers, message):
    error = _error(client_for(buyer).get("/api/v1/orders/nosuchorder/", **headers), 404)
    assert (error["code"], error["message"]) == ("not_found", message)


@pytest.mark.parametrize(
    ("headers", "message"),
    [(CHINESE, "没有该 ID 的辅导。"), (ENGLISH, "No tutoring offer has this id.")],
)
def test_tutoring_errors_come_from_the_tutoring_catalogue(anon, headers, message):
    error = _error(anon.get("/api/v1/tutoring/offers/nosuchoffer/", **headers), 404)
    assert (error["code"], error["message"]) == ("not_found", message)


@pytest.mark.parametrize(
    ("headers", "message", "field_message"),
    [
        (CHINESE, "sort：请使用以下之一：", "请使用以下之一："),
        (ENGLISH, "sort: Use one of: ", "Use one of: "),
    ],
)
def test_interpolated_messages_are_translated_around_their_values(anon, headers, message, field_message):
    error = _error(anon.get("/api/v1/listings/", {"sort": "bogus"}, **headers), 400)
    assert error["code"] == "invalid_parameter"
    assert error["message"].startswith(message) and "newest" in error["message"]
    assert error["fields"]["sort"][0].startswith(field_message)


def _entries(po: Path) -> list[tuple[str, list[str], bool]]:
    """(msgid, msgstrs, fuzzy) of every entry; enough of the PO format for the files makemessages writes.

    A plural entry has one msgstr[n] per form; every one of them must be filled in.
    """
    entries = []
    for block in po.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        parts: dict[str, list[str]] = {}
        key = None
        for line in lines:
            match = re.match(r'(msgid|msgid_plural|msgstr(?:\[\d+\])?) (".*")$', line)
            if match:
                key = match.group(1)
                parts[key] = [match.group(2)]
            elif line.startswith('"') and key:
                parts[key].append(line)
        if "msgid" in parts:
            texts = {key: "".join(piece[1:-1] for piece in pieces) for key, pieces in parts.items()}
            msgstrs = [text for key, text in texts.items() if key.startswith("msgstr")]
            entries.append((texts["msgid"], msgstrs, fuzzy))
    return entries


CATALOGUES = sorted(
    Path(settings.BASE_DIR).glob("marketplace/**/locale/zh_Hans/LC_MESSAGES/django.po"),
)


def test_both_chinese_catalogues_are_found():
    assert {str(po.relative_to(settings.BASE_DIR)) for po in CATALOGUES} == {
        "marketplace/locale/zh_Hans/LC_MESSAGES/django.po",
        "marketplace/tutoring/locale/zh_Hans/LC_MESSAGES/django.po",
    }


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda po: str(po.parent.parent.parent.parent.name))
def test_every_message_has_a_chinese_translation_and_none_is_fuzzy(po):
    entries = [entry for entry in _entries(po) if entry[0]]  # the header has an empty msgid
    assert len(entries) > 10
    assert [msgid for msgid, _, fuzzy in entries if fuzzy] == []
    assert [
        msgid for msgid, msgstrs, _ in entries if not msgstrs or not all(m.strip() for m in msgstrs)
    ] == []
