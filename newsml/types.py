"""Result types: frozen dataclasses of plain Python values, each with a JSON-ready `to_dict()`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


def _round(x):
    if isinstance(x, float):
        return round(x, 6)  # stable JSON across runs/platforms
    if isinstance(x, dict):
        return {k: _round(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_round(v) for v in x]
    return x


@dataclass(frozen=True)
class LabelScore:
    label: str
    score: float

    def to_dict(self) -> dict:
        return _round(asdict(self))


@dataclass(frozen=True)
class TopicResult:
    """Top label, a calibrated probability for every label (sorted, highest first), and evidence."""

    label: str
    score: float
    scores: tuple[LabelScore, ...]
    evidence: tuple[str, ...] = ()  # the body sentences that most support `label`
    model: str = ""

    def to_dict(self) -> dict:
        return _round(asdict(self))


@dataclass(frozen=True)
class StanceResult:
    """Stance of the article towards one claim: agree / disagree / discuss / unrelated."""

    claim: str
    label: str
    score: float
    scores: tuple[LabelScore, ...]
    evidence: tuple[str, ...] = ()  # the body sentences that decided it (agree/disagree) or closest to the claim
    # (entailment, contradiction) probabilities the NLI model gave each evidence sentence; () where it did not read it
    evidence_nli: tuple[tuple[float, ...], ...] = ()
    model: str = ""

    def to_dict(self) -> dict:
        return _round(asdict(self))


@dataclass(frozen=True)
class SummarySentence:
    text: str
    support: float  # similarity to the best-matching source sentence, 0..1
    source_index: int  # index into Article.sentences of that sentence
    kind: str  # "abstractive" (generated, verified), "copied" (the guard swapped in the source sentence),
    # or "extracted" (a selected source sentence added to reach the minimum length)
    # the NLI model's entailment probability of a generated sentence given its source sentence (None: not
    # checked, e.g. a copied or extracted source sentence, or a summarizer without the meaning check)
    entailment: float | None = None


@dataclass(frozen=True)
class Summary:
    text: str
    sentences: tuple[SummarySentence, ...]
    method: str  # "select+generate+verify", "select" (extractive fallback), ...
    faithful: bool  # every number and name in `text` occurs in the article, and every generated sentence
    # passed the meaning check where the summarizer has one (entailed by its source, not contradicted)
    model: str = ""

    def to_dict(self) -> dict:
        return _round(asdict(self))


@dataclass(frozen=True)
class Analysis:
    """Everything `analyze` found in one article. Components not run are `None` (stance: `()`) and listed in
    `absent`; `absent_reasons` says why a requested one could not run (its model failed to load)."""

    title: str | None
    source: str | None
    date: str | None
    n_sentences: int
    topic: TopicResult | None = None
    stance: tuple[StanceResult, ...] = ()
    summary: Summary | None = None
    related: tuple[str, ...] = ()  # titles of other stories found on the page (not analysed)
    absent: tuple[str, ...] = ()  # components requested but not available / not requested
    timings: dict = field(default_factory=dict)  # seconds per component
    models: dict = field(default_factory=dict)  # component -> model name@version
    absent_reasons: dict = field(default_factory=dict)  # component -> why it could not run (requested, not loadable)
    extra: dict = field(default_factory=dict)  # component -> results, for components without a field here
    warnings: tuple[str, ...] = ()  # recoverable problems with the input (e.g. no body: analysed from the title alone)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["timings"] = {k: round(v, 4) for k, v in self.timings.items()}
        for k in ("absent_reasons", "extra", "warnings"):  # keys only when they carry something: a full analysis's JSON is unchanged
            if not d[k]:
                del d[k]
        return _round(d)
