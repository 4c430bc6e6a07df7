"""Analyzer: input -> Article -> (topic, stance, summary) -> Analysis. Models load lazily, once.

    >>> from newsml import Analyzer
    >>> an = Analyzer()                       # shipped models, loaded on first use
    >>> a = an.analyze(page_text, claims=["North Korea sent troops to Russia"])
    >>> a.topic.label, a.stance[0].label, a.summary.text
"""

from __future__ import annotations

import threading
import time

from newsml.article import Article, to_article
from newsml.errors import InputValueError, check_claims, type_error
from newsml.types import Analysis

COMPONENTS = ("topic", "stance", "summary")


class Analyzer:
    """Holds one model per component. Each argument is a model object, a folder path, or None (shipped).

    Thread safety: one lock per component serialises model calls (torch models are not re-entrant on
    shared state); results from several threads equal sequential results.
    """

    def __init__(self, topic=None, stance=None, summarizer=None, device: str | None = None):
        self.device = _check_device(device)
        self._spec = {"topic": topic, "stance": stance, "summary": summarizer}
        self._models: dict = {}
        self._errors: dict = {}
        self._locks = {c: threading.Lock() for c in COMPONENTS}

    # -- lazy model loading ----------------------------------------------------------------------------
    def model(self, component: str):
        """The loaded model for `component`, or None when it is not available (reason in `absent`)."""
        if component not in COMPONENTS:
            raise InputValueError(f"`component` must be one of {list(COMPONENTS)}, got {component!r}")
        if component in self._models:
            return self._models[component]
        spec = self._spec[component]
        if spec is not None and not isinstance(spec, (str,)) and not hasattr(spec, "__fspath__"):
            self._models[component] = spec  # an already-built model object
            return spec
        try:
            if component == "topic":
                from newsml.topic import TopicClassifier as cls
            elif component == "stance":
                from newsml.stance import StanceClassifier as cls
            else:
                from newsml.summarize import Summarizer as cls
            kwargs = {} if component == "topic" else {"device": self.device}
            m = cls.from_pretrained(spec, **kwargs) if spec is not None else cls.from_pretrained(**kwargs)
        except (ImportError, FileNotFoundError) as e:  # component not built / not shipped
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
        topic = [None] * n
        stance = [()] * n
        summary = [None] * n
        timings = {}
        models = {}
        absent = []
        for c in COMPONENTS:
            if c not in comps:
                absent.append(c)
                continue
            m = self.model(c)
            if m is None:
                absent.append(c)
                continue
            t0 = time.perf_counter()
            with self._locks[c]:
                if c == "topic":
                    topic = m.predict(arts)
                elif c == "stance":
                    stance = [
                        tuple(m.predict(a, claims if claims is not None else ([a.title] if a.title else [])))
                        for a in arts
                    ]
                else:
                    summary = m.summarize(arts)
            timings[c] = (time.perf_counter() - t0) / n
            models[c] = f"{m.config['name']}@{m.config['version']}"
        return [
            Analysis(
                title=a.title, source=a.source, date=a.date, n_sentences=len(a.sentences),
                topic=topic[i], stance=stance[i], summary=summary[i],
                related=tuple(r.title for r in a.related), absent=tuple(absent),
                timings=dict(timings), models=dict(models),
            )
            for i, a in enumerate(arts)
        ]


def _check_device(device):
    if device is None:
        return None
    if not isinstance(device, str) or not (device in ("cpu", "cuda", "mps") or device.startswith("cuda:")):
        raise InputValueError(f"`device` must be None, 'cpu', 'cuda', 'cuda:N' or 'mps', got {device!r}")
    return device


def _check_components(components):
    if components is None:
        return set(COMPONENTS)
    if isinstance(components, str):
        components = [c.strip() for c in components.split(",") if c.strip()]
    try:
        comps = set(components)
    except TypeError:
        raise type_error("components", f"a list drawn from {list(COMPONENTS)}", components) from None
    bad = comps - set(COMPONENTS)
    if bad:
        raise InputValueError(f"`components` has unknown names {sorted(map(str, bad))}; valid: {list(COMPONENTS)}")
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
