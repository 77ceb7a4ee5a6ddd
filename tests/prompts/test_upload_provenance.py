"""Uploads are checked for their own AI labels (labelling measures Art. 6, GB 45438-2025): each
example image is classed, the seller can declare, the listing page says which, and every preview
carries one implicit label whose reserved codes are keyed digests of its other fields."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import re
import struct
import xml.etree.ElementTree as ET
import zlib

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from prompts import services
from prompts.models import ListingEvent, ListingImage
from prompts.previews.services import label_key
from tests.factories import make_listing, png_bytes

pytestmark = pytest.mark.django_db

SD_PARAMETERS = "masterpiece, secret koi lantern prompt\nSteps: 20, Sampler: Euler a, Seed: 42"
COMFY_PROMPT = '{"3": {"inputs": {"text": "hidden comfy workflow words"}}}'
TC260_NS = "http://www.tc260.org.cn/ns/AIGC/1.0/"
IPTC_NS = "http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
ANNEX_E = [
    "Label",
    "ContentProducer",
    "ProduceID",
    "ReservedCode1",
    "ContentPropagator",
    "PropagateID",
    "ReservedCode2",
]


def _xmp(body: str) -> str:
    return (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        f'<rdf:Description rdf:about="" xmlns:TC260="{TC260_NS}" xmlns:Iptc4xmpExt="{IPTC_NS}" {body}'
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
    )


def _tc260_png() -> bytes:
    label = json.dumps({"Label": "1", "ContentProducer": "ernie-vilg.cn", "ProduceID": "ev-2026-000123"})
    info = PngInfo()
    info.add_itxt("XML:com.adobe.xmp", _xmp(f"TC260:AIGC='{label}'>"))
    return png_bytes(width=320, height=240, pnginfo=info)


def _iptc_jpeg(source_type: str = "compositeWithTrainedAlgorithmicMedia") -> bytes:
    uri = f"http://cv.iptc.org/newscodes/digitalsourcetype/{source_type}"
    buffer = io.BytesIO()
    xmp = _xmp(f"><Iptc4xmpExt:DigitalSourceType>{uri}</Iptc4xmpExt:DigitalSourceType>")
    Image.new("RGB", (320, 240), (20, 120, 200)).save(buffer, "JPEG", xmp=xmp.encode())
    return buffer.getvalue()


def _with_app11(jpeg: bytes, payload: bytes) -> bytes:
    """A JUMBF box in an APP11 segment right after SOI, as C2PA embeds its manifest store."""
    box = b"JP" + b"\x00\x01" + b"\x00\x00\x00\x01" + struct.pack(">I", 8 + len(payload)) + b"jumb" + payload
    return jpeg[:2] + b"\xff\xeb" + struct.pack(">H", len(box) + 2) + box + jpeg[2:]


def _c2pa_jpeg(*, ai: bool) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (90, 90, 30)).save(buffer, "JPEG")
    source = b"http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia" if ai else b"camera"
    payload = b"\x00\x00\x00\x1fjumdc2pa\x00\x11\x00\x10\x80\x00\xaa\x008\x9bq" + b"c2pa.actions" + source
    return _with_app11(buffer.getvalue(), payload)


def _split_c2pa_jpeg() -> bytes:
    """A manifest store over two APP11 segments: the AI source type only in the second."""
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (60, 30, 90)).save(buffer, "JPEG")
    second = _with_app11(buffer.getvalue(), b"digitalsourcetype/trainedAlgorithmicMedia")
    return _with_app11(second, b"\x00\x00\x00\x1fjumdc2pa" + b"c2pa.actions")


def _exif_jpeg(*, software: str = "", comment: bytes = b"") -> bytes:
    exif = Image.Exif()
    if software:
        exif[0x0131] = software
    if comment:
        exif.get_ifd(0x8769)[0x9286] = comment
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (120, 30, 30)).save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


SD_COMMENT = b"UNICODE\0" + SD_PARAMETERS.replace("\n", ", ").encode("utf-16-be")


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _c2pa_png() -> bytes:
    data = png_bytes(width=320, height=240, colour=(10, 160, 60))
    manifest = b"jumb" + b"c2pa" + b"digitalsourcetype/trainedAlgorithmicMedia"
    end = data.rindex(b"IEND") - 4
    return data[:end] + _png_chunk(b"caBX", manifest) + data[end:]


def _generator_png(keyword: str = "parameters", text: str = SD_PARAMETERS) -> bytes:
    info = PngInfo()
    info.add_text(keyword, text)
    return png_bytes(width=320, height=240, colour=(200, 200, 40), pnginfo=info)


def _upload(api, listing, data: bytes, name: str = "x.png", **fields):
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = api.post(
            f"/api/v1/seller/listings/{listing.public_id}/images/",
            {"image": SimpleUploadedFile(name, data), **fields},
            format="multipart",
        )
    assert response.status_code == 201, response.json()
    return response, ListingImage.objects.get(public_id=response.json()["id"])


def _preview_bytes(image: ListingImage, index: int = 0) -> bytes:
    image.refresh_from_db()
    with default_storage.open(image.renditions[index]["name"]) as fh:
        return fh.read()


def _labels(data: bytes) -> list[dict[str, str]]:
    """Every TC260 implicit label in the file, read with the standard library's XML parser from the
    WebP container's own XMP chunks (not from our code)."""
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    found, offset = [], 12
    while offset + 8 <= len(data):
        kind, length = struct.unpack("<4sI", data[offset : offset + 8])
        body = data[offset + 8 : offset + 8 + length]
        offset += 8 + length + (length & 1)
        if kind != b"XMP ":
            continue
        root = ET.fromstring(body[body.index(b"<x:xmpmeta") : body.index(b"</x:xmpmeta>") + 12])
        for element in root.iter():
            value = element.get(f"{{{TC260_NS}}}AIGC")
            if value is not None:
                found.append(json.loads(value))
    return found


