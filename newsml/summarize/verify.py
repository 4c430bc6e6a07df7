"""Step 3 of the summarizer: check each generated sentence against the article; repair or drop it.

A generated sentence is kept only if every number and every capitalised name in it occurs in the
article, it overlaps some source sentence (support >= `min_support`), it is not a question where
that source is none, and no two names in it trade the words they modify in that source (nor, with the
role check of 2.7, trade roles: `swapped_roles`). Otherwise
the source sentence that best covers it replaces it (once), or it is dropped. Pure functions, no model.
"""

from __future__ import annotations

import re

from newsml.text import STOP_CAPS, entities, numbers, split_sentences, tokens
from newsml.types import Summary, SummarySentence


def _bag(s: str) -> set:
    t = tokens(s)
    return set(t) | {a + " " + b for a, b in zip(t, t[1:])}


def support(sentence: str, sources: list[str]) -> tuple[float, int]:
    """(score, index): the share of `sentence`'s uni+bigrams found in its best source sentence plus the
    one source that adds the most (summaries often fuse two sentences); index = the best single source."""
    b = _bag(sentence)
    if not b or not sources:
        return 0.0, -1
    bags = [b & _bag(s) for s in sources]
    idx = max(range(len(sources)), key=lambda i: len(bags[i]))
    fused = max((len(bags[idx] | bags[j]) for j in range(len(sources)) if j != idx), default=len(bags[idx]))
    return fused / len(b), idx


def unsupported(sentence: str, article_text: str, _cache: dict | None = None) -> dict:
    """Numbers and names in `sentence` that the article lacks."""
    an = _cache["numbers"] if _cache else numbers(article_text)
    ae = _cache["entities"] if _cache else entities(article_text)
    # a name counts as present only in the same capitalisation ("Police" is not backed by "police")
    ents = {e for e in entities(sentence) - ae if not re.search(r"(?<!\w)" + re.escape(e) + r"(?!\w)", article_text)}
    return {"numbers": sorted(numbers(sentence) - an), "entities": sorted(ents)}


def clean_generation(text: str) -> str:
    """Trim a raw continuation: first line block only, no trailing fragment without a stop."""
    text = text.strip().split("\n\n")[0].replace("\n", " ")
    m = re.search(r"^(.*[.!?][\"'”’)]*)", text, re.S)
    return (m.group(1) if m else text).strip()


def verify(generated: str, sources: list[str], *, method: str, model: str = "", max_sentences: int = 4,
           min_support: float = 0.5) -> Summary:
    """Verified Summary of a whole text `generated` against the article's `sources` sentences (the selector-alone
    summary, and any text a caller wants checked): each sentence is kept, replaced by the source sentence that
    best covers it, or dropped. Sentence mode verifies each rewrite with `verify_rewrites`."""
    article_text = " ".join(sources)
    cache = {"numbers": numbers(article_text), "entities": entities(article_text)}
    out: list[SummarySentence] = []
    used_src: set[int] = set()
    seen: set[str] = set()
    for s in split_sentences(clean_generation(generated)):
        if len(out) >= max_sentences:
            break
        if len(tokens(s)) < 3 or s.lower() in seen:
            continue
        sc, idx = support(s, sources)
        bad = unsupported(s, article_text, cache)
        misreads = idx >= 0 and _misreads(s, sources[idx])
        if not bad["numbers"] and not bad["entities"] and sc >= min_support and not misreads:
            out.append(SummarySentence(s, min(1.0, sc), idx, "abstractive"))  # generated, verified
        elif idx >= 0 and idx not in used_src and sc >= 0.2:
            out.append(SummarySentence(sources[idx], 1.0, idx, "copied"))  # the guard's replacement
        else:
            continue  # dropped: nothing in the article backs it
        seen.add(out[-1].text.lower())
        used_src.add(out[-1].source_index)
    if not out and sources:  # nothing survived: fall back to the lead sentence
        out.append(SummarySentence(sources[0], 1.0, 0, "copied"))
    return _summary(out, article_text, cache, method, model)


def first_sentence(rewrite: str) -> str:
    """The sentence of a raw rewrite that is judged and kept: its first, after `clean_generation`."""
    first = split_sentences(clean_generation(rewrite))[:1]
    return first[0] if first else ""


