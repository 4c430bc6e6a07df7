"""Pure metric functions on hand-made cases."""

import numpy as np
import pytest

from evaluation.metrics import (
    bootstrap_ci,
    compute_classification,
    compute_ece,
    compute_ece_floor,
    compute_faithfulness,
    compute_fnc,
    compute_guard_share,
    compute_macro_f1_ci,
    compute_novel_bigrams,
    compute_rouge,
    compute_rouge_ci,
    rouge_per_example,
)


def test_fnc_score_by_hand():
    gold = ["agree", "unrelated", "discuss", "disagree"]
    pred = ["agree", "unrelated", "agree", "unrelated"]
    m = compute_fnc(pred, gold)
    # agree right: 0.25+0.75; unrelated right: 0.25; discuss->agree: related right 0.25; disagree->unrelated: 0
    assert m["fnc_score"] == pytest.approx(1.0 + 0.25 + 0.25)
    assert m["fnc_max"] == pytest.approx(3.25)
    assert m["fnc_relative"] == pytest.approx(100 * 1.5 / 3.25)
    assert m["confusion_matrix"][3][3] == 1 and m["confusion_matrix"][1][3] == 1


def test_classification_and_ece():
    m = compute_classification([0, 1, 1, 0], [0, 1, 0, 0])
    assert m["accuracy"] == 0.75
    assert m["per_class_f1"]["0"] == pytest.approx(0.8) and m["per_class_f1"]["1"] == pytest.approx(2 / 3)
    P = np.array([[0.9, 0.1], [0.6, 0.4]])
    e = compute_ece(P, np.array([0, 1]))
    # bin (0.8667,0.9333]: conf .9 acc 1; bin (0.6-ish]: conf .6 acc 0 -> (0.1 + 0.6)/2
    assert e["ece"] == pytest.approx(0.35)


def test_rouge_known_value():
    r = compute_rouge(["the cat sat on the mat"], ["the cat sat on the mat"])
    assert r["rouge1"] == pytest.approx(100) and r["rougeLsum"] == pytest.approx(100)
    r = compute_rouge(["the cat sat"], ["the cat sat on the mat"])
    # unigram: P = 3/3, R = 3/6 -> F = 2/3
    assert r["rouge1"] == pytest.approx(200 / 3, abs=1e-6)


def test_novel_bigrams_and_faithfulness():
    assert compute_novel_bigrams(["a b c"], ["a b c d"])["novel_bigram_rate"] == 0
    assert compute_novel_bigrams(["a x c"], ["a b c"])["novel_bigram_rate"] == 1
    f = compute_faithfulness(["Kim sent 500 troops."], ["Kim sent 14,000 troops."])
    assert f["summaries_with_unsupported_number"] == 1 and f["unsupported_entity_rate"] == 0


def test_bootstrap_intervals():
    """Percentile bootstrap: a constant has a point interval; a mean's interval holds the mean and narrows
    with n as 1/sqrt(n); a paired difference against itself is exactly 0; deterministic (seeded)."""
    assert bootstrap_ci(lambda i: 5.0, 10) == [5.0, 5.0]
    x = np.random.default_rng(1).normal(size=400)
    lo, hi = bootstrap_ci(lambda i: x[i].mean(), len(x))
    assert lo < x.mean() < hi and 0.15 < hi - lo < 0.25  # ~ 2 x 1.96 / sqrt(400)
    assert bootstrap_ci(lambda i: x[i].mean(), len(x)) == [lo, hi]
    preds, refs = ["the cat sat on the mat", "a dog ran"], ["the cat sat on the mat", "a dog ran home"]
    c = compute_rouge_ci(rouge_per_example(preds, refs), {"same": rouge_per_example(preds, refs)})
    assert c["rouge2_minus_same"] == [0.0, 0.0]
    assert c["rouge1"][0] <= compute_rouge(preds, refs)["rouge1"] <= c["rouge1"][1] <= 100
    lo, hi = compute_macro_f1_ci([0, 1, 1, 0, 1, 0], [0, 1, 0, 0, 1, 1], labels=[0, 1])
    assert 0 <= lo <= compute_classification([0, 1, 1, 0, 1, 0], [0, 1, 0, 0, 1, 1])["macro_f1"] <= hi <= 1


def test_guard_share_counts_copied_sentences_over_all_summaries():
    from newsml.types import Summary, SummarySentence

    def summ(*kinds):
        sents = tuple(SummarySentence(f"s{i}", 1.0, i, k) for i, k in enumerate(kinds))
        return Summary(" ".join(x.text for x in sents), sents, "t", True)

    out = compute_guard_share([summ("abstractive", "copied", "extracted"), summ("copied")])
    assert out == {"guard_replaced_share": 0.5}  # 2 of 4 sentences
    assert compute_guard_share([]) == {"guard_replaced_share": 0.0}


def test_ece_floor_is_the_ece_of_a_calibrated_model_on_that_many_rows():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(200, 6)) * 3
    P = np.exp(z) / np.exp(z).sum(1, keepdims=True)
    floor = compute_ece_floor(P, n_draws=200)
    assert 0 < floor["mean"] < floor["p95"] < 0.2
    # labels drawn from P row by row (an independent sampler; calibrated by construction) give an ECE near the floor
    draws = [compute_ece(P, np.array([rng.choice(6, p=row) for row in P]))["ece"] for _ in range(50)]
    assert abs(np.mean(draws) - floor["mean"]) < 0.01
    # more rows, a lower floor
    assert compute_ece_floor(np.tile(P, (10, 1)), n_draws=50)["mean"] < floor["mean"] / 2
    # certain, and right by construction: no floor; rows that are not probabilities are refused
    assert compute_ece_floor(np.eye(6)[[0, 3, 5]], n_draws=20)["mean"] == 0.0
    with pytest.raises(ValueError, match="sum to 1"):
        compute_ece_floor(P * 2)
