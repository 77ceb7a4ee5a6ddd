"""Turn listing text and search queries into index tokens, the same way for PostgreSQL and SQLite.

English (and other Latin-script) words are case-folded and Snowball-stemmed, so "wallpapers"
finds "wallpaper". Chinese has no spaces: each run of Han characters is segmented with jieba's
search mode (words and their sub-words) and also indexed as single characters and character
bigrams, so any Chinese substring of two or more characters matches through its bigrams
("人街" finds "纽约唐人街"), and a one-character query through its unigram.
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
_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(rf"[{_HAN}]+|[^\W_{_HAN}]+", re.UNICODE)
_IS_HAN = re.compile(rf"[{_HAN}]")
MAX_QUERY_TOKENS = 12


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


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
    return tokens


def query_tokens(query: str) -> list[str]:
    """The tokens that must all be present for a document to match the query.

    A Chinese run matches through its bigrams (or its one character); a Latin word through its stem.
    """
    tokens: dict[str, None] = {}
    for run in _RUNS.findall(normalize(query)):
        if _IS_HAN.match(run):
            for token in _bigrams(run) or [run]:
                tokens.setdefault(token, None)
        else:
            tokens.setdefault(stem(run), None)
    return list(tokens)[:MAX_QUERY_TOKENS]


def has_han(text: str) -> bool:
    return bool(_IS_HAN.search(text))
