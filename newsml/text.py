"""Small pure text helpers shared by every stage: sentence splitting, numbers, named entities."""

from __future__ import annotations

import re
import threading

_WS = re.compile(r"[ \t\u00a0]+")


_THREAD = threading.local()


def _segmenter():
    """One pysbd Segmenter per thread: `Segmenter.segment` keeps the text being split on the instance,
    so a shared one gives wrong splits when two threads segment at once."""
    seg = getattr(_THREAD, "segmenter", None)
    if seg is None:
        import pysbd

        seg = _THREAD.segmenter = pysbd.Segmenter(language="en", clean=False)
    return seg


def split_sentences(text: str) -> list[str]:
    """Split a paragraph-structured text into sentences with pysbd, one paragraph at a time.

    >>> split_sentences("Mr. Kim said it. Then he left.")
    ['Mr. Kim said it.', 'Then he left.']
    """
    out: list[str] = []
    for para in re.split(r"\n+", text):
        para = _WS.sub(" ", para).strip()
        if not para:
            continue
        # pysbd is quadratic-ish on pathological inputs; very long "paragraphs" without stops are
        # cut into 2,000-char pieces first so any input costs linear time.
        pieces = [para[i : i + 2000] for i in range(0, len(para), 2000)] if len(para) > 20000 else [para]
        for piece in pieces:
            for s in _segmenter().segment(piece):
                s = s.strip()
                if s:
                    out.append(s)
    return out


_NUM_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    "hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9, "trillion": 10**12,
    "dozen": 12, "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
    "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "half": 0.5, "once": 1, "twice": 2,
}
_NUM = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*(?:st|nd|rd|th|s)?(?![\w])|\b(" + "|".join(_NUM_WORDS) + r")\b", re.I)


def _norm_number(tok: str) -> str:
    t = tok.lower()
    if t in _NUM_WORDS:
        return str(_NUM_WORDS[t])
    t = re.sub(r"(st|nd|rd|th|s)$", "", t).replace(",", "")
    try:
        v = float(t)
    except ValueError:
        return t
    return str(int(v)) if v == int(v) else str(v)


def numbers(text: str) -> set[str]:
    """Normalised numbers in `text`, digits and written words alike ("14,000" -> "14000", "two" -> "2")."""
    return {_norm_number(m.group(0)) for m in _NUM.finditer(text)}


_CAP = re.compile(r"\b[A-Z][\w'’\-]*(?:\s+(?:of|de|al|bin|van|von|the)?\s*[A-Z][\w'’\-]*)*")
STOP_CAPS = {
    "The", "A", "An", "In", "On", "At", "He", "She", "It", "They", "We", "I", "But", "And", "Or",
    "This", "That", "These", "Those", "His", "Her", "Their", "Its", "Our", "If", "When", "While",
    "After", "Before", "As", "For", "With", "From", "By", "To", "Of", "Some", "Many", "Most",
    "There", "Here", "What", "Who", "Why", "How", "Where", "Monday", "Tuesday", "Wednesday",
    "Thursday", "Friday", "Saturday", "Sunday", "Mr", "Mrs", "Ms", "Dr", "New", "Also", "One",
    "According", "However", "Now", "Police", "Officials", "Authorities", "Both", "All", "No",
}


def entities(text: str) -> set[str]:
    """Capitalised name tokens in `text` (a light, dependency-free stand-in for NER).

    Each returned item is one capitalised word not at the start of a sentence-like position and not
    a function word; checking words rather than spans keeps "President Putin" and "Putin" compatible.
    """
    out = set()
    for m in _CAP.finditer(text):
        for w in re.findall(r"[A-Z][\w'’\-]*", m.group(0)):
            w = re.sub(r"['’]s$", "", w)
            if w not in STOP_CAPS and len(w) > 1:
                out.add(w)
    return out


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens."""
    return re.findall(r"[a-z0-9]+", text.lower())
