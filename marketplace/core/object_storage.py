"""Object storage for production: previews in a public bucket (or prefix) behind a CDN, originals
in a private one, only ever read by workers. Read from the OBJECT_STORAGE_* variables."""

from __future__ import annotations

from typing import Any

from marketplace.core.env import env_secret, env_str


def object_storages(bucket: str) -> dict[str, dict[str, Any]]:
    """The "default" (public previews) and "private" (originals) entries of STORAGES."""
    shared = {
        "bucket_name": bucket,
        "endpoint_url": env_str("OBJECT_STORAGE_ENDPOINT_URL", "") or None,
        "region_name": env_str("OBJECT_STORAGE_REGION", "") or None,
        "access_key": env_str("OBJECT_STORAGE_ACCESS_KEY_ID", "") or None,
        "secret_key": env_secret("OBJECT_STORAGE_SECRET_ACCESS_KEY", "") or None,
        "file_overwrite": True,  # rendition names are deterministic: a re-render replaces, never duplicates
    }
    public = {
        **shared,
        "location": "public",
        "querystring_auth": False,
        "custom_domain": env_str("OBJECT_STORAGE_PUBLIC_DOMAIN", "") or None,
        "object_parameters": {"CacheControl": "public, max-age=31536000", "ContentDisposition": "inline"},
    }
    private = {
        **shared,
        "bucket_name": env_str("OBJECT_STORAGE_PRIVATE_BUCKET", bucket),
        "location": "private",
        "querystring_auth": True,
        "default_acl": "private",
    }
    return {
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": public},
        "private": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": private},
    }
