"""The summarizer's role check (2.7, `verify.swapped_roles`) and the role-swap set's stored edits.

Sentences written for this test (the role-swap set itself is checked in training/train_summary_check.py)."""

import pytest

from evaluation.planted_errors import apply_edits, swap_edits
from newsml.summarize.verify import swapped_roles

SOURCE = "Russia accused Ukraine of shelling the Zaporizhzhia nuclear plant on Sunday."


@pytest.mark.parametrize("rewrite", [
    "Ukraine accused Russia of shelling the Zaporizhzhia nuclear plant.",   # order reversed, same voice
    "Russia was accused by Ukraine of shelling the nuclear plant.",         # order kept, voice changed
])
def test_traded_roles_are_flagged(rewrite):
    assert swapped_roles(rewrite, SOURCE)


@pytest.mark.parametrize("rewrite", [
    "Russia accused Ukraine of shelling the Zaporizhzhia nuclear plant.",   # same roles
    "Ukraine was accused by Russia of shelling the nuclear plant.",         # passive, same roles
    "Russia blamed Ukraine for an attack on the plant.",                    # no shared content word between them
    "Ukraine and Russia traded blame over the plant.",                      # no role-bearing word between them
])
def test_kept_roles_pass(rewrite):
    assert not swapped_roles(rewrite, SOURCE)


@pytest.mark.parametrize("source, rewrite", [
    # an appositive turned possessive: the same relation
    ("Tim Cook, the chief executive of Apple, said the phone would ship in May.",
     "Apple's chief executive Tim Cook said the phone would ship in May."),
    # converse verbs linked only by their object
    ("Smith sold the house to Jones in 2019.", "Jones bought the house from Smith in 2019."),
    # symmetric relations
    ("Obama met Putin in Geneva on Tuesday.", "Putin met Obama in Geneva."),
    # a "by" that is not a passive
    ("Smith, accompanied by his wife, met Jones at the airport.", "Smith greeted Jones at the airport."),
    ("Smith, who was hired by Arsenal last year, praised Jones.", "Smith praised Jones."),
])
def test_faithful_rewrites_a_reviewer_wrote_pass(source, rewrite):
    assert not swapped_roles(rewrite, source)


@pytest.mark.parametrize("source, rewrite", [
    ("Tim Cook, the chief executive of Apple, spoke.", "Apple, the chief executive of Tim Cook, spoke."),
    ("The gunman was shot by Officer Brown near Union Station.", "Officer Brown was shot by the gunman near Union Station."),
    ("Italy beat Spain in the final in Kyiv.", "Spain beat Italy in the final in Kyiv."),
])
def test_other_swaps_are_flagged(source, rewrite):
    if "the gunman" in rewrite:  # one participant is not a name: out of the check's reach, by design
        assert not swapped_roles(rewrite, source)
    else:
        assert swapped_roles(rewrite, source)


def test_names_too_far_apart_are_not_read():
    src = "Russia on Sunday in a long statement read on state television accused Ukraine of shelling."
    assert not swapped_roles("Ukraine on Sunday in a long statement read on state television accused Russia.", src)


def test_a_name_the_source_lacks_is_not_a_role_swap():
    assert not swapped_roles("Poland accused Russia of shelling the plant.", SOURCE)


def test_symmetric_source_order_does_not_flag():
    # the source names the pair in both orders: no reading is sure to be swapped
    src = "Russia accused Ukraine of shelling the plant, and Ukraine accused Russia of the same."
    assert not swapped_roles("Ukraine accused Russia of shelling the plant.", src)


def test_stored_edits_round_trip():
    a = "YouTube is owned by Google, the company said."
    b = "Google is owned by YouTube, the company said."
    edits = swap_edits(a, b)
    assert edits and apply_edits(a, edits) == b
    assert apply_edits(a, []) == a


def test_verify_rewrites_puts_the_source_back_with_the_role_check():
    from newsml.summarize.verify import verify_rewrites

    sources = [SOURCE, "The plant is Europe's largest."]
    swapped = "Russia was accused by Ukraine of shelling the Zaporizhzhia nuclear plant."  # voice changed, order kept
    off = verify_rewrites([swapped], [0], sources, method="test", min_support=0.3)
    on = verify_rewrites([swapped], [0], sources, method="test", min_support=0.3, role_check=True)
    assert off.sentences[0].kind == "abstractive"
    assert on.sentences[0].kind == "copied" and on.sentences[0].text == SOURCE
