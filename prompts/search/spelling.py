"""Typo correction for search queries: "wallpapr" -> wallpaper, "emoij" -> emoji, "tshirt" -> t-shirt.

The vocabulary is the autocomplete's (prompts.models.SearchTerm: tags, titles and the words in
titles, weighted by how many published listings carry them) plus the category and model names.
Only Latin-script words are corrected; Chinese is left alone (full-width forms are already folded
by tokens.normalize). A word is never corrected when the vocabulary knows it, or its stem: a rare
but real word stays as typed.

Candidates come from a deletion index (SymSpell's idea, one deletion deep): a vocabulary word and
a typed word that share a one-letter deletion, or where one is the other less a letter, are at
most one substitution, transposition, insertion or deletion apart (two for a substitution read as
two deletions). The candidates are checked with the optimal-string-alignment distance (1 for words
of up to 4 letters, 2 from 5) and the closest, then most used, wins.

A typed word of LONG_WORD to LONGEST_TWO_EDIT_WORD letters with no vocabulary word one edit away
may be two edits off ("astronot" for astronaut: a letter changed and one dropped). A vocabulary
word that needs two deletions to meet it is found by asking the same index for the typed word with
one edit made (a letter added, changed or swapped), which is one deletion from the vocabulary word:
a few thousand lookups for a ten-letter word, on the rare query that needs them, instead of an
index of every two-letter deletion (SymSpell's usual way): at 50,000 words that would hold 1.1
million entries beside this one's 320,000 and take about seven times as long to build, in every
process.

Pure Python and the same on PostgreSQL and SQLite; the index is built once per process and rebuilt
after VOCABULARY_SECONDS.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass

from prompts.models import Category, SearchTerm, TargetModel
from prompts.search.tokens import normalize, stem

VOCABULARY_SIZE = 50_000  # the most used words; rarer ones are still "known" through the query's results
VOCABULARY_SECONDS = 600
LONG_WORD = 7  # a typed word of this many letters or more may be two edits from the word meant
LONGEST_TWO_EDIT_WORD = 14  # the lookups for two edits grow with the square of the length
_LETTERS = "abcdefghijklmnopqrstuvwxyz"  # what a key is made of
_WORD = re.compile(r"[a-z][a-z'-]*[a-z]")  # after normalize(): a Latin word, maybe hyphenated
_RUN = re.compile(r"[^\W\d_]+|\d+", re.UNICODE)


@dataclass(frozen=True)
class Vocabulary:
    words: dict[str, tuple[str, int]]  # key (letters only, no hyphens) -> (display form, weight)
    stems: frozenset[str]  # stems of every known word and word part
    deletes: dict[str, tuple[str, ...]]  # one-letter deletion -> keys it comes from

    def knows(self, word: str) -> bool:
        """The word as the catalog writes it, or each of its parts' stems ("wallpapers")."""
        key = _key(word)
        if key in self.words:
            return self.words[key][0] == word
        return all(stem(part) in self.stems for part in re.split(r"[-']", word) if part)

    def joins(self, first: str, second: str) -> bool:
        """Whether the catalog writes the two words as one ("hot pot": hotpot, "t shirt": t-shirt)."""
        joined = _key(first + second)
        return joined in self.words or stem(joined) in self.stems


def _key(word: str) -> str:
    return word.replace("-", "").replace("'", "")


def _deletions(key: str) -> set[str]:
    return {key[:i] + key[i + 1 :] for i in range(len(key))} if len(key) > 2 else set()


def _with_a_letter_added(key: str) -> set[str]:
    return {key[:i] + letter + key[i:] for i in range(len(key) + 1) for letter in _LETTERS}


def _with_a_letter_changed(key: str) -> set[str]:
    """The key with one letter replaced, or two neighbours swapped (and the key itself)."""
    changed = {key[:i] + letter + key[i + 1 :] for i in range(len(key)) for letter in _LETTERS}
    return changed | {key[:i] + key[i + 1] + key[i] + key[i + 2 :] for i in range(len(key) - 1)}


def build_vocabulary(entries: list[tuple[str, int]]) -> Vocabulary:
    """From (normalised term, weight) pairs: each Latin word (a hyphenated one also joined)."""
    words: dict[str, tuple[str, int]] = {}
    stems: set[str] = set()
    for term, weight in entries:
        for word in _WORD.findall(term):
            if len(word) < 3:
                continue
            key = _key(word)
            if key not in words or words[key][1] < weight:
                words[key] = (word, weight)
            stems.update(stem(part) for part in re.split(r"[-']", word) if part)
    deletes: dict[str, list[str]] = {}
    for key in words:
        for deleted in _deletions(key):
            deletes.setdefault(deleted, []).append(key)
    return Vocabulary(words, frozenset(stems), {k: tuple(v) for k, v in deletes.items()})


