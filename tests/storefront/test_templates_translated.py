"""Every text the website's templates mark for translation has a Chinese translation: a string a
helper adds without its .po entry shows up in English on the Chinese site, which no page test of
another page would notice."""

from __future__ import annotations

import re
from pathlib import Path

from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = [
    *ROOT.glob("marketplace/*/templates/**/*.html"),
    *ROOT.glob("prompts/templates/**/*.html"),
    *ROOT.glob("payments/templates/payments/**/*.html"),  # not admin/: staff pages are English
]
TRANSLATE = re.compile(r"""{%\s*translate\s+"([^"]+)"(?:\s+context\s+"([^"]+)")?""")
SAME_IN_CHINESE = {"API", "Dimsum", "Alipay", "Email", "JSON", "CSV"}


def test_every_translate_tag_has_a_chinese_text() -> None:
    assert TEMPLATES, "no templates found"
    missing = set()
    with translation.override("zh-hans"):
        for path in TEMPLATES:
            for text, context in TRANSLATE.findall(path.read_text(encoding="utf-8")):
                chinese = translation.pgettext(context, text) if context else translation.gettext(text)
                if chinese == text and text not in SAME_IN_CHINESE:
                    missing.add(f"{path.relative_to(ROOT)}: {text}")
    assert not missing, "untranslated: " + "; ".join(sorted(missing))