def passes_names_numbers(rewrite: str, index: int, sources: list[str], min_support: float, *, names_only: bool = False,
                         _cache: dict | None = None) -> bool:
    """The cheap exact checks of version 2.4 on one rewrite of `sources[index]`: every number and name occurs in
    the article, support >= `min_support`, no invented question, no two names trading places.
    `names_only`: the numbers-and-names check alone."""
    s = first_sentence(rewrite)
    article_text = " ".join(sources)
    if any(unsupported(s, article_text, _cache).values()):
        return False
    if names_only:
        return True
    sc = support(s, sources)[0] if len(tokens(s)) >= 3 else 0.0
    return sc >= min_support and not _misreads(s, sources[index])


def means_the_same(entailment: float, contradiction: float, check: dict) -> bool:
    """The meaning check on a rewrite's NLI scores against its source: entailed enough, not contradicted."""
    return entailment >= check["min_entailment"] and contradiction <= check["max_contradiction"]


def verify_rewrites(rewrites: list[str], picks: list[int], sources: list[str], *, method: str, model: str = "",
                    min_support: float = 0.5, meaning: list[tuple[float, float]] | None = None,
                    meaning_check: dict | None = None, role_check: bool = False) -> Summary:
    """Sentence mode: `rewrites[j]` is the generator's highlight for source sentence `picks[j]`.

    A rewrite is kept (kind "abstractive") when it passes the exact checks (`passes_names_numbers`: every number
    and name occurs in the article, support >= `min_support`, no invented question, no two names trading the
    words they modify) and, with `meaning` (per rewrite: the NLI model's entailment and contradiction
    probabilities of the rewrite given its source sentence) and `meaning_check` (thresholds), the meaning check;
    with `role_check`, no two names may trade roles (`swapped_roles`); otherwise its own source sentence stands in
    (kind "copied"). Sentences come out in article order.
    """
    article_text = " ".join(sources)
    cache = {"numbers": numbers(article_text), "entities": entities(article_text)}
    meaning = meaning or [None] * len(rewrites)
    out: list[SummarySentence] = []
    for r, i, m in sorted(zip(rewrites, picks, meaning), key=lambda x: x[1]):
        s = first_sentence(r)
        ok = passes_names_numbers(r, i, sources, min_support, _cache=cache)
        ent = None if m is None else round(float(m[0]), 4)
        if ok and m is not None and meaning_check:
            ok = means_the_same(m[0], m[1], meaning_check)
        if ok and role_check:
            ok = not swapped_roles(s, sources[i])
        if ok:
            out.append(SummarySentence(s, min(1.0, support(s, sources)[0]), i, "abstractive", entailment=ent))
        else:
            out.append(SummarySentence(sources[i], 1.0, i, "copied"))
    if not out and sources:
        out.append(SummarySentence(sources[0], 1.0, 0, "copied"))
    return _summary(out, article_text, cache, method, model)


_TOKEN = re.compile(r"[\w'’-]+|[^\w\s]")  # words, and each punctuation mark on its own (a name run ends there)
_ROLE_SPAN = 8  # words between two participants, at most (further apart, their order says little)
_NOT_ROLE_WORDS = {"and", "or", "the", "a", "an", "of", "in", "on", "at", "to", "for", "with", "from", "as", "by", "his",
                   "her", "its", "their", "has", "have", "had", "was", "were", "is", "are", "be", "been", "that", "who",
                   "which", "s", "said", "says", "say", "told", "tells", "after", "before", "than", "but", "not"}
# relations that read the same both ways: "Obama met Putin" = "Putin met Obama"
_SYMMETRIC = {"met", "meet", "meets", "meeting", "married", "marry", "marries", "drew", "draw", "draws", "tied", "signed",
              "talked", "talks", "spoke", "speaks", "played", "plays", "faced", "faces", "joined", "partnered", "merged",
              "fought", "battled", "shook", "hugged", "kissed", "dated", "divorced", "versus", "against"}
_ARTICLES = {"the", "a", "an"}


def _name_spans(toks: list[str]) -> list[tuple[int, int, str]]:
    """(first token, end token, key) of each run of capitalised words in `toks` (key: the run's last word,
    lower-cased, without "'s"); a run ends at punctuation, and a lone sentence-opening function word ("The", "In")
    is not a name."""
    spans, i = [], 0
    while i < len(toks):
        if toks[i][:1].isupper() and toks[i] not in STOP_CAPS:
            j = i
            while j + 1 < len(toks) and toks[j + 1][:1].isupper():
                j += 1
            spans.append((i, j + 1, re.sub(r"['’]s$", "", toks[j]).lower()))
            i = j + 1
        else:
            i += 1
    return spans


