"""What an upload's own metadata says about whether it is AI-generated (labelling measures Art. 6).

A distributing platform must check a file for an implicit label before it spreads it, and tell
viewers what it found. We read, from the metadata chunks only (never the pixels' compressed data):
the TC260 `AIGC` label of GB 45438-2025 and IPTC's DigitalSourceType in XMP, the presence of a
C2PA manifest (JUMBF in JPEG APP11, PNG `caBX`, WebP `C2PA`), the keywords of PNG text chunks
that image generators write, and a generator's EXIF (Software, SD WebUI's UserComment). Their
*contents* are never kept: Stable Diffusion WebUI's `parameters` and ComfyUI's `prompt`/`workflow`
hold the prompt itself.

What is kept is a class and the kind of evidence that decided it, plus the producer's code and
content id from a source's own TC260 label (printable ASCII, bounded), which the preview's label
must carry on.
"""

from __future__ import annotations

import json
import re
import struct
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from PIL import Image

from prompts.models.images import AiClass, AiEvidence
from prompts.previews.images import jpeg_segments, non_pixel_bytes, png_chunks

# IPTC's codes for media made by a trained model, alone or composited with other media.
AI_SOURCE_TYPES = {"trainedAlgorithmicMedia", "compositeWithTrainedAlgorithmicMedia"}
# PNG text keywords generators write: SD WebUI (`parameters`), ComfyUI (`prompt`, `workflow`),
# InvokeAI (`invokeai_metadata`, `sd-metadata`), NovelAI (`Comment` with `Software: NovelAI`).
GENERATOR_TEXT_KEYWORDS = {"parameters", "prompt", "workflow", "invokeai_metadata", "sd-metadata", "dream"}
# EXIF Software values of generators, lower case; and SD WebUI's parameters in a JPEG's UserComment.
GENERATOR_SOFTWARE = ("novelai", "midjourney", "stable diffusion", "comfyui", "automatic1111", "invokeai")
_SD_PARAMETERS = re.compile(r"Steps: \d+, Sampler: ")
_EXIF_IFD, _SOFTWARE, _USER_COMMENT = 0x8769, 0x0131, 0x9286
_XMP = re.compile(rb"<x:xmpmeta[\s>].*?</x:xmpmeta>", re.DOTALL)
_ASCII_FIELD = re.compile(r"[^\x21-\x7e]")
MAX_FIELD = 128


@dataclass(frozen=True)
class Provenance:
    tc260_label: bool = False
    iptc_ai: bool = False
    c2pa: bool = False
    c2pa_ai: bool = False
    generator_text: bool = False
    generator_exif: bool = False
    producer: str = ""  # ContentProducer of the source's own TC260 label, sanitised
    produce_id: str = ""


def read(file: IO[bytes], fmt: str) -> Provenance:
    """The provenance found in an (already validated) upload's metadata."""
    file.seek(0)
    data = file.read(settings.UPLOAD_MAX_BYTES + 1)  # inspect_upload refused anything larger
    file.seek(0)
    extras = non_pixel_bytes(data, fmt)
    label = _tc260_label(extras)
    c2pa = _c2pa_boxes(data, fmt)
    return Provenance(
        tc260_label=label is not None,
        iptc_ai=_iptc_ai(extras),
        c2pa=bool(c2pa),
        # A manifest also comes from cameras and editors: only its digital source type says "AI".
        c2pa_ai=any(source.encode() in box for box in c2pa for source in AI_SOURCE_TYPES),
        generator_text=fmt == "png" and bool(png_text_keywords(data) & GENERATOR_TEXT_KEYWORDS),
        generator_exif=_generator_exif(file),
        producer=ascii_field((label or {}).get("ContentProducer", "")),
        produce_id=ascii_field((label or {}).get("ProduceID", "")),
    )


def classify(found: Provenance, *, declared: bool, visible_label: bool = False) -> tuple[str, str]:
    """(class, evidence): metadata outranks the seller's word, which outranks a trace; a visible
    label found in the pixels (prompts/previews/visible_label.py) is the last kind of trace."""
    if found.tc260_label:
        return AiClass.AI_GENERATED, AiEvidence.TC260_LABEL
    if found.iptc_ai:
        return AiClass.AI_GENERATED, AiEvidence.IPTC_SOURCE_TYPE
    if found.c2pa_ai:
        return AiClass.AI_GENERATED, AiEvidence.C2PA_MANIFEST
    if declared:
        return AiClass.DECLARED, AiEvidence.SELLER_DECLARED
    if found.generator_text:
        return AiClass.SUSPECTED, AiEvidence.GENERATOR_TEXT
    if found.generator_exif:
        return AiClass.SUSPECTED, AiEvidence.GENERATOR_EXIF
    if visible_label:
        return AiClass.SUSPECTED, AiEvidence.VISIBLE_LABEL
    return AiClass.NONE, AiEvidence.NONE


