"""The relevance set's metrics (bench/relevance/metrics.py) and the judgments file's shape."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from bench.relevance import make_catalog, run, write_judgments
from bench.relevance.metrics import dcg, ndcg_at, recall_at

JUDGED = {"a": 3, "b": 2, "c": 1}


def test_ndcg_of_the_ideal_ranking_is_one() -> None:
    assert ndcg_at(["a", "b", "c"], JUDGED) == pytest.approx(1.0)
    assert ndcg_at(["a", "b", "c", "x", "y"], JUDGED) == pytest.approx(1.0)


def test_ndcg_of_nothing_found_is_zero() -> None:
    assert ndcg_at([], JUDGED) == 0.0
    assert ndcg_at(["x", "y", "z"], JUDGED) == 0.0


def test_ndcg_of_a_hand_computed_ranking() -> None:
    # c (gain 1) at rank 1, a (gain 7) at rank 2, x (0) at rank 3;
    # ideal: a, b, c = 7/log2(2) + 3/log2(3) + 1/log2(4).
    actual = 1 / 1 + 7 / math.log2(3)
    ideal = 7 + 3 / math.log2(3) + 1 / 2
    assert ndcg_at(["c", "a", "x"], JUDGED) == pytest.approx(actual / ideal)
    assert ndcg_at(["c", "a", "x"], JUDGED) == pytest.approx(0.5767, abs=1e-4)


def test_ndcg_counts_only_the_first_k() -> None:
    ranked = [f"x{i}" for i in range(10)] + ["a"]
    assert ndcg_at(ranked, JUDGED, 10) == 0.0
    assert ndcg_at(ranked, JUDGED, 11) > 0.0


def test_dcg_uses_exponential_gain_and_log2_discount() -> None:
    assert dcg([3, 0, 2]) == pytest.approx(7 + 0 + 3 / 2)


def test_recall_over_the_relevant_listings_there_could_be() -> None:
    assert recall_at(["a", "x", "c"], JUDGED, 24) == pytest.approx(2 / 3)
    assert recall_at([], JUDGED, 24) == 0.0
    many = {f"r{i}": 2 for i in range(30)}
    assert recall_at([f"r{i}" for i in range(24)], many, 24) == pytest.approx(1.0)  # at most 24 fit
    assert recall_at(["a"], {}, 24) == 0.0


def test_judgments_are_well_formed() -> None:
    queries = run.load_judgments()
    keys = run.all_keys()
    assert run.validate(queries, keys) == []
    answerable = [q for q in queries if any(g > 0 for g in q.relevant.values())]
    assert len(answerable) >= 150
    assert all(q.reason.strip() and q.cls.strip() for q in queries)
    assert {q.cls for q in answerable} >= {
        "english",
        "chinese",
        "mixed",
        "typo",
        "synonym_cross_language",
        "category",
        "model_name",
    }
    assert [q for q in queries if q.cls == "no_relevant" and not q.relevant]
    issue_examples = {
        "壁纸",
        "panda",
        "wallpapr",
        "emoij",
        "tshirt",
        "t-shirt",
        "熊猫",
        "T恤",
        "表情包",
        "美甲",
        "赛博朋克",
        "水墨",
    }
    assert issue_examples <= {q.q for q in queries}


def test_validation_reports_unknown_keys_and_bad_grades() -> None:
    bad = [
        run.Query(q="panda", cls="english", reason="r", relevant={"no-such-listing": 3, "panda-emoji-en": 5})
    ]
    problems = run.validate(bad, run.all_keys())
    assert any("no-such-listing" in p for p in problems)
    assert any("grade 5" in p for p in problems)


def test_committed_files_match_their_generators() -> None:
    """catalog.json and judgments.toml are what the scripts write: nobody edited one by hand."""
    assert json.loads(make_catalog.OUT.read_text(encoding="utf-8")) == make_catalog.build()
    assert Path(write_judgments.OUT).read_text(encoding="utf-8") == write_judgments.render()


def test_zero_results_count_only_queries_with_a_relevant_listing(capsys: pytest.CaptureFixture[str]) -> None:
    queries = [
        run.Query(q="found", cls="english", reason="r", relevant={"a": 3}),
        run.Query(q="missed", cls="english", reason="r", relevant={"a": 3}),
        run.Query(q="nothing to find", cls="no_relevant", reason="r", relevant={}),
    ]
    scored = run.score(queries, {"found": ["a"], "missed": [], "nothing to find": []})
    summary = run.report(scored, {"a": "A"}, "test", worst=2)
    assert summary["overall"] == {"queries": 2, "ndcg@10": 0.5, "recall@24": 0.5, "zero_results": 0.5}
    assert summary["targets"]["met"] is False
    out = capsys.readouterr().out
    assert "MISSED" in out and "'nothing to find'" in out
