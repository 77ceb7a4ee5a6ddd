"""Small, loud helpers for reading settings from the environment.

A malformed value stops start-up with a message naming the variable, instead of
turning into a surprising default.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    """The variable's value; an empty or blank value counts as unset."""
    return os.environ.get(name, "").strip() or default


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0/true/false/yes/no/on/off, got {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name} must be at most {maximum}, got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: set[str]) -> str:
    value = env_str(name, default).lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(sorted(choices))}, got {value!r}")
    return value


def env_int_list(name: str, default: list[int], *, minimum: int | None = None) -> list[int]:
    """A comma-separated list of integers, e.g. PREVIEW_WIDTHS=1280,640,320."""
    values = []
    for item in env_list(name, [str(value) for value in default]):
        try:
            value = int(item)
        except ValueError:
            raise ImproperlyConfigured(
                f"{name} must be comma-separated integers, got {os.environ.get(name)!r}"
            ) from None
        if minimum is not None and value < minimum:
            raise ImproperlyConfigured(f"{name} must hold integers of at least {minimum}, got {value}")
        values.append(value)
    if not values:
        raise ImproperlyConfigured(f"{name} must hold at least one integer, got {os.environ.get(name)!r}")
    return values


def env_secret(name: str, default: str = "") -> str:
    """Like env_str, or the stripped content of the file named by NAME_FILE (a mounted secret)."""
    file_variable = f"{name}_FILE"
    path = os.environ.get(file_variable, "").strip()
    if not path:
        return env_str(name, default)
    if env_str(name):
        raise ImproperlyConfigured(f"Set {name} or {file_variable}, not both.")
    try:
        value = Path(path).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as error:
        raise ImproperlyConfigured(f"{file_variable}={path!r} cannot be read: {error}") from None
    if not value:
        raise ImproperlyConfigured(f"{file_variable}={path!r} names an empty file")
    return value


_RATE = re.compile(r"\d+/(?:s|sec|second|m|min|minute|h|hour|d|day)")


def env_rate(name: str, default: str) -> str:
    """A DRF throttle rate: requests per second, minute, hour or day, e.g. 10/min."""
    value = env_str(name, default)
    if not _RATE.fullmatch(value):
        raise ImproperlyConfigured(
            f"{name} must be a count per period like 10/min (periods: s, min, hour, day), got {value!r}"
        )
    return value


def env_retired(name: str, instead: str) -> None:
    """Stop start-up when a variable that is no longer read is set: silently ignoring it would
    leave the operator believing it still works. ``instead`` says what to do now."""
    if env_str(name, ""):
        raise ImproperlyConfigured(f"{name} is no longer read: {instead}")


def env_matching(name: str, default: str, pattern: str, *, shape: str) -> str:
    """A value that must match ``pattern`` in full; ``shape`` describes it in the message."""
    value = env_str(name, default)
    if not re.fullmatch(pattern, value):
        raise ImproperlyConfigured(f"{name} must be {shape}, got {value!r}")
    return value


def env_size(name: str, default: str, *, minimum: int) -> tuple[int, int]:
    """WIDTHxHEIGHT in pixels, each side at least ``minimum``."""
    value = env_str(name, default).lower()
    width, _, height = value.partition("x")
    digits = (width + height).isascii() and width.isdigit() and height.isdigit()
    if not (digits and min(int(width), int(height)) >= minimum):
        raise ImproperlyConfigured(
            f"{name} must be WIDTHxHEIGHT of at least {minimum}x{minimum}, got {value!r}"
        )
    return int(width), int(height)


def require_for(name: str, chosen: str, needs: dict[str, tuple[str, str]]) -> None:
    """``needs`` maps a choice of ``name`` to the (variable, value) it cannot work without."""
    if chosen in needs and not needs[chosen][1]:
        raise ImproperlyConfigured(f"{name}={chosen} needs {needs[chosen][0]}")
