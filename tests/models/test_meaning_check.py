"""The summarizer's meaning check (2.5): relation errors planted in rewrites of the fixture page's own sentences
keep every name and number, so only the NLI check (or the traded-names rule) can see them; clean rewrites pass."""

import pytest

from newsml import to_article

# (source sentence index, rewrite, planted error or None); the rewrites were written for this test
CLEAN = [
    (0, "North Korea confirmed it had sent troops to fight for Russia in the war in Ukraine."),
    (1, "The battle to liberate Russia's Kursk region showed the militant friendship between North Korea and Russia."),
    (2, "Russia said Ukrainian forces had been expelled from the last Russian village they held."),
    (7, "The U.S. State Department demanded that North Korea's deployment to Russia must end."),
]
PLANTED = [
    (0, "North Korea denied it had sent troops to fight for Russia in the war in Ukraine.", "a denial for a confirmation"),
    (0, "North Korea has not sent troops to fight for Russia in the war in Ukraine.", "negation added"),
    (2, "Ukraine said Russian forces had been expelled from the last Ukrainian village they held.", "roles swapped"),
    (1, "The battle to liberate Ukraine's Kursk region showed the militant friendship between North Korea and Russia.",
     "the wrong country's territory"),
    (7, "The U.S. State Department welcomed North Korea's deployment to Russia.", "a reversed verb"),
]


def _summaries(summarizer, article, rows):
    """Each rewrite verified on its own through Summarizer.verified_rewrites (one NLI batch, no copy chooser)."""
    arts = [article] * len(rows)
    scored = [([i], [1.0]) for i, *_ in rows]
    return summarizer.verified_rewrites(arts, scored, [r for _, r, *_ in rows], chooser=False)


def test_the_shipped_summarizer_has_the_check(summarizer):
    check = summarizer.config.get("meaning_check")
    assert check and 0 < check["min_entailment"] < 1 and 0 < check["max_contradiction"] < 1


def test_clean_rewrites_pass(summarizer, nk_page):
    a = to_article(nk_page)
    for s, (_, text) in zip(_summaries(summarizer, a, CLEAN), CLEAN):
        assert s.sentences[0].kind == "abstractive", (text, s.sentences[0])
        assert s.sentences[0].text == text and s.faithful
        assert s.sentences[0].entailment is not None and s.sentences[0].entailment >= summarizer.config["meaning_check"]["min_entailment"]


@pytest.mark.parametrize("row", PLANTED, ids=[p[2] for p in PLANTED])
def test_planted_relation_errors_are_caught(summarizer, nk_page, row):
    a = to_article(nk_page)
    s = _summaries(summarizer, a, [row])[0]
    assert s.sentences[0].kind == "copied" and s.sentences[0].text == a.sentences[row[0]], (row[2], s.sentences[0])
