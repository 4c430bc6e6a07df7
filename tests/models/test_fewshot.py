"""Few-shot topics (issue 32): fit on a toy 3-label set, classify held-out items, save/load round trip, CLI,
and the bad inputs. The toy sentences are written for this test. The benchmark is benchmarks/fewshot.py."""

import json

import numpy as np
import pytest

from newsml.errors import InputTypeError, InputValueError
from newsml.topic import TopicClassifier
from newsml.topic_fewshot import FewShotConfig, fit_topic

TOY = {
    "sport": ["The striker scored twice as United won the derby.", "She won the marathon in record time.",
              "The coach was sacked after five straight defeats.", "A late penalty decided the cup final.",
              "The tennis champion retired after a knee injury.", "The team clinched the league title on Sunday.",
              "The sprinter was banned for doping.", "Fans packed the stadium for the season opener.",
              "The goalkeeper saved three penalties in the shootout.", "The cyclist took the yellow jersey."],
    "weather": ["Heavy snow closed roads across the north.", "A heatwave pushed temperatures past 40 degrees.",
                "Forecasters warned of thunderstorms and hail tonight.", "The hurricane made landfall with 120 mph winds.",
                "Fog grounded flights at the airport this morning.", "Rain is expected to spread from the west by noon.",
                "A frost warning was issued for the weekend.", "The drought has left reservoirs half empty.",
                "Gale-force winds toppled trees along the coast.", "Sunny spells will give way to showers later."],
    "food": ["Slow-roast the lamb with garlic and rosemary.", "The new bakery sells sourdough and croissants.",
             "Whisk the eggs with sugar until pale and fluffy.", "The chef's tasting menu features local seafood.",
             "Simmer the tomato sauce for an hour with basil.", "This curry recipe uses coconut milk and lime.",
             "The restaurant earned its first Michelin star.", "Fold the flour gently into the batter.",
             "Serve the noodles with chilli oil and spring onions.", "Street food stalls offered dumplings and tacos."],
}
HELD_OUT = [("The midfielder signed a three-year contract with the club.", "sport"),
            ("Snow and ice will make the morning commute treacherous.", "weather"),
            ("Bake the bread for forty minutes until golden.", "food"),
            ("The home side equalised in the final minute.", "sport"),
            ("Strong winds and rain will batter the coast on Friday.", "weather"),
            ("Season the steak with salt and pepper before grilling.", "food")]
QUICK = FewShotConfig(epochs=4, min_steps=8)  # the toy set needs few steps: keeps the default test run short


@pytest.fixture(scope="module")
def toy_model():
    texts = [t for lab in TOY for t in TOY[lab]]
    labels = [lab for lab in TOY for _ in TOY[lab]]
    return fit_topic(texts, labels, seed=0, progress=False, config=QUICK,
                     validation=([t for t, _ in HELD_OUT], [y for _, y in HELD_OUT]))


def test_toy_model_classifies_held_out_items(toy_model):
    assert toy_model.labels == ["food", "sport", "weather"]
    res = toy_model.predict([t for t, _ in HELD_OUT])
    assert [r.label for r in res] == [y for _, y in HELD_OUT]
    assert all(abs(sum(s.score for s in r.scores) - 1) < 1e-5 for r in res)
    assert res[0].evidence  # evidence sentences come with the label
    assert toy_model.config["fewshot"]["validation"]["accuracy"] == 1.0


def test_save_load_round_trip_gives_identical_probabilities(toy_model, tmp_path):
    toy_model.save_pretrained(tmp_path / "m")
    again = TopicClassifier.from_pretrained(tmp_path / "m")
    texts = [t for t, _ in HELD_OUT]
    np.testing.assert_array_equal(toy_model.predict_proba(texts), again.predict_proba(texts))
    card = (tmp_path / "m" / "README.md").read_text()
    assert "| sport | 10 |" in card and "temperature on the validation set" in card


def test_same_seed_same_model():
    texts = [t for lab in TOY for t in TOY[lab][:8]]
    labels = [lab for lab in TOY for _ in range(8)]
    a, b = (fit_topic(texts, labels, seed=3, progress=False, config=FewShotConfig(epochs=1, min_steps=2))
            for _ in range(2))
    np.testing.assert_allclose(a.predict_proba(texts), b.predict_proba(texts), atol=1e-6)


def test_bad_inputs_get_clear_errors():
    texts = [t for lab in TOY for t in TOY[lab]]
    labels = [lab for lab in TOY for _ in TOY[lab]]
    with pytest.raises(InputValueError, match="at least 2 different labels"):
        fit_topic(TOY["sport"], ["sport"] * 10)
    with pytest.raises(InputValueError, match="at least 8 examples; too few: {'food': 3}"):
        fit_topic(texts[:23], labels[:23])
    with pytest.raises(InputValueError, match=r"`texts\[2\]` must be a non-empty string"):
        fit_topic(texts[:2] + ["  "] + texts[3:], labels)
    with pytest.raises(InputValueError, match="same length, got 30 and 29"):
        fit_topic(texts, labels[:-1])
    with pytest.raises(InputTypeError, match="`texts` must be a list"):
        fit_topic("one text", labels)
    with pytest.raises(InputValueError, match="labels the training examples do not"):
        fit_topic(texts, labels, validation=(["A recipe for soup."], ["cooking"]))


def test_cli_trains_a_folder_score_loads(tmp_path, capsys):
    from newsml.cli import main

    data = tmp_path / "my.jsonl"
    data.write_text("".join(json.dumps({"body": t, "section": lab}) + "\n" for lab in TOY for t in TOY[lab]))
    assert main(["train", "topic", "--data", str(data), "--text-field", "body", "--label-field", "section",
                 "--epochs", "1", "--quiet", "-o", str(tmp_path / "my_topic")]) == 0
    assert "30 examples, 3 labels" in capsys.readouterr().err
    page = tmp_path / "page.txt"
    page.write_text("Grilled fish tacos\n\nMarinate the fish in lime juice, then grill it and serve with salsa.")
    out = tmp_path / "out.jsonl"
    assert main(["score", str(page), "-o", str(out), "--components", "topic", "--quiet",
                 "--topic-model", str(tmp_path / "my_topic")]) == 0
    rec = json.loads(out.read_text())
    assert rec["topic"]["model"] == "my_topic@1.0" and {s["label"] for s in rec["topic"]["scores"]} == set(TOY)
    with pytest.raises(SystemExit) as e:
        main(["train", "topic", "--data", str(data), "-o", str(tmp_path / "x")])  # default fields are absent
    assert e.value.code == 2 and "has no field 'text'" in capsys.readouterr().err
