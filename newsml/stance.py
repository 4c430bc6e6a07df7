"""StanceClassifier: does an article agree with, disagree with, discuss, or ignore a claim (FNC-1 scheme).

    >>> clf = StanceClassifier.from_pretrained()
    >>> [r.label for r in clf.predict(article, ["North Korea sent troops to Russia"])]
    ['agree']

How a claim is checked (version 2):
1. relevance: the article's sentences and the claim are embedded with MiniLM (once per article); the
   claim's cosine similarity to each sentence ranks them;
2. reading: when the best similarity passes the relevance gate, the NLI cross-encoder (`newsml.nli`)
   reads the claim against the 3 most similar sentences and a 2-sentence window around the best one;
3. deciding: a small MLP ensemble (weights in safetensors, run in numpy) maps relatedness and cue features
   (`stance_features.pair_features`), exact mismatch checks when the config says `exact` (claim numbers and
   names missing from the article, negation parity, antonyms: `stance_features.exact_features`) and the NLI
   evidence features (`stance_features.nli_features`) to agree / disagree / discuss / unrelated.
The NLI pairs of every claim of every article in a batch go through the cross-encoder together.
Version 1 folders (no NLI, architecture `...minilm_features_mlp.v1`) still load, for comparisons.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from newsml.errors import InputValueError, ModelLoadError, check_claims
from newsml.pretrained import Pretrained
from newsml.safe_io import load_folder, save_folder
from newsml.stance_features import (
    N_SCALAR,
    context_features,
    context_premise,
    evidence_indices,
    exact_features,
    nli_candidates,
    nli_features,
    pair_features,
    split_body,
)
from newsml.types import LabelScore, StanceResult

ARCHITECTURE = "newsml.stance.nli_evidence_mlp.v2"
ARCHITECTURE_V1 = "newsml.stance.minilm_features_mlp.v1"
DEFAULT_PATH = Path(__file__).parent / "models" / "stance"
MAX_CLAIMS = 10_000
MAX_CLAIM_CHARS = 2_000


class StanceClassifier(Pretrained):
    default_path = DEFAULT_PATH

    def __init__(self, config: dict, tensors: dict[str, np.ndarray], encoder=None, nli=None, device=None):
        self.config = config
        self.labels: list[str] = list(config["labels"])
        self._t = tensors
        self._encoder = encoder
        self._nli = nli
        self.device = device

    @classmethod
    def from_pretrained(cls, path: str | Path | None = None, *, device: str | None = None, encoder=None,
                        nli=None) -> StanceClassifier:
        """`encoder` (a SentenceEncoder) and `nli` (an NLIModel) may be shared with other models."""
        folder = cls.folder(path)
        try:
            config, tensors, _ = load_folder(folder, ARCHITECTURE)
        except ModelLoadError:
            config, tensors, _ = load_folder(folder, ARCHITECTURE_V1)  # a 1.x folder, or the same clear error
        return cls(config, tensors, encoder=encoder, nli=nli, device=device)

    def save_pretrained(self, path: str | Path) -> None:
        save_folder(Path(path), self.config, self._t)

    @property
    def uses_nli(self) -> bool:
        return "nli" in self.config

    @property
    def encoder(self):
        if self._encoder is None:
            from newsml.encoder import SentenceEncoder

            self._encoder = SentenceEncoder(device=self.device)
        return self._encoder

    @property
    def nli(self):
        """The NLI model that reads claims against sentences (the shipped one unless one was given)."""
        if self._nli is None:
            from newsml.nli import NLIModel

            self._nli = NLIModel.from_pretrained(device=self.device)
        return self._nli

    def proba_from_features(self, X: np.ndarray) -> np.ndarray:
        """MLP ensemble forward in numpy (ReLU, eval mode): mean of the members' log-probabilities
        + validation-chosen class offsets -> softmax. A single MLP has 2-D weights, an ensemble 3-D."""
        t = self._t
        h0 = (X - t["mu"]) / t["sd"]
        w0, w1, w2 = (t[k] if t[k].ndim == 3 else t[k][None] for k in ("w0", "w1", "w2"))
        b0, b1, b2 = (t[k] if t[k].ndim == 2 else t[k][None] for k in ("b0", "b1", "b2"))
        z = np.zeros((len(X), len(self.labels)))
        for k in range(len(w0)):
            h = np.maximum(h0 @ w0[k].T + b0[k], 0)
            h = np.maximum(h @ w1[k].T + b1[k], 0)
            zk = h @ w2[k].T + b2[k]
            z += _log_softmax(zk) / len(w0)
        return np.exp(_log_softmax(z + t["bias"]))

    # -- features -------------------------------------------------------------------------------------------
    def sentences(self, article) -> list[str]:
        """The body sentences a claim is compared with (the first `max_sentences` with letters)."""
        sents = [s for s in article.sentences if any(c.isalpha() for c in s)][: self.config["max_sentences"]]
        return sents or split_body(article.text, self.config["max_sentences"]) or [article.text[:1000]]

    def features(self, items: list[tuple[list[str], np.ndarray, list[str], np.ndarray]]):
        """Feature rows for many (sentences, sentence embeddings, claims, claim embeddings) groups at once.

        Returns (X [n_pairs, n_features], evidence: per pair a list of (sentence, entailment, contradiction)
        for the sentences the NLI model read, or None where the relevance gate skipped it)."""
        n = self.config["n_features"]
        ctx = bool((self.config.get("nli") or {}).get("context"))  # 2.2+: one more read, the top-k sentences joined
        rows, reads, pending = [], [], []  # pending: (row index, order, premises) for the NLI batch
        for sents, S, claims, C in items:
            for i, c in enumerate(claims):
                # 1.x: scalar features (+ embedding interactions when n_features says so); 2.x: scalar + NLI
                inter = n > N_SCALAR and not self.uses_nli
                base = pair_features(c, sents, C[i], S, interactions=inter)[: n if not self.uses_nli else N_SCALAR]
                if self.config.get("exact"):  # 2.x with exact mismatch features: [scalar, exact, NLI]
                    base = np.concatenate([base, exact_features(c, sents, S @ C[i])])
                rows.append(base)
                reads.append(None)
                if self.uses_nli:
                    sims = S @ C[i]
                    if sims.max() >= self.config["nli"]["gate"]:
                        order, window = nli_candidates(sents, sims, self.config["nli"]["k"])
                        prem = [sents[j] for j in order] + [window] + ([context_premise(sents, order)] if ctx else [])
                        pending.append((len(rows) - 1, c, sents, sims, order, prem))
                    else:
                        pending.append((len(rows) - 1, c, sents, sims, None, None))
        if not self.uses_nli:
            return np.stack(rows) if rows else np.zeros((0, n)), reads
        pairs = [(p, c) for _, c, _, _, order, prem in pending if order is not None for p in prem]
        P_all = self.nli.predict_proba(pairs) if pairs else np.zeros((0, 3))
        X, off = [], 0
        for (r, _c, sents, sims, order, prem), base in zip(pending, rows):
            P = None
            if order is not None:
                P = P_all[off : off + len(prem)]
                off += len(prem)
                reads[r] = [(prem[j], float(P[j, 0]), float(P[j, 2])) for j in range(len(prem))]
            P_nli = P[:-1] if (ctx and P is not None) else P  # nli_features reads the sentences + the window
            extra = [context_features(P[-1] if P is not None else None)] if ctx else []
            X.append(np.concatenate([base, nli_features(P_nli, sims, order or [], len(sents)), *extra]))
        return (np.stack(X) if X else np.zeros((0, n))), reads

    # -- prediction -------------------------------------------------------------------------------------------
    def predict(self, article, claims: list[str], n_evidence: int = 3) -> list[StanceResult]:
        """One StanceResult per claim. `article`: str, dict or Article. Sentences are embedded once."""
        from newsml.article import to_article

        return self.predict_many([to_article(article)], [_check_claims(claims)], n_evidence)[0]

    def run(self, articles, claims=None) -> list[tuple[StanceResult, ...]]:
        """The component protocol: for each Article, its stance towards every claim (None: its own headline)."""
        if claims is not None:
            claims = _check_claims(claims)
        per = [claims if claims is not None else ([a.title] if a.title else []) for a in articles]
        return [tuple(r) for r in self.predict_many(list(articles), per)]

    def predict_many(self, articles, claims_per_article, n_evidence: int = 3) -> list[list[StanceResult]]:
        """Stance of each article (str, dict or Article) towards each of its claims; one NLI batch for all of them."""
        from newsml.article import to_article

        articles = [to_article(a) for a in articles]
        items = []
        for a, claims in zip(articles, claims_per_article):
            if claims:
                sents = self.sentences(a)
                S = self.encoder.encode(sents)
                C = self.encoder.encode([c[:MAX_CLAIM_CHARS] for c in claims])
                items.append((sents, S, claims, C))
        X, reads = self.features(items)
        P = self.proba_from_features(X) if len(X) else np.zeros((0, len(self.labels)))
        out, row = [], 0
        it = iter(items)
        for claims in claims_per_article:
            res = []
            if claims:
                sents, S, _, C = next(it)
                for i, c in enumerate(claims):
                    p = P[row]
                    res.append(self._result(c, p, sents, S, C[i], reads[row], n_evidence))
                    row += 1
            out.append(res)
        return out

    def _result(self, claim, p, sents, S, c_emb, read, n_evidence) -> StanceResult:
        k = int(p.argmax())
        order = np.argsort(-p)
        label = self.labels[k]
        if read is not None and label in ("agree", "disagree"):
            # the sentences that decided it: highest entailment (agree) or contradiction (disagree) first
            col = 1 if label == "agree" else 2
            ranked = sorted(read, key=lambda e: -e[col])[:n_evidence]
            evidence = tuple(e[0] for e in ranked)
            scores = tuple((round(e[1], 4), round(e[2], 4)) for e in ranked)
        else:
            idx = evidence_indices(c_emb, S, n_evidence)
            evidence = tuple(sents[j] for j in idx)
            by_text = {e[0]: (round(e[1], 4), round(e[2], 4)) for e in read or []}
            scores = tuple(by_text.get(s, ()) for s in evidence) if read is not None else ()
        return StanceResult(
            claim=claim, label=label, score=float(p[k]),
            scores=tuple(LabelScore(self.labels[j], float(p[j])) for j in order),
            evidence=evidence, evidence_nli=scores, model=self.model_id,
        )


def _log_softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(1, keepdims=True)
    return z - np.log(np.exp(z).sum(1, keepdims=True))


def _check_claims(claims) -> list[str]:
    claims = check_claims(claims)
    if len(claims) > MAX_CLAIMS:
        raise InputValueError(f"`claims` has {len(claims):,} items; at most {MAX_CLAIMS:,} per call (split the list)")
    return claims
