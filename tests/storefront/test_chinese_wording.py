"""The Chinese translation reads as one voice: the rules below are checked on every msgstr of the
.po file, so a string added later that breaks one fails here rather than on a page nobody opened.

- one form of address, 你 (never 您);
- full-width punctuation after Chinese text: no ASCII ":" "," ";" "?" "!" "(" after a Chinese
  character, and no space beside a full-width mark;
- one word per thing: a listing is a 商品 (作品 only for someone's creative work), a licence tier is a
  许可 (never 授权), a "Report this listing" link is 举报此商品 wherever it is named;
- model names as Chinese readers know them: 文心一格 and 太乙, never ERNIE-ViLG or Taiyi;
- the colon Django puts after form labels, and the one templates put after labels, is full-width.

The compiled .mo is committed; the last test checks it was compiled from this .po.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django import forms
from django.utils import translation

PO = Path(__file__).resolve().parents[2] / "marketplace/locale/zh_Hans/LC_MESSAGES/django.po"
CHINESE = r"[\u3400-\u9fff]"
FULL_WIDTH = "，。：；！？、（）"


@dataclass
class Entry:
    line: int
    context: str
    msgid: str
    plural: str
    msgstrs: list[str]
    fuzzy: bool

    @property
    def text(self) -> str:
        return " | ".join(self.msgstrs)


def _entries() -> list[Entry]:
    entries: list[Entry] = []
    fields: dict[str, str] = {}
    field, start, fuzzy = "", 0, False

    def close() -> None:
        if fields.get("msgid"):
            msgstrs = [value for key, value in fields.items() if key.startswith("msgstr")]
            entries.append(
                Entry(
                    start,
                    fields.get("msgctxt", ""),
                    fields["msgid"],
                    fields.get("msgid_plural", ""),
                    msgstrs,
                    fuzzy,
                )
            )

    for number, line in enumerate([*PO.read_text(encoding="utf-8").splitlines(), ""], start=1):
        if not line.strip() or line.startswith("#"):  # between entries: comments and flags
            if "msgstr" in "".join(fields):
                close()
                fields, fuzzy = {}, False
            fuzzy = fuzzy or (line.startswith("#,") and "fuzzy" in line)
            field = ""
            continue
        keyword = re.match(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (".*")$', line)
        if keyword:
            field = keyword.group(1)
            if not fields:
                start = number
            fields[field] = ast.literal_eval(keyword.group(2))
        elif line.startswith('"') and field:
            fields[field] += ast.literal_eval(line)
    return entries


ENTRIES = _entries()


def _breaking(rule: re.Pattern[str]) -> list[str]:
    return [f"line {e.line}: {e.text}" for e in ENTRIES if any(rule.search(s) for s in e.msgstrs)]


def test_the_po_file_was_read():
    assert len(ENTRIES) > 1000 and all(e.msgstrs for e in ENTRIES)


def test_chinese_addresses_the_reader_as_ni_never_nin():
    assert _breaking(re.compile("您")) == []


@pytest.mark.parametrize("mark", [":", ",", ";", "?", "!", "("])
def test_no_ascii_punctuation_right_after_chinese(mark):
    assert _breaking(re.compile(CHINESE + r" ?" + re.escape(mark))) == []


def test_no_space_beside_full_width_punctuation():
    assert _breaking(re.compile(f" [{FULL_WIDTH}]|[{FULL_WIDTH}] ")) == []


def test_a_listing_is_a_shangpin_and_a_work_is_only_someones_creative_work():
    creative = re.compile("(他人|原|抄袭)作品")
    wrong = [
        f"line {e.line}: {e.text}"
        for e in ENTRIES
        if "listing" in (e.msgid + e.plural).lower() and "作品" in creative.sub("", e.text)
    ]
    assert wrong == []
    reports = [e.text for e in ENTRIES if "Report this listing" in e.msgid]
    assert reports and all("举报此商品" in text and "举报此作品" not in text for text in reports)


def test_a_licence_tier_is_a_xuke():
    # A company's business licence (营业执照) is another thing.
    tiers = [e for e in ENTRIES if "licence" in e.msgid.lower() and "营业执照" not in e.text]
    assert tiers
    assert [f"line {e.line}: {e.text}" for e in tiers if "许可" not in e.text or "授权" in e.text] == []


def test_model_names_are_the_ones_chinese_readers_know():
    assert _breaking(re.compile("ERNIE|ViLG|Taiyi")) == []
    with translation.override("zh-hans"):
        from marketplace.storefront.labels import MODELS

        assert (str(MODELS["ernie-vilg"]), str(MODELS["taiyi"])) == ("文心一格", "太乙")


def test_form_labels_and_template_labels_end_in_a_full_width_colon():
    class Report(forms.Form):
        note = forms.CharField(label="详细说明")

    with translation.override("zh-hans"):
        assert Report()["note"].label_tag().endswith(">详细说明：</label>")
        assert translation.gettext(": ") == "："
    assert Report()["note"].label_tag().endswith(">详细说明:</label>")


def test_the_committed_mo_file_is_compiled_from_this_po():
    with translation.override("zh-hans"):
        stale = [
            e.msgid
            for e in ENTRIES
            if not e.fuzzy
            and not e.plural
            and (translation.pgettext(e.context, e.msgid) if e.context else translation.gettext(e.msgid))
            != e.msgstrs[0]
        ]
    assert stale == []
