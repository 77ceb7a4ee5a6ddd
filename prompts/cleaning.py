"""Cleaning what a seller types into a listing: tags, [variables], prices, variable examples.

Each function returns the clean value or raises an ApplicationError naming the field to fix.
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext as _

from marketplace.core.errors import ApplicationError
from marketplace.core.prices import checked_price
from marketplace.core.text import require_visible_text

MAX_TAGS = 10
MAX_TAG_CHARS = 30
MAX_IMAGES = 12
MAX_EXAMPLE_OUTPUTS = 5
MAX_VARIABLE_EXAMPLES = 20
MAX_VARIABLE_EXAMPLE_CHARS = 200
VARIABLE = re.compile(r"\[([^\[\]\n]{1,40})\]")


def extract_variables(text: str) -> list[str]:
    """'[subject] on a [colour] T-shirt' -> ['subject', 'colour'], in order, without repeats."""
    seen: dict[str, None] = {}
    for match in VARIABLE.finditer(text):
        name = match.group(1).strip()
        if name:
            seen.setdefault(name, None)
    return list(seen)


def normalize_tag(raw: str) -> str:
    tag = unicodedata.normalize("NFKC", raw).strip().casefold()
    return re.sub(r"[\s_]+", "-", tag).strip("-#")


def clean_tags(raw_tags: list[str]) -> list[str]:
    tags: dict[str, None] = {}
    for raw in raw_tags:
        require_visible_text(raw, field="tags")
        tag = normalize_tag(raw)
        if not tag:
            continue
        if len(tag) > MAX_TAG_CHARS:
            raise ApplicationError(
                "invalid",
                _("A tag is too long."),
                fields={"tags": [_("Tags are at most %(count)s characters.") % {"count": MAX_TAG_CHARS}]},
            )
        tags.setdefault(tag, None)
    if len(tags) > MAX_TAGS:
        raise ApplicationError(
            "invalid",
            _("Too many tags."),
            fields={"tags": [_("Use at most %(count)s tags.") % {"count": MAX_TAGS}]},
        )
    return list(tags)


def check_price(amount: int, currency: str) -> str:
    return checked_price(amount, currency).code


def clean_variable_examples(raw: dict[str, str]) -> dict[str, str]:
    """{variable name: example value}, used to fill [variables] when the platform generates previews."""
    if len(raw) > MAX_VARIABLE_EXAMPLES:
        message = _("Give examples for at most %(count)s variables.") % {"count": MAX_VARIABLE_EXAMPLES}
        raise ApplicationError("invalid", message, fields={"variable_examples": [message]})
    examples = {}
    for name, value in raw.items():
        name, value = str(name).strip(), str(value).strip()
        if not name or len(name) > 40 or len(value) > MAX_VARIABLE_EXAMPLE_CHARS:
            message = _("Variable names are 1-40 characters, examples at most %(count)s.") % {
                "count": MAX_VARIABLE_EXAMPLE_CHARS
            }
            raise ApplicationError("invalid", message, fields={"variable_examples": [message]})
        if value:
            examples[name] = value
    return examples
