"""Keyword screening of listings against admin-edited term lists.

One Aho-Corasick automaton holds every active term, so a listing is scanned once, in time
linear in its length, however many thousands of terms there are. Chinese has no word breaks,
so CJK terms match as substrings; Latin terms match only as whole words ("ass" does not hit
"class"). Text is NFKC-normalised and case-folded first, so full-width letters and case
tricks do not slip through.
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass

import ahocorasick
from django.db.models import Count, Max
from django.utils.translation import gettext as _

from marketplace.core.errors import ApplicationError
from prompts.models import FlagStatus, Listing, PromptVersion, ScreeningAction, ScreeningList, ScreeningTerm


@dataclass(frozen=True)
class Hit:
    field: str
    list_name: str
    action: str


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _is_word_char(char: str) -> bool:
    return char.isascii() and char.isalnum()


_lock = threading.Lock()
_cache: dict[str, object] = {"version": None, "automaton": None}


def _version() -> tuple[object, ...]:
    terms = ScreeningTerm.objects.filter(screening_list__is_active=True).aggregate(
        count=Count("id"), last=Max("updated_at"), top=Max("id")
    )
    lists = ScreeningList.objects.aggregate(last=Max("updated_at"), count=Count("id"))
    return (terms["count"], terms["last"], terms["top"], lists["last"], lists["count"])


def _build() -> ahocorasick.Automaton | None:
    automaton = ahocorasick.Automaton()
    rows = ScreeningTerm.objects.filter(screening_list__is_active=True).values_list(
        "term", "screening_list__name", "screening_list__action"
    )
    for term, list_name, action in rows.iterator(chunk_size=2000):
        key = normalize(term).strip()
        if not key:
            continue
        entries: tuple[str, list[tuple[str, str]]] = automaton.get(key, None) or (key, [])
        entries[1].append((list_name, action))
        automaton.add_word(key, entries)
    if len(automaton) == 0:
        return None
    automaton.make_automaton()
    return automaton


def _automaton() -> ahocorasick.Automaton | None:
    version = _version()
    with _lock:
        if _cache["version"] != version:
            _cache["automaton"] = _build()
            _cache["version"] = version
        return _cache["automaton"]


def _matches(automaton: ahocorasick.Automaton, text: str) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for end, (term, owners) in automaton.iter(text):
        start = end - len(term) + 1
        if _is_word_char(term[0]) and start > 0 and _is_word_char(text[start - 1]):
            continue
        if _is_word_char(term[-1]) and end + 1 < len(text) and _is_word_char(text[end + 1]):
            continue
        found.update(owners)
    return found


def screen(fields: dict[str, str]) -> list[Hit]:
    """Return the hits per field name. The matched terms are deliberately not reported."""
    automaton = _automaton()
    if automaton is None:
        return []
    hits: list[Hit] = []
    for field, value in fields.items():
        if not value:
            continue
        for list_name, action in sorted(_matches(automaton, normalize(value))):
            hits.append(Hit(field=field, list_name=list_name, action=action))
    return hits


def blocking(hits: list[Hit]) -> list[Hit]:
    return [hit for hit in hits if hit.action == ScreeningAction.BLOCK]


def listing_fields(listing: Listing, version: PromptVersion | None, tags: list[str]) -> dict[str, str]:
    return {
        "title": listing.title,
        "description": listing.description,
        "tags": " | ".join(tags),
        "prompt_text": version.text if version else "",
        "usage_notes": version.usage_notes if version else "",
        "variable_examples": " | ".join(str(v) for v in (version.variable_examples or {}).values())
        if version
        else "",
        "example_outputs": "\n".join(listing.example_outputs),
    }


def blocked_error(hits: list[Hit]) -> ApplicationError:
    fields = sorted({hit.field for hit in hits})
    message = _(
        "This listing contains terms that are not allowed on Dimsum. Edit the named fields and retry."
    )
    return ApplicationError(
        "screening_blocked",
        message,
        fields={field: [_("Contains a term that is not allowed.")] for field in fields},
        status_code=422,
    )


def review_note(hits: list[Hit]) -> str:
    fields = ", ".join(sorted({hit.field for hit in hits}))
    return f"Automated screening matched terms in: {fields}. A moderator will review it."[:300]


def duplicate_image_hits(listing: Listing) -> list[Hit]:
    if listing.flags.filter(reason="duplicate_image", status=FlagStatus.OPEN).exists():
        return [Hit(field="images", list_name="near-duplicate images", action="review")]
    return []