def osa_distance(a: str, b: str) -> int:
    """Optimal string alignment: insertions, deletions, substitutions and adjacent transpositions."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[len(b)]


def correct_word(word: str, vocabulary: Vocabulary) -> str | None:
    """The vocabulary's form of a misspelt (or unknown) word, or None to leave it."""
    if len(word) < 3 or not word.isascii() or vocabulary.knows(word):
        return None
    key = _key(word)
    if key in vocabulary.words:  # "tshirt" -> "t-shirt": the same letters, the catalog's form
        display = vocabulary.words[key][0]
        return display if display != word else None
    limit = 1 if len(key) <= 4 else 2
    candidates: set[str] = set(vocabulary.deletes.get(key, ()))
    for deleted in _deletions(key):
        if deleted in vocabulary.words:
            candidates.add(deleted)
        candidates.update(vocabulary.deletes.get(deleted, ()))
    best = _closest(key, candidates, limit, vocabulary)
    if (best is None or best[0] > 1) and LONG_WORD <= len(key) <= LONGEST_TWO_EDIT_WORD:
        best = _closest(key, candidates | _two_edit_candidates(key, vocabulary), limit, vocabulary)
    return vocabulary.words[best[2]][0] if best else None


def _closest(
    key: str, candidates: set[str], limit: int, vocabulary: Vocabulary
) -> tuple[int, int, str] | None:
    """(distance, -weight, key) of the closest, then most used, candidate within the limit."""
    best: tuple[int, int, str] | None = None
    for candidate in candidates:
        distance = osa_distance(key, candidate)
        if distance > limit:
            continue
        rank = (distance, -vocabulary.words[candidate][1], candidate)
        if best is None or rank < best:
            best = rank
    return best


def _two_edit_candidates(key: str, vocabulary: Vocabulary) -> set[str]:
    """Vocabulary words two edits from the key, with those the one-deletion lookups miss: words that
    need two deletions to meet the key. Less one letter, such a word is the key with a letter added,
    changed or swapped, or the key less a letter with one changed or swapped; a shorter word is the
    key less two letters, or that with one more."""
    once = _deletions(key)
    shorter = {twice for deleted in once for twice in _deletions(deleted)}
    lookups = _with_a_letter_added(key) | _with_a_letter_changed(key) | shorter
    for deleted in once:
        lookups |= _with_a_letter_changed(deleted)
    found = {word for lookup in lookups for word in vocabulary.deletes.get(lookup, ())}
    return found | (shorter & vocabulary.words.keys())


def correct_query(text: str, vocabulary: Vocabulary | None = None) -> str | None:
    """The query with its unknown Latin words corrected (normalised), or None when nothing changes."""
    vocabulary = vocabulary or current_vocabulary()
    normalized = normalize(text).strip()
    changed = False
    out: list[str] = []
    position = 0
    for match in _WORD.finditer(normalized):
        replacement = correct_word(match.group(0), vocabulary)
        out.append(normalized[position : match.start()])
        out.append(replacement or match.group(0))
        changed = changed or replacement is not None
        position = match.end()
    out.append(normalized[position:])
    return "".join(out) if changed else None


_lock = threading.Lock()
_cached: tuple[float, Vocabulary] | None = None


def _entries() -> list[tuple[str, int]]:
    names = [(normalize(str(label)), 1) for label in (*Category.labels, *TargetModel.labels)]
    names += [(value, 1) for value in (*Category.values, *TargetModel.values)]
    # Single words and tags (titles with spaces are left out: their words are terms of their own).
    terms = (
        SearchTerm.objects.exclude(term__contains=" ")
        .order_by("-weight", "term")
        .values_list("term", "weight")[:VOCABULARY_SIZE]
    )
    return names + list(terms)


def current_vocabulary() -> Vocabulary:
    global _cached
    with _lock:
        if _cached is None or time.monotonic() - _cached[0] > VOCABULARY_SECONDS:
            _cached = (time.monotonic(), build_vocabulary(_entries()))
        return _cached[1]


def clear_vocabulary() -> None:
    """Forget the cached vocabulary (tests; a rebuild of SearchTerm is seen within VOCABULARY_SECONDS)."""
    global _cached
    with _lock:
        _cached = None
