"""Pure metric functions: `compute_*(predictions, references, ...) -> dict`. No models, no I/O.

Shared by `training/` (validation choices) and `benchmarks/` (test reports), which never import each other.
ROUGE is the local `evaluate` metric in `evaluation/rouge/rouge.py` (the hub's cannot be downloaded offline);
its dependencies (`evaluate`, `datasets`, `rouge_score`) are the `eval` extra, not newsml's runtime.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from newsml.text import tokens


def compute_classification(predictions, references, labels=None) -> dict:
    """Accuracy, macro-F1 (over `labels`, default: those present) and per-class F1."""
    p, r = np.asarray(predictions), np.asarray(references)
    if len(p) != len(r):
        raise ValueError(f"predictions and references differ in length: [{len(p)}, {len(r)}]")
    labels = list(labels) if labels is not None else sorted(set(r.tolist()) | set(p.tolist()))
    f1s = {}
    for lab in labels:
        tp = int(((p == lab) & (r == lab)).sum())
        fp = int(((p == lab) & (r != lab)).sum())
        fn = int(((p != lab) & (r == lab)).sum())
        f1s[str(lab)] = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0
    return {
        "accuracy": float((p == r).mean()) if len(r) else 0.0,
        "macro_f1": float(np.mean(list(f1s.values()))) if f1s else 0.0,
        "per_class_f1": f1s,
    }


def compute_ece(probs, references, n_bins: int = 15) -> dict:
    """Expected calibration error of the top-label confidence, equal-width bins (15 by default)."""
    P, y = np.asarray(probs, dtype=float), np.asarray(references)
    conf, pred = P.max(1), P.argmax(1)
    correct = (pred == y).astype(float)
    edges = np.linspace(0, 1, n_bins + 1)
    ece, bins = 0.0, []
    for lo, hi in zip(edges[:-1], edges[1:]):
        m = (conf > lo) & (conf <= hi)
        if m.any():
            ece += m.mean() * abs(correct[m].mean() - conf[m].mean())
            bins.append({"lo": float(lo), "hi": float(hi), "n": int(m.sum()),
                         "accuracy": float(correct[m].mean()), "confidence": float(conf[m].mean())})
    return {"ece": float(ece), "bins": bins}


def compute_ece_floor(probs, n_bins: int = 15, n_draws: int = 1000, seed: int = 0) -> dict:
    """The ECE a perfectly calibrated model would show on a set of this size and with these confidences: each
    draw samples every row's label from the row's own probabilities (so the model is calibrated by construction)
    and scores `compute_ece` on it. Reads no gold label. On a few hundred rows this floor is not zero: an ECE
    below its 95th percentile cannot be told apart from perfect calibration."""
    P = np.asarray(probs, dtype=float)
    if P.ndim != 2 or not np.allclose(P.sum(1), 1, atol=1e-3):
        raise ValueError("probs must be rows of probabilities that sum to 1 (the ones the ECE beside it reads)")
    rng = np.random.default_rng(seed)
    cum = P.cumsum(1)
    draws = [compute_ece(P, (rng.random((len(P), 1)) > cum).sum(1).clip(max=P.shape[1] - 1), n_bins)["ece"]
             for _ in range(n_draws)]
    return {"mean": float(np.mean(draws)), "p95": float(np.quantile(draws, 0.95)), "n_draws": n_draws}


FNC_LABELS = ["agree", "disagree", "discuss", "unrelated"]
_RELATED = {"agree", "disagree", "discuss"}


def compute_fnc(predictions, references) -> dict:
    """The official FNC-1 score: +0.25 for related/unrelated right, +0.75 more for the exact related label.

    Returns the raw score, the maximum, the relative score (%), macro-F1, per-class F1 and the
    confusion matrix (rows = gold, columns = predicted, in FNC_LABELS order).
    """
    if len(predictions) != len(references):
        raise ValueError(f"predictions and references differ in length: [{len(predictions)}, {len(references)}]")
    score = best = 0.0
    cm = [[0] * 4 for _ in FNC_LABELS]
    for p, g in zip(predictions, references):
        best += 1.0 if g in _RELATED else 0.25
        if p == g:
            score += 0.25
            if g != "unrelated":
                score += 0.50
        if g in _RELATED and p in _RELATED:
            score += 0.25
        cm[FNC_LABELS.index(g)][FNC_LABELS.index(p)] += 1
    cls = compute_classification(predictions, references, labels=FNC_LABELS)
    return {"fnc_score": score, "fnc_max": best, "fnc_relative": 100 * score / best if best else 0.0,
            "macro_f1": cls["macro_f1"], "accuracy": cls["accuracy"], "per_class_f1": cls["per_class_f1"],
            "confusion_matrix": cm, "labels": FNC_LABELS}


def _ngrams(tokens, n):
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def compute_novel_bigrams(summaries, articles) -> dict:
    """Share of summary bigrams that never occur in the article (abstractiveness)."""
    novel = total = 0
    for s, a in zip(summaries, articles):
        st = tokens(s)
        at = _ngrams(tokens(a), 2)
        bg = _ngrams(st, 2)
        novel += len(bg - at)
        total += len(bg)
    return {"novel_bigram_rate": novel / total if total else 0.0}


def compute_guard_share(summaries) -> dict:
    """Share of the summaries' sentences that the verifier's guard replaced by their source (kind "copied")."""
    n = sum(len(x.sentences) for x in summaries)
    return {"guard_replaced_share": sum(z.kind == "copied" for x in summaries for z in x.sentences) / max(1, n)}


def compute_faithfulness(summaries, articles) -> dict:
    """Numbers and names in summaries that the article lacks (per summary, and as rates)."""
    from newsml.text import entities, numbers

    with_bad_num = ent_total = ent_bad = num_total = num_bad = 0
    for s, a in zip(summaries, articles):
        sn, an = numbers(s), numbers(a)
        bad = sn - an
        num_total += len(sn)
        num_bad += len(bad)
        with_bad_num += bool(bad)
        se, ae = entities(s), entities(a)
        ent_total += len(se)
        ent_bad += len(se - ae)
    n = max(1, len(summaries))
    return {
        "summaries_with_unsupported_number": with_bad_num,
        "unsupported_number_rate": num_bad / num_total if num_total else 0.0,
        "unsupported_entity_rate": ent_bad / ent_total if ent_total else 0.0,
        "share_summaries_with_unsupported_number": with_bad_num / n,
    }


ROUGE_SCRIPT = Path(__file__).parent / "rouge" / "rouge.py"


def load_rouge():
    """The local ROUGE metric through `evaluate` (loaded by path: works offline)."""
    import evaluate

    return evaluate.load(str(ROUGE_SCRIPT))


def rouge_per_example(predictions, references) -> dict:
    """ROUGE-1/2/L/Lsum F-measure (0-1) of each example through the project's local `evaluate` metric
    (rouge_score): {type: [f, ...]}. `rouge_means` and `compute_rouge_ci` both read it, so a benchmark scores
    each system once."""
    return load_rouge().compute(predictions=list(predictions), references=list(references), use_aggregator=False)


def rouge_means(per: dict) -> dict:
    """Mean F x100 per ROUGE type of `rouge_per_example` output (the metric's own aggregate arithmetic)."""
    return {k: 100 * float(sum(v) / max(1, len(v))) for k, v in per.items()}


def compute_rouge(predictions, references) -> dict:
    """ROUGE-1/2/L/Lsum F-measure x100, mean over examples."""
    return rouge_means(rouge_per_example(predictions, references))


def bootstrap_ci(stat, n: int, n_boot: int = 1000, seed: int = 0, level: float = 0.95) -> list[float]:
    """Percentile bootstrap interval of `stat(indices)` over `n` items drawn with replacement (how far a
    test-set number could move on another sample of the same size)."""
    rng = np.random.default_rng(seed)
    vals = [stat(rng.integers(0, n, n)) for _ in range(n_boot)]
    tail = 50 * (1 - level)
    return [float(v) for v in np.percentile(vals, [tail, 100 - tail])]


def compute_rouge_ci(per: dict, baselines: dict | None = None) -> dict:
    """95% bootstrap intervals of ROUGE-1/2/Lsum (F x100, mean over examples) from `rouge_per_example` output
    and, for each of `baselines` (name -> `rouge_per_example` output on the same examples), of the paired
    ROUGE-2 difference (ours - theirs)."""
    def x100(p):
        return {k: 100 * np.asarray(v, dtype=float) for k, v in p.items()}

    ours = x100(per)
    n = len(ours["rouge2"])
    out = {k: bootstrap_ci(lambda i, v=ours[k]: v[i].mean(), n) for k in ("rouge1", "rouge2", "rougeLsum")}
    for name, theirs in (baselines or {}).items():
        diff = ours["rouge2"] - x100(theirs)["rouge2"]
        out[f"rouge2_minus_{name}"] = bootstrap_ci(lambda i, d=diff: d[i].mean(), n)
    return out


def compute_macro_f1_ci(predictions, references, labels) -> list[float]:
    """95% bootstrap interval of macro-F1 (over `labels`)."""
    p, r = np.asarray(predictions), np.asarray(references)
    return bootstrap_ci(lambda i: compute_classification(p[i], r[i], labels=labels)["macro_f1"], len(r))


def compute_latency(seconds) -> dict:
    s = np.asarray(seconds, dtype=float)
    if not len(s):
        return {"p50_s": 0.0, "p95_s": 0.0, "mean_s": 0.0}
    return {"p50_s": float(np.percentile(s, 50)), "p95_s": float(np.percentile(s, 95)), "mean_s": float(s.mean())}