def ascii_field(value: object) -> str:
    """Printable ASCII as GB 45438-2025 asks of the label's values; anything else is dropped."""
    return _ASCII_FIELD.sub("", value if isinstance(value, str) else "")[:MAX_FIELD]


def xmp_packets(extras: bytes) -> list[ET.Element]:
    roots = []
    for match in _XMP.finditer(extras):
        packet = match.group(0)
        if b"<!DOCTYPE" in packet or b"<!ENTITY" in packet:
            continue  # never expand entities from a stranger's file
        try:
            # No DTD can reach the parser (refused above), so no entity expansion or external fetch.
            roots.append(ET.fromstring(packet))  # noqa: S314
        except ET.ParseError:
            continue
    return roots


def _properties(extras: bytes, local_name: str) -> list[str]:
    """Values of an XMP property by its local name, written as an attribute or an element."""
    values = []
    for root in xmp_packets(extras):
        for element in root.iter():
            for key, value in element.attrib.items():
                if key.rsplit("}", 1)[-1] == local_name:
                    values.append(value)
            if element.tag.rsplit("}", 1)[-1] == local_name:
                values.append("".join(element.itertext()).strip())
    return values


def _tc260_label(extras: bytes) -> dict[str, object] | None:
    for value in _properties(extras, "AIGC"):
        try:
            label = json.loads(value)
        except ValueError:
            continue
        if isinstance(label, dict) and "Label" in label:
            return label
    return None


def _iptc_ai(extras: bytes) -> bool:
    return any(
        value.rstrip("/").rsplit("/", 1)[-1] in AI_SOURCE_TYPES
        for value in _properties(extras, "DigitalSourceType")
    )


def _c2pa_boxes(data: bytes, fmt: str) -> list[bytes]:
    """The C2PA manifest store's bytes, where the file has one (a list: empty when none)."""
    try:
        if fmt == "jpeg":
            # A large store spans several APP11 segments: only the first names it `c2pa`.
            jumbf = b"".join(
                body for marker, body in jpeg_segments(data) if marker == 0xEB and body[:2] == b"JP"
            )
            return [jumbf] if b"c2pa" in jumbf else []
        if fmt == "png":
            return [body for kind, body in png_chunks(data)[0] if kind == b"caBX"]
        if fmt == "webp":
            return [body for kind, body in _riff_chunks(data) if kind == b"C2PA"]
    except (IndexError, ValueError, struct.error):
        return []
    extras = non_pixel_bytes(data, fmt)  # AVIF: a `c2pa` box among the metadata boxes
    return [extras] if b"c2pa" in extras else []


def _generator_exif(file: IO[bytes]) -> bool:
    """A generator named as EXIF Software, or SD WebUI's parameters in UserComment. The comment is
    matched in memory and dropped: like PNG text, it holds the prompt."""
    try:
        with Image.open(file) as image:
            exif = image.getexif()
            software = str(exif.get(_SOFTWARE, "")).lower()
            comment = exif.get_ifd(_EXIF_IFD).get(_USER_COMMENT, b"")
    except (OSError, ValueError, SyntaxError, struct.error):
        return False
    finally:
        file.seek(0)
    if any(name in software for name in GENERATOR_SOFTWARE):
        return True
    raw = comment if isinstance(comment, bytes) else str(comment).encode()
    body = raw[8:] if raw[:8] in (b"UNICODE\0", b"ASCII\0\0\0") else raw
    return any(
        _SD_PARAMETERS.search(body.decode(codec, "ignore")) for codec in ("utf-16-be", "utf-16-le", "latin-1")
    )


def png_text_keywords(data: bytes) -> set[str]:
    """Keywords of tEXt, zTXt and iTXt chunks; their text is not read."""
    keywords = set()
    for kind, body in png_chunks(data)[0]:
        if kind in (b"tEXt", b"zTXt", b"iTXt"):
            keywords.add(body.split(b"\0", 1)[0].decode("latin-1").strip().lower())
    return keywords


def _riff_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    chunks, offset = [], 12
    while offset + 8 <= len(data):
        kind, length = struct.unpack("<4sI", data[offset : offset + 8])
        chunks.append((kind, data[offset + 8 : offset + 8 + length]))
        offset += 8 + length + (length & 1)
    return chunks
