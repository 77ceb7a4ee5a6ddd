"""Query expansion: a query word also finds its synonyms, in either language ("熊猫" finds "panda").

Staff keep groups of equivalent terms (SearchSynonym, edited in the admin; the shipped ones come
from synonyms.json). A query is read as a sequence of terms; where a word or phrase of it is a term
of some groups, that part of the query becomes "any of the group's terms". The index is untouched,
so an edit applies to the next searches: each process keeps the compiled groups for at most
CACHE_SECONDS, and re-reads them within CHECK_SECONDS of an edit anywhere (a version in the cache).

Matching ignores case, full-width forms, spaces and hyphens between Latin words ("wall paper" is
"wallpaper", "T-shirt" is "tshirt", "Ｔ恤" is "T恤"), and English endings (Snowball stems). Inside a
run of Chinese characters the longest terms are taken first ("熊猫表情包" is 熊猫 then 表情包); a
one-character term (猫) only counts as a query word of its own, so 熊猫 does not also mean "cat",
and is never added as a synonym ("cat" does not find 熊猫 through 猫).

Two Latin words that the catalog writes as one (the spelling vocabulary knows the joined word or
its stem: "hot pot" for hotpot, "t shirt" for t-shirt) are one term: the words as typed, or the
joined word. A thesaurus term of two or more words is matched first; one of a single word gives way.

The forms the buyer typed (and the terms written the same up to spaces and hyphens) are the exact
alternatives; the rest are synonyms, which rank below exact matches (prompts/search/query.py).
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext

from marketplace.core.errors import ApplicationError
from prompts.models import SearchSynonym
from prompts.search.spelling import Vocabulary, current_vocabulary
from prompts.search.tokens import (
    HAN,
    MAX_EXPANDED_TOKENS,
    MAX_QUERY_TOKENS,
    covering_bigrams,
    has_han,
    joined,
    normalize,
    stem,
)

SHIPPED = Path(__file__).with_name("synonyms.json")
CACHE_SECONDS = 300.0  # a process re-reads the groups at least this often
CHECK_SECONDS = 1.0  # and looks for an edit (the version in the cache) at most this often
MAX_TERM_UNITS = 8  # longest term matched, in words and Chinese characters
_VERSION_KEY = "search-synonyms-version"
_UNITS = re.compile(rf"(?P<han>[{HAN}])|(?P<latin>[^\W_{HAN}]+)", re.UNICODE)

Alternative = tuple[str, ...]  # index tokens that must all be present


@dataclass(frozen=True)
class Term:
    """One part of a query: a match needs any one of the alternatives. The first `exact` ones are
    the words as typed (or written the same up to spaces and hyphens); the others are synonyms."""

    alternatives: tuple[Alternative, ...]
    exact: int = 1

    @property
    def exact_alternatives(self) -> tuple[Alternative, ...]:
        return self.alternatives[: self.exact]


@dataclass(frozen=True)
class _Unit:
    text: str  # a Latin word or one Chinese character, normalised
    han: bool
    start: int
    end: int
    run: int  # units of one run of Chinese characters share it


def _units(text: str) -> list[_Unit]:
    units: list[_Unit] = []
    run, previous_end = 0, -1
    for match in _UNITS.finditer(text):
        han = match.group("han") is not None
        if not (han and units and units[-1].han and previous_end == match.start()):
            run += 1
        units.append(_Unit(match.group(), han, match.start(), match.end(), run))
        previous_end = match.end()
    return units


def _key(units: list[_Unit]) -> str:
    """The form terms are matched by: no spaces or hyphens, English words stemmed as one."""
    return stem("".join(unit.text for unit in units))


def _tokens(units: list[_Unit], text: str) -> Alternative:
    """Index tokens for these words as typed: stems, covering bigrams of Chinese runs."""
    tokens: list[str] = []
    index = 0
    while index < len(units):
        unit = units[index]
        if not unit.han:
            tokens.append(stem(unit.text))
            index += 1
            continue
        end = index
        while end < len(units) and units[end].han and units[end].run == unit.run:
            end += 1
        tokens.extend(covering_bigrams("".join(u.text for u in units[index:end])))
        index = end
    return tuple(dict.fromkeys(tokens))


@dataclass(frozen=True)
class _Entry:
    key: str
    tokens: Alternative


@dataclass(frozen=True)
class Thesaurus:
    groups: tuple[tuple[_Entry, ...], ...]
    by_key: dict[str, tuple[int, ...]]  # key -> the groups holding a term with that key
    longest: int  # units of the longest term

    @classmethod
    def build(cls, groups: list[list[str]]) -> Thesaurus:
        compiled: list[tuple[_Entry, ...]] = []
        by_key: dict[str, list[int]] = {}
        longest = 1
        for terms in groups:
            entries = []
            for term in terms:
                text = normalize(term)
                units = _units(text)
                if not units or len(units) > MAX_TERM_UNITS:
                    continue
                longest = max(longest, len(units))
                entries.append(_Entry(_key(units), _tokens(units, text)))
            if len({entry.key for entry in entries}) < 2:
                continue  # nothing to expand to
            for entry in entries:
                holders = by_key.setdefault(entry.key, [])
                if len(compiled) not in holders:
                    holders.append(len(compiled))
            compiled.append(tuple(entries))
        return cls(tuple(compiled), {key: tuple(ids) for key, ids in by_key.items()}, longest)

    def match(self, units: list[_Unit], start: int) -> tuple[int, str] | None:
        """The longest term starting at units[start]: (its length in units, its key)."""
        for length in range(min(self.longest, len(units) - start), 0, -1):
            span = units[start : start + length]
            if length == 1 and span[0].han and _run_length(units, start) > 1:
                continue  # one character inside a longer Chinese word is not that word
            key = _key(span)
            if key in self.by_key:
                return length, key
        return None

    def synonyms(self, key: str) -> tuple[list[Alternative], list[Alternative]]:
        """(alternatives written like the key, the other alternatives) of every group holding it."""
        same: list[Alternative] = []
        other: list[Alternative] = []
        for group in self.by_key.get(key, ()):
            for entry in self.groups[group]:
                if entry.key == key:
                    same.append(entry.tokens)
                elif not _one_character(entry.key):
                    other.append(entry.tokens)
        return same, other


def _one_character(key: str) -> bool:
    """One Chinese character is no synonym to expand to: it is found inside longer words too (猫 in
    熊猫, "panda"), so "cat" asks for 猫咪 and 小猫, not 猫."""
    return len(key) == 1 and has_han(key)


def _run_length(units: list[_Unit], index: int) -> int:
    return sum(1 for unit in units if unit.han and unit.run == units[index].run)


def query_terms(
    text: str, thesaurus: Thesaurus | None = None, vocabulary: Vocabulary | None = None
) -> list[Term]:
    """The query's terms with their synonyms, within MAX_QUERY_TOKENS of the query's own tokens and
    MAX_EXPANDED_TOKENS in all (earlier words keep theirs first)."""
    thesaurus = thesaurus if thesaurus is not None else current()
    normalized = normalize(text)
    units = _units(normalized)
    parts: list[tuple[list[Alternative], list[Alternative]]] = []
    index = 0
    while index < len(units):
        found = thesaurus.match(units, index)
        if (found is None or found[0] == 1) and _written_as_one(units, index, normalized, vocabulary):
            pair = units[index : index + 2]
            parts.append(([_tokens(pair, normalized), (_key(pair),)], []))
            index += 2
            continue
        if found is not None:
            length, key = found
            same, other = thesaurus.synonyms(key)
            parts.append(([_tokens(units[index : index + length], normalized), *same], other))
            index += length
            continue
        end = _plain_end(units, index, thesaurus, normalized)
        parts.append((_plain(units[index:end], normalized), []))
        index = end
    return _within_budget(parts)


def _written_as_one(units: list[_Unit], index: int, text: str, vocabulary: Vocabulary | None) -> bool:
    """Whether units[index] and the next are Latin words apart only by spaces that the catalog
    writes as one word (and the second is not the start of a hyphenated word). The vocabulary is
    only asked for such a pair: a query of one word or none needs no vocabulary."""
    if index + 1 >= len(units):
        return False
    first, second = units[index], units[index + 1]
    if first.han or second.han or text[first.end : second.start].strip():
        return False
    if index + 2 < len(units) and text[second.end : units[index + 2].start] == "-":
        return False
    return (vocabulary or current_vocabulary()).joins(first.text, second.text)


def _plain_end(units: list[_Unit], index: int, thesaurus: Thesaurus, text: str) -> int:
    """Where a part without synonyms ends: a Chinese run up to the next term found in it, or a
    Latin word with the words hyphenated to it."""
    end = index + 1
    while end < len(units):
        previous, unit = units[end - 1], units[end]
        if unit.han:
            if not (previous.han and unit.run == previous.run) or thesaurus.match(units, end):
                break
        elif previous.han or text[previous.end : unit.start] != "-" or thesaurus.match(units, end):
            break
        end += 1
    return end


def _plain(units: list[_Unit], text: str) -> list[Alternative]:
    """A word as typed; a hyphenated one also written as one word, as the index holds it."""
    tokens = _tokens(units, text)
    if len(units) > 1 and not units[0].han:
        return [tokens, (joined("-".join(unit.text for unit in units)),)]
    return [tokens]


def _within_budget(parts: list[tuple[list[Alternative], list[Alternative]]]) -> list[Term]:
    """parts: (the typed form and its spelling variants, synonyms) per part of the query."""
    chosen: list[tuple[Alternative, list[Alternative], list[Alternative]]] = []
    seen: set[Alternative] = set()
    spent = 0
    for spellings, other in parts:
        typed, *variants = [alternative for alternative in dict.fromkeys(spellings) if alternative] or [()]
        if not typed or typed in seen:
            continue  # a word repeated: asked for once
        if spent + len(typed) > MAX_QUERY_TOKENS:
            break
        spent += len(typed)
        seen.add(typed)
        chosen.append((typed, variants, other))
    terms: list[Term] = []
    for typed, variants, other in chosen:
        alternatives = [typed]
        spent = _add_within(alternatives, variants, spent)
        exact_count = len(alternatives)
        spent = _add_within(alternatives, other, spent)
        terms.append(Term(tuple(alternatives), exact_count))
    return terms


def _add_within(alternatives: list[Alternative], more: list[Alternative], spent: int) -> int:
    for alternative in more:
        if any(set(kept) <= set(alternative) for kept in alternatives):
            continue  # finds nothing more ("桌面壁纸" beside "壁纸")
        if spent + len(alternative) <= MAX_EXPANDED_TOKENS:
            alternatives.append(alternative)
            spent += len(alternative)
    return spent


# --- The groups in use ----------------------------------------------------------------------------

_cache: tuple[float, float, object, Thesaurus] | None = None  # (loaded, checked, version, thesaurus)


def current() -> Thesaurus:
    """The compiled groups, re-read after an edit (CHECK_SECONDS) or CACHE_SECONDS at the latest."""
    global _cache
    now = time.monotonic()
    if _cache is not None and now - _cache[1] < CHECK_SECONDS and now - _cache[0] < CACHE_SECONDS:
        return _cache[3]
    version = cache.get(_VERSION_KEY)
    if _cache is not None and version == _cache[2] and now - _cache[0] < CACHE_SECONDS:
        _cache = (_cache[0], now, version, _cache[3])
        return _cache[3]
    _cache = (now, now, version, Thesaurus.build(_stored_groups()))
    return _cache[3]


def _stored_groups() -> list[list[str]]:
    """The staff's groups; the shipped ones while the table is empty (a database flushed or not
    yet migrated), so search never silently loses every synonym."""
    stored = [group.term_list() for group in SearchSynonym.objects.order_by("id")]
    return stored or shipped_groups()


def synonyms_changed() -> None:
    """After an edit: every process re-reads the groups within CHECK_SECONDS (this one at once)."""
    global _cache
    _cache = None
    cache.set(_VERSION_KEY, uuid.uuid4().hex, None)


def shipped_groups() -> list[list[str]]:
    return [list(group) for group in json.loads(SHIPPED.read_text(encoding="utf-8"))]


# --- Staff edits ----------------------------------------------------------------------------------

MAX_TERMS = 30
MAX_TERM_CHARS = 60


def clean_terms(text: str) -> list[str]:
    """The terms of a group as staff typed them, one per line, checked: an ApplicationError names
    the problem."""
    terms = list(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))
    for term in terms:
        if len(term) > MAX_TERM_CHARS:
            raise ApplicationError(
                "synonym_term_too_long",
                gettext("“%(term)s” is longer than %(max)d characters.")
                % {"term": term[:20], "max": MAX_TERM_CHARS},
            )
        units = _units(normalize(term))
        if not units or len(units) > MAX_TERM_UNITS:
            raise ApplicationError(
                "synonym_term_unsearchable",
                gettext("“%(term)s” has no searchable words or more than %(max)d of them.")
                % {"term": term, "max": MAX_TERM_UNITS},
            )
    if len(terms) > MAX_TERMS:
        raise ApplicationError(
            "synonym_group_too_large", gettext("A group holds at most %(max)d terms.") % {"max": MAX_TERMS}
        )
    if len({_key(_units(normalize(term))) for term in terms}) < 2:
        raise ApplicationError(
            "synonym_group_too_small", gettext("A group needs at least two different terms, one per line.")
        )
    return terms


@transaction.atomic
def search_synonym_save(*, group: SearchSynonym, terms: str, note: str) -> SearchSynonym:
    group.terms = "\n".join(clean_terms(terms))
    group.note = note
    group.save()
    transaction.on_commit(synonyms_changed)
    return group


@transaction.atomic
def search_synonym_delete(*, groups: Iterable[SearchSynonym]) -> None:
    SearchSynonym.objects.filter(pk__in=[group.pk for group in groups]).delete()
    transaction.on_commit(synonyms_changed)