def _digest(fields: dict[str, str], names: list[str]) -> str:
    message = "\n".join(f"{name}={fields[name]}" for name in names).encode()
    return "dimsum-hmac-sha256-v1:" + hmac.new(label_key(), message, hashlib.sha256).hexdigest()


def _verified(label: dict[str, str]) -> bool:
    return label["ReservedCode1"] == _digest(label, ANNEX_E[:3]) and label["ReservedCode2"] == _digest(
        label, ANNEX_E[:6]
    )


@pytest.mark.parametrize(
    ("data", "name", "ai_class", "evidence"),
    [
        (_tc260_png(), "tc260.png", "ai_generated", "tc260_label"),
        (_iptc_jpeg(), "iptc.jpg", "ai_generated", "iptc_source_type"),
        (_iptc_jpeg("trainedAlgorithmicMedia"), "iptc2.jpg", "ai_generated", "iptc_source_type"),
        (_c2pa_jpeg(ai=True), "c2pa.jpg", "ai_generated", "c2pa_manifest"),
        (_c2pa_png(), "c2pa.png", "ai_generated", "c2pa_manifest"),
        (_split_c2pa_jpeg(), "split.jpg", "ai_generated", "c2pa_manifest"),
        (_c2pa_jpeg(ai=False), "camera.jpg", "none", ""),  # a camera's manifest is no AI evidence
        (_iptc_jpeg("digitalCapture"), "photo.jpg", "none", ""),
        (_generator_png(), "sd.png", "suspected", "generator_text"),
        (_generator_png("prompt", COMFY_PROMPT), "comfy.png", "suspected", "generator_text"),
        (_generator_png("Description", "a koi"), "plain.png", "none", ""),
        (_exif_jpeg(comment=SD_COMMENT), "sd.jpg", "suspected", "generator_exif"),
        (_exif_jpeg(software="NovelAI"), "nai.jpg", "suspected", "generator_exif"),
        (_exif_jpeg(software="GIMP 2.10", comment=b"ASCII\0\0\0my holiday"), "gimp.jpg", "none", ""),
        (png_bytes(), "bare.png", "none", ""),
    ],
)
def test_each_kind_of_metadata_classes_the_upload(seller, seller_api, data, name, ai_class, evidence):
    listing = make_listing(seller)
    response, image = _upload(seller_api, listing, data, name)
    assert (image.ai_class, image.ai_evidence, image.ai_declared) == (ai_class, evidence, False)
    assert (response.json()["ai_class"], response.json()["ai_evidence"]) == (ai_class, evidence)


