"""The components `analyze` runs: one registry line each.

    >>> from newsml.components import REGISTRY
    >>> list(REGISTRY)
    ['topic', 'stance', 'summary']
    >>> REGISTRY["topic"].load(device="cpu").run(articles, None)   # one TopicResult per article

A component is a model class (a `newsml.pretrained.Pretrained`) that follows the protocol below. Its name is
the `components=` / `--components` value, the key in `Analysis.models` / `timings` / `absent`, and the `Analysis`
field its results go to; a component without such a field (an experiment, a test's toy) has its results in
`Analysis.extra[name]`. Adding a model = its module + one `register(...)` line here (+ an `Analysis` field for a
typed result). `Analyzer`, `python -m newsml.score`, the benchmark and the card generator all loop over
`REGISTRY`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from newsml.errors import InputValueError


@runtime_checkable
class Component(Protocol):
    """What `Analyzer` needs from a loaded model."""

    @property
    def model_id(self) -> str: ...  # "name@version"

    def run(self, articles: list, claims: list[str] | None) -> list:
        """One result per article, in order. `claims` None: each article's own headline (if it reads claims)."""
        ...


@dataclass(frozen=True)
class ComponentSpec:
    """One registry line: the component's name and where its model class lives ("package.module:Class")."""

    name: str
    target: str

    def model_class(self):
        """The model class, imported on first use (`import newsml` stays light)."""
        module, _, cls = self.target.partition(":")
        return getattr(importlib.import_module(module), cls)

    def load(self, path=None, *, device: str | None = None):
        """The model from `path` (None: the shipped folder) via its `from_pretrained(path, device=...)`."""
        return self.model_class().from_pretrained(path, device=device)


REGISTRY: dict[str, ComponentSpec] = {}


def register(name: str, target: str) -> ComponentSpec:
    """Add a component (run after those already registered). `target`: "package.module:Class"."""
    if not isinstance(name, str) or not name.isidentifier():
        raise InputValueError(f"`name` must be a Python identifier (it names an Analysis field), got {name!r}")
    if name in REGISTRY:
        raise InputValueError(f"component {name!r} is already registered ({REGISTRY[name].target})")
    if not isinstance(target, str) or target.count(":") != 1:
        raise InputValueError(f"`target` must be 'package.module:Class', got {target!r}")
    REGISTRY[name] = spec = ComponentSpec(name, target)
    return spec


register("topic", "newsml.topic:TopicClassifier")
register("stance", "newsml.stance:StanceClassifier")
register("summary", "newsml.summarize:Summarizer")
