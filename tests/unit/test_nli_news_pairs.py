"""The news NLI pair generator: each perturbation makes the edit its kind names, pairs carry the right label,
and output is a pure function of the seed. All text here is written for these tests."""

from __future__ import annotations

import gzip
import json
import random
from collections import Counter

import pytest

from evaluation.nli_news_pairs import (
    PERTURBATION_KINDS,
    SUPPORT_RECALL,
    content_words,
    main,
    make_pairs,
    perturb,
    read_stories,
    recall,
)
from newsml.text import numbers, tokens
from tests.conftest import DATA_DIR

# Four invented stories, in the shape of the CNN rows (highlights are "\n"-joined bullets).
STORIES = [
    {
        "id": "t_court",
        "article": (
            "Springfield (CNN) -- Daniel Whitmore pleaded not guilty Tuesday to charges of fraud and theft "
            "in a Springfield court.\n\n"
            "Prosecutors say Whitmore took 14,000 dollars from a charity he ran for eleven years.\n\n"
            "His lawyer, Angela Ferris, said her client would fight every charge.\n\n"
            "Ferris told reporters the trial could begin in March.\n\n"
            "Judge Harold Penn set bail at 50,000 dollars and ordered Whitmore to surrender his passport.\n\n"
            "Penn said the court would meet again on Friday.\n\n"
            "The charity's board voted to close its office in Texas after the arrest."
        ),
        "highlights": (
            "Daniel Whitmore pleaded not guilty to fraud and theft charges\n"
            "Prosecutors say he took 14,000 dollars from a charity he ran\n"
            "Judge Harold Penn set bail at 50,000 dollars"
        ),
    },
    {
        "id": "t_match",
        "article": (
            "London (CNN) -- Spain beat Italy 3-1 in the final on Sunday to win the trophy for the third time.\n\n"
            "Carlos Ortega scored twice for Spain before Marco Bellini replied for Italy late in the match.\n\n"
            "Ortega said the victory was the best moment of his career.\n\n"
            "Bellini admitted that Italy had been second best for most of the evening.\n\n"
            "More than 80,000 fans watched the final at the stadium in London.\n\n"
            "The Spanish squad will return to Madrid on Monday for a parade through the city."
        ),
        "highlights": (
            "Spain beat Italy 3-1 in the final to win the trophy\n"
            "Carlos Ortega scored twice for Spain in the final\n"
            "More than 80,000 fans watched the final in London"
        ),
    },
    {
        "id": "t_market",
        "article": (
            "New York (CNN) -- Oil prices rose sharply on Monday after producers agreed to cut output.\n\n"
            "Analyst Priya Raman said prices had increased by seven percent in a single week.\n\n"
            "Raman said the cut would last until the end of the year.\n\n"
            "The board of the energy group approved a new plan to expand its refinery in Ohio.\n\n"
            "Shares in the company fell later in the day as traders took profits.\n\n"
            "Economists warned that higher fuel costs could slow growth in the spring."
        ),
        "highlights": (
            "Oil prices rose sharply after producers agreed to cut output\n"
            "The board approved a new plan to expand its refinery in Ohio\n"
            "Analyst Priya Raman said prices increased by seven percent in a week"
        ),
    },
    {
        "id": "t_storm",
        "article": (
            "Miami (CNN) -- A powerful storm hit the coast of Florida on Wednesday, forcing thousands of "
            "families to leave their homes.\n\n"
            "Governor Ellen Marsh said the state would open twelve shelters for the families.\n\n"
            "Marsh asked residents to stay away from flooded roads until the water falls.\n\n"
            "Forecaster Tom Keller said the storm was moving north toward Georgia.\n\n"
            "Keller warned that the storm will bring heavy rain to Georgia on Thursday.\n\n"
            "Schools in the county were closed and many flights from the airport were cancelled."
        ),
        "highlights": (
            "A powerful storm hit the coast of Florida on Wednesday\n"
            "Governor Ellen Marsh said the state would open twelve shelters\n"
            "The storm will bring heavy rain to Georgia on Thursday"
        ),
    },
]
ARTICLES = {s["id"]: s["article"] for s in STORIES}


def _words(text: str) -> list[str]:
    return tokens(text)


# ---- each perturbation makes the edit its kind claims ---------------------------------------------


