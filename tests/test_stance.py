"""Stance classifier: real FNC-1 pairs, the headline default, evidence from the body, odd inputs, round trip."""

import json
from pathlib import Path

import numpy as np
import pytest

from newsml import to_article
from newsml.errors import InputTypeError, InputValueError
from newsml.stance import StanceClassifier

PAIRS = [json.loads(x) for x in (Path(__file__).parent / "fixtures" / "fnc_pairs.jsonl").read_text().splitlines()]


@pytest.mark.parametrize("pair", PAIRS, ids=[f"{p['stance']}-{p['body_id']}" for p in PAIRS])
def test_real_fnc_pairs(stance_model, pair):
    """FNC-1 competition-test pairs (3 per class, chosen among those the shipped model gets right)."""
    r = stance_model.predict({"text": pair["text"]}, [pair["claim"]])[0]
    assert r.label == pair["stance"]
    assert abs(sum(s.score for s in r.scores) - 1) < 1e-5


def test_evidence_comes_from_the_body(stance_model, nk_page):
    a = to_article(nk_page)
    r = stance_model.predict(a, ["North Korea sent troops to fight for Russia"])[0]
    assert r.label in ("agree", "discuss")
    assert 1 <= len(r.evidence) <= 3 and all(e in a.sentences for e in r.evidence)


def test_many_claims_encode_the_article_once(stance_model, nk_page, monkeypatch):
    a = to_article(nk_page)
    calls = []
    real = stance_model.encoder.encode
    monkeypatch.setattr(stance_model.encoder, "encode", lambda texts, **k: calls.append(len(texts)) or real(texts, **k))
    claims = [f"Claim number {i} about the weather in Paris" for i in range(500)]
    out = stance_model.predict(a, claims)
    assert len(out) == 500 and len(calls) == 2  # body sentences once + all claims in one call
    assert sum(r.label == "unrelated" for r in out) > 450


def test_odd_claims(stance_model, nk_page):
    long_claim = " ".join([nk_page] * 2)
    foreign = "Nordkorea hat Truppen nach Russland geschickt"
    out = stance_model.predict(nk_page, [long_claim, foreign])
    assert len(out) == 2 and all(r.label in stance_model.labels for r in out)
    with pytest.raises(InputValueError, match=r"claims\[0\]"):
        stance_model.predict(nk_page, [""])
    with pytest.raises(InputTypeError, match="claims"):
        stance_model.predict(nk_page, 42)
    assert stance_model.predict(nk_page, []) == []


def test_save_load_round_trip(stance_model, tmp_path):
    stance_model.save_pretrained(tmp_path / "s")
    again = StanceClassifier.from_pretrained(tmp_path / "s", encoder=stance_model.encoder)
    assert again.config == json.loads((tmp_path / "s" / "config.json").read_text())
    assert {k: v for k, v in again.config.items() if k != "newsml_version"} == \
           {k: v for k, v in stance_model.config.items() if k != "newsml_version"}
    X = np.random.default_rng(0).normal(size=(5, stance_model.config["n_features"])).astype(np.float32)
    np.testing.assert_allclose(again.proba_from_features(X), stance_model.proba_from_features(X), rtol=1e-6)
