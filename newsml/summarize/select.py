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


def context_window(tokenizer, sentences: list[str], max_tokens: int) -> tuple[list[int], list[tuple[int, int]]]:
    """The article as the context scorer reads it (BertSum-style): [CLS] s1 [SEP] s2 [SEP] ... cut at
    `max_tokens`. Returns (input ids, each in-window sentence's token span); sentences past the window get
    no span. Training and inference share it."""
    ids, spans = [tokenizer.cls_token_id], []
    for s in sentences:
        if len(ids) + 2 > max_tokens:
            break
        t = tokenizer(s, add_special_tokens=False)["input_ids"][: max_tokens - len(ids) - 1]
        spans.append((len(ids), len(ids) + max(1, len(t))))  # a sentence with no tokens: its [SEP]
        ids += t + [tokenizer.sep_token_id]
    return ids, spans


def span_vectors(model, windows: list[tuple[list[int], list[tuple[int, int]]]], device=None) -> list:
    """One forward of MiniLM over `context_window` outputs (right padded): per window, a tensor
    [sentences, hidden] of each sentence span's mean vector. Training (with gradients) and inference share it."""
    import torch

    x = torch.zeros(len(windows), max(len(ids) for ids, _ in windows), dtype=torch.long)
    mask = torch.zeros_like(x)
    for k, (ids, _) in enumerate(windows):
        x[k, : len(ids)], mask[k, : len(ids)] = torch.tensor(ids), 1
    h = model(input_ids=x.to(device), attention_mask=mask.to(device)).last_hidden_state
    return [torch.stack([h[k, a:b].mean(0) for a, b in spans]) for k, (_, spans) in enumerate(windows)]


class ContextScorer:
    """A residual logit per sentence from MiniLM reading the article's first `max_tokens` tokens at once
    (`context_window`), so a sentence is scored next to its neighbours, not alone. MiniLM gets a LoRA
    (merged at load); each sentence's mean-pooled vector -> `head_w . v + head_b`. Sentences past the
    window get 0 (the MLP's logit alone)."""

    def __init__(self, lora: dict[str, np.ndarray], head_w, head_b: float, max_tokens: int, lora_scale: float,
                 device: str | None = None):
        from newsml.encoder import SentenceEncoder

        self.encoder = SentenceEncoder(device=device, lora=lora, lora_scale=lora_scale)  # holds lora + scale
        self.head_w = np.asarray(head_w, dtype=np.float32).ravel()
        self.head_b = float(head_b)
        self.max_tokens = max_tokens

    def config(self) -> dict:
        from newsml.backbones import MINILM_HUB_ID

        return {"base": MINILM_HUB_ID, "max_tokens": self.max_tokens, "lora_scale": self.encoder.lora_scale}

    def tensors(self) -> dict[str, np.ndarray]:
        """What `from_tensors` reads back: "context.head_w", "context.head_b", "context.lora.<module>.lora_A|B"."""
        return {"context.head_w": self.head_w, "context.head_b": np.asarray([self.head_b], dtype=np.float32),
                **{"context.lora." + k: np.asarray(v, dtype=np.float32) for k, v in (self.encoder.lora or {}).items()}}

    @classmethod
    def from_tensors(cls, config: dict, tensors: dict[str, np.ndarray], device: str | None = None) -> ContextScorer:
        from newsml.errors import ModelLoadError

        if "context.head_w" not in tensors:
            raise ModelLoadError("the selector names a context scorer but the folder's weights.safetensors has no "
                                 "context.* tensors")
        lora = {k[len("context.lora."):]: v for k, v in tensors.items() if k.startswith("context.lora.")}
        return cls(lora, tensors["context.head_w"], float(tensors["context.head_b"][0]), config["max_tokens"],
                   config["lora_scale"], device=device)

    def residuals(self, sentences: list[str]) -> np.ndarray:
        import torch

        model, tok = self.encoder.load()
        ids, spans = context_window(tok, sentences, self.max_tokens)
        out = np.zeros(len(sentences))
        if not spans:
            return out
        with torch.inference_mode():
            v = span_vectors(model, [(ids, spans)], self.encoder.device)[0].float().cpu().numpy()
        out[: len(spans)] = v @ self.head_w + self.head_b
        return out


class SentenceSelector:
    """Sentence scorer (a small MLP, or a logistic model: a stack of dense layers in JSON) + a budgeted pick.

    `layers`: [(W [in, out], b [out]), ...]; ReLU between layers, the last layer gives one logit per
    sentence. A logistic model is the one-layer case. Inference is plain numpy. `context` (optional): a
    `ContextScorer` whose residuals are added to the MLP's logits.
    """

    def __init__(self, layers, mean, scale, max_sentences: int = 6, context: ContextScorer | None = None):
        self.layers = [(np.asarray(W, dtype=np.float64).reshape(len(W), -1), np.asarray(b, dtype=np.float64).ravel())
                       for W, b in layers]
        self.mean = np.asarray(mean, dtype=np.float64)
        self.scale = np.asarray(scale, dtype=np.float64)
        self.max_sentences = max_sentences
        self.context = context

    def scores(self, sentences: list[str], title: str | None = None) -> np.ndarray:
        if not sentences:
            return np.zeros(0)
        h = (sentence_features(sentences, title) - self.mean) / self.scale
        for k, (W, b) in enumerate(self.layers):
            h = h @ W + b
            if k < len(self.layers) - 1:
                h = np.maximum(h, 0.0)
        return h[:, 0] + (self.context.residuals(sentences) if self.context is not None else 0.0)

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
        return self.scored_summary_picks(sentences, title, words, max_sentences)[0]

    def scored_summary_picks(self, sentences, title: str | None = None, words: int = 0,
                             max_sentences: int = 4) -> tuple[list[int], np.ndarray]:
        """`summary_picks` and the scores of the (first 3,000) sentences it ranked."""
        sentences, s, order = self._ranked(sentences, title)
        picks, n = [], 0
        for i in order:
            picks.append(i)
            n += len(sentences[i].split())
            if (words and n >= words) or len(picks) >= max_sentences:
                break
        return sorted(picks), s

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
        d = {"features": FEATURES, "layers": [[W.tolist(), b.tolist()] for W, b in self.layers],
             "mean": self.mean.tolist(), "scale": self.scale.tolist(), "max_sentences": self.max_sentences}
        if self.context is not None:
            d["context"] = self.context.config()
        return d

    def with_context(self, context: ContextScorer | None) -> SentenceSelector:
        """The same MLP with `context` (None: the MLP alone)."""
        return SentenceSelector(self.layers, self.mean, self.scale, self.max_sentences, context=context)

    def tensors(self) -> dict[str, np.ndarray]:
        """The context scorer's weights (none for the MLP alone, which lives in `to_dict`)."""
        return self.context.tensors() if self.context is not None else {}

    @classmethod
    def from_dict(cls, d: dict, tensors: dict | None = None, device: str | None = None) -> SentenceSelector:
        if d.get("features") != FEATURES:
            raise ValueError(f"selector features {d.get('features')} do not match this newsml version's {FEATURES}")
        # older files: one logistic layer stored as "coef" + "intercept"
        layers = d["layers"] if "layers" in d else [[[[c] for c in d["coef"]], [d["intercept"]]]]
        context = ContextScorer.from_tensors(d["context"], tensors or {}, device=device) if "context" in d else None
        return cls(layers, d["mean"], d["scale"], d.get("max_sentences", 6), context=context)
