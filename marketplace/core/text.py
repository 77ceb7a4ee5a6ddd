"""Rules for text that came from a client, in one place.

- Control characters: C0 controls other than tab, newline and carriage return, and DEL, are
  refused anywhere (body values and keys, form fields, query parameters, the path). PostgreSQL
  rejects NUL in text, and the others only corrupt what is shown and exported later.
- Visible text: a title, tag or name must show something. Text made only of format characters
  (Unicode category Cf, such as zero-width spaces) and whitespace is refused, and so is any
  bidirectional override or isolate, which can make a name read as something else.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BIDI_CONTROLS = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


def has_control_character(value: str) -> bool:
    return _CONTROL.search(value) is not None


def shown(name: str, limit: int = 60) -> str:
    """A client's field name as it can be printed in a message: controls written as \\xNN."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", name[:limit])


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """(path, string) for every key and string value, depth first, without recursion."""
    stack: list[tuple[Any, str]] = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            yield where, item
        elif isinstance(item, dict):
            for key, child in reversed(list(item.items())):
                child_path = f"{where}.{key}" if where else str(key)
                if isinstance(key, str):
                    yield child_path, key
                stack.append((child, child_path))
        elif isinstance(item, list | tuple):
            stack.extend(
                (child, f"{where}.{index}" if where else str(index))
                for index, child in reversed(list(enumerate(item)))
            )


def control_character_field(value: Any, path: str = "") -> str | None:
    """The path of the first key or string in ``value`` holding a control character, or None."""
    for where, text in _strings(value, path):
        if has_control_character(text):
            return where or "body"
    return None


def control_character_name(fields: Any) -> str | None:
    """The first name in a QueryDict (query string, form post) whose name or a value holds a
    control character, or None."""
    for name, values in fields.lists():
        if has_control_character(name) or any(
            isinstance(v, str) and has_control_character(v) for v in values
        ):
            return str(name)
    return None


def nesting_depth(value: Any) -> int:
    """How deeply lists and objects nest in ``value`` (a scalar is 0), without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, depth + 1)
            stack.extend((child, depth + 1) for child in item)
    return deepest


def _only_invisible(value: str) -> bool:
    return all(char.isspace() or unicodedata.category(char) == "Cf" for char in value)


def visible_text_problem(value: str) -> str | None:
    """Why ``value`` cannot be a title, tag or name, or None when it can."""
    if _BIDI_CONTROLS.search(value):
        return _("Remove the right-to-left or left-to-right override characters.")
    if value and _only_invisible(value):
        return _("Use visible characters; this text shows nothing.")
    if has_control_character(value):
        return _("Remove the control characters.")
    return None


def validate_visible_text(value: str) -> None:
    """A validator for serializer and form fields (titles, tags, names)."""
    problem = visible_text_problem(value)
    if problem is not None:
        raise ValidationError(problem, code="invisible_text")


def require_visible_text(value: str, *, field: str) -> None:
    """For services: a 400 ``invisible_text`` naming ``field`` when ``value`` breaks the text rule."""
    problem = visible_text_problem(value)
    if problem is not None:
        # Imported here: errors imports DRF's views, which load the parsers that import this module.
        from marketplace.core.errors import ApplicationError

        raise ApplicationError("invisible_text", problem, fields={field: [problem]})


def spreadsheet_safe(text: str) -> str:
    """A text cell a spreadsheet will not run: a leading = + - @ or tab/return makes it a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
