from __future__ import annotations


class PublicIdConverter:
    """Public ids are URL-safe base64; anything else (NUL bytes, slashes, 1 MB) is a 404 at routing."""

    regex = r"[A-Za-z0-9_-]{1,16}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
