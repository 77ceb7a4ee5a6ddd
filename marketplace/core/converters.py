from __future__ import annotations

from django.urls import register_converter


class PublicIdConverter:
    """Public ids are URL-safe base64; anything else (NUL bytes, slashes, 1 MB) is a 404 at routing."""

    regex = r"[A-Za-z0-9_-]{1,16}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


# Registered once, when this module is first imported by any urls module.
register_converter(PublicIdConverter, "pubid")