def test_a_seller_declares_through_the_api_and_metadata_outranks_the_declaration(seller, seller_api):
    listing = make_listing(seller)
    _, plain = _upload(seller_api, listing, png_bytes(), ai_declared="true")
    _, suspected = _upload(seller_api, listing, _generator_png(), ai_declared="true")
    _, labelled = _upload(seller_api, listing, _tc260_png(), ai_declared="true")
    assert (plain.ai_class, plain.ai_evidence, plain.ai_declared) == ("declared", "seller_declared", True)
    assert suspected.ai_class == "declared"  # the seller's word outranks a trace
    assert (labelled.ai_class, labelled.ai_declared) == ("ai_generated", True)
    bad = seller_api.post(
        f"/api/v1/seller/listings/{listing.public_id}/images/",
        {"image": SimpleUploadedFile("x.png", png_bytes()), "ai_declared": "perhaps"},
        format="multipart",
    )
    assert bad.status_code == 400 and "ai_declared" in bad.json()["error"]["fields"]
    assert listing.images.count() == 3


def test_a_seller_declares_on_the_website(seller):
    listing = make_listing(seller)
    client = Client()
    client.force_login(seller)
    url = f"/dashboard/listings/{listing.public_id}/images/"
    page = client.get(f"/dashboard/listings/{listing.public_id}/edit/").content.decode()
    assert 'name="ai_declared"' in page and "These images are AI-generated" in page
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(url, {"images": [SimpleUploadedFile("a.png", png_bytes())], "ai_declared": "on"})
        client.post(url, {"images": [SimpleUploadedFile("b.png", png_bytes(colour=(1, 2, 3)))]})
    declared, undeclared = listing.images.order_by("position")
    assert (declared.ai_class, declared.ai_declared) == ("declared", True)
    assert (undeclared.ai_class, undeclared.ai_declared) == ("none", False)
    page = client.get(f"/dashboard/listings/{listing.public_id}/edit/").content.decode()
    assert "AI-generated, as declared by the seller" in page


def _published_with(seller, seller_api, uploads):
    listing = make_listing(seller)
    for data, fields in uploads:
        _upload(seller_api, listing, data, **fields)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.listing_submit(listing=listing, by=seller)
    listing.refresh_from_db()
    return listing


def test_the_listing_page_shows_each_images_notice_in_english_and_chinese(seller, seller_api):
    listing = _published_with(
        seller,
        seller_api,
        [
            (_tc260_png(), {}),
            (png_bytes(), {"ai_declared": "true"}),
            (_generator_png(), {}),
            (png_bytes(), {}),
        ],
    )
    page = Client().get(f"/listings/{listing.public_id}/").content.decode()
    classes = re.findall(r'data-ai-class="(\w+)"', page)
    assert classes == ["ai_generated", "declared", "suspected", "none"]
    assert "AI-generated, per the file&#x27;s own metadata" in page
    assert "AI-generated, as declared by the seller" in page
    assert "Suspected AI-generated" in page
    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get(f"/listings/{listing.public_id}/").content.decode()
    for notice in ("AI生成（文件元数据标明）", "AI生成（卖家声明）", "疑似AI生成"):
        assert notice in chinese
    public = Client().get(f"/api/v1/listings/{listing.public_id}/").json()
    assert [preview["ai_class"] for preview in public["previews"]] == classes


def test_exif_generation_parameters_never_reach_the_db_or_previews(seller, seller_api):
    listing = make_listing(seller)
    _, image = _upload(seller_api, listing, _exif_jpeg(comment=SD_COMMENT), "sd.jpg")
    row = json.dumps(ListingImage.objects.filter(pk=image.pk).values().get(), default=str)
    assert image.ai_class == "suspected" and "secret koi lantern" not in row
    for index in range(len(image.renditions)):
        preview = _preview_bytes(image, index)
        assert "secret koi lantern".encode("utf-16-be") not in preview and b"UNICODE" not in preview


