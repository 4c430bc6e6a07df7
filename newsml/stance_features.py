"""Claim-stance features: pure functions of (claim, body sentences, their MiniLM embeddings).

Shared by `training/train_stance.py` and `StanceClassifier`, so training and inference compute the
same numbers. Feature groups (FNC-1 lessons): relatedness (TF-free word/bigram overlap, MiniLM
similarity max/top-k/first), refuting and hedging cues in the sentences closest to the claim,
negation mismatch, and NLI-style interactions of the claim and best-sentence embeddings.
"""

from __future__ import annotations

import re

import numpy as np

from newsml.text import tokens

REFUTE = {
    "fake", "fraud", "hoax", "false", "deny", "denies", "denied", "denial", "not", "despite", "nope",
    "doubt", "doubts", "bogus", "debunk", "debunks", "debunked", "refute", "refutes", "refuted",
    "retract", "retracts", "retracted", "untrue", "myth", "misleading", "baseless", "rumour", "rumor",
    "satire", "satirical", "never", "no", "incorrect", "wrong", "fabricated", "hoaxes", "dismissed",
}
HEDGE = {
    "reportedly", "allegedly", "alleged", "claims", "claimed", "claim", "according", "unconfirmed",
    "rumored", "rumoured", "may", "might", "could", "apparently", "purportedly", "suggests", "appears",
    "possibly", "believed", "unverified", "speculation", "report", "reports", "said", "says", "if",
}
AGREE = {"confirmed", "confirms", "confirm", "official", "officially", "announced", "revealed", "shows", "proves", "indeed"}
STOP = set("the a an of to in on for and or is are was were be been by with at from that this it as its his her their".split())
TOP_K = 3
EMB_DIM = 384
N_SCALAR = 25  # scalar features come first in every vector


def _content(ws):
    return [w for w in ws if w not in STOP]


def _cue_rate(words: list[str], cue: set) -> float:
    return sum(w in cue for w in words) / max(1, len(words))


def pair_features(claim: str, sentences: list[str], claim_emb: np.ndarray, sent_embs: np.ndarray,
                  interactions: bool = True) -> np.ndarray:
    """One feature vector for (claim, body). `sent_embs` rows are unit vectors, one per sentence.

    The first N_SCALAR values are scalar features; `interactions=True` appends the 2 x 384 embedding
    interactions (claim * closest sentences, |claim - best sentence|)."""
    cw = tokens(claim)
    cset, ccont = set(cw), set(_content(cw))
    body_words = [tokens(s) for s in sentences] or [[]]
    bw_all = [w for ws in body_words for w in ws]
    bset = set(bw_all)
    cbig = {(a, b) for a, b in zip(cw, cw[1:])}
    bbig = {(a, b) for a, b in zip(bw_all, bw_all[1:])}

    sims = sent_embs @ claim_emb if len(sent_embs) else np.zeros(1)
    order = np.argsort(-sims)
    top = order[:TOP_K]
    top_words = [w for i in top for w in body_words[i]] if len(sentences) else []
    # overlap per sentence: the best sentence's share of the claim's content words
    sent_overlap = [len(ccont & set(ws)) / max(1, len(ccont)) for ws in body_words]
    body_mean = sent_embs.mean(0) if len(sent_embs) else np.zeros(EMB_DIM)
    body_mean = body_mean / (np.linalg.norm(body_mean) + 1e-9)
    best = sent_embs[order[0]] if len(sent_embs) else np.zeros(EMB_DIM)
    top_mean = sent_embs[top].mean(0) if len(sent_embs) else np.zeros(EMB_DIM)

    scalar = [
        float(sims.max()),
        float(np.sort(sims)[::-1][:TOP_K].mean()),
        float(sims.mean()),
        float(sims[0]),  # lead sentence
        float(body_mean @ claim_emb),
        float((sims > 0.5).mean()),
        float((sims > 0.35).mean()),
        len(cset & bset) / max(1, len(cset | bset)),
        len(ccont & bset) / max(1, len(ccont)),
        len(cbig & bbig) / max(1, len(cbig)),
        max(sent_overlap),
        float(np.mean(sent_overlap)),
        _cue_rate(top_words, REFUTE) * 10,
        _cue_rate(top_words, HEDGE) * 10,
        _cue_rate(top_words, AGREE) * 10,
        _cue_rate(bw_all, REFUTE) * 10,
        _cue_rate(bw_all, HEDGE) * 10,
        _cue_rate(bw_all, AGREE) * 10,
        float(any(w in REFUTE for w in cw)),
        float(any(w in HEDGE for w in cw)),
        float("?" in claim),
        float(sum(w in REFUTE for w in cw) % 2 != sum(w in REFUTE for w in top_words) % 2),
        np.log1p(len(sentences)),
        np.log1p(len(cw)),
        float(top[0]) / max(1, len(sentences)) if len(sentences) else 0.0,
    ]
    scalar = np.asarray(scalar, dtype=np.float32)
    if not interactions:
        return scalar
    return np.concatenate([scalar, (claim_emb * top_mean).astype(np.float32), np.abs(claim_emb - best).astype(np.float32)])


def evidence_indices(claim_emb: np.ndarray, sent_embs: np.ndarray, k: int = TOP_K) -> list[int]:
    """Indices (article order) of the k body sentences most similar to the claim."""
    if not len(sent_embs):
        return []
    sims = sent_embs @ claim_emb
    return sorted(int(i) for i in np.argsort(-sims)[:k])


