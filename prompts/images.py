"""Checks on uploaded images, done on the bytes before any worker decodes them.

OWASP's file-upload advice: an allowlist of formats by magic bytes, a size limit, a pixel limit
read from the header before decoding (decompression bombs), an integrity check, and a scan for
markup that would make the file a polyglot. Originals are never served; previews are re-encoded.
"""

from __future__ import annotations

import hashlib
import re
import warnings
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from PIL import Image, UnidentifiedImageError

from marketplace.core.errors import ApplicationError

_MAGIC: list[tuple[int, bytes, str]] = [
    (0, b"\x89PNG\r\n\x1a\n", "png"),
    (0, b"\xff\xd8\xff", "jpeg"),
    (8, b"WEBP", "webp"),
    (4, b"ftypavif", "avif"),
    (4, b"ftypavis", "avif"),
]
_PILLOW_FORMATS = {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP", "avif": "AVIF"}
_MARKUP = re.compile(rb"<\s*(?:script|html|svg|iframe|body|\?php)|%PDF-|<!doctype", re.IGNORECASE)


@dataclass(frozen=True)
class ImageInfo:
    format: str
    width: int
    height: int
    size: int
    sha256: str


def _reject(code: str, message: str, status_code: int = 400) -> ApplicationError:
    return ApplicationError(code, message, fields={"image": [message]}, status_code=status_code)


def sniff_format(head: bytes) -> str | None:
    for offset, magic, name in _MAGIC:
        if head[offset : offset + len(magic)] == magic:
            if name == "webp" and head[:4] != b"RIFF":
                continue
            return name
    return None


def inspect_upload(file: IO[bytes], *, size: int) -> ImageInfo:
    """Validate an upload and describe it, or raise ApplicationError with a message for the seller."""
    max_bytes = settings.UPLOAD_MAX_BYTES
    if size == 0:
        raise _reject("empty_file", "The file is empty.")
    if size > max_bytes:
        raise _reject(
            "file_too_large", f"The image is larger than {max_bytes // (1024 * 1024)} MB.", status_code=413
        )
    file.seek(0)
    data = file.read(max_bytes + 1)
    fmt = sniff_format(data[:32])
    if fmt is None:
        raise _reject("unsupported_image", "Upload a PNG, JPEG, WebP or AVIF image; this file is not one.")
    if _MARKUP.search(data):
        raise _reject("unsupported_image", "The file contains markup or a document; upload a plain image.")
    width, height = _check_decodes(file, fmt)
    return ImageInfo(
        format=fmt, width=width, height=height, size=len(data), sha256=hashlib.sha256(data).hexdigest()
    )


def _check_decodes(file: IO[bytes], fmt: str) -> tuple[int, int]:
    max_pixels = settings.UPLOAD_MAX_PIXELS
    try:
        file.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file, formats=[_PILLOW_FORMATS[fmt]]) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise _reject(
                        "image_too_large",
                        f"The image is {width}x{height}; the limit is {max_pixels // 1_000_000} megapixels.",
                    )
                if fmt == "png":
                    # Walks every chunk and checks its CRC without decoding pixels.
                    image.verify()
                else:
                    # Decode at reduced scale where the format allows it (JPEG draft), so a truncated
                    # or corrupt file fails here and not in a worker, without paying for full size.
                    image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                    image.load()
    except ApplicationError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        KeyError,
        EOFError,
    ):
        raise _reject(
            "corrupt_image", "The image is truncated or corrupt; export it again and retry."
        ) from None
    finally:
        file.seek(0)
    return width, height
