"""Step 4 of the summarizer (optional): keep each verified rewrite, or put its source sentence back.

A rewrite can lose what a CNN highlight keeps (a name, the main clause). A small logistic model reads, for each
kept rewrite, features that need no reference (lengths, support, novelty, names and numbers on each side, the
sentence's position and selector score, how central the source and the rewrite are in the article) and gives the
probability that the source sentence scores better; at or above `threshold` the source goes back (kind
"extracted"). It was fitted on validation stories, cross-fitted, and its threshold is the lowest that keeps the
summaries' novel-bigram rate >= 16.5% (`training/train_summarizer.py --stage copy`); a threshold of 1.0 (no
put-back keeps that rate) turns it off. Pure numpy, weights in JSON.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from newsml.text import entities, numbers, tokens
from newsml.types import Summary, SummarySentence

FEATURES = ("source_words", "rewrite_words", "rewrite_to_source_words", "support", "rewrite_novel_bigrams",
            "rewrite_bigrams_in_source", "source_numbers", "rewrite_numbers", "source_names", "rewrite_names",
            "source_index", "relative_position", "rank_among_picks", "selector_score", "source_centrality",
            "rewrite_centrality", "summary_sentences")


def _bigrams(text: str) -> set:
    t = tokens(text)
    return {a + " " + b for a, b in zip(t, t[1:])}


def copy_features(summary: Summary, sentences: list[str], article_text: str, scores: np.ndarray) -> tuple[list[int], np.ndarray]:
    """(positions in `summary.sentences` of the kept rewrites, their feature rows in FEATURES order).
    `scores`: the selector's score of each of `sentences` (the first len(scores) are scored)."""
    kept = [j for j, z in enumerate(summary.sentences) if z.kind == "abstractive"]
    if not kept:
        return [], np.zeros((0, len(FEATURES)))
    art_bg = _bigrams(article_text)
    sent_bg = {i: _bigrams(sentences[i]) for i in range(len(sentences))}
    df = Counter(b for bg in sent_bg.values() for b in bg)  # in how many sentences each bigram occurs
    picks = [z.source_index for z in summary.sentences]
    order = sorted(picks, key=lambda i: -scores[i] if i < len(scores) else np.inf)
    rank = {i: r for r, i in enumerate(order)}

    def central(bg: set, own: set) -> float:  # share of `bg` found in sentences other than the source (`own`)
        return sum(df[b] - (b in own) > 0 for b in bg) / max(1, len(bg))

    rows = []
    for j in kept:
        z = summary.sentences[j]
        i, src, rw = z.source_index, sentences[z.source_index], z.text
        rb, sb = _bigrams(rw), sent_bg[i]
        rows.append([len(src.split()), len(rw.split()), len(rw.split()) / max(1, len(src.split())), z.support,
                     len(rb - art_bg) / max(1, len(rb)), len(rb & sb) / max(1, len(rb)),
                     len(numbers(src)), len(numbers(rw)), len(entities(src)), len(entities(rw)),
                     i, i / max(1, len(sentences)), rank.get(i, 4), float(scores[i]) if i < len(scores) else 0.0,
                     central(sb, sb), central(rb, sb), len(summary.sentences)])
    return kept, np.asarray(rows, dtype=np.float64)


def copy_probabilities(X: np.ndarray, chooser: dict) -> np.ndarray:
    """P(the source sentence scores better than its rewrite) for feature rows `X`."""
    if not len(X):
        return np.zeros(0)
    z = ((X - np.asarray(chooser["mean"])) / np.asarray(chooser["scale"])) @ np.asarray(chooser["coef"]) + chooser["intercept"]
    return 1.0 / (1.0 + np.exp(-z))


def choose_copies(summary: Summary, sentences: list[str], article_text: str, scores: np.ndarray,
                  chooser: dict) -> Summary:
    """`summary` with each kept rewrite whose copy probability is >= chooser["threshold"] replaced by its
    source sentence (kind "extracted"). A threshold of 1.0 or more puts nothing back (a probability can round to 1.0)."""
    if chooser["threshold"] >= 1.0:
        return summary
    kept, X = copy_features(summary, sentences, article_text, scores)
    return put_back(summary, sentences, {j for j, p in zip(kept, copy_probabilities(X, chooser)) if p >= chooser["threshold"]})


def put_back(summary: Summary, sentences: list[str], positions: set[int]) -> Summary:
    """`summary` with the sentences at `positions` replaced by their source sentences (kind "extracted")."""
    if not positions:
        return summary
    out = tuple(SummarySentence(sentences[z.source_index], 1.0, z.source_index, "extracted") if j in positions else z
                for j, z in enumerate(summary.sentences))
    return Summary(text=" ".join(z.text for z in out), sentences=out, method=summary.method,
                   faithful=summary.faithful, model=summary.model)
