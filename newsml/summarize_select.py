"""Step 1 of the summarizer: choose which body sentences the generator sees (in article order)."""

from __future__ import annotations

from newsml.text import split_sentences


def lead_select(text_or_sentences, tokenizer, budget_tokens: int) -> list[str]:
    """The leading sentences that fit in `budget_tokens` generator tokens (at least one, truncated)."""
    sents = split_sentences(text_or_sentences) if isinstance(text_or_sentences, str) else text_or_sentences
    out, used = [], 0
    for s in sents:
        n = len(tokenizer(s, add_special_tokens=False)["input_ids"])
        if used + n > budget_tokens:
            if not out:  # one giant first sentence: keep its head
                ids = tokenizer(s, add_special_tokens=False)["input_ids"][:budget_tokens]
                out.append(tokenizer.decode(ids))
            break
        out.append(s)
        used += n
    return out


# -- the trained selector --------------------------------------------------------------------------------
import math  # noqa: E402
import re  # noqa: E402
from collections import Counter  # noqa: E402

import numpy as np  # noqa: E402

from newsml.text import entities, numbers, tokens  # noqa: E402

_STOP = set(
    "the a an of to in on for and or is are was were be been by with at from that this it as its his her their "
    "he she they we i you said says not but have has had will would can could there which who what when".split()
)
FEATURES = [
    "position", "is_first", "in_lead3", "log_index", "log_words", "centroid_sim", "title_sim",
    "number_density", "entity_density", "is_quote", "is_question", "short",
]


def _vec(ws):
    return Counter(w for w in ws if w not in _STOP)


def _cos(a: Counter, b: Counter) -> float:
    if not a or not b:
        return 0.0
    dot = sum(v * b.get(k, 0) for k, v in a.items())
    return dot / math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))


def sentence_features(sentences: list[str], title: str | None = None) -> np.ndarray:
    """One row per sentence, columns = FEATURES. Pure function (training and inference share it)."""
    n = len(sentences)
    toks = [tokens(s) for s in sentences]
    doc = Counter()
    for t in toks:
        doc.update(_vec(t))
    ref = _vec(tokens(title)) if title else (_vec(toks[0]) if toks else Counter())
    rows = []
    for i, (s, t) in enumerate(zip(sentences, toks)):
        nw = max(1, len(t))
        rows.append([
            i / max(1, n), float(i == 0), float(i < 3), math.log1p(i), math.log1p(nw),
            _cos(_vec(t), doc), _cos(_vec(t), ref) if (title or i > 0) else 1.0,
            len(numbers(s)) / nw, len(entities(s)) / nw, float(s.lstrip()[:1] in "\"“'‘"),
            float(s.rstrip().endswith("?")), float(nw < 8),
        ])
    return np.asarray(rows, dtype=np.float64).reshape(n, len(FEATURES))


class SentenceSelector:
    """Sentence scorer (a small MLP, or a logistic model: a stack of dense layers in JSON) + a budgeted pick.

    `layers`: [(W [in, out], b [out]), ...]; ReLU between layers, the last layer gives one logit per
    sentence. A logistic model is the one-layer case. Inference is plain numpy.
    """

    def __init__(self, layers, mean, scale, max_sentences: int = 6):
        self.layers = [(np.asarray(W, dtype=np.float64).reshape(len(W), -1), np.asarray(b, dtype=np.float64).ravel())
                       for W, b in layers]
        self.mean = np.asarray(mean, dtype=np.float64)
        self.scale = np.asarray(scale, dtype=np.float64)
        self.max_sentences = max_sentences

    def scores(self, sentences: list[str], title: str | None = None) -> np.ndarray:
        if not sentences:
            return np.zeros(0)
        h = (sentence_features(sentences, title) - self.mean) / self.scale
        for k, (W, b) in enumerate(self.layers):
            h = h @ W + b
            if k < len(self.layers) - 1:
                h = np.maximum(h, 0.0)
        return h[:, 0]

    def _ranked(self, sentences, title: str | None) -> tuple[list[str], np.ndarray, list[int]]:
        """(the first 3,000 sentences, their scores, the indices of those with a letter, best first).
        Scoring is linear; a 50,000-word article stays cheap."""
        sentences = list(sentences)[:3000]
        s = self.scores(sentences, title)
        return sentences, s, [int(i) for i in np.argsort(-s, kind="stable") if re.search(r"[A-Za-z]", sentences[i])]

    def ranking(self, sentences, title: str | None = None) -> list[int]:
        """Sentence indices best first (sentences with a letter only)."""
        return self._ranked(sentences, title)[2]

    def summary_picks(self, sentences, title: str | None = None, words: int = 0, max_sentences: int = 4) -> list[int]:
        """The selector-alone summary: best sentences until `words` words (0: no word budget), at most
        `max_sentences`, in article order. CNN highlights average ~43 words; the budget is tuned on validation."""
        sentences, _, order = self._ranked(sentences, title)
        picks, n = [], 0
        for i in order:
            picks.append(i)
            n += len(sentences[i].split())
            if (words and n >= words) or len(picks) >= max_sentences:
                break
        return sorted(picks)

    def select(self, sentences, tokenizer, budget_tokens: int, title: str | None = None, ranked: bool = False) -> list[int]:
        """Indices of the best-scoring sentences that fit the budget (at least one): in article order, or
        best first with `ranked=True`."""
        sentences, s, order = self._ranked(sentences, title)
        chosen, used = [], 0
        for i in order:
            n = len(tokenizer(sentences[i], add_special_tokens=False)["input_ids"]) if tokenizer else len(sentences[i].split())
            if used + n > budget_tokens:
                continue
            chosen.append(i)
            used += n
            if len(chosen) >= self.max_sentences or used > budget_tokens - 10:
                break
        if not chosen and sentences:
            chosen = [int(np.argmax(s))]
        return chosen if ranked else sorted(chosen)

    def to_dict(self) -> dict:
        return {"features": FEATURES, "layers": [[W.tolist(), b.tolist()] for W, b in self.layers],
                "mean": self.mean.tolist(), "scale": self.scale.tolist(), "max_sentences": self.max_sentences}

    @classmethod
    def from_dict(cls, d: dict) -> SentenceSelector:
        if d.get("features") != FEATURES:
            raise ValueError(f"selector features {d.get('features')} do not match this newsml version's {FEATURES}")
        # older files: one logistic layer stored as "coef" + "intercept"
        layers = d["layers"] if "layers" in d else [[[[c] for c in d["coef"]], [d["intercept"]]]]
        return cls(layers, d["mean"], d["scale"], d.get("max_sentences", 6))
