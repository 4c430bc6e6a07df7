"""Planted relation errors in summary rewrites: the summarizer's meaning check is measured on these.

    >>> recs = collect_rewrites(summarizer, stories)          # every rewrite with its source sentence
    >>> planted = plant_errors([r for r in recs if r["passes_names_numbers"]], seed=0)

A planted error changes what a verified rewrite says while keeping every name and number in the article, so
the names-and-numbers guard cannot see it: a negation added or removed, subject and object swapped, a place or
time moved to another one the article names, a verb's direction reversed (rose/fell, won/lost,
confirmed/denied). The edits are `evaluation.nli_news_pairs.perturb`'s; an edit is kept only when the edited
sentence still passes the names-and-numbers checks (it names nothing the article lacks) and differs from the
rewrite.
"""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

RELATION_KINDS = ("negation", "role_swap", "place_date", "antonym")


def story_half(story_id: str) -> str:
    """"tune" or "report": a fixed half of the stories by hash (thresholds are chosen on one, reported on both)."""
    return "tune" if int(hashlib.sha256(f"planted:{story_id}".encode()).hexdigest(), 16) % 2 == 0 else "report"


def collect_rewrites(summarizer, stories: list[dict], batch_size: int = 16) -> list[dict]:
    """Every rewrite the summarizer makes for `stories` ({"id", "article"}), with its source sentence and whether it
    passes the names-and-numbers guard of version 2.4 (numbers, names, support, invented question, traded names)."""
    from newsml.article import to_article
    from newsml.summarize.verify import passes_names_numbers

    arts = [to_article({"text": s["article"]}) for s in stories]
    scored = [summarizer.scored_rewrite_picks(a) for a in arts]
    prompts = [q for a, (p, _) in zip(arts, scored) for q in summarizer._sentence_prompts(a, p)]
    rewrites = iter(summarizer.generate(prompts, batch_size=batch_size))
    out = []
    for s, a, (picks, _) in zip(stories, arts, scored):
        sents = list(a.sentences)
        for i in picks:
            r = next(rewrites)
            out.append({"story_id": s["id"], "index": i, "source": sents[i], "rewrite": r, "sentences": sents,
                        "passes_names_numbers": passes_names_numbers(r, i, sents, summarizer.config["min_support"])})
    return out


def plant_errors(records: list[dict], seed: int = 0) -> list[dict]:
    """One planted error per record where some relation edit applies (kinds tried in a seeded random order):
    {"story_id", "index", "source", "rewrite", "planted", "kind", "sentences"}."""
    from evaluation.nli_news_pairs import perturb
    from newsml.summarize.verify import clean_generation, passes_names_numbers
    from newsml.text import split_sentences

    rng = random.Random(seed)
    out = []
    for r in records:
        first = split_sentences(clean_generation(r["rewrite"]))[:1]
        if not first:
            continue
        text = first[0]
        article = " ".join(r["sentences"])
        for kind in rng.sample(RELATION_KINDS, len(RELATION_KINDS)):
            bad = perturb(kind, text, r["source"], article, rng)
            if bad and bad != text and passes_names_numbers(bad, r["index"], r["sentences"], 0.0, names_only=True):
                out.append({**r, "rewrite": text, "planted": bad, "kind": kind})
                break
    return out


