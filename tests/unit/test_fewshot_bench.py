"""The few-shot benchmark's draws, its resumable store and its win / tie / loss rule (benchmarks/fewshot.py).

No model runs here: the draw and the report are pure functions, and the harness is driven with the TF-IDF
baseline on real BBC rows plus two recording methods that stand in for SetFit and newsml.
"""

from collections import Counter

import pytest

from benchmarks import fewshot
from tests.conftest import DATA_DIR, needs_data

POOL = ["sport"] * 30 + ["tech"] * 20 + ["politics"] * 9


def test_draw_gives_n_per_label_and_the_same_examples_for_the_same_seed():
    idx, why = fewshot.draw_examples(POOL, 8, seed=3)
    assert why is None
    assert Counter(POOL[i] for i in idx) == {"sport": 8, "tech": 8, "politics": 8}
    assert len(set(idx)) == len(idx)
    assert fewshot.draw_examples(POOL, 8, seed=3) == (idx, None)
    assert sorted(fewshot.draw_examples(POOL, 8, seed=4)[0]) != sorted(idx)
    # labels interleaved by the final shuffle, not in blocks
    assert [POOL[i] for i in idx[:8]] != [POOL[idx[0]]] * 8


def test_draws_nest_across_shot_counts():
    small, _ = fewshot.draw_examples(POOL, 4, seed=0)
    big, _ = fewshot.draw_examples(POOL, 8, seed=0)
    assert set(small) < set(big)


def test_a_label_with_too_few_rows_makes_the_cell_na_with_the_reason():
    idx, why = fewshot.draw_examples(POOL, 16, seed=0)
    assert idx is None
    assert "politics has 9" in why and "16" in why
    with pytest.raises(ValueError, match="shots must be a positive integer"):
        fewshot.draw_examples(POOL, 0, seed=0)


def test_setfit_pair_count_follows_its_oversampling_sampler():
    assert fewshot.setfit_steps(4, 8) == (768, 48)
    assert fewshot.setfit_steps(5, 64) == (81920, 5120)


def _s(f1, sd, fit=10.0):
    return {"macro_f1": f1, "macro_f1_sd": sd, "fit_seconds": fit}


def test_verdict_is_win_tie_or_loss_by_one_pooled_sd():
    assert fewshot.verdict(_s(0.80, 0.02), _s(0.75, 0.02)) == "win"
    assert fewshot.verdict(_s(0.74, 0.02), _s(0.75, 0.02)) == "tie"
    assert fewshot.verdict(_s(0.76, 0.02), _s(0.75, 0.02)) == "tie"  # ahead by less than one sd
    assert fewshot.verdict(_s(0.70, 0.02), _s(0.75, 0.02)) == "loss"
    # pooled: sqrt((0.01^2 + 0.07^2) / 2) = 0.05, so 0.04 behind is a tie, 0.06 behind a loss
    assert fewshot.verdict(_s(0.71, 0.01), _s(0.75, 0.07)) == "tie"
    assert fewshot.verdict(_s(0.69, 0.01), _s(0.75, 0.07)) == "loss"
    # one seed on a side: the other side's sd is the noise estimate; one seed on both: undecided
    assert fewshot.verdict(_s(0.70, None), _s(0.75, 0.02)) == "loss"
    assert fewshot.verdict(_s(0.76, 0.02), _s(0.75, None)) == "tie"
    assert fewshot.verdict(_s(0.80, 0.02), _s(0.75, None)) == "win"
    assert fewshot.verdict(_s(0.80, None), _s(0.75, None)) == "undecided"


def test_report_goal_check_and_time_ratio():
    summary = {("bbc_news", 8, "newsml"): _s(0.90, 0.01, fit=20.0), ("bbc_news", 8, "setfit"): _s(0.91, 0.01, fit=80.0),
               ("bbc_news", 16, "newsml"): _s(0.80, 0.01, fit=30.0), ("bbc_news", 16, "setfit"): _s(0.90, 0.01, fit=60.0)}
    checks = {c["shots"]: c for c in fewshot.goal_check(summary)}
    assert checks[8]["verdict"] == "tie" and checks[8]["time_ratio"] == pytest.approx(0.25)
    assert checks[16]["verdict"] == "loss" and checks[16]["time_ratio"] == pytest.approx(0.5)


