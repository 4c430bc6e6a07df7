"""NLI cross-encoder: the minimal edits that decide a claim (negation, number, roles, place), batching, round trip."""

import json

import numpy as np
import pytest

from newsml.errors import InputTypeError, InputValueError
from newsml.nli import LABELS, NLIModel

# (premise, hypothesis, expected label): written for these tests, news-like, one fact changed at a time
CASES = [
    ("Spain beat Italy 4-0 in the final in Kiev on Sunday.", "Spain won the final.", "entailment"),
    ("The governor signed the bill into law in Sacramento on Friday.", "The governor vetoed the bill.", "contradiction"),
    ("Flooding forced 20,000 people from their homes in the southern province of Sindh.",
     "Flooding forced thousands from their homes in the northern province of Punjab.", "contradiction"),
    ("The company reported record profits for the third quarter.", "The company's chief executive will resign.", "neutral"),
    # negation, number and place edits NLI 1.0 read as entailment; 2.0 (recipe G) reads them as contradiction
    ("The former mayor pleaded not guilty on Monday to charges of bribery and fraud.",
     "The former mayor pleaded guilty to bribery.", "contradiction"),
    ("The earthquake killed at least 45 people and injured more than 300, officials said.",
     "The earthquake killed at least 450 people.", "contradiction"),
    ("The talks were held in Geneva on Tuesday, the foreign ministry said.", "The talks were held in Vienna.",
     "contradiction"),
    ("The senator confirmed she will run for president.", "The senator denied she will run for president.",
     "contradiction"),
]
# What NLI 2.0 still gets wrong (its card says so): kept as expected failures, so a model that learns them shows
# up as XPASS. Swapped roles read as entailment; a paraphrased denial after "pleaded not guilty" reads as
# contradiction (NLI 1.0 got that one right).
KNOWN_MISSES = [
    ("Spain beat Italy 4-0 in the final in Kiev on Sunday.", "Italy beat Spain in the final.", "contradiction"),
    ("Apple sued Samsung for patent infringement in California.", "Samsung sued Apple for patent infringement.",
     "contradiction"),
    ("The former mayor pleaded not guilty on Monday to charges of bribery and fraud.",
     "The former mayor denied the bribery charges in court.", "entailment"),
]


@pytest.fixture(scope="module")
def nli(nli_model):
    return nli_model


@pytest.mark.parametrize("premise,hypothesis,label", CASES, ids=[f"{c[2]}-{i}" for i, c in enumerate(CASES)])
def test_minimal_edits(nli, premise, hypothesis, label):
    r = nli.predict([(premise, hypothesis)])[0]
    assert r.label == label, r
    assert abs(sum(s.score for s in r.scores) - 1) < 1e-5


@pytest.mark.xfail(reason="NLI 2.0 misses swapped roles and a paraphrased denial (model card)", strict=False)
@pytest.mark.parametrize("premise,hypothesis,label", KNOWN_MISSES, ids=["roles", "roles-2", "paraphrased-denial"])
def test_known_minimal_edit_misses(nli, premise, hypothesis, label):
    assert nli.predict([(premise, hypothesis)])[0].label == label


def test_batches_equal_single_calls(nli):
    pairs = [(p, h) for p, h, _ in CASES]
    together = nli.predict_proba(pairs, batch_size=3)
    alone = np.concatenate([nli.predict_proba([p]) for p in pairs])
    np.testing.assert_allclose(together, alone, atol=1e-5)
    assert together.shape == (len(CASES), len(LABELS))


def test_save_load_round_trip(nli, tmp_path):
    nli.save_pretrained(tmp_path / "nli")
    again = NLIModel.from_pretrained(tmp_path / "nli", device="cpu")
    assert again.model_id == nli.model_id and again.config == json.loads((tmp_path / "nli" / "config.json").read_text())
    pairs = [(p, h) for p, h, _ in CASES[:3]]
    np.testing.assert_allclose(again.predict_proba(pairs), nli.predict_proba(pairs), atol=1e-6)


def test_bad_input(nli):
    with pytest.raises(InputTypeError, match="pairs"):
        nli.predict("a premise")
    with pytest.raises(InputTypeError, match=r"pairs\[0\]"):
        nli.predict([("only one",)])
    with pytest.raises(InputValueError, match=r"pairs\[1\]"):
        nli.predict([("A man sleeps.", "A man rests."), ("", "x")])
    assert nli.predict([]) == []
