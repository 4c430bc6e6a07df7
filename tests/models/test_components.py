"""The component registry: every model loads, names and runs the same way, and a new one is one line."""

import inspect
import json

import pytest

from newsml.components import REGISTRY, register

TOY = '''
from newsml.pretrained import Pretrained


class WordCount(Pretrained):
    """A fourth component for the test: the number of words in each article's body."""

    def __init__(self, device=None):
        self.config = {"name": "toy-wordcount", "version": "0.1"}
        self.device = device

    @classmethod
    def from_pretrained(cls, path=None, *, device=None):
        return cls(device)

    def run(self, articles, claims=None):
        return [len(a.text.split()) for a in articles]
'''


@pytest.fixture
def registry():
    """REGISTRY as it is, restored after the test (tests add components to it)."""
    saved = dict(REGISTRY)
    yield REGISTRY
    REGISTRY.clear()
    REGISTRY.update(saved)


@pytest.fixture
def toy_module(tmp_path, monkeypatch):
    (tmp_path / "newsml_toy.py").write_text(TOY)
    monkeypatch.syspath_prepend(str(tmp_path))
    return "newsml_toy"


def test_shipped_components_share_one_interface():
    assert list(REGISTRY) == ["topic", "stance", "summary"]
    for spec in REGISTRY.values():
        cls = spec.model_class()
        params = inspect.signature(cls.from_pretrained).parameters
        assert list(params)[:2] == ["path", "device"], spec.name
        assert params["path"].default is None and params["device"].kind is inspect.Parameter.KEYWORD_ONLY
        assert callable(cls.save_pretrained) and callable(cls.run) and isinstance(cls.model_id, property)


def test_a_fourth_component_is_its_module_and_one_registry_line(registry, toy_module, analyzer, nk_page, tmp_path):
    register("wordcount", f"{toy_module}:WordCount")  # the one line; nothing else in newsml changes

    a = analyzer.analyze(nk_page, components=["topic", "wordcount"])
    assert a.extra["wordcount"] == len(to_text(nk_page).split())
    assert a.models["wordcount"] == "toy-wordcount@0.1" and set(a.timings) == {"topic", "wordcount"}
    assert a.absent == ("stance", "summary") and a.topic is not None
    assert json.loads(json.dumps(a.to_dict()))["extra"] == {"wordcount": a.extra["wordcount"]}

    # the batch CLI knows it too (its --components come from the registry)
    from newsml.score import main

    page = tmp_path / "page.txt"
    page.write_text(nk_page, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main([str(page), "-o", str(out), "--components", "wordcount", "--quiet"]) == 0
    rec = json.loads(out.read_text())
    assert rec["extra"] == {"wordcount": a.extra["wordcount"]} and rec["absent"] == ["topic", "stance", "summary"]


def to_text(page):
    from newsml import to_article

    return to_article(page).text


def test_the_reason_a_component_is_absent_is_in_the_result(registry, analyzer, nk_page):
    register("missing", "newsml_no_such_module:Model")
    a = analyzer.analyze(nk_page, components=["topic", "missing"])
    assert "missing" in a.absent and a.extra == {}
    assert a.absent_reasons["missing"].startswith("ModuleNotFoundError: No module named 'newsml_no_such_module'")
    assert "absent_reasons" in a.to_dict()
    full = analyzer.analyze(nk_page, components=["topic"])
    assert "absent_reasons" not in full.to_dict() and "extra" not in full.to_dict()  # JSON unchanged when empty


def test_register_refuses_bad_lines(registry):
    from newsml.errors import InputValueError

    with pytest.raises(InputValueError, match="already registered"):
        register("topic", "newsml.topic:TopicClassifier")
    with pytest.raises(InputValueError, match="`name`"):
        register("two words", "x:Y")
    with pytest.raises(InputValueError, match="`target`"):
        register("toy", "newsml_toy.WordCount")


def test_device_reaches_every_model():
    """Analyzer(device=...) passes it to each model it loads (topic's MiniLM included)."""
    from newsml import Analyzer

    an = Analyzer(device="cpu")
    assert an.model("topic").encoder.device == "cpu"
    assert an.model("stance").encoder.device == "cpu"


def test_model_id_is_built_in_one_place():
    import importlib
    from pathlib import Path

    from newsml.pretrained import model_id

    assert model_id({"name": "newsml-topic", "version": "1.2"}) == "newsml-topic@1.2"
    modules = ["newsml.analyzer", *(s.target.partition(":")[0] for s in REGISTRY.values())]
    for m in modules:
        assert "}@{" not in Path(importlib.import_module(m).__file__).read_text(), m