def test_negation_removes_and_adds():
    premise = "Daniel Whitmore pleaded not guilty Tuesday to charges of fraud."
    assert perturb("negation", "Daniel Whitmore pleaded not guilty to fraud", premise) == (
        "Daniel Whitmore pleaded guilty to fraud"
    )
    assert perturb("negation", "The mayor didn't sign the order", "The mayor did not sign the order.") == (
        "The mayor did sign the order"
    )
    added = perturb("negation", "The bridge was closed for repairs", "The old bridge was closed for repairs.")
    assert added == "The bridge was not closed for repairs"
    # A claim with nothing to negate: no pair.
    assert perturb("negation", "Heavy rain across the region", "Heavy rain fell across the region.") is None


def test_number_changes_value_and_keeps_format():
    premise = "Prosecutors say Whitmore took 14,000 dollars from a charity."
    hyp = "Prosecutors say he took 14,000 dollars from a charity"
    seen = set()
    for seed in range(20):
        new = perturb("number", hyp, premise, rng=random.Random(seed))
        assert new is not None
        (num,) = [w for w in new.split() if any(c.isdigit() for c in w)]
        assert "," in num  # 14,000 keeps its thousands separator
        assert numbers(num) != {"14000"}  # never the same value
        assert new.replace(num, "14,000") == hyp  # only the number changed
        seen.add(num)
    assert len(seen) > 2
    words = perturb("number", "Officials open twelve shelters", "The state would open twelve shelters.")
    assert words is not None and "twelve" not in words and len(words.split()) == 4
    # A number the premise does not state is not changed: the premise could not contradict the edit.
    assert perturb("number", "He took 9,000 dollars", "He took money from a charity.") is None


def test_entity_swap_uses_another_person_from_the_same_article():
    article = ARTICLES["t_court"]
    premise = "His lawyer, Angela Ferris, said her client would fight every charge."
    hyp = "Lawyer Angela Ferris says her client will fight the charges"
    outs = {perturb("entity_swap", hyp, premise, article, random.Random(s)) for s in range(10)}
    outs.discard(None)
    assert outs, "no swap made"
    for new in outs:
        name = new.replace("Lawyer ", "").split(" says")[0]
        assert name != "Angela Ferris"
        assert name in article  # a person of the same story
        assert name not in premise
        assert name in {"Daniel Whitmore", "Harold Penn"}  # people, not places or bodies


def test_antonym_flips_the_word():
    premise = "Oil prices rose sharply on Monday after producers agreed to cut output."
    assert perturb("antonym", "Oil prices rose sharply on Monday", premise) == "Oil prices fell sharply on Monday"
    assert perturb("antonym", "The board approved the plan", "The board approved a new plan.") == (
        "The board rejected the plan"
    )


def test_role_swap_exchanges_the_two_names():
    premise = "Spain beat Italy 3-1 in the final on Sunday."
    assert perturb("role_swap", "Spain beat Italy 3-1 in the final", premise) == "Italy beat Spain 3-1 in the final"
    new = perturb("role_swap", "The suspect shot the officer twice", "Police say the suspect shot the officer.")
    assert new == "The officer shot the suspect twice"


def test_place_date_moves_to_a_place_or_day_of_the_article():
    article = ARTICLES["t_storm"]
    premise = "A powerful storm hit the coast of Florida on Wednesday, forcing families to leave."
    hyp = "A powerful storm hit the coast of Florida on Wednesday"
    outs = {perturb("place_date", hyp, premise, article, random.Random(s)) for s in range(10)} - {None}
    assert outs
    for new in outs:
        changed = set(_words(new)) - set(_words(hyp))
        assert len(changed) == 1
        # Georgia and Thursday are the story's other state and day; Tuesday is the day before Wednesday.
        assert changed <= {"georgia", "thursday", "tuesday"}, new


def test_edit_that_the_premise_also_states_is_dropped():
    # The premise says prices fell too, so "fell" is no contradiction of it.
    hyp = "Oil prices rose sharply on Monday"
    assert perturb("antonym", hyp, "Oil prices rose sharply on Monday.") is not None
    assert perturb("antonym", hyp, "Oil prices rose sharply on Monday, then prices fell sharply on Tuesday.") is None
    with pytest.raises(ValueError, match="kind="):
        perturb("typo", "a b c", "a b c")


