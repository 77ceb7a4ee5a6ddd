"""Checks on uploaded images, done on the bytes before any worker decodes them.

OWASP's file-upload advice: an allowlist of formats by magic bytes, a size limit, a pixel limit
read from the header before decoding (decompression bombs), a shape a WebP preview can hold, a
full decode of the pixels, and a scan for markup that would make the file a polyglot. Originals
are never served; previews are re-encoded.
"""

from __future__ import annotations

import hashlib
import re
import struct
import warnings
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _
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
# WebP's format limit on either side; a preview never has a side longer than its source's.
MAX_PREVIEW_SIDE = 16383
# Longer side over shorter side: past it a preview is a sliver a few pixels across at every width.
MAX_ASPECT_RATIO = 20
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


def human_bytes(size: int) -> str:
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            value = size / scale
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{size} bytes"


def human_megapixels(pixels: int) -> str:
    value = pixels / 1_000_000
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


def inspect_upload(file: IO[bytes], *, size: int) -> ImageInfo:
    """Validate an upload and describe it, or raise ApplicationError with a message for the seller."""
    max_bytes = settings.UPLOAD_MAX_BYTES
    if size == 0:
        raise _reject("empty_file", _("The file is empty; choose an image file (PNG, JPEG, WebP or AVIF)."))
    if size > max_bytes:
        raise _reject(
            "file_too_large",
            _("The image is larger than %(size)s; export a smaller one.") % {"size": human_bytes(max_bytes)},
            status_code=413,
        )
    file.seek(0)
    data = file.read(max_bytes + 1)
    fmt = sniff_format(data[:32])
    if fmt is None:
        raise _reject("unsupported_image", _("Upload a PNG, JPEG, WebP or AVIF image; this file is not one."))
    if _MARKUP.search(data[:1024]) or _MARKUP.search(non_pixel_bytes(data, fmt)):
        raise _reject("unsupported_image", _("The file contains markup or a document; upload a plain image."))
    width, height = _check_decodes(file, fmt)
    return ImageInfo(
        format=fmt, width=width, height=height, size=len(data), sha256=hashlib.sha256(data).hexdigest()
    )


def non_pixel_bytes(data: bytes, fmt: str) -> bytes:
    """Everything in the file except compressed pixel data: metadata chunks and trailing bytes.

    Markup hidden there makes a polyglot; markup-like bytes inside compressed pixels are chance.
    """
    walkers = {"png": _png_extras, "jpeg": _jpeg_extras, "webp": _riff_extras, "avif": _isobmff_extras}
    try:
        return walkers[fmt](data)
    except (IndexError, ValueError, struct.error):
        return data  # unparseable structure: scan it all (decoding will reject it anyway)


def png_chunks(data: bytes) -> tuple[list[tuple[bytes, bytes]], int]:
    """A PNG's chunks as (type, body) up to IEND, and the offset where they end."""
    chunks, offset = [], 8
    while offset + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[offset : offset + 8])
        chunks.append((kind, data[offset + 8 : offset + 8 + length]))
        offset += 12 + length
        if kind == b"IEND":
            break
    return chunks, offset


