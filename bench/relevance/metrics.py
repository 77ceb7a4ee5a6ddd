"""Ranking metrics of the relevance set: graded nDCG@k, recall@k, zero results.

Grades: 3 exactly what was asked, 2 relevant, 1 marginal; a listing not judged counts 0.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence


def dcg(grades: Sequence[int]) -> float:
    """Discounted cumulative gain: gain 2^grade - 1 at rank i (from 1) discounted by log2(i + 1)."""
    return sum((2**grade - 1) / math.log2(rank + 1) for rank, grade in enumerate(grades, start=1))


def ndcg_at(ranked: Sequence[str], judged: Mapping[str, int], k: int = 10) -> float:
    """DCG of the top k over the DCG of the ideal top k built from the judgments (0.0 when nothing
    is relevant: such queries are reported apart, not averaged)."""
    ideal = dcg(sorted((g for g in judged.values() if g > 0), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    return dcg([judged.get(key, 0) for key in ranked[:k]]) / ideal


def recall_at(ranked: Sequence[str], judged: Mapping[str, int], k: int = 24) -> float:
    """Relevant listings (grade >= 1) in the top k over those there could be: min(relevant, k)."""
    relevant = {key for key, grade in judged.items() if grade > 0}
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranked[:k])) / min(len(relevant), k)