# ---- pairs carry the right label -------------------------------------------------------------------


def test_pairs_have_each_label_and_the_right_evidence():
    pairs = make_pairs(STORIES, seed=0)
    assert {p["label"] for p in pairs} == {"entailment", "neutral", "contradiction"}
    assert all(set(p) >= {"premise", "hypothesis", "label", "kind", "story_id"} for p in pairs)
    highlights = {h for s in STORIES for h in s["highlights"].split("\n")}
    for p in pairs:
        assert p["premise"] != p["hypothesis"]
        if p["label"] == "entailment":
            assert p["kind"] == "highlight" and p["hypothesis"] in highlights
            assert recall(content_words(p["hypothesis"]), content_words(p["premise"])) >= SUPPORT_RECALL
            assert p["premise"] in ARTICLES[p["story_id"]].replace("\n\n", " ") or all(
                s in ARTICLES[p["story_id"]] for s in p["premise"].split(". ")
            )
        elif p["label"] == "contradiction":
            assert p["kind"] in PERTURBATION_KINDS
            assert p["hypothesis"] not in highlights  # the highlight was edited
        else:
            assert p["kind"] in {"other_story", "same_story_unsupported"}
            source = ARTICLES[p["premise_story_id"]]
            assert p["premise"] in source
            if p["kind"] == "other_story":
                assert p["premise_story_id"] != p["story_id"]
                assert p["premise"] not in ARTICLES[p["story_id"]]
            else:
                assert recall(content_words(p["hypothesis"]), content_words(p["premise"])) < 0.2
    # Each contradiction keeps the premise of the entailment pair of the same story.
    ent_premises = {p["premise"] for p in pairs if p["label"] == "entailment"}
    assert all(p["premise"] in ent_premises for p in pairs if p["label"] == "contradiction")


def test_same_seed_same_pairs_other_seed_other_pairs():
    a = make_pairs(STORIES, seed=0)
    assert make_pairs(STORIES, seed=0) == a
    assert any(make_pairs(STORIES, seed=s) != a for s in (1, 2, 3))


def test_bad_arguments_name_themselves():
    with pytest.raises(ValueError, match="neutral_per_story"):
        make_pairs(STORIES, neutral_per_story=-1)
    with pytest.raises(ValueError, match="max_per_story"):
        make_pairs(STORIES, max_per_story=0)
    assert all(Counter(p["story_id"] for p in make_pairs(STORIES, max_per_story=3)).get(s["id"], 0) <= 3
               for s in STORIES)


def test_cli_writes_jsonl(tmp_path, capsys):
    folder = tmp_path / "cnn_dailymail"
    folder.mkdir()
    with gzip.open(folder / "train.jsonl.gz", "wt", encoding="utf-8") as f:
        for s in STORIES:
            f.write(json.dumps(s) + "\n")
    assert [r["id"] for r in read_stories(tmp_path, "train", limit=2)] == ["t_court", "t_match"]
    out = tmp_path / "runs" / "pairs.jsonl"
    result = main(["--data-dir", str(tmp_path), "--split", "train", "--seed", "0", "--out", str(out)])
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == result["pairs"] and rows == make_pairs(STORIES, seed=0)
    assert json.loads(capsys.readouterr().out)["label"] == result["label"]
    with pytest.raises(FileNotFoundError, match="--data-dir"):
        next(read_stories(tmp_path / "missing", "train"))


# ---- real data ------------------------------------------------------------------------------------


def test_real_train_stories_are_balanced_and_every_kind_appears():
    if not (DATA_DIR / "cnn_dailymail" / "train.jsonl.gz").is_file():
        pytest.skip(f"CNN data not found under {DATA_DIR}/cnn_dailymail (set NEWSML_DATA_DIR)")
    pairs = make_pairs(read_stories(DATA_DIR, "train", limit=200), seed=0)
    labels = Counter(p["label"] for p in pairs)
    assert max(labels.values()) <= 2 * min(labels.values()), labels
    kinds = Counter(p["kind"] for p in pairs)
    assert set(kinds) == {"highlight", "other_story", "same_story_unsupported", *PERTURBATION_KINDS}, kinds
    assert all(_words(p["hypothesis"]) != _words(p["premise"]) for p in pairs)
