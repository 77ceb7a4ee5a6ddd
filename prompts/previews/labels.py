"""The AI-generated label, visible and machine-readable, as China's labelling rules require.

Visible: "AI生成 · AI-generated" in a dark translucent box (legible on light and dark images),
its text at least 5% of the image's short side. Machine-readable: an XMP packet with IPTC's
DigitalSourceType trainedAlgorithmicMedia, our platform's name and service code, an opaque content
id that traces back to the listing, and the implicit-label fields of the national standard
(GB 45438-2025) as JSON.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import quoteattr

from PIL import Image, ImageDraw, ImageFont

LABEL_TEXT = "AI生成 · AI-generated"
MIN_SHARE_OF_SHORT_SIDE = 0.05
TRAINED_ALGORITHMIC_MEDIA = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
_FONT = Path(__file__).parent / "assets" / "label-font.otf"


@lru_cache(maxsize=64)
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(_FONT), size)


def label_height(width: int, height: int) -> int:
    """Pixel height of the label text: 5% of the short side, never under 10 px."""
    return max(10, -(-min(width, height) * 5 // 100))


def draw_visible_label(image: Image.Image) -> Image.Image:
    """Draw the label into ``image`` (RGB or RGBA) in its bottom-right corner, and return it.

    Only the label's own rectangle is composited, so the cost does not grow with the image.
    """
    width, height = image.size
    text_height = label_height(width, height)
    size = _font_size_for(text_height)
    font = _font(size)
    left, top, right, bottom = font.getbbox(LABEL_TEXT)
    pad = max(2, text_height // 3)
    if right - left + 3 * pad > width:  # a very narrow image: shrink the label rather than crop it
        font = _font(max(6, size * (width - 3 * pad) // max(1, right - left)))
        left, top, right, bottom = font.getbbox(LABEL_TEXT)
    box_w, box_h = int(right - left) + 2 * pad, int(bottom - top) + 2 * pad
    x0, y0 = max(0, width - box_w - pad), max(0, height - box_h - pad)
    region = image.crop((x0, y0, x0 + box_w, y0 + box_h)).convert("RGBA")
    overlay = Image.new("RGBA", region.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    draw.rounded_rectangle((0, 0, box_w - 1, box_h - 1), radius=pad, fill=(0, 0, 0, 150))
    draw.text(
        (pad - left, pad - top),
        LABEL_TEXT,
        font=font,
        fill=(255, 255, 255, 255),
        stroke_width=max(1, text_height // 24),
        stroke_fill=(0, 0, 0, 255),
    )
    image.paste(Image.alpha_composite(region, overlay).convert(image.mode), (x0, y0))
    return image


@lru_cache(maxsize=64)
def _font_size_for(text_height: int) -> int:
    """The font size whose rendered label text is at least ``text_height`` pixels tall."""
    size = text_height
    while True:
        _left, top, _right, bottom = _font(size).getbbox(LABEL_TEXT)
        if bottom - top >= text_height:
            return size
        size += 1


def implicit_label(
    *, producer: str, produce_id: str, propagator: str, propagate_id: str, key: bytes
) -> dict[str, str]:
    """Every field of GB 45438-2025 Annex E's implicit label, in printable ASCII.

    The reserved codes carry keyed digests (README: the implicit label's digests) so that a label
    edited after we wrote it is detectable by whoever holds the key: ReservedCode1 covers the
    producer's fields, ReservedCode2 everything else including ReservedCode1.
    """
    fields = {
        "Label": "1",
        "ContentProducer": _ascii(producer),
        "ProduceID": _ascii(produce_id),
        "ContentPropagator": _ascii(propagator),
        "PropagateID": _ascii(propagate_id),
    }
    fields["ReservedCode1"] = label_digest(key, fields, PRODUCER_FIELDS)
    fields["ReservedCode2"] = label_digest(key, fields, PROPAGATOR_FIELDS)
    return {name: fields[name] for name in ANNEX_E_FIELDS}


ANNEX_E_FIELDS = (
    "Label",
    "ContentProducer",
    "ProduceID",
    "ReservedCode1",
    "ContentPropagator",
    "PropagateID",
    "ReservedCode2",
)
# Each reserved code digests the fields before it: ReservedCode1 the producer's three, ReservedCode2
# everything up to PropagateID (README: the implicit label's digests).
PRODUCER_FIELDS = ANNEX_E_FIELDS[:3]
PROPAGATOR_FIELDS = ANNEX_E_FIELDS[:6]
DIGEST_SCHEME = "dimsum-hmac-sha256-v1"


def label_digest(key: bytes, fields: dict[str, str], names: tuple[str, ...]) -> str:
    """HMAC-SHA256 over ``name=value`` lines of ``names``, in order; the scheme name prefixes it."""
    message = "\n".join(f"{name}={fields[name]}" for name in names).encode("ascii")
    return f"{DIGEST_SCHEME}:{hmac.new(key, message, hashlib.sha256).hexdigest()}"


def _ascii(value: str) -> str:
    # The standard asks for printable ASCII; our own values always are, a source's are sanitised.
    return "".join(char for char in value if "!" <= char <= "~")[:128]


def xmp_packet(
    *,
    platform: str,
    content_id: str,
    label: dict[str, str],
    generated_by_platform: bool,
    model: str = "",
) -> bytes:
    """The machine-readable label. ``platform`` is the name shown as credit; ``label`` the Annex E
    fields (implicit_label); ``content_id`` is opaque; ``model`` is the generator of a platform
    image. No account or database id goes in: the file is public, and the content id leads back to
    the listing through our own records only. One packet per file: previews are re-encoded from
    pixels, so a source's own label never survives beside ours (its producer is carried on)."""
    aigc = json.dumps(label, ensure_ascii=True, separators=(",", ":"))
    source = "platform" if generated_by_platform else "seller"
    generator = f"\n    dimsum:Generator={quoteattr(model)}" if model else ""
    packet = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
    xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:dimsum="https://dimsum.invalid/ns/1.0/"
    xmlns:TC260="http://www.tc260.org.cn/ns/AIGC/1.0/"
    Iptc4xmpExt:DigitalSourceType={quoteattr(TRAINED_ALGORITHMIC_MEDIA)}
    photoshop:Credit={quoteattr(platform)}
    dimsum:ContentId={quoteattr(content_id)}
    dimsum:Source={quoteattr(source)}{generator}
    TC260:AIGC={quoteattr(aigc)}>
   <dc:identifier>{content_id}</dc:identifier>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""
    return packet.encode("utf-8")