@pytest.mark.parametrize(
    ("keyword", "text"),
    [("parameters", SD_PARAMETERS), ("prompt", COMFY_PROMPT), ("workflow", COMFY_PROMPT)],
)
def test_png_text_chunk_contents_never_reach_the_db_api_page_or_previews(seller, seller_api, keyword, text):
    secret = "secret koi lantern" if keyword == "parameters" else "hidden comfy workflow"
    listing = _published_with(seller, seller_api, [(_generator_png(keyword, text), {})])
    image = listing.images.get()
    row = json.dumps(ListingImage.objects.filter(pk=image.pk).values().get(), default=str)
    events = json.dumps(list(ListingEvent.objects.filter(listing=listing).values("detail")), default=str)
    listing.refresh_from_db()
    documents = listing.card_json + listing.detail_json
    assert secret not in row and secret not in events and secret not in documents
    seller_view = seller_api.get(f"/api/v1/seller/listings/{listing.public_id}/").content.decode()
    public = Client().get(f"/api/v1/listings/{listing.public_id}/").content.decode()
    page = Client().get(f"/listings/{listing.public_id}/").content.decode()
    assert secret not in seller_view and secret not in public and secret not in page
    for index in range(len(image.renditions)):
        preview = _preview_bytes(image, index)
        assert secret.encode() not in preview and keyword.encode() + b"\0" not in preview
    assert image.ai_class == "suspected"


def test_the_preview_label_carries_every_annex_e_field_and_verifies(settings, seller, seller_api):
    settings.AI_LABEL_SERVICE_CODE = "acme-aigc"
    settings.AI_LABEL_DIGEST_KEY = "label-test-key"
    listing = make_listing(seller)
    _, own = _upload(seller_api, listing, png_bytes(width=400, height=300))
    _, sourced = _upload(seller_api, listing, _tc260_png())
    opaque = f"acme-aigc:listing/{listing.public_id}/image/{own.public_id}"
    for index in range(len(own.renditions)):
        (label,) = _labels(_preview_bytes(own, index))
        assert list(label) == ANNEX_E
        assert label["Label"] == "1"
        assert (label["ContentProducer"], label["ProduceID"]) == ("acme-aigc", opaque)
        assert (label["ContentPropagator"], label["PropagateID"]) == ("acme-aigc", opaque)
        assert all(re.fullmatch(r"[\x21-\x7e]+", value) for value in label.values())
        assert _verified(label)
    (label,) = _labels(_preview_bytes(sourced))
    assert (label["ContentProducer"], label["ProduceID"]) == ("ernie-vilg.cn", "ev-2026-000123")
    assert label["PropagateID"] == f"acme-aigc:listing/{listing.public_id}/image/{sourced.public_id}"
    assert _verified(label)
    tampered = {**label, "ContentProducer": "someone-else"}
    assert not _verified(tampered)
    settings.AI_LABEL_DIGEST_KEY = "another-key"
    assert not _verified(label)  # only the key's holder can make a label that verifies


def test_re_rendering_overwrites_the_label_and_never_appends_one(seller, seller_api):
    listing = make_listing(seller)
    _, first = _upload(seller_api, listing, _tc260_png())
    preview = _preview_bytes(first)
    # A preview of ours uploaded again (re-posted elsewhere and back): one label, the new one.
    _, again = _upload(seller_api, listing, preview, "again.webp")
    data = _preview_bytes(again)
    (label,) = _labels(data)
    assert data.count(b"<x:xmpmeta") == 1 and data.count(b"TC260:AIGC=") == 1
    assert label["PropagateID"].endswith(f"/image/{again.public_id}")
    assert label["ContentProducer"] == "ernie-vilg.cn"  # carried on from the first label
    assert again.ai_class == "ai_generated"
    # Rendering the same image twice replaces its files: still one label each.
    from prompts.models import ImageStatus
    from prompts.previews.services import image_render_previews

    ListingImage.objects.filter(pk=again.pk).update(status=ImageStatus.PENDING)
    image_render_previews(image_id=again.pk)
    rerendered = _preview_bytes(again)
    assert rerendered.count(b"<x:xmpmeta") == 1 and len(_labels(rerendered)) == 1


def test_moderators_see_each_images_class_and_evidence_but_never_the_text_chunk(seller, seller_api, staff):
    from django.contrib.auth.models import Permission

    listing = make_listing(seller)
    _upload(seller_api, listing, _generator_png())
    _upload(seller_api, listing, _tc260_png())
    codes = ["view_listing", "change_listing", "view_listingimage"]
    staff.user_permissions.add(*Permission.objects.filter(codename__in=codes))
    client = Client()
    client.force_login(staff)
    page = client.get(f"/admin/prompts/listing/{listing.pk}/change/").content.decode()
    assert "Suspected AI-generated" in page and "Image generator&#x27;s PNG text chunk" in page
    assert "AI-generated per its metadata" in page and "TC260 AIGC label (GB 45438-2025)" in page
    assert "secret koi lantern" not in page
