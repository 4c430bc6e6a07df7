"""Analyzer: input -> Article -> (topic, stance, summary) -> Analysis. Models load lazily, once.

    >>> from newsml import Analyzer
    >>> an = Analyzer()                       # shipped models, loaded on first use
    >>> a = an.analyze(page_text, claims=["North Korea sent troops to Russia"])
    >>> a.topic.label, a.stance[0].label, a.summary.text
"""

from __future__ import annotations

import dataclasses
import threading
import time

from newsml.article import Article, to_article
from newsml.components import REGISTRY
from newsml.errors import InputValueError, ModelLoadError, check_claims, type_error
from newsml.types import Analysis

_FIELDS = {f.name: f for f in dataclasses.fields(Analysis)}


class Analyzer:
    """Holds one model per component (`newsml.components.REGISTRY`). Each model argument is a model object,
    a folder path, or None (the shipped model); `summarizer` is the "summary" component's model, and any other
    registered component's model is passed by its name. `device` goes to every model that is loaded here.

    Thread safety: one lock per component serialises model calls (torch models are not re-entrant on
    shared state); results from several threads equal sequential results.
    """

    def __init__(self, topic=None, stance=None, summarizer=None, device: str | None = None, **models):
        self.device = _check_device(device)
        unknown = sorted(set(models) - set(REGISTRY))
        if unknown:
            raise InputValueError(f"Analyzer got models for unknown components {unknown}; registered: {list(REGISTRY)}")
        self._spec = {"topic": topic, "stance": stance, "summary": summarizer, **models}
        self._models: dict = {}
        self._errors: dict = {}  # component -> why its model could not be loaded (copied into each Analysis)
        self._locks: dict = {}

    # -- lazy model loading ----------------------------------------------------------------------------
    def model(self, component: str):
        """The loaded model for `component`, or None when it is not available (reason in `absent_reasons`)."""
        if component not in REGISTRY:
            raise InputValueError(f"`component` must be one of {list(REGISTRY)}, got {component!r}")
        if component in self._models:
            return self._models[component]
        spec = self._spec.get(component)
        if spec is not None and not isinstance(spec, (str,)) and not hasattr(spec, "__fspath__"):
            self._models[component] = spec  # an already-built model object
            return spec
        try:
            m = REGISTRY[component].load(spec, device=self.device)
        except (ImportError, FileNotFoundError, ModelLoadError) as e:  # not built, not shipped, or its base is missing
            self._errors[component] = f"{type(e).__name__}: {e}"
            m = None
        self._models[component] = m
        return m

    # -- analysis ------------------------------------------------------------------------------------------
    def analyze(self, article, *, claims=None, components=None) -> Analysis:
        """Analyse one article (str text or HTML, dict, or Article). `claims` default: its own headline."""
        return self.analyze_batch([article], claims=claims, components=components, _arg="article")[0]

    def analyze_batch(self, articles, *, claims=None, components=None, batch_size: int = 8, _arg="articles") -> list[Analysis]:
        """Analyse many articles; models run on batches of `batch_size`. Returns one Analysis per input."""
        if isinstance(articles, (str, dict, Article)) or articles is None or not hasattr(articles, "__iter__"):
            raise type_error(_arg, "a list of articles", articles)
        arts = [to_article(a, arg=_arg) for a in articles]
        comps = _check_components(components)
        claims = None if claims is None else check_claims(claims)
        if not isinstance(batch_size, int) or batch_size < 1:
            raise InputValueError(f"`batch_size` must be a positive int, got {batch_size!r}")
        out: list[Analysis] = []
        for i in range(0, len(arts), batch_size):
            out.extend(self._analyze_chunk(arts[i : i + batch_size], claims, comps))
        return out

    def _analyze_chunk(self, arts: list[Article], claims, comps) -> list[Analysis]:
        n = len(arts)
        results: dict[str, list] = {}
        timings, models, absent, reasons = {}, {}, [], {}
        for c in REGISTRY:
            m = self.model(c) if c in comps else None
            if m is None:
                absent.append(c)
                if c in comps and c in self._errors:
                    reasons[c] = self._errors[c]
                continue
            t0 = time.perf_counter()
            with self._locks.setdefault(c, threading.Lock()):
                results[c] = m.run(arts, claims)
            timings[c] = (time.perf_counter() - t0) / n
            models[c] = m.model_id
        out = []
        for i, a in enumerate(arts):
            fields = {c: r[i] for c, r in results.items() if c in _FIELDS}
            extra = {c: r[i] for c, r in results.items() if c not in _FIELDS}
            out.append(Analysis(
                title=a.title, source=a.source, date=a.date, n_sentences=len(a.sentences), **fields,
                related=tuple(r.title for r in a.related), absent=tuple(absent),
                timings=dict(timings), models=dict(models), absent_reasons=dict(reasons), extra=extra,
                warnings=a.warnings,
            ))
        return out


def _check_device(device):
    if device is None:
        return None
    if not isinstance(device, str) or not (device in ("cpu", "cuda", "mps") or device.startswith("cuda:")):
        raise InputValueError(f"`device` must be None, 'cpu', 'cuda', 'cuda:N' or 'mps', got {device!r}")
    return device


def _check_components(components):
    names = list(REGISTRY)
    if components is None:
        return set(names)
    if isinstance(components, str):
        components = [c.strip() for c in components.split(",") if c.strip()]
    try:
        comps = set(components)
    except TypeError:
        raise type_error("components", f"a list drawn from {names}", components) from None
    bad = comps - set(names)
    if bad:
        raise InputValueError(f"`components` has unknown names {sorted(map(str, bad))}; valid: {names}")
    return comps


_default: Analyzer | None = None
_default_lock = threading.Lock()


def default_analyzer() -> Analyzer:
    """The shared Analyzer behind `newsml.analyze` (created on first use)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Analyzer()
        return _default


def analyze(article, *, claims=None, components=None) -> Analysis:
    """Analyse one article with the shipped models. See `Analyzer.analyze`."""
    if article is None or not isinstance(article, (str, dict, Article)):
        raise type_error("article", "a str (text or HTML), a dict with 'text'/'html', or an Article", article)
    return default_analyzer().analyze(article, claims=claims, components=components)


def analyze_batch(articles, *, claims=None, components=None, batch_size: int = 8) -> list[Analysis]:
    """Analyse many articles with the shipped models. See `Analyzer.analyze_batch`."""
    return default_analyzer().analyze_batch(articles, claims=claims, components=components, batch_size=batch_size)