@needs_data("bbc_news", "train.jsonl.gz")
def test_every_method_gets_the_same_examples_and_finished_cells_are_not_rerun(tmp_path, monkeypatch):
    seen = {}

    def recorder(name):
        def fit_predict(texts, labels, test_texts, seed, threads, **kw):
            seen.setdefault(name, []).append((list(texts), list(labels)))
            return [labels[0]] * len(test_texts), 0.0, 0.0, {}
        return fit_predict

    monkeypatch.setitem(fewshot.RUNNERS, "setfit", recorder("setfit"))
    monkeypatch.setitem(fewshot.RUNNERS, "newsml", recorder("newsml"))
    out = tmp_path / "fewshot.json"
    args = (DATA_DIR, ["bbc_news"], [8, 16], [0, 1], ["tfidf_lr", "setfit", "newsml"])
    store = fewshot.run(*args, out=out, log=lambda s: None)
    assert seen["setfit"] == seen["newsml"] and len(seen["setfit"]) == 4
    texts, labels = seen["setfit"][0]
    assert Counter(labels) == {lab: 8 for lab in ("business", "entertainment", "politics", "sport", "tech")}
    assert len(store["draws"]["bbc_news/8/0"]) == 40
    assert len(store["cells"]) == 12 and store["datasets"]["bbc_news"]["n_test"] == 438
    real = store["cells"]["bbc_news/16/0/tfidf_lr"]
    assert 0.5 < real["macro_f1"] <= 1.0  # the real baseline learns from 16 stories a label
    # a second run with one more seed only runs the new seed's cells
    fewshot.run(*args[:3], [0, 1, 2], args[4], out=out, log=lambda s: None)
    assert len(seen["setfit"]) == 6
    assert "| bbc_news | 16 | tfidf_lr | 3 |" in fewshot.report(fewshot.load_store(out))


def test_setfit_cost_extrapolates_the_measured_seconds_per_step():
    store = {"datasets": {"ag_news": {"labels": ["a", "b", "c", "d"]}, "bbc_news": {"labels": list("abcde")}},
             "cells": {"ag_news/8/0/setfit": {"dataset": "ag_news", "method": "setfit",
                                              "extra": {"train_seconds": 240.0, "steps": 48}}}}
    cost = {(c["dataset"], c["shots"]): c for c in fewshot.setfit_cost(store)}
    assert cost[("ag_news", 64)]["steps"] == 3072 and cost[("ag_news", 64)]["est_train_seconds"] == 3072 * 5.0
    assert cost[("bbc_news", 8)]["est_train_seconds"] is None


def _store(cells, fp="x"):
    meta = {"labels": ["a", "b"], "test_fingerprint": fp, "pool_fingerprint": "p"}
    return {"benchmark": fewshot.BENCHMARK, "datasets": {"bbc_news": meta}, "draws": {"bbc_news/8/0": ["1", "2"]},
            "na": {}, "runs": [], "cells": {f"bbc_news/8/0/{m}": {"dataset": "bbc_news", "shots": 8, "seed": 0,
                                                                  "method": m, "macro_f1": f1, "accuracy": f1,
                                                                  "fit_seconds": 1.0, "predict_seconds": 0.0,
                                                                  "threads": 1, "extra": {}}
                                            for m, f1 in cells.items()}}


def test_stores_of_runs_split_across_processes_merge_for_the_report():
    merged = fewshot.merge_stores([_store({"newsml": 0.9, "tfidf_lr": 0.7}), _store({"setfit": 0.8, "tfidf_lr": 0.1})])
    assert sorted(merged["cells"]) == ["bbc_news/8/0/newsml", "bbc_news/8/0/setfit", "bbc_news/8/0/tfidf_lr"]
    assert merged["cells"]["bbc_news/8/0/tfidf_lr"]["macro_f1"] == 0.7 and merged["duplicates"] == ["bbc_news/8/0/tfidf_lr"]
    text = fewshot.report(merged)
    assert "| bbc_news | 8 | +0.100 | undecided | 1.00x |" in text and "first store's kept" in text
    with pytest.raises(ValueError, match="different bbc_news rows"):
        fewshot.merge_stores([_store({"newsml": 0.9}), _store({"setfit": 0.8}, fp="y")])
