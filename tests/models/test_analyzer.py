"""analyze(): the public API on the fixture page, claims, components, batch, errors."""

import json

import pytest

import newsml
from newsml import Analysis, InputTypeError, InputValueError


def test_public_face_is_small():
    assert len(newsml.__all__) <= 25
    for name in newsml.__all__:
        assert getattr(newsml, name) is not None


def test_analyze_fixture_page(analyzer, nk_page):
    a = analyzer.analyze(nk_page, components=["topic", "stance"])
    assert isinstance(a, Analysis)
    assert a.title.startswith("North Korea confirms troop deployment")
    assert a.topic.label in ("world", "politics")
    assert len(a.stance) == 1 and a.stance[0].claim == a.title  # its own headline by default
    assert a.stance[0].label in ("agree", "discuss")
    assert len(a.related) == 3 and a.summary is None and a.absent == ("summary",)
    assert set(a.timings) == {"topic", "stance"} and a.models["topic"].startswith("newsml-topic@")
    json.dumps(a.to_dict())  # JSON-serialisable


def test_claims_and_batch(analyzer, nk_page):
    claims = ["North Korea sent troops to fight for Russia", "Brazil wins the football World Cup"]
    a = analyzer.analyze(nk_page, claims=claims, components=["stance"])
    assert [s.claim for s in a.stance] == claims
    assert a.stance[1].label == "unrelated"
    out = analyzer.analyze_batch([nk_page, {"title": "Tech", "text": "Apple released a new iPhone with a faster chip on Tuesday."}],
                                 components=["topic"])
    assert len(out) == 2 and out[1].topic.label == "science_technology"


@pytest.mark.parametrize("bad", [None, 123])
def test_module_level_errors(bad):
    with pytest.raises(InputTypeError, match="`article`"):
        newsml.analyze(bad)


@pytest.mark.parametrize("bad", ["", "   "])
def test_empty(bad):
    with pytest.raises(InputValueError, match="`article`"):
        newsml.analyze(bad)


def test_bad_components_and_claims(analyzer, nk_page):
    with pytest.raises(InputValueError, match="components"):
        analyzer.analyze(nk_page, components=["topics"])
    with pytest.raises(InputValueError, match=r"claims\[0\]"):
        analyzer.analyze(nk_page, claims=[""])
    with pytest.raises(InputTypeError, match="claims"):
        analyzer.analyze(nk_page, claims=5)
    with pytest.raises(InputValueError, match="device"):
        newsml.Analyzer(device="tpu")
