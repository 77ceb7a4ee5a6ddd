"""Sellers' payout account details, encrypted at rest (Fernet: AES-128-CBC + HMAC-SHA256).

PAYOUT_DETAILS_KEY holds one or more Fernet keys, comma-separated: the first encrypts, all of them
decrypt (MultiFernet), so a key is rotated by putting the new one first and keeping the old one
until `payout_details_reseal` has re-encrypted every row. Under DEBUG without a key, a key derived
from SECRET_KEY stands in (development only: settings refuse DEBUG=0 without a key).
"""

from __future__ import annotations

import base64
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class PayoutDetailsUnreadable(Exception):
    """The stored details cannot be decrypted with any configured key."""


def _keys() -> list[bytes]:
    configured = [key.strip() for key in settings.PAYOUT_DETAILS_KEY.split(",") if key.strip()]
    if configured:
        return [key.encode() for key in configured]
    digest = hashlib.sha256(f"payout-details:{settings.SECRET_KEY}".encode()).digest()
    return [base64.urlsafe_b64encode(digest)]


def _fernet() -> MultiFernet:
    try:
        return MultiFernet([Fernet(key) for key in _keys()])
    except ValueError:
        raise ImproperlyConfigured(
            "PAYOUT_DETAILS_KEY must be Fernet keys (32 url-safe base64-encoded bytes), comma-separated."
        ) from None


def seal(details: dict[str, str]) -> str:
    return _fernet().encrypt(json.dumps(details, ensure_ascii=False).encode()).decode()


def unseal(token: str) -> dict[str, str]:
    try:
        return dict(json.loads(_fernet().decrypt(token.encode())))
    except InvalidToken:
        raise PayoutDetailsUnreadable(
            "These payout details cannot be decrypted with PAYOUT_DETAILS_KEY: was the key that "
            "encrypted them removed? Put it back after the current key."
        ) from None


def reseal(token: str) -> str:
    """The same details under the current (first) key."""
    try:
        return _fernet().rotate(token.encode()).decode()
    except InvalidToken:
        raise PayoutDetailsUnreadable(
            "These payout details cannot be decrypted with PAYOUT_DETAILS_KEY."
        ) from None