def catch_rates(planted: list[dict], clean: list[dict], check: dict | None, min_support: float,
                role_check: bool = False) -> dict:
    """Share of planted errors each guard flags and share of clean (verified) rewrites it flags.

    `planted` rows carry "planted_nli" and clean rows "nli" ((entailment, contradiction) of the sentence given its
    source). Guard 2.4 = the exact checks alone; the new guard = exact checks, then the meaning check `check`, then
    (`role_check`) `swapped_roles`."""
    from newsml.summarize.verify import first_sentence, means_the_same, passes_names_numbers, swapped_roles

    def exact(text, r):
        return passes_names_numbers(text, r["index"], r["sentences"], min_support)

    def flagged(text, nli, r):  # the new guard's checks after the exact ones
        return (check is not None and not means_the_same(*nli, check)) or (role_check and swapped_roles(text, r["source"]))

    old_caught = [not exact(r["planted"], r) for r in planted]
    new_caught = [o or flagged(r["planted"], r["planted_nli"], r) for o, r in zip(old_caught, planted)]
    new_flag_clean = [flagged(first_sentence(r["rewrite"]), r["nli"], r) for r in clean]
    kinds = sorted({r["kind"] for r in planted})
    per_kind = {k: {"n": sum(r["kind"] == k for r in planted),
                    "guard_2.4": _mean([c for c, r in zip(old_caught, planted) if r["kind"] == k]),
                    "new": _mean([c for c, r in zip(new_caught, planted) if r["kind"] == k])} for k in kinds}
    return {"n_planted": len(planted), "n_clean": len(clean), "caught_guard_2.4": _mean(old_caught),
            "caught_new": _mean(new_caught), "clean_flagged_new": _mean(new_flag_clean), "per_kind": per_kind}


def choose_thresholds(planted: list[dict], clean: list[dict], min_support: float, max_clean_flagged: float = 0.08) -> dict:
    """The meaning check's thresholds: on the given (tune) rows, the grid point that catches the most planted
    errors while flagging at most `max_clean_flagged` of the clean rewrites (ties: fewer clean flags)."""
    best = None
    for ent in (0.02, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5):
        for con in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0):
            check = {"min_entailment": ent, "max_contradiction": con}
            r = catch_rates(planted, clean, check, min_support)
            if r["clean_flagged_new"] > max_clean_flagged:
                continue
            key = (r["caught_new"], -r["clean_flagged_new"])
            if best is None or key > best[0]:
                best = (key, check)
    return best[1] if best else {"min_entailment": 0.0, "max_contradiction": 1.0}


def _mean(xs) -> float:
    return float(sum(xs) / len(xs)) if xs else 0.0


# -- hand-written role swaps (training/plans/summary_roles.md) ---------------------------------------------------
ROLE_SWAPS = Path(__file__).resolve().parents[1] / "benchmarks" / "fixtures" / "role_swaps" / "swaps.jsonl"


def rewrite_key(text: str) -> str:
    """A short fingerprint of a rewrite's judged sentence: a stored edit applies only to the rewrite it was written on."""
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def swap_edits(rewrite: str, swapped: str) -> list[list]:
    """The word edits that turn `rewrite` into `swapped`: [start word, end word, new words] (words split on spaces)."""
    import difflib

    a, b = rewrite.split(), swapped.split()
    return [[i1, i2, " ".join(b[j1:j2])] for op, i1, i2, j1, j2 in
            difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes() if op != "equal"]


def apply_edits(rewrite: str, edits: list[list]) -> str:
    """`swap_edits` undone: the edited sentence from the rewrite and its edits."""
    words = rewrite.split()
    for i1, i2, new in sorted(edits, reverse=True):
        words[i1:i2] = new.split()
    return " ".join(words)


def role_swap_rows(records: list[dict], path: Path = ROLE_SWAPS) -> tuple[list[dict], int]:
    """The hand-written role swaps as planted rows ({**record, "rewrite", "planted", "kind"}), and how many stored
    swaps found no matching rewrite (their rewrite was not regenerated identically)."""
    from evaluation.data_readers import read_jsonl
    from newsml.summarize.verify import first_sentence

    by = {(r["story_id"], r["index"]): r for r in records}
    out, missing = [], 0
    for s in read_jsonl(path):
        r = by.get((s["story_id"], s["index"]))
        text = first_sentence(r["rewrite"]) if r else ""
        if not r or rewrite_key(text) != s["rewrite_key"]:
            missing += 1
            continue
        out.append({**r, "rewrite": text, "planted": apply_edits(text, s["edits"]), "kind": f"role_swap/{s['kind']}"})
    return out, missing
