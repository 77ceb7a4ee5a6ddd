"""Why an example image failed, in words the seller can act on.

Reasons are stored, and returned by the API, in English as written here; `reason_in_language`
shows a stored reason in the active language by matching it against these templates and keeping
its values (a code, a number of tries). A reason that matches none is shown as stored.
"""

from __future__ import annotations

import re
from functools import cache

from django.utils.translation import gettext, gettext_noop

MISSING_ORIGINAL = gettext_noop("The uploaded file is missing from storage; upload it again.")
GAVE_UP = gettext_noop(
    "The preview worker did not finish this image in {tries} tries (it may need more memory than a "
    "worker has); delete it and upload a smaller export."
)
REFUSED = gettext_noop(
    "The image generator declined this prompt ({code}). Edit the prompt or its example values, "
    "or upload your own example images."
)
UNAVAILABLE = gettext_noop(
    "The platform could not generate example images ({code}). Upload your own, "
    "or edit the prompt later to try again."
)
UNREADABLE = gettext_noop("The image generator returned an unreadable image. Upload your own example images.")

# A render failure: one of the causes below, then what to do.
RENDER_FAILED = gettext_noop("{cause}; upload it again as PNG, JPEG or WebP.")
NOT_AN_IMAGE = gettext_noop("The stored file is not a readable image")
TOO_MANY_PIXELS = gettext_noop("The image has too many pixels to decode")
TRUNCATED = gettext_noop("The image data is truncated")
CORRUPT = gettext_noop("The image data is corrupt ({detail})")
TOO_LONG_FOR_WEBP = gettext_noop("WebP cannot encode {longest} px; its limit is {limit} px a side")

WHOLE = (MISSING_ORIGINAL, GAVE_UP, REFUSED, UNAVAILABLE, UNREADABLE)
CAUSES = (NOT_AN_IMAGE, TOO_MANY_PIXELS, TRUNCATED, CORRUPT, TOO_LONG_FOR_WEBP)


@cache
def _pattern(template: str) -> re.Pattern[str]:
    """'... ({code}) ...' -> a regex that captures `code`; everything else literal."""
    parts = re.split(r"\{(\w+)\}", template)
    body = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts))
    return re.compile(body + r"\Z", re.DOTALL)


def _translated(text: str, templates: tuple[str, ...]) -> str | None:
    for template in templates:
        found = _pattern(template).match(text)
        if found:
            return gettext(template).format(**found.groupdict())
    return None


def reason_in_language(text: str) -> str:
    """A stored failure reason in the active language (as stored when it is not one of ours)."""
    whole = _translated(text, WHOLE)
    if whole is not None:
        return whole
    render_failed = _pattern(RENDER_FAILED).match(text)
    if render_failed:
        cause = render_failed["cause"]
        return gettext(RENDER_FAILED).format(cause=_translated(cause, CAUSES) or cause)
    return text
