"""Turn listing text and search queries into index tokens, the same way for PostgreSQL and SQLite.

English (and other Latin-script) words are case-folded and Snowball-stemmed, so "wallpapers"
finds "wallpaper". Chinese has no spaces: each run of Han characters is segmented with jieba's
search mode (words and their sub-words) and also indexed as single characters and character
bigrams, so any Chinese substring of two or more characters matches through its bigrams
("人街" finds "纽约唐人街"), and a one-character query through its unigram. A query needs only
bigrams that cover it ("赛博朋克" asks for 赛博 and 朋克, not also 博朋).

Spelling variants are one word: full-width forms fold to ASCII (NFKC: "Ｔ恤" is "T恤"), and Latin words
joined by hyphens are also indexed joined ("T-shirt" is found by "tshirt", "Lo-fi" by "lofi"). A query
word with hyphens asks for its parts or the joined form. Synonyms (prompts/search/synonyms.py) are
applied to queries only, so editing them needs no reindex.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import lru_cache

import jieba
import snowballstemmer

jieba.setLogLevel(logging.WARNING)
_stemmer = snowballstemmer.stemmer("english")
HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(rf"[{HAN}]+|[^\W_{HAN}]+", re.UNICODE)
_IS_HAN = re.compile(rf"[{HAN}]")
_LATIN = rf"[^\W_{HAN}]+"
_COMPOUND = re.compile(rf"{_LATIN}(?:-{_LATIN})+", re.UNICODE)  # "t-shirt", "lo-fi", "press-on"
MAX_QUERY_TOKENS = 12  # the query's own words
MAX_EXPANDED_TOKENS = 24  # with their synonyms: bounds the index work of one search


_HYPHENS = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-"})


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().translate(_HYPHENS)


@lru_cache(maxsize=20_000)
def stem(word: str) -> str:
    return str(_stemmer.stemWord(word)) if word.isascii() and word.isalpha() else word


def _bigrams(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)]


def document_tokens(text: str) -> list[str]:
    """Every token a document is found by, in order (repeats kept: they count for ranking)."""
    tokens: list[str] = []
    for run in _RUNS.findall(normalize(text)):
        if _IS_HAN.match(run):
            tokens.extend(run)  # single characters
            tokens.extend(_bigrams(run))
            tokens.extend(word for word in jieba.cut_for_search(run) if len(word) > 2)
        else:
            tokens.append(stem(run))
    tokens.extend(joined(compound) for compound in _COMPOUND.findall(normalize(text)))
    return tokens


def joined(compound: str) -> str:
    """The token of a hyphenated word written as one ("t-shirts" -> "tshirt")."""
    return stem(compound.replace("-", ""))


def covering_bigrams(run: str) -> list[str]:
    """Bigrams that cover the run without overlapping (the last one overlaps when the length is odd).

    A document holds every bigram of its text, so these find the same documents as all bigrams of
    the run would, except one that has the pieces apart but never the bigrams between them; the
    index then intersects fewer posting lists and the planner multiplies fewer correlated terms.
    """
    if len(run) < 2:
        return [run]
    pairs = [run[i : i + 2] for i in range(0, len(run) - 1, 2)]
    if len(run) % 2:
        pairs.append(run[-2:])
    return pairs


def has_han(text: str) -> bool:
    return bool(_IS_HAN.search(text))
