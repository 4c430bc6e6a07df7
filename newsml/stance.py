"""StanceClassifier: does an article agree with, disagree with, discuss, or ignore a claim (FNC-1 scheme).

    >>> clf = StanceClassifier.from_pretrained()
    >>> [r.label for r in clf.predict(article, ["North Korea sent troops to Russia"])]
    ['agree']

The article's sentences are embedded once per call, every claim is compared with all of them, and a
small MLP (weights in safetensors, run in numpy) maps the pair features to the four labels.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from newsml.errors import InputValueError, check_claims
from newsml.pretrained import Pretrained
from newsml.safe_io import load_folder, save_folder
from newsml.stance_features import N_SCALAR, evidence_indices, pair_features
from newsml.types import LabelScore, StanceResult

ARCHITECTURE = "newsml.stance.minilm_features_mlp.v1"
DEFAULT_PATH = Path(__file__).parent / "models" / "stance"
MAX_CLAIMS = 10_000
MAX_CLAIM_CHARS = 2_000


class StanceClassifier(Pretrained):
    default_path = DEFAULT_PATH

    def __init__(self, config: dict, tensors: dict[str, np.ndarray], encoder=None):
        self.config = config
        self.labels: list[str] = list(config["labels"])
        self._t = tensors
        self._encoder = encoder

    @classmethod
    def from_pretrained(cls, path: str | Path | None = None, *, device: str | None = None, encoder=None) -> StanceClassifier:
        config, tensors, _ = load_folder(cls.folder(path), ARCHITECTURE)
        if encoder is None and device:
            from newsml.encoder import SentenceEncoder

            encoder = SentenceEncoder(device=device)
        return cls(config, tensors, encoder=encoder)

    def save_pretrained(self, path: str | Path) -> None:
        save_folder(Path(path), self.config, self._t)

    @property
    def encoder(self):
        if self._encoder is None:
            from newsml.encoder import SentenceEncoder

            self._encoder = SentenceEncoder()
        return self._encoder

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

    def predict(self, article, claims: list[str], n_evidence: int = 3) -> list[StanceResult]:
        """One StanceResult per claim. `article`: str, dict or Article. Sentences are embedded once."""
        from newsml.article import to_article
        from newsml.stance_features import split_body

        a = to_article(article)
        claims = _check_claims(claims)
        if not claims:
            return []
        sents = [s for s in a.sentences if any(c.isalpha() for c in s)][: self.config["max_sentences"]]
        if not sents:
            sents = split_body(a.text, self.config["max_sentences"]) or [a.text[:1000]]
        S = self.encoder.encode(sents)
        C = self.encoder.encode([c[:MAX_CLAIM_CHARS] for c in claims])
        n = self.config["n_features"]
        X = np.stack([pair_features(c, sents, C[i], S, interactions=n > N_SCALAR) for i, c in enumerate(claims)])[:, :n]
        P = self.proba_from_features(X)
        out = []
        for i, (c, p) in enumerate(zip(claims, P)):
            k = int(p.argmax())
            order = np.argsort(-p)
            ev = evidence_indices(C[i], S, n_evidence)
            out.append(
                StanceResult(
                    claim=c,
                    label=self.labels[k],
                    score=float(p[k]),
                    scores=tuple(LabelScore(self.labels[j], float(p[j])) for j in order),
                    evidence=tuple(sents[j] for j in ev),
                    model=self.model_id,
                )
            )
        return out

    def run(self, articles, claims=None) -> list[tuple[StanceResult, ...]]:
        """The component protocol: for each Article, its stance towards every claim (None: its own headline)."""
        return [tuple(self.predict(a, claims if claims is not None else ([a.title] if a.title else []))) for a in articles]


def _log_softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(1, keepdims=True)
    return z - np.log(np.exp(z).sum(1, keepdims=True))


def _check_claims(claims) -> list[str]:
    claims = check_claims(claims)
    if len(claims) > MAX_CLAIMS:
        raise InputValueError(f"`claims` has {len(claims):,} items; at most {MAX_CLAIMS:,} per call (split the list)")
    return claims
