"""Hostile and awkward example-image uploads, posted by a seller through the REST API.

Every file here is built in the test: nothing comes from outside the repository.
"""

from __future__ import annotations

import functools
import io
import os
import random
import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from PIL import Image, ImageStat
from PIL.PngImagePlugin import PngInfo

from prompts import services
from prompts.models import ImageStatus, Listing, ListingEvent, ListingImage
from prompts.previews.tasks import render_previews
from tests.factories import png_bytes, png_upload

pytestmark = pytest.mark.django_db

SECRET = "SECRET-PROMPT"
ORIENTATION = 0x0112
GPS_IFD = 0x8825


# --- Building the corpus -------------------------------------------------------------------------


def _encode(image: Image.Image, fmt: str, **options: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def _random_rgb(width: int, height: int, seed: int = 7) -> Image.Image:
    # Incompressible pixels: the encoded file is about width * height * 3 bytes.
    return Image.frombytes("RGB", (width, height), random.Random(seed).randbytes(width * height * 3))


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


@functools.cache
def bomb_png(width: int = 30_000, height: int = 30_000) -> bytes:
    """A real, fully valid 1-bit PNG of width x height: ~110 KB on disk, ~900 megapixels decoded."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # bit depth 1, greyscale
    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte + packed pixels
    compressor = zlib.compressobj(9)
    rows_per_call = 1000
    pixels = b"".join(compressor.compress(row * rows_per_call) for _ in range(height // rows_per_call))
    pixels += compressor.compress(row * (height % rows_per_call)) + compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", pixels)
        + _png_chunk(b"IEND", b"")
    )


def truncated_png() -> bytes:
    data = _encode(_random_rgb(160, 120), "PNG")
    return data[: len(data) // 2]


def truncated_jpeg() -> bytes:
    data = _encode(_random_rgb(160, 120), "JPEG", quality=90)
    return data[: len(data) // 2]


def png_with_pixels(width: int, height: int, pixel_data: bytes) -> bytes:
    """A PNG whose every chunk is well formed (lengths, CRCs, IEND) around the given IDAT payload."""
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + _png_chunk(b"IDAT", pixel_data)
        + _png_chunk(b"IEND", b"")
    )


def png_with_cut_pixel_data() -> bytes:
    """Valid header and chunks, but the compressed pixels stop halfway: only decoding notices."""
    rows = b"".join(b"\x00" + random.Random(row).randbytes(160 * 3) for row in range(120))
    compressed = zlib.compress(rows)
    return png_with_pixels(160, 120, compressed[: len(compressed) // 2])


def png_with_garbage_pixel_data() -> bytes:
    return png_with_pixels(160, 120, random.Random(5).randbytes(4000))


def gif_bytes() -> bytes:
    return _encode(Image.new("P", (32, 32), 3), "GIF")


def jpeg_with_gps_and_rotation(width: int = 40, height: int = 20) -> bytes:
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # "rotate 90° clockwise to display"
    exif[0x010F] = "PhoneMaker"
    exif[GPS_IFD] = {1: "N", 2: (51.0, 30.0, 26.0), 3: "W", 4: (0.0, 7.0, 39.0)}
    xmp = f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description>{SECRET}</rdf:Description></x:xmpmeta>'
    image = Image.new("RGB", (width, height), (20, 160, 220))
    return _encode(image, "JPEG", quality=90, exif=exif, xmp=xmp.encode())


def png_with_text_and_xmp() -> bytes:
    info = PngInfo()
    info.add_text("parameters", f"{SECRET}: masterpiece, neon koi, seed 1234")
    info.add_itxt("XML:com.adobe.xmp", f'<x:xmpmeta xmlns:x="adobe:ns:meta/">{SECRET}</x:xmpmeta>')
    return png_bytes(96, 64, pnginfo=info)


HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(1)</script><rect width='10' height='10'/></svg>"
)
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

NOT_AN_IMAGE = "PNG, JPEG, WebP or AVIF"
RE_EXPORT = "export it again"

# id: (file name, content type, bytes builder, settings to override, status, error code, hint).
# The hint is what the seller reads to know what to do next.
CORPUS: dict[str, tuple[str, str, Callable[[], bytes], dict[str, int], int, str, str]] = {
    "html-named-png": ("koi.png", "image/png", lambda: HTML, {}, 400, "unsupported_image", NOT_AN_IMAGE),
    "svg-with-script": ("logo.svg", "image/svg+xml", lambda: SVG, {}, 400, "unsupported_image", NOT_AN_IMAGE),
    "pdf": ("brochure.png", "application/pdf", lambda: PDF, {}, 400, "unsupported_image", NOT_AN_IMAGE),
    "empty": ("empty.png", "image/png", lambda: b"", {}, 400, "invalid", "empty"),
    "truncated-png": ("half.png", "image/png", truncated_png, {}, 400, "corrupt_image", RE_EXPORT),
    "truncated-jpeg": ("half.jpg", "image/jpeg", truncated_jpeg, {}, 400, "corrupt_image", RE_EXPORT),
    "png-pixel-data-cut": (
        "cut.png",
        "image/png",
        png_with_cut_pixel_data,
        {},
        400,
        "corrupt_image",
        RE_EXPORT,
    ),
    "png-pixel-data-garbage": (
        "noise.png",
        "image/png",
        png_with_garbage_pixel_data,
        {},
        400,
        "corrupt_image",
        RE_EXPORT,
    ),
    "wider-than-webp": (
        "panorama.png",
        "image/png",
        lambda: png_bytes(17000, 1000),
        {},
        400,
        "unsupported_dimensions",
        "This image is 17000 px wide; previews can be at most 16383 px on a side. Resize it",
    ),
    "taller-than-webp": (
        "scroll.png",
        "image/png",
        lambda: png_bytes(1000, 17000),
        {},
        400,
        "unsupported_dimensions",
        "This image is 17000 px tall",
    ),
    "one-pixel-sliver": (
        "line.png",
        "image/png",
        lambda: png_bytes(10000, 1),
        {},
        400,
        "unsupported_dimensions",
        "This image is 10000x1 px; previews need the longer side at most 20 times the shorter one. Crop it",
    ),
    "ratio-just-past-the-bound": (
        "banner.png",
        "image/png",
        lambda: png_bytes(2100, 100),
        {},
        400,
        "unsupported_dimensions",
        "2100x100",
    ),
    "over-pixel-limit": (
        "wide.png",
        "image/png",
        lambda: png_bytes(1250, 1000),
        {"UPLOAD_MAX_PIXELS": 1_000_000},
        400,
        "image_too_large",
        "1250x1000",
    ),
    "over-byte-limit": (
        "big.png",
        "image/png",
        lambda: _encode(_random_rgb(700, 600), "PNG"),
        {"UPLOAD_MAX_BYTES": 1024 * 1024},
        413,
        "file_too_large",
        "1 MB",
    ),
    "png-html-polyglot": (
        "poly.png",
        "image/png",
        lambda: png_bytes() + b"<html><script>alert(1)</script>",
        {},
        400,
        "unsupported_image",
        "plain image",
    ),
    "gif": ("anim.gif", "image/gif", gif_bytes, {}, 400, "unsupported_image", NOT_AN_IMAGE),
    "text": (
        "notes.txt",
        "text/plain",
        lambda: b"just my notes\n",
        {},
        400,
        "unsupported_image",
        NOT_AN_IMAGE,
    ),
}


# --- Helpers ---------------------------------------------------------------------------------------


def files_under(root: str | os.PathLike[str]) -> set[str]:
    root = Path(root)
    return (
        {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}
        if root.exists()
        else set()
    )


def post_image(api: Any, listing: Listing, name: str, data: bytes, content_type: str = "image/png") -> Any:
    return api.post(
        f"/api/v1/seller/listings/{listing.public_id}/images/",
        {"image": SimpleUploadedFile(name, data, content_type=content_type)},
        format="multipart",
    )


def uploaded_image(api: Any, listing: Listing, name: str, data: bytes, content_type: str) -> ListingImage:
    response = post_image(api, listing, name, data, content_type)
    assert response.status_code == 201, response.json()
    image = ListingImage.objects.get(public_id=response.json()["id"])
    assert image.status == ImageStatus.READY, image.failure_reason
    return image


def preview_path(rendition: dict[str, Any]) -> Path:
    return Path(default_storage.path(rendition["name"]))


def assert_no_source_metadata(path: Path) -> None:
    """Nothing of the source's EXIF, GPS, XMP or text chunks is in a preview.

    A preview may carry one XMP packet that we write ourselves (the AI-generated label), so an XMP
    packet is allowed as long as nothing in it came from the upload.
    """
    raw = path.read_bytes()
    assert SECRET.encode() not in raw
    assert b"Exif" not in raw
    assert b"GPS" not in raw and b"PhoneMaker" not in raw
    with Image.open(path) as preview:
        assert preview.format == "WEBP"
        assert not preview.getexif()
        assert "exif" not in preview.info
        assert not {"parameters", "XML:com.adobe.xmp", "icc_profile"} & set(preview.info)
        own_xmp = preview.info.get("xmp", b"")
        assert SECRET.encode() not in (own_xmp if isinstance(own_xmp, bytes) else own_xmp.encode())


# --- Refused uploads -----------------------------------------------------------------------------


def _corpus_params() -> list[Any]:
    params = [pytest.param(*case, id=case_id) for case_id, case in CORPUS.items()]
    params.insert(
        6,
        pytest.param(
            "bomb.png",
            "image/png",
            bomb_png,
            {},
            400,
            "image_too_large",
            "30000x30000",
            id="decompression-bomb-message",
        ),
    )
    return params


@pytest.mark.parametrize(
    ("name", "content_type", "build", "overrides", "status", "code", "hint"), _corpus_params()
)
def test_hostile_upload_is_refused_with_a_reason_and_leaves_nothing(
    settings, seller_api, listing, name, content_type, build, overrides, status, code, hint
):
    for setting, value in overrides.items():
        setattr(settings, setting, value)
    private_before = files_under(settings.PRIVATE_MEDIA_ROOT)
    public_before = files_under(settings.MEDIA_ROOT)

    response = post_image(seller_api, listing, name, build(), content_type)

    assert response.status_code == status, response.content[:300]
    error = response.json()["error"]
    assert set(error) == {"code", "message", "fields"}
    assert error["code"] == code
    assert error["message"]
    assert list(error["fields"]) == ["image"]
    assert hint in " ".join([error["message"], *error["fields"]["image"]])
    assert "alert" not in response.content.decode()
    assert not ListingImage.objects.filter(listing=listing).exists()
    assert not ListingEvent.objects.filter(listing=listing, action="image_added").exists()
    assert files_under(settings.PRIVATE_MEDIA_ROOT) == private_before
    assert files_under(settings.MEDIA_ROOT) == public_before


def test_decompression_bomb_is_refused_before_any_worker_decodes_it(settings, seller_api, listing):
    bomb = bomb_png()
    assert len(bomb) < 200_000  # a small file that would decode to 900 megapixels
    private_before = files_under(settings.PRIVATE_MEDIA_ROOT)

    response = post_image(seller_api, listing, "wallpaper.png", bomb)

    assert 400 <= response.status_code < 500
    error = response.json()["error"]
    assert error["code"] in {"image_too_large", "corrupt_image"}
    assert list(error["fields"]) == ["image"]
    assert not ListingImage.objects.filter(listing=listing).exists()
    assert files_under(settings.PRIVATE_MEDIA_ROOT) == private_before


def test_hostile_upload_does_not_use_up_an_image_slot(seller_api, listing):
    """After a refused file the seller can upload a real one straight away, at position 1."""
    assert post_image(seller_api, listing, "x.png", HTML).status_code == 400
    image = uploaded_image(seller_api, listing, "real.png", png_bytes(), "image/png")
    assert image.position == 1


def test_genuine_image_whose_pixel_bytes_spell_a_tag_is_accepted(seller_api, listing):
    # Photo data is close to random bytes, and any four bytes, '<svg' included, turn up in a few MB.
    # Unfiltered rows in stored (level 0) deflate keep the pixel bytes as they are, so this one
    # valid 64x64 greyscale PNG shows it every time.
    pixels = bytearray(random.Random(3).randbytes(64 * 64))
    pixels[1000:1004] = b"<svg"
    rows = b"".join(b"\x00" + bytes(pixels[y * 64 : (y + 1) * 64]) for y in range(64))
    data = (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 64, 64, 8, 0, 0, 0, 0))
        + _png_chunk(b"IDAT", zlib.compress(rows, 0))
        + _png_chunk(b"IEND", b"")
    )
    assert b"<svg" in data
    with Image.open(io.BytesIO(data)) as decoded:
        assert decoded.tobytes() == bytes(pixels)

    response = post_image(seller_api, listing, "noise.png", data)

    assert response.status_code == 201, response.json()


@pytest.mark.parametrize(
    ("setting", "value", "build", "unit"),
    [
        ("UPLOAD_MAX_BYTES", 512 * 1024, lambda: _encode(_random_rgb(500, 400), "PNG"), "KB"),
        ("UPLOAD_MAX_PIXELS", 500_000, lambda: png_bytes(1000, 600), "megapixels"),
    ],
    ids=["bytes", "pixels"],
)
def test_limit_below_one_unit_is_not_reported_as_zero(
    settings, seller_api, listing, setting, value, build, unit
):
    setattr(settings, setting, value)
    response = post_image(seller_api, listing, "big.png", build())
    assert response.status_code in (400, 413)
    message = response.json()["error"]["message"]
    assert unit in message
    assert f" 0 {unit}" not in message


# --- Accepted uploads: previews carry pixels only ----------------------------------------------------


def test_rotated_phone_photo_with_gps_gives_upright_previews_without_metadata(seller_api, listing):
    source = jpeg_with_gps_and_rotation(40, 20)
    assert SECRET.encode() in source and b"Exif" in source

    image = uploaded_image(seller_api, listing, "holiday.jpg", source, "image/jpeg")

    assert image.renditions
    for rendition in image.renditions:
        path = preview_path(rendition)
        assert_no_source_metadata(path)
        with Image.open(path) as preview:
            assert preview.size == (rendition["width"], rendition["height"])
            assert preview.height > preview.width  # orientation 6 applied: 40x20 shown as 20x40
            assert preview.width <= 20  # never wider than the upright source
    assert (image.width, image.height) == (20, 40)
    detail = seller_api.get(f"/api/v1/seller/listings/{listing.public_id}/").json()
    assert SECRET not in str(detail)


def test_png_text_and_xmp_chunks_do_not_reach_previews(seller_api, listing):
    source = png_with_text_and_xmp()
    assert SECRET.encode() in source

    image = uploaded_image(seller_api, listing, "koi.png", source, "image/png")

    assert [r["width"] for r in image.renditions] == [96]
    for rendition in image.renditions:
        assert_no_source_metadata(preview_path(rendition))


def test_large_source_gets_every_preview_width_in_proportion(settings, seller_api, listing):
    settings.PREVIEW_WIDTHS = [1280, 640, 320]

    image = uploaded_image(seller_api, listing, "wide.png", png_bytes(1500, 1000), "image/png")

    sizes = [(r["width"], r["height"]) for r in image.renditions]
    assert sizes == [(1280, 853), (640, 427), (320, 213)]
    for rendition in image.renditions:
        with Image.open(preview_path(rendition)) as preview:
            assert preview.format == "WEBP"
            assert preview.size == (rendition["width"], rendition["height"])
    served = seller_api.get(f"/api/v1/seller/listings/{listing.public_id}/").json()["images"][0]["previews"]
    assert [p["width"] for p in served] == [320, 640, 1280]


def test_small_source_is_never_upscaled(settings, seller_api, listing):
    settings.PREVIEW_WIDTHS = [1280, 640, 320, 160]

    image = uploaded_image(seller_api, listing, "small.png", png_bytes(500, 250), "image/png")

    sizes = [(r["width"], r["height"]) for r in image.renditions]
    assert all(width <= 500 for width, _ in sizes)
    assert all(height == width // 2 for width, height in sizes)
    assert {(320, 160), (160, 80)} <= set(sizes)
    for rendition in image.renditions:
        with Image.open(preview_path(rendition)) as preview:
            assert preview.width <= 500


def test_source_narrower_than_every_preview_keeps_its_own_width(seller_api, listing):
    image = uploaded_image(seller_api, listing, "tiny.png", png_bytes(120, 90), "image/png")
    assert [(r["width"], r["height"]) for r in image.renditions] == [(120, 90)]


def test_rotated_photo_preview_is_as_sharp_as_the_same_photo_upright(seller_api, listing):
    """JPEG decodes at a reduced scale; for a photo stored sideways that scale follows the upright width."""
    # Fine 2-pixel stripes: a preview decoded at too small a scale turns them into flat grey.
    stripes = Image.new("L", (1, 500))
    stripes.putdata([255 if (y // 2) % 2 else 0 for y in range(500)])
    stored = stripes.resize((2000, 500), Image.Resampling.NEAREST).convert("RGB")  # shown as 500x2000
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    rotated = _encode(stored, "JPEG", quality=95, exif=exif)
    upright = _encode(stored.transpose(Image.Transpose.ROTATE_270), "JPEG", quality=95)

    contrast = []
    for name, data in (("upright.jpg", upright), ("rotated.jpg", rotated)):
        image = uploaded_image(seller_api, listing, name, data, "image/jpeg")
        (small,) = [r for r in image.renditions if r["width"] == 320]
        assert small["height"] == 1280
        with Image.open(preview_path(small)) as preview:
            contrast.append(ImageStat.Stat(preview.convert("L")).stddev[0])

    assert contrast[0] > 60  # the stripes survive in the upright photo's preview
    assert abs(contrast[0] - contrast[1]) < 15


def test_sixteen_bit_greyscale_png_keeps_its_tones(seller_api, listing):
    grey = _encode(Image.new("I;16", (80, 60), 32_768), "PNG")  # 50% grey at 16 bits per pixel

    image = uploaded_image(seller_api, listing, "scan.png", grey, "image/png")

    with Image.open(preview_path(image.renditions[0])) as preview:
        red, green, blue = preview.convert("RGB").getpixel((4, 4))  # away from any corner label
    assert 110 <= red <= 145 and red == green == blue


# --- Names on disk -------------------------------------------------------------------------------------


def test_original_is_stored_under_a_server_generated_name(settings, seller_api, listing):
    image = uploaded_image(seller_api, listing, "../../etc/passwd.png", png_bytes(), "image/png")

    name = image.original.name
    assert name.startswith("originals/")
    assert image.public_id in name
    assert "passwd" not in name and ".." not in name and "etc" not in name.split("/")
    stored = Path(settings.PRIVATE_MEDIA_ROOT) / name
    assert stored.read_bytes() == png_bytes()
    everything = files_under(settings.PRIVATE_MEDIA_ROOT) | files_under(settings.MEDIA_ROOT)
    assert not any("passwd" in path for path in everything)
    assert all("passwd" not in r["name"] for r in image.renditions)
    # The original is private: no preview URL points at it.
    served = str(seller_api.get(f"/api/v1/seller/listings/{listing.public_id}/").json())
    assert "originals/" not in served


# --- The preview task is safe to repeat --------------------------------------------------------------


def _snapshot(image: ListingImage) -> dict[str, tuple[bytes, int]]:
    return {
        r["name"]: (preview_path(r).read_bytes(), preview_path(r).stat().st_mtime_ns)
        for r in image.renditions
    }


def test_rendering_twice_changes_nothing(seller_api, listing):
    image = uploaded_image(seller_api, listing, "wide.png", png_bytes(1500, 1000), "image/png")
    before = _snapshot(image)
    folder = preview_path(image.renditions[0]).parent
    files_before = files_under(folder)

    render_previews(image.pk)

    again = ListingImage.objects.get(pk=image.pk)
    assert again.status == ImageStatus.READY
    assert again.renditions == image.renditions
    assert _snapshot(again) == before
    assert files_under(folder) == files_before


def test_redelivered_task_replaces_a_partial_preview_under_the_same_name(seller_api, listing):
    """A worker killed mid-render leaves the row processing and a half-written file behind."""
    image = uploaded_image(seller_api, listing, "wide.png", png_bytes(1500, 1000), "image/png")
    folder = preview_path(image.renditions[0]).parent
    files_before = files_under(folder)
    preview_path(image.renditions[0]).write_bytes(b"RIFF\x00\x00half-written")
    ListingImage.objects.filter(pk=image.pk).update(status=ImageStatus.PROCESSING, renditions=[])

    render_previews(image.pk)
    render_previews(image.pk)

    again = ListingImage.objects.get(pk=image.pk)
    assert again.status == ImageStatus.READY
    assert again.renditions == image.renditions
    assert files_under(folder) == files_before
    with Image.open(preview_path(again.renditions[0])) as preview:
        preview.load()
        assert preview.size == (1500, 1000)  # the viewer's 2048 px size, capped at the source


def test_upload_renders_previews_once(seller_api, listing):
    """The upload's own enqueue plus a duplicate delivery: one set of files, one image row."""
    response = post_image(seller_api, listing, "koi.png", png_bytes(700, 400))
    image = ListingImage.objects.get(public_id=response.json()["id"])
    render_previews(image.pk)

    image.refresh_from_db()
    assert ListingImage.objects.filter(listing=listing).count() == 1
    folder = preview_path(image.renditions[0]).parent
    assert sorted(files_under(folder)) == sorted(Path(r["name"]).name for r in image.renditions)
    assert len({r["width"] for r in image.renditions}) == len(image.renditions)
    assert {640, 320} <= {r["width"] for r in image.renditions}


def test_image_that_cannot_be_decoded_by_the_worker_is_marked_failed_with_a_reason(seller, listing):
    """If the stored original is unreadable (disk damage), the row says so instead of staying pending."""
    with TestCase.captureOnCommitCallbacks(execute=False):
        image = services.listing_image_add(listing=listing, by=seller, upload=png_upload())
    Path(settings.PRIVATE_MEDIA_ROOT, image.original.name).write_bytes(b"\x89PNG\r\n\x1a\n broken")

    render_previews(image.pk)
    render_previews(image.pk)

    image.refresh_from_db()
    assert image.status == ImageStatus.FAILED
    assert "upload it again" in image.failure_reason
    assert image.renditions == []


def test_image_at_the_shape_bound_is_accepted_and_rendered(seller_api, listing):
    image = uploaded_image(seller_api, listing, "banner.png", png_bytes(2000, 100), "image/png")
    assert [(r["width"], r["height"]) for r in image.renditions] == [
        (2000, 100),
        (1280, 64),
        (640, 32),
        (320, 16),
    ]


@pytest.mark.parametrize(
    ("stored", "cause"),
    [
        (png_with_cut_pixel_data, "The image data is truncated"),
        (png_with_garbage_pixel_data, "The image data is corrupt"),
        (lambda: png_bytes(40, 17000), "WebP cannot encode 17000 px"),
        (lambda: b"\x89PNG\r\n\x1a\n broken", "The stored file is not a readable image"),
    ],
    ids=["truncated", "corrupt", "too-tall-for-webp", "not-an-image"],
)
def test_worker_failure_reason_names_its_cause(seller, listing, stored, cause):
    """An original that went bad after its upload check fails with the reason, not a generic one."""
    with TestCase.captureOnCommitCallbacks(execute=False):
        image = services.listing_image_add(listing=listing, by=seller, upload=png_upload())
    Path(settings.PRIVATE_MEDIA_ROOT, image.original.name).write_bytes(stored())

    render_previews(image.pk)

    image.refresh_from_db()
    assert image.status == ImageStatus.FAILED
    assert image.failure_reason.startswith(cause), image.failure_reason
    assert "upload it again" in image.failure_reason
    assert image.renditions == []