def _gap(toks: list[str], first: tuple, second: tuple) -> list[str] | None:
    """The lower-cased words between two spans, or None when there are none or more than `_ROLE_SPAN`."""
    words = [t.lower() for t in toks[first[1]:second[0]] if t[:1].isalnum()]
    return words if 0 < len(words) <= _ROLE_SPAN else None


def _flipped(gap: list[str]) -> bool:
    """The pair reads in the other direction: a passive ("... shot by"), or "N of" ending the gap ("the chief executive
    of Apple" = "Apple's chief executive"). "by" elsewhere ("accompanied by his wife") is not a passive."""
    tail = gap[:-1] if len(gap) > 1 and gap[-1] in _ARTICLES else gap
    return tail[-1] in ("by", "of")


def swapped_roles(rewrite: str, source: str) -> bool:
    """Two names trade roles: "Russia accused Ukraine" from "Ukraine accused Russia", or "X was shot by Y" from "X shot Y".

    For two names that occur in both sentences, at most `_ROLE_SPAN` words apart in each, where the first content word
    between them in the rewrite (the verb slot: "accused") also lies between them in the source and is not a
    symmetric relation ("met"): the order is reversed with the same direction, or kept with the direction changed
    (`_flipped`: a passive "by", or "N of"; "X's N" reads as X first). Names only; "the coach" and "a police officer"
    are out of its reach (training/plans/summary_roles.md)."""
    rt, st = _TOKEN.findall(rewrite), _TOKEN.findall(source)
    where: dict[str, list[tuple[int, int]]] = {}
    for a, b, k in _name_spans(st):
        where.setdefault(k, []).append((a, b))
    r_spans = _name_spans(rt)
    for x, (a1, b1, k1) in enumerate(r_spans):
        for a2, b2, k2 in r_spans[x + 1:]:
            if k1 == k2 or k1 not in where or k2 not in where:
                continue
            gap_r = _gap(rt, (a1, b1), (a2, b2))
            link = next((w for w in gap_r or [] if w not in _NOT_ROLE_WORDS and len(w) > 2), None)
            if link is None or link in _SYMMETRIC:
                continue
            readings = set()  # for each source occurrence pair with the link between them: are the roles swapped?
            for p in where[k1]:
                for q in where[k2]:
                    reversed_order = q[1] <= p[0]
                    gap_s = _gap(st, q, p) if reversed_order else _gap(st, p, q)
                    if gap_s is not None and link in gap_s:
                        readings.add(reversed_order == (_flipped(gap_r) == _flipped(gap_s)))
            if readings == {True}:  # swapped, and no reading of the source keeps the rewrite's roles
                return True
    return False


def _misreads(rewrite: str, source: str) -> bool:
    """The rewrite says something its source does not, though every number and name checks out: it asks a
    question the source does not ask, or two names in it trade the words they modify."""
    return _new_question(rewrite, source) or _swapped_names(rewrite, source)


def _swapped_names(rewrite: str, source: str) -> bool:
    """Two names trade the words they modify: the source says "Ukrainian forces ... Russian village", the rewrite
    "Russian forces ... Ukrainian village" (every name and word occurs in the article, the statement is false)."""
    def pairs(x: str) -> set:
        t = re.findall(r"[\w'-]+", x)
        return {(a.lower(), b.lower()) for a, b in zip(t, t[1:]) if a[:1].isupper()}

    src, rw = pairs(source), pairs(rewrite)
    new = rw - src  # name + word pairs the source does not have
    return any((a2, b1) in src and (a1, b2) in src and a1 != a2 for a1, b1 in new for a2, b2 in new)


def _new_question(rewrite: str, source: str) -> bool:
    """The rewrite is a question and its source sentence is not."""
    def asks(x: str) -> bool:
        return x.rstrip().rstrip("\"'”’)").endswith("?")

    return asks(rewrite) and not asks(source)


def _summary(out: list[SummarySentence], article_text: str, cache: dict, method: str, model: str) -> Summary:
    text = " ".join(x.text for x in out)
    bad = unsupported(text, article_text, cache)
    return Summary(text=text, sentences=tuple(out), method=method,
                   faithful=not bad["numbers"] and not bad["entities"], model=model)
