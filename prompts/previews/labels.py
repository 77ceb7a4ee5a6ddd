"""The AI-generated label, visible and machine-readable, as China's labelling rules require.

Visible: "AI生成 · AI-generated" in a dark translucent box (legible on light and dark images),
its text at least 5% of the image's short side. Machine-readable: an XMP packet with IPTC's
DigitalSourceType trainedAlgorithmicMedia, our platform's name and service code, an opaque content
id that traces back to the listing, and the implicit-label fields of the national standard
(GB 45438-2025) as JSON.
"""

from __future__ import annotations

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


def xmp_packet(
    *, platform: str, service_code: str, content_id: str, generated_by_platform: bool, model: str = ""
) -> bytes:
    """The machine-readable label. ``platform`` is the name shown as credit; ``service_code`` names the
    producer and propagator; ``content_id`` is opaque; ``model`` is the generator of a platform image.
    No account or database id goes in: the file is public, and the content id leads back to the
    listing through our own records only."""
    aigc = json.dumps(
        {
            "Label": "1",
            "ContentProducer": service_code,
            "ProduceID": content_id,
            "ContentPropagator": service_code,
            "PropagateID": content_id,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )
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
