"""An image's failure reason is stored in English and shown to a Chinese seller in Chinese."""

from __future__ import annotations

import pytest
from django.utils import translation

from prompts.previews import reasons
from prompts.previews.rendering import RenderError


@pytest.mark.parametrize(
    ("stored", "chinese"),
    [
        (reasons.GAVE_UP.format(tries=6), "尝试 6 次"),
        (reasons.REFUSED.format(code="moderation_blocked"), "拒绝了这条提示词（moderation_blocked）"),
        (str(RenderError(reasons.NOT_AN_IMAGE)), "存储的文件不是可读取的图片；请以 PNG"),
        (str(RenderError(reasons.CORRUPT.format(detail="bad huffman"))), "图片数据已损坏（bad huffman）"),
        (str(RenderError(reasons.TOO_LONG_FOR_WEBP.format(longest=20000, limit=16383))), "20000 像素"),
        (reasons.MISSING_ORIGINAL, "请重新上传"),
    ],
)
def test_known_reasons_are_shown_in_chinese_with_their_values(stored, chinese):
    with translation.override("zh-hans"):
        assert chinese in reasons.reason_in_language(stored)
    with translation.override("en"):
        assert reasons.reason_in_language(stored) == stored


def test_an_unknown_reason_is_shown_as_stored():
    with translation.override("zh-hans"):
        assert reasons.reason_in_language("Something new went wrong.") == "Something new went wrong."
