"""Request body parsers for the API, and the one JSON reader for bodies parsed by hand.

Every body is refused with a 400 envelope when it nests deeper than ``MAX_JSON_DEPTH`` or holds
a control character in a key or string (see marketplace.core.text): deep nesting costs stack in
every consumer after the parser, and PostgreSQL rejects NUL in text with an error that would
otherwise surface as a 500. orjson reads the body: it refuses lone surrogates, NaN and
Infinity, and stops at its own depth limit instead of exhausting Python's stack.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from marketplace.core.text import control_character_field, control_character_name, nesting_depth, shown

if TYPE_CHECKING:
    from marketplace.core.errors import ApplicationError

MAX_JSON_DEPTH = 64


class JSONTooDeep(ValueError):
    pass


def load_json(payload: bytes | str) -> Any:
    """Parse JSON; ValueError (JSONTooDeep when nested past MAX_JSON_DEPTH) when it is not usable."""
    try:
        value = orjson.loads(payload)
    except orjson.JSONDecodeError as exc:
        if "depth" in str(exc) or "recursion" in str(exc):
            raise JSONTooDeep(str(exc)) from None
        raise
    if nesting_depth(value) > MAX_JSON_DEPTH:
        raise JSONTooDeep(f"nested deeper than {MAX_JSON_DEPTH} levels")
    return value


def _application_error(*args: Any, **kwargs: Any) -> ApplicationError:
    # Imported here: errors imports DRF's views, which import these parsers from the settings.
    from marketplace.core.errors import ApplicationError

    return ApplicationError(*args, **kwargs)


def too_deep_error() -> ApplicationError:
    return _application_error(
        "too_deeply_nested",
        _("The request body nests lists and objects more than %(depth)s levels deep; flatten it.")
        % {"depth": MAX_JSON_DEPTH},
    )


def control_character_error(field: str, code: str = "invalid_characters") -> ApplicationError:
    name = shown(field)
    return _application_error(
        code,
        _("%(field)s contains a control character (such as a NUL byte); remove it and retry.")
        % {"field": name},
        fields={name: [_("Control characters are not allowed.")]},
    )


def refuse_control_characters(value: Any) -> None:
    field = control_character_field(value)
    if field is not None:
        raise control_character_error(field)


def _refuse_in_fields(fields: Any) -> None:
    name = control_character_name(fields)
    if name is not None:
        raise control_character_error(name)


def _read_limited(stream: Any) -> bytes:
    """The body, refused past DATA_UPLOAD_MAX_MEMORY_SIZE as Django refuses a large form: DRF reads
    the raw stream, which Django's own limit does not cover."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    raw = stream.read() if limit is None else stream.read(limit + 1)
    if limit is not None and len(raw) > limit:
        raise RequestDataTooBig("The request body exceeds DATA_UPLOAD_MAX_MEMORY_SIZE.")
    return bytes(raw)


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            raw = _read_limited(stream)
            payload = raw if encoding.lower() in ("utf-8", "utf8") else raw.decode(encoding)
            data = load_json(payload)
        except JSONTooDeep:
            raise too_deep_error() from None
        except (ValueError, LookupError) as exc:  # JSONDecodeError, UnicodeDecodeError, unknown charset
            raise ParseError(f"JSON parse error - {exc}") from None
        refuse_control_characters(data)
        return data


class FormParser(parsers.FormParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        _refuse_in_fields(data)
        return data


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        parsed = super().parse(stream, media_type, parser_context)
        _refuse_in_fields(parsed.data)
        _refuse_in_fields(parsed.files)
        return parsed