def jpeg_segments(data: bytes) -> list[tuple[int, bytes]]:
    """A JPEG's marker segments as (marker, body), up to the start of scan (pixels follow it)."""
    segments, offset = [], 2
    while offset + 4 <= len(data) and data[offset] == 0xFF:
        marker = data[offset + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            offset += 2
            continue
        (length,) = struct.unpack(">H", data[offset + 2 : offset + 4])
        segments.append((marker, data[offset + 4 : offset + 2 + length]))
        offset += 2 + length
        if marker == 0xDA:  # start of scan: entropy-coded pixels follow up to the end-of-image marker
            break
    return segments


def _png_extras(data: bytes) -> bytes:
    chunks, end = png_chunks(data)
    return b"".join([body for kind, body in chunks if kind != b"IDAT"] + [data[end:]])


def _jpeg_extras(data: bytes) -> bytes:
    extras = [body for _marker, body in jpeg_segments(data)]
    end = data.rfind(b"\xff\xd9")
    if end != -1:
        extras.append(data[end + 2 :])
    return b"".join(extras)


def _riff_extras(data: bytes) -> bytes:
    (riff_size,) = struct.unpack("<I", data[4:8])
    extras, offset, end = [], 12, min(len(data), 8 + riff_size)
    while offset + 8 <= end:
        kind, length = struct.unpack("<4sI", data[offset : offset + 8])
        if kind not in (b"VP8 ", b"VP8L", b"ALPH", b"ANMF"):
            extras.append(data[offset + 8 : offset + 8 + length])
        offset += 8 + length + (length & 1)
    extras.append(data[8 + riff_size :])
    return b"".join(extras)


def _isobmff_extras(data: bytes) -> bytes:
    extras, offset = [], 0
    while offset + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        header = 8
        if size == 1:
            (size,) = struct.unpack(">Q", data[offset + 8 : offset + 16])
            header = 16
        elif size == 0:
            size = len(data) - offset
        if size < header:
            raise ValueError("bad box")
        if kind != b"mdat":
            extras.append(data[offset + header : offset + size])
        offset += size
    extras.append(data[offset:])
    return b"".join(extras)


def _too_large(max_pixels: int, width: int | None = None, height: int | None = None) -> ApplicationError:
    size = f"{width}x{height}" if width else "too large"
    return _reject(
        "image_too_large",
        _("The image is %(size)s; the limit is %(limit)s megapixels. Export it smaller.")
        % {"size": size, "limit": human_megapixels(max_pixels)},
    )


def _header_size(file: IO[bytes], fmt: str) -> tuple[int, int]:
    """Dimensions from the header alone, through the format's plugin (Image.open would refuse bombs
    before telling us their size, and we want to tell the seller)."""
    Image.init()
    factory = Image.OPEN[_PILLOW_FORMATS[fmt]][0]
    file.seek(0)
    try:
        with factory(file) as image:  # type: ignore[call-arg]
            return image.size
    except Exception:
        return 0, 0
    finally:
        file.seek(0)


def _check_decodes(file: IO[bytes], fmt: str) -> tuple[int, int]:
    max_pixels = settings.UPLOAD_MAX_PIXELS
    width, height = _header_size(file, fmt)
    if width * height > max_pixels:
        raise _too_large(max_pixels, width, height)
    try:
        file.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file, formats=[_PILLOW_FORMATS[fmt]]) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise _too_large(max_pixels, width, height)
                _check_shape(width, height)
                if fmt == "png":
                    image.verify()  # every chunk's CRC, which decoding does not check
            _decode_pixels(file, fmt)
    except ApplicationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own guard fires only far above our limit: the image is too large, not corrupt.
        raise _too_large(max_pixels) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, KeyError, EOFError):
        raise _reject(
            "corrupt_image", _("The image is truncated or corrupt; export it again and retry.")
        ) from None
    finally:
        file.seek(0)
    return width, height


def _decode_pixels(file: IO[bytes], fmt: str) -> None:
    """Decode every pixel, so data that does not decompress fails here and not in a worker.

    Runs only after the pixel limit, which bounds its memory. JPEG decodes at 1/8 scale (its draft
    mode still reads every scan), which saves most of the cost for the most common large uploads.
    """
    file.seek(0)
    with Image.open(file, formats=[_PILLOW_FORMATS[fmt]]) as image:
        width, height = image.size
        image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
        image.load()


def _check_shape(width: int, height: int) -> None:
    """Refuse what a WebP preview cannot hold, or would show as a sliver."""
    longer, shorter = max(width, height), max(1, min(width, height))
    if longer > MAX_PREVIEW_SIDE:
        message = (
            _("This image is %(size)s px wide; previews can be at most %(limit)s px on a side.")
            if width >= height
            else _("This image is %(size)s px tall; previews can be at most %(limit)s px on a side.")
        )
        raise _reject(
            "unsupported_dimensions",
            (message + " " + _("Resize it and upload again.")) % {"size": longer, "limit": MAX_PREVIEW_SIDE},
        )
    if longer > shorter * MAX_ASPECT_RATIO:
        raise _reject(
            "unsupported_dimensions",
            _(
                "This image is %(width)sx%(height)s px; previews need the longer side at most "
                "%(ratio)s times the shorter one. Crop it and upload again."
            )
            % {"width": width, "height": height, "ratio": MAX_ASPECT_RATIO},
        )
