"""Request body parsers for the API, and the one JSON reader for bodies parsed by hand.

Every body is refused with a 400 envelope when it nests deeper than ``MAX_JSON_DEPTH`` or holds
a control character in a key or string (see marketplace.core.text): deep nesting costs stack in
every consumer after the parser, and PostgreSQL rejects NUL in text with an error that would
otherwise surface as a 500. orjson reads the body: it refuses lone surrogates, NaN and
Infinity, and stops at its own depth limit instead of exhausting Python's stack.

An integer is an integer however many digits it has: orjson reads one past 64 bits as a float
(1e+23), or refuses it past a double's range, so such a body is read again by the standard library,
whose integers are exact, with orjson's refusals. A price of 99999999999999999999999 is then "too
large", as 10**15 is, not "not a whole number".
"""

from __future__ import annotations

import json
import math
import re
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
# Past this many digits an integer is beyond every bound the application checks, so it is read as
# +-10**MAX_INTEGER_DIGITS: int() of a long digit string takes quadratic time, and Python refuses
# one of more than 4300 digits.
MAX_INTEGER_DIGITS = 100
# 20 digits in a row: the shortest integer literal orjson may read as a float is 2**64 (20 digits).
_LONG_DIGIT_RUN = re.compile(r"\d{20}")
_LONG_DIGIT_RUN_BYTES = re.compile(rb"\d{20}")


class JSONTooDeep(ValueError):
    pass


def read_integer(text: str) -> int:
    """The integer a decimal literal ("-0042", "99999999999999999999999") says, at most
    +-10**MAX_INTEGER_DIGITS in size."""
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("+-").lstrip("0") or "0"
    if len(digits) > MAX_INTEGER_DIGITS:
        return sign * 10**MAX_INTEGER_DIGITS
    return sign * int(digits)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    number = float(text)
    if math.isinf(number):
        raise ValueError("number is infinity when parsed as double")
    return number


def _load_exact(payload: bytes | str) -> Any:
    """The standard library's reading, with exact integers, refusing what orjson refuses."""
    try:
        value = json.loads(
            payload, parse_int=read_integer, parse_float=_finite_float, parse_constant=_refuse_constant
        )
    except RecursionError:
        raise JSONTooDeep("nested too deeply") from None
    if nesting_depth(value) <= MAX_JSON_DEPTH:
        json.dumps(value, ensure_ascii=False).encode()  # a lone surrogate: UnicodeEncodeError
    return value


def load_json(payload: bytes | str) -> Any:
    """Parse JSON; ValueError (JSONTooDeep when nested past MAX_JSON_DEPTH) when it is not usable."""
    try:
        value = orjson.loads(payload)
    except orjson.JSONDecodeError as exc:
        if "depth" in str(exc) or "recursion" in str(exc):
            raise JSONTooDeep(str(exc)) from None
        if "infinity" not in str(exc):
            raise
        value = _load_exact(payload)  # an integer past a double's range, or a float that is refused
    else:
        long_digits = _LONG_DIGIT_RUN_BYTES if isinstance(payload, bytes) else _LONG_DIGIT_RUN
        if long_digits.search(payload):  # type: ignore[arg-type]
            value = _load_exact(payload)
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
