"""TopicClassifier: a calibrated ensemble of linear heads on TF-IDF, on frozen MiniLM embeddings and on
embeddings from LoRA fine-tuned MiniLMs: `lora` reads the first 128 tokens, `lora_long` 256 (each head
optional; the weights say which ones are used).

    >>> clf = TopicClassifier.from_pretrained()          # the shipped 6-label news model
    >>> clf.predict(["Arsenal beat Chelsea 2-0 in the league."])[0].label
    'sport'

Taxonomy (short form of `benchmarks/fixtures/topic_longform/GUIDELINE.md`; one label per story, the section a
news editor would file it under):

- `world`: international affairs and events abroad: wars, diplomacy and treaties, foreign governments' actions
  and their internal politics, terrorism, disasters and accidents abroad, the UN / NATO. *North Korean troops
  fight for Russia; an earthquake in Nepal; a UN Security Council vote.*
- `politics`: a country's own domestic politics: elections, parties, legislation, government policy debate,
  courts on government policy. *A health-care bill in Congress; a Senate race; a governor's veto.*
- `business`: companies, markets, the economy, jobs, trade, prices. *Quarterly results; oil prices; a merger.*
- `sport`: sports, athletes, matches, leagues, the Olympics. *A Premier League match; doping in cycling.*
- `science_technology`: science, space, technology products, the internet, cybersecurity, health and medicine
  research, climate science. *A new smartphone; a NASA mission; a study on cancer risk.*
- `entertainment`: film, TV, music, celebrities, arts, books, fashion, royals as celebrities. *The Oscars.*
- `other` (answered by abstention, see below): crime and courts, weather and accidents at home, human
  interest, travel, lifestyle, education. *A shooting in Ohio; a snowstorm in New York.*

A story that fits two: the same event is `world` abroad (or between countries) and `politics` / `other` at
home; a US debate about a foreign situation is `world` when about the situation and the diplomacy, `politics`
when about the domestic fight (a Congress vote); subject over setting (a court case about a company is
`business`); technology products are `science_technology`, their earnings `business`; when still torn, the
main subject of the first three paragraphs.

Format-aware heads (optional; on since 1.3): news comes as short snippets (a headline and a
lede) and as full articles, and training sets may label them by different conventions. With
`format_gate` in the config, each head's weights are shared weights plus a residual for its input's format
(long-form: at least `long_min_words` words), fitted jointly with one L2 penalty ("frustratingly easy domain
adaptation", Daume III 2007). No dataset id is needed at run time: the word count picks the residual.
A residual may carry its own intercept (`<head>.intercept_long`), and long-form rows may have their own head
weights (`head_weights_long`) and temperature (`temperature_long`); a head is run only on the rows whose
weight for it is not 0. Version 1.3 uses this for long-form news: short inputs get 1.2's heads unchanged, long
ones heads refit on BBC + labelled CNN stories (`training/train_topic.py --longform`).

Abstention (`abstain_below` in the config, 1.3 on): a long-form input whose top probability is below it gets
`label="other"` (outside the six: crime, weather, human interest ...); `score` and `scores` stay those of the
six topics, so `scores[0]` is still the best topic. The threshold was chosen on the long-form dev split.

Saved folder: `config.json` (labels, architecture, heads, temperature, newsml version, data
fingerprint), `weights.safetensors` (coefficients, idf, LoRA matrices), `vocab.json` (TF-IDF terms), `manifest.json`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from newsml.errors import type_error
from newsml.pretrained import Pretrained
from newsml.safe_io import load_folder, save_folder
from newsml.types import LabelScore, TopicResult

ARCHITECTURE = "newsml.topic.tfidf_minilm_ensemble.v1"
LORA_HEADS = ("lora", "lora_long")  # each: config[head] = {base, r, alpha, targets, max_length}, tensors "<head>.*"
DEFAULT_PATH = Path(__file__).parent / "models" / "topic"
TFIDF_CHAR_LIMIT = 100_000  # TF-IDF reads at most this many characters (a 50,000-word article is cut)
# the characters each MiniLM head is given (its token limit cuts them further); training uses the same cuts
MINILM_CHAR_LIMIT = 4_000
LORA_CHAR_LIMIT = 2_000


def is_long_form(texts: list[str], min_words: int) -> np.ndarray:
    """Boolean per text: at least `min_words` words (the format gate; training and prediction both use it)."""
    return np.array([len(t.split()) >= min_words for t in texts], dtype=bool)


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def article_text(x) -> tuple[str, list[str]]:
    """(classification text, body sentences) for an Article, a dict or a plain string."""
    from newsml.article import to_article

    a = to_article(x)
    head = (a.title + ". ") if a.title else ""
    return head + a.text, list(a.sentences)


class TopicClassifier(Pretrained):
    """Topic model. `__init__` only stores state; use `from_pretrained` or the training script."""

    default_path = DEFAULT_PATH

    def __init__(self, config: dict, tensors: dict[str, np.ndarray], vocab: list[str], encoder=None):
        self.config = config
        self.labels: list[str] = list(config["labels"])
        self._t = tensors
        self._vocab = vocab
        self._vectorizer = None
        self._encoder = encoder
        self._lora_encoders = {}

    # -- persistence ---------------------------------------------------------------------------------
    @classmethod
    def from_pretrained(cls, path: str | Path | None = None, *, device: str | None = None, encoder=None) -> TopicClassifier:
        """`encoder`: a SentenceEncoder to share (its device wins); else one is built on `device` at first use."""
        config, tensors, extra = load_folder(cls.folder(path), ARCHITECTURE, extra_json=["vocab.json"])
        if encoder is None and device:
            from newsml.encoder import SentenceEncoder

            encoder = SentenceEncoder(device=device)
        return cls(config, tensors, extra["vocab.json"], encoder=encoder)

    def save_pretrained(self, path: str | Path) -> None:
        """Write the folder; a few-shot model (`newsml.topic_fewshot`) also gets its model card, README.md."""
        save_folder(Path(path), self.config, self._t, extra_json={"vocab.json": self._vocab})
        if "fewshot" in self.config:
            from newsml.safe_io import write_manifest
            from newsml.topic_fewshot import model_card

            (Path(path) / "README.md").write_text(model_card(self.config), encoding="utf-8")
            write_manifest(Path(path))

    @classmethod
    def fit(cls, texts, labels, **options) -> TopicClassifier:
        """Your own labels from 8+ examples each: `newsml.topic_fewshot.fit_topic` (options documented there)."""
        from newsml.topic_fewshot import fit_topic

        return fit_topic(texts, labels, **options)

    # -- heads -----------------------------------------------------------------------------------------
    @property
    def vectorizer(self):
        if self._vectorizer is None:
            self._vectorizer = build_vectorizer(self.config["tfidf"], self._vocab, self._t["tfidf.idf"])
        return self._vectorizer

    @property
    def encoder(self):
        if self._encoder is None:
            from newsml.encoder import SentenceEncoder

            self._encoder = SentenceEncoder()
        return self._encoder

    def lora_encoder(self, head: str = "lora"):
        """MiniLM with the LoRA deltas of `head` merged into its weights (built on first use)."""
        if head not in self._lora_encoders:
            from newsml.encoder import SentenceEncoder

            pre = head + ".adapter."
            lora = {k[len(pre):]: v for k, v in self._t.items() if k.startswith(pre)}
            cfg = self.config[head]
            self._lora_encoders[head] = SentenceEncoder(device=getattr(self._encoder, "device", None), lora=lora,
                                                        lora_scale=cfg["alpha"] / cfg["r"])
        return self._lora_encoders[head]

    def long_form(self, texts: list[str]) -> np.ndarray:
        """Boolean per text: long-form (full article) under the config's format gate; all False without one."""
        gate = self.config.get("format_gate")
        if not gate:
            return np.zeros(len(texts), dtype=bool)
        return is_long_form(texts, gate["long_min_words"])

    def _linear(self, head: str, X, long: np.ndarray) -> np.ndarray:
        """Logits of one linear head: shared weights, plus the format residual (coef, intercept) where saved."""
        z = np.asarray(X @ self._t[head + ".coef"].T) + self._t[head + ".intercept"]
        for rows, fmt in ((long, "long"), (~long, "short")):  # each row gets its own format's residual
            if rows.any() and f"{head}.coef_{fmt}" in self._t:
                z[rows] += np.asarray(X[rows] @ self._t[f"{head}.coef_{fmt}"].T)
            if rows.any() and f"{head}.intercept_{fmt}" in self._t:
                z[rows] += self._t[f"{head}.intercept_{fmt}"]
        return z

    def _tfidf_logits(self, texts: list[str], long: np.ndarray) -> np.ndarray:
        return self._linear("tfidf", self.vectorizer.transform([t[:TFIDF_CHAR_LIMIT] for t in texts]), long)

    def _minilm_logits(self, texts: list[str], long: np.ndarray) -> np.ndarray:
        return self._linear("minilm", self.encoder.encode([t[:MINILM_CHAR_LIMIT] for t in texts], max_length=256), long)

    def _lora_logits(self, texts: list[str], long: np.ndarray, head: str = "lora") -> np.ndarray:
        E = self.lora_encoder(head).encode([t[:LORA_CHAR_LIMIT] for t in texts], max_length=self.config[head]["max_length"])
        return self._linear(head, E, long)

    def head_weights(self, long: bool) -> dict[str, float]:
        """The ensemble weights for short (`long=False`) or long-form rows (`head_weights_long`, else the same)."""
        return (long and self.config.get("head_weights_long")) or self.config["head_weights"]

    def logits(self, texts: list[str]) -> np.ndarray:
        """Uncalibrated ensemble logits, columns in `self.labels` order. Each format's rows get that format's
        head weights; a head runs only on the rows that weigh it."""
        long = self.long_form(texts)
        z = np.zeros((len(texts), len(self.labels)))
        heads = {"tfidf": self._tfidf_logits, "minilm": self._minilm_logits,
                 **{h: (lambda t, lf, h=h: self._lora_logits(t, lf, h)) for h in LORA_HEADS}}
        row_w = {fmt: self.head_weights(fmt) for fmt in (False, True)}
        for head, fn in heads.items():
            w = np.array([row_w[bool(x)].get(head, 0) for x in long], dtype=float)
            rows = np.flatnonzero(w)
            if len(rows):
                z[rows] += w[rows, None] * fn([texts[i] for i in rows], long[rows])
        return z

    def temperatures(self, texts: list[str]) -> np.ndarray:
        """The calibration temperature of each text, shape [n, 1] (by format, or by length; see predict_proba)."""
        lt = self.config.get("length_temperature")
        if lt:
            return np.exp(lt[0] + lt[1] * np.log1p([len(t.split()) for t in texts]))[:, None]
        T = np.full((len(texts), 1), float(self.config["temperature"]))
        if self.config.get("temperature_long"):
            T[self.long_form(texts)] = float(self.config["temperature_long"])
        return T

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """Calibrated probabilities (temperature scaling fitted on validation), columns = `labels`.

        With `temperature_long`, long-form rows get their own temperature; with `length_temperature` [a, b],
        T = exp(a + b * log1p(words))."""
        return _softmax(self.logits(texts) / self.temperatures(texts))

    # -- public prediction -------------------------------------------------------------------------------
    def predict(self, articles, n_evidence: int = 3) -> list[TopicResult]:
        """Topic for each article (str, dict or Article): label, all probabilities, evidence sentences.
        `label` is "other" where the abstention rule applies (module docstring); `scores` cover the six topics."""
        if isinstance(articles, (str, dict)) or not hasattr(articles, "__iter__"):
            raise type_error("articles", "a list of articles (str, dict or Article)", articles)
        prepared = [article_text(a) for a in articles]
        if not prepared:
            return []
        texts = [p[0] for p in prepared]
        P = self.predict_proba(texts)
        out = []
        abstain = self.config.get("abstain_below")
        for (text, sents), p, long in zip(prepared, P, self.long_form(texts)):
            k = int(p.argmax())
            order = np.argsort(-p)
            other = bool(abstain and long and p[k] < abstain)  # the documented abstention rule (module docstring)
            out.append(
                TopicResult(
                    label="other" if other else self.labels[k],
                    score=float(p[k]),
                    scores=tuple(LabelScore(self.labels[j], float(p[j])) for j in order),
                    evidence=tuple(self.evidence(sents or [text], k, n_evidence, long_form=bool(long))),
                    model=self.model_id,
                )
            )
        return out

    def run(self, articles, claims=None) -> list[TopicResult]:
        """The component protocol: one TopicResult per Article (`claims` are not read)."""
        return self.predict(articles)

    def evidence(self, sentences: list[str], label_index: int, n: int = 3, long_form: bool = False) -> list[str]:
        """The sentences whose TF-IDF terms push most towards `label_index` (relative to the other labels);
        `long_form` picks the format residual of a format-aware TF-IDF head."""
        if not sentences:
            return []
        sents = sentences[:400]  # evidence from the first 400 sentences: bounded cost on huge inputs
        X = self.vectorizer.transform(sents)
        coef = self._t["tfidf.coef"]
        residual = "tfidf.coef_long" if long_form else "tfidf.coef_short"
        if residual in self._t:
            coef = coef + self._t[residual]
        contrast = coef[label_index] - coef.mean(axis=0)
        s = np.asarray(X @ contrast).ravel()
        idx = [i for i in np.argsort(-s)[:n] if s[i] > 0]
        return [sents[i] for i in sorted(idx)]


def build_vectorizer(tfidf_config: dict, vocab: list[str], idf: np.ndarray):
    """A fitted TfidfVectorizer rebuilt from plain data (vocabulary + idf): no pickle involved."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    v = TfidfVectorizer(
        vocabulary={t: i for i, t in enumerate(vocab)},
        ngram_range=tuple(tfidf_config["ngram_range"]),
        sublinear_tf=tfidf_config["sublinear_tf"],
        lowercase=True,
        strip_accents="unicode",
        dtype=np.float32,
    )
    v.idf_ = idf.astype(np.float64)
    return v
