"""Stance classifier 2.x: the fixture page's own headline, a claim that contradicts it, realistic CNN claims,
FNC-1 validation pairs read from ../shared/data, evidence with NLI scores, odd inputs, round trip."""

import hashlib
import json

import numpy as np
import pytest

from newsml import to_article
from newsml.errors import InputTypeError, InputValueError
from newsml.stance import StanceClassifier
from tests.conftest import DATA_DIR, ROOT, needs_data

NK_HEADLINE = "North Korea confirms troop deployment to Russia, hails 'heroes'"


@pytest.mark.xfail(reason="stance 2.1 still calls the page's own confirmed headline 'discuss' (0.53): issue open",
                   strict=False)
def test_fixture_headline_is_confirmed(stance_model, nk_page):
    a = to_article(nk_page)
    r = stance_model.run([a], None)[0][0]  # the headline default
    assert r.claim == a.title and "confirms troop deployment" in a.title
    assert r.label == "agree", r.scores
    assert r.evidence and all(e for e in r.evidence)
    assert len(r.evidence_nli) == len(r.evidence) and r.evidence_nli[0][0] > 0.5  # the top evidence entails it


def test_fixture_contradicted_claim(stance_model, nk_page):
    out = stance_model.predict(nk_page, ["North Korea says its soldiers never fought in the Kursk region",
                                          "North Korea denies sending troops to Russia",
                                          "The Federal Reserve raised interest rates by half a point"])
    assert [r.label for r in out] == ["disagree", "disagree", "unrelated"], [(r.label, r.score) for r in out]


@needs_data("cnn_dailymail", "validation.jsonl.gz")
def test_realistic_claims_dev_set(stance_model):
    """The hand-written claims dev set (288 claims, 70 CNN validation stories). Stance 2.1 measured 0.604 on the
    whole set (2.0: 0.573, 1.0: 0.528; target 0.85, not met): this is a regression floor, not the target."""
    from evaluation.data_readers import cnn_path, read_jsonl

    stories = {r["id"]: r for r in read_jsonl(cnn_path(DATA_DIR, "validation"))}
    claims = list(read_jsonl(ROOT / "benchmarks/fixtures/claims_dev/claims.jsonl"))
    by_story = {}
    for c in claims:
        by_story.setdefault(c["story_id"], []).append(c)
    ids = sorted(by_story)[:24]  # a third of the set keeps the test under a minute
    arts = [to_article({"text": stories[i]["article"]}) for i in ids]
    res = stance_model.predict_many(arts, [[c["claim"] for c in by_story[i]] for i in ids])
    pairs = [(r.label, c["label"]) for i, rs in zip(ids, res) for r, c in zip(rs, by_story[i])]
    acc = np.mean([p == g for p, g in pairs])
    assert acc >= 0.5, acc


@needs_data("fnc1", "train_stances.csv.gz")
def test_fnc_validation_pairs(stance_model):
    """FNC-1 pairs from the held-out validation buckets (never trained on): 8 per class, read at run time. A floor
    well above chance (0.25), not a target: stance 2.1 reads 18 of these 32 right (2.0: at least 20); it trades FNC-1
    for realistic claims (FNC-1 validation accuracy 0.672 vs 2.0's 0.696; its card and CHANGELOG say so)."""
    from evaluation.data_readers import fnc_split

    bodies, stances = fnc_split(DATA_DIR, "train")
    bucket = lambda k: int(hashlib.sha256(k.encode()).hexdigest(), 16) % 1000 / 1000  # noqa: E731
    val = [s for s in stances if bucket(f"fnc-body:{s[1]}") < 0.2 and bucket(f"fnc-claim:{s[0]}") < 0.2]
    picked = [s for lab in ("agree", "disagree", "discuss", "unrelated") for s in [v for v in val if v[2] == lab][:8]]
    arts = [to_article({"text": bodies[b]}) for _, b, _ in picked]
    res = stance_model.predict_many(arts, [[h] for h, _, _ in picked])
    acc = np.mean([r[0].label == s[2] for r, s in zip(res, picked)])
    assert acc >= 0.5, acc


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


def test_save_load_round_trip(stance_model, tmp_path, nk_page):
    stance_model.save_pretrained(tmp_path / "s")
    again = StanceClassifier.from_pretrained(tmp_path / "s", encoder=stance_model.encoder, nli=stance_model.nli)
    assert again.config == json.loads((tmp_path / "s" / "config.json").read_text())
    assert {k: v for k, v in again.config.items() if k != "newsml_version"} == \
           {k: v for k, v in stance_model.config.items() if k != "newsml_version"}
    X = np.random.default_rng(0).normal(size=(5, stance_model.config["n_features"])).astype(np.float32)
    np.testing.assert_allclose(again.proba_from_features(X), stance_model.proba_from_features(X), rtol=1e-6)
    claims = ["North Korea sent troops to Russia"]
    assert again.predict(nk_page, claims)[0].scores == stance_model.predict(nk_page, claims)[0].scores
