"""The baselines every model is compared with, defined once (training reports and the benchmark both call them).

- topic: `tfidf_lr_probs`, sklearn-default TfidfVectorizer + LogisticRegression.
- stance: the official FNC-1 baseline (FakeNewsChallenge/fnc-1-baseline, feature_engineering.py): word overlap,
  refuting words, polarity and the "hand" n-gram/char-gram co-occurrence `features`, fed to
  GradientBoostingClassifier(n_estimators=200) (`fnc_gbdt`). One deviation: tokens are lower-cased but not
  WordNet-lemmatised (no NLTK data offline), which changes few features.
"""

from __future__ import annotations

import re

import numpy as np

_REFUTING = ["fake", "fraud", "hoax", "false", "deny", "denies", "not", "despite", "nope", "doubt",
             "doubts", "bogus", "debunk", "pranks", "retract"]
_STOP = set("a about above after again against all am an and any are as at be because been before being below "
            "between both but by could did do does doing down during each few for from further had has have having "
            "he her here hers herself him himself his how i if in into is it its itself just me more most my myself "
            "no nor of off on once only or other our ours ourselves out over own same she should so some such than "
            "that the their theirs them themselves then there these they this those through to too under until up "
            "very was we were what when where which while who whom why will with would you your yours yourself".split())


def _norm(s):
    return " ".join(re.findall(r"\w+", s, flags=re.UNICODE)).lower()


def _toks(s):
    return _norm(s).split()


def _ngrams(seq, n):
    return [" ".join(seq[i : i + n]) for i in range(len(seq) - n + 1)]


def _chargrams(s, n):
    return [s[i : i + n] for i in range(len(s) - n + 1)]


def features(headline: str, body: str) -> np.ndarray:
    h, b = _toks(headline), _toks(body)
    hs, bs = set(h), set(b)
    f = [len(hs & bs) / float(len(hs | bs) or 1)]  # word overlap
    f += [1.0 if w in hs else 0.0 for w in _REFUTING]  # refuting words in the headline
    f += [sum(w in _REFUTING for w in h) % 2, sum(w in _REFUTING for w in b) % 2]  # polarity
    # hand features: co-occurrence of headline tokens in the body (all / first 255 chars)
    bc = _norm(body)
    co = sum(1 for w in h if w in b)
    co_early = sum(1 for w in h if w in bc[:255])
    hst = [w for w in h if w not in _STOP]
    co_s = sum(1 for w in hst if w in b)
    co_s_early = sum(1 for w in hst if w in bc[:255])
    f += [co, co_early, co_s, co_s_early]
    hc = " ".join(hst)
    for n in (2, 8, 4, 16):
        grams = _chargrams(hc, n)
        f += [sum(g in bc for g in grams), sum(g in bc[:255] for g in grams),
              sum(g in bc[:100] for g in grams)]
    for n in (2, 3, 4, 5, 6):
        grams = _ngrams(h, n)
        f += [sum(g in bc for g in grams), sum(g in bc[:255] for g in grams)]
    return np.asarray(f, dtype=np.float32)


def fnc_gbdt(train_bodies: dict, train_stances: list, pairs: list[tuple[str, str]]) -> list[str]:
    """The official FNC-1 baseline fit on (headline, body id, stance) `train_stances`; its stance for each
    (headline, body text) in `pairs`."""
    from sklearn.ensemble import GradientBoostingClassifier

    X = np.stack([features(h, train_bodies[b]) for h, b, _ in train_stances])
    gb = GradientBoostingClassifier(n_estimators=200, random_state=14128).fit(X, [s for _, _, s in train_stances])
    return list(gb.predict(np.stack([features(h, body) for h, body in pairs])))


def tfidf_lr_probs(train_texts: list[str], train_labels: list[int], texts: list[str], n_labels: int) -> np.ndarray:
    """The topic baseline: sklearn-default TfidfVectorizer + LogisticRegression fit on the training texts and
    label ids; probabilities for `texts` over all `n_labels` ids (0 for an id the training rows lack)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer()
    lr = LogisticRegression(max_iter=2000).fit(vec.fit_transform(train_texts), train_labels)
    P = np.zeros((len(texts), n_labels))
    P[:, list(lr.classes_)] = lr.predict_proba(vec.transform(texts))
    return P
