"""`Pretrained`: what every newsml model shares. One way to load, save, name and run a model.

    >>> clf = TopicClassifier.from_pretrained()               # the shipped folder
    >>> clf = TopicClassifier.from_pretrained("runs/topic", device="cpu")
    >>> clf.model_id
    'newsml-topic@1.2'
    >>> clf.run(articles, claims=None)                        # one result per article (what `analyze` calls)

A subclass sets `default_path` (its shipped folder under `newsml/models/`) and implements
`from_pretrained(path=None, *, device=None, ...)` (extra options keyword-only), `save_pretrained(path)` and
`run(articles, claims)`. `newsml.components` lists the models `analyze` runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar


def model_id(config: dict) -> str:
    """A saved model's name as results record it: "name@version" (the one place it is built)."""
    return f"{config['name']}@{config['version']}"


class Pretrained:
    """Base class of newsml's models. `config` is the folder's `config.json` as loaded."""

    default_path: ClassVar[Path]  # the shipped folder, used when `from_pretrained` gets no path
    config: dict

    @classmethod
    def folder(cls, path: str | Path | None) -> Path:
        """The folder to load: `path`, or the shipped one when it is None."""
        return Path(path) if path else cls.default_path

    @classmethod
    def from_pretrained(cls, path: str | Path | None = None, *, device: str | None = None):
        """Load a saved folder (default: the shipped model). `device`: "cpu", "cuda", ... or None (CUDA when
        available, decided on first use)."""
        raise NotImplementedError(f"{cls.__name__} does not implement from_pretrained")

    def save_pretrained(self, path: str | Path) -> None:
        """Write config.json, safetensors weights and a SHA-256 manifest into `path`."""
        raise NotImplementedError(f"{type(self).__name__} does not implement save_pretrained")

    @property
    def model_id(self) -> str:
        return model_id(self.config)

    def run(self, articles: list, claims: list[str] | None = None) -> list:
        """The component protocol: one result per `Article` in `articles` (the value of its `Analysis` field).
        `claims`: the claims to check, or None (each article's own headline); models that read none ignore it."""
        raise NotImplementedError(f"{type(self).__name__} does not implement run")