def split_body(text: str, max_sentences: int = 60) -> list[str]:
    """Body -> sentences (pysbd), at most `max_sentences` (the lead carries the stance in news)."""
    from newsml.text import split_sentences

    sents = [s for s in split_sentences(text) if re.search(r"[A-Za-z]", s)]
    return sents[:max_sentences]


# --- NLI evidence features (stance 2.x) ------------------------------------------------------------------
NLI_K = 3  # body sentences most similar to the claim that the NLI model reads (+ one 2-sentence window)
N_NLI = 14


def nli_candidates(sentences: list[str], sims: np.ndarray, k: int = NLI_K) -> tuple[list[int], str]:
    """Indices of the k sentences most similar to the claim (most similar first), and a 2-sentence window:
    the best sentence joined with the more similar of its neighbours (a fact often spans two sentences)."""
    order = [int(i) for i in np.argsort(-sims)[:k]]
    b = order[0]
    nb = [j for j in (b - 1, b + 1) if 0 <= j < len(sentences)]
    if not nb:
        return order, sentences[b]
    j = max(nb, key=lambda j: sims[j])
    lo, hi = min(b, j), max(b, j)
    return order, f"{sentences[lo]} {sentences[hi]}"


def nli_features(P: np.ndarray | None, sims: np.ndarray, order: list[int], n_sentences: int) -> np.ndarray:
    """N_NLI features from the NLI probabilities `P` [len(order) + 1, 3] (entailment, neutral, contradiction)
    of the candidate sentences (`order`, most similar first) and the window (last row). `P` None: the claim
    was not similar enough to any sentence to be read (the relevance gate): all zeros, flag 0."""
    f = np.zeros(N_NLI, dtype=np.float32)
    if P is None:
        return f
    k = len(order)
    for i in range(min(k, NLI_K)):
        f[2 * i], f[2 * i + 1] = P[i, 0], P[i, 2]
    f[6], f[7] = P[-1, 0], P[-1, 2]  # the window
    f[8], f[9] = P[:, 0].max(), P[:, 2].max()
    w = np.exp(8 * (sims[order] - sims[order].max()))  # relevance weights of the candidate sentences
    w = w / w.sum()
    f[10], f[11] = float(w @ P[:k, 0]), float(w @ P[:k, 2])
    f[12] = 1.0  # NLI was run
    f[13] = order[int(P[:k, 0].argmax())] / max(1, n_sentences)  # where the best support sits
    return f


# --- the context read (stance 2.2+, config nli.context): the top-k sentences joined as one premise -------------
N_CONTEXT = 3


def context_premise(sentences: list[str], order: list[int]) -> str:
    """The candidate sentences joined in article order: a true claim often combines two or three of them."""
    return " ".join(sentences[j] for j in sorted(order))


def context_features(p: np.ndarray | None) -> np.ndarray:
    """The NLI probabilities (entailment, neutral, contradiction) of the claim given the context premise; zeros
    when the relevance gate skipped the claim."""
    return np.zeros(N_CONTEXT, dtype=np.float32) if p is None else np.asarray(p, dtype=np.float32)


# --- exact mismatch features (stance 2.x, optional: config "exact") ---------------------------------------
N_EXACT = 6
NEGATIONS = {"not", "no", "never", "n't", "nobody", "nothing", "none", "neither", "nor", "without", "denied", "denies", "deny"}
ANTONYMS = [("rose", "fell"), ("rise", "fall"), ("rises", "falls"), ("increased", "decreased"), ("increase", "decrease"),
            ("won", "lost"), ("win", "lose"), ("wins", "loses"), ("confirmed", "denied"), ("confirms", "denies"),
            ("approved", "rejected"), ("accepted", "refused"), ("signed", "vetoed"), ("guilty", "innocent"),
            ("convicted", "acquitted"), ("arrested", "released"), ("higher", "lower"), ("more", "fewer"),
            ("up", "down"), ("before", "after"), ("allowed", "banned"), ("opened", "closed"), ("gained", "lost"),
            ("alive", "dead"), ("survived", "died"), ("victory", "defeat"), ("support", "oppose"), ("supports", "opposes")]
_OPPOSITE = {a: b for a, b in ANTONYMS} | {b: a for a, b in ANTONYMS}


def _negations(words: list[str]) -> int:
    return sum(w in NEGATIONS or w.endswith("n't") for w in words)


def exact_features(claim: str, sentences: list[str], sims: np.ndarray) -> np.ndarray:
    """Cheap exact checks of a claim against the article (the kind the summarizer's guard uses): numbers and names
    of the claim missing from the article and from its 3 most similar sentences, negation parity against the most
    similar sentence, and an antonym pair between the claim and that sentence."""
    from newsml.text import entities, numbers

    f = np.zeros(N_EXACT, dtype=np.float32)
    if not sentences:
        return f
    top = [sentences[int(i)] for i in np.argsort(-sims)[:TOP_K]]
    body, near = " ".join(sentences), " ".join(top)
    cn, ce = numbers(claim), entities(claim)
    if cn:
        f[0] = len(cn - numbers(body)) / len(cn)
        f[1] = len(cn - numbers(near)) / len(cn)
    if ce:
        f[2] = len(ce - entities(body)) / len(ce)
        f[3] = len(ce - entities(near)) / len(ce)
    cw, bw = tokens(claim), tokens(top[0])
    f[4] = float((_negations(cw) % 2) != (_negations(bw) % 2))
    bset = set(bw)
    f[5] = float(any(_OPPOSITE.get(w) in bset and w not in bset for w in cw))
    return f
