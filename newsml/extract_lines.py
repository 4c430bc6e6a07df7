"""Scraped text -> which lines are the main story: a small learned line classifier.

A scraper's render of a page (inscriptis, html2text, BeautifulSoup `get_text`, a browser's copy) is a
list of lines: menus, bylines, the story, share buttons, related headlines, comments, footers. Each
line gets `N_BASE` features of its own (length, punctuation, letters / digits / capitals, link and
UI-like tokens, bullets and table pipes, dates, repeats on the page) and of where it sits (position,
the lengths and prose-ness of its neighbours, the size of the block of running text it belongs to).
Two logistic layers score it: the first on those features, the second on them plus the first layer's
scores of the lines around it (so a short line inside the story stays, a long one in a footer goes).

Weights: `newsml/models/extractor/` (config.json + lines.safetensors, a few hundred floats), trained by
`training/train_extractor.py` on lines labelled automatically by aligning renders of the train half of
the Zyte benchmark pages with their hand-written article text.

    >>> from newsml.extract_lines import LineClassifier, prepare_lines
    >>> clf = LineClassifier.from_pretrained()
    >>> lines = prepare_lines("Home | News\\nA storm hit the coast on Monday, cutting power to thousands of homes.")
    >>> clf.story_mask(lines)
    [False, True]
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np

ARCHITECTURE = "newsml.extract.lines.v1"
DEFAULT_DIR = Path(__file__).parent / "models" / "extractor"

# -- line preparation ---------------------------------------------------------------------------------
_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]*)\]\((?:[^()\s]|\([^)]*\))*(?:\s+\"[^\"]*\")?\)")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]+")


def _strip_markdown(line: str) -> tuple[str, float]:
    """A line without markdown images / link targets, and the share of its text that was link text."""
    s = _MD_IMAGE.sub(" ", line)
    linked = 0

    def keep_text(m):
        nonlocal linked
        linked += len(m.group(1))
        return m.group(1)

    s = _MD_LINK.sub(keep_text, s)
    s = re.sub(r"\*\*|__", "", s)
    return s, linked


def prepare_lines(text: str) -> list[dict]:
    """Non-empty lines of a scraped page: `{"raw", "text", "link_share"}` (markdown links and images
    reduced to their text, spaces squeezed)."""
    out = []
    for raw in text.split("\n"):
        s, linked = _strip_markdown(raw)
        s = _SPACES.sub(" ", s).strip()
        if not s or not any(c.isalnum() for c in s):
            continue
        out.append({"raw": raw, "text": s, "link_share": min(1.0, linked / max(1, len(s)))})
    return out


# -- per-line features ----------------------------------------------------------------------------------
_UI = re.compile(
    r"\b(cookies?|subscribe|subscription|newsletter|sign (in|up|out)|log ?(in|out)|register|download|app ?store|"
    r"google play|share|tweet|pin it|follow|advertis\w*|sponsored|comments?|repl(y|ies)|privacy|terms|"
    r"rights reserved|copyright|click|read more|continue reading|skip to|menu|search|home|contact( us)?|"
    r"about( us)?|faq|careers|jobs|sitemap|facebook|twitter|linkedin|instagram|youtube|pinterest|whatsapp|"
    r"telegram|reddit|email|e-mail|print|previous|next|back to top|load more|view (all|more)|see (all|more)|"
    r"trending|popular|related|recommended|you may also like|more (from|stories|news)|latest|watch|video|"
    r"photos?|gallery|image|credit|getty|reuters|ap photo|shutterstock|published|updated|posted|min read|"
    r"minutes? ago|hours? ago|days? ago|loading|javascript|browser|accept|settings|notifications?)\b",
    re.I,
)
_RELATED_HEAD = re.compile(
    r"^(related|more|recommended|read next|read also|also read|see also|further reading|you (may|might) also like|"
    r"most (read|popular|viewed)|trending|popular|latest|top stories|other news|comments?|leave a (reply|comment)|"
    r"share this|tags?|topics?|filed under)\b",
    re.I,
)
_DATE = re.compile(
    r"\b(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}|(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}|"
    r"\d{1,2} (jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*|\d{1,2}:\d{2}\s*(am|pm)?)\b",
    re.I,
)
_BYLINE = re.compile(r"^(by|written by|words by|author|posted by|von|por|di|par)\b[: ]", re.I)
_COMMENT = re.compile(
    r"(\b(says|said|wrote|replied|commented)\s*:?\s*$|^(reply|report|like|flag|permalink|quote|upvote|\d+ (likes?|replies|points))$|"
    r"\bat \d{1,2}:\d{2}\s*(am|pm)?\s*$|^rating:|\d+ votes?$|^(leave|post|add) a (reply|comment)|comments? (are )?closed)",
    re.I,
)
_URL = re.compile(r"https?://|www\.|\.(com|org|net|html?)\b", re.I)
_END_PUNCT = re.compile(r"[.!?。！？…:;][\"'”’»)\]]*$")
_BULLET = re.compile(r"^\s*([*•·\-–—+>#|]|\d+[.)])\s")
_WIDE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\u0e00-\u0e7f\uff00-\uffef]")


def units(s: str) -> float:
    """Length in words; text without spaces (Japanese, Chinese, Thai) counts ~2 characters a word."""
    wide = len(_WIDE.findall(s))
    return len(s.split()) + wide / 2.0 if wide else float(len(s.split()))


def _is_prose(s: str, u: float) -> bool:
    return u >= 15 or (u >= 7 and bool(_END_PUNCT.search(s)))


BASE_FEATURES = (
    "log_units", "log_chars", "end_punct", "end_colon", "sent_marks", "commas", "alpha", "upper", "digits",
    "title_case", "all_caps", "starts_lower", "bullet", "pipes", "link_share", "url", "ui_words", "ui_short",
    "related_head", "date", "byline", "copyright", "repeats", "wide", "prose", "short", "one_word",
    "quote", "paren_close", "comment_marker",
)
CONTEXT_FEATURES = (
    "pos", "pos_mass", "prev_prose", "next_prose", "prev2_prose", "next2_prose", "prev_units", "next_units",
    "win3_prose", "win10_prose", "win3_units", "block_share", "block_rank1", "in_block", "dist_prose",
    "after_related", "comments_before", "comments_near", "big_blocks_before",
)
FEATURES = BASE_FEATURES + CONTEXT_FEATURES
N_BASE = len(FEATURES)
STACK_OFFSETS = (-3, -2, -1, 1, 2, 3)
STACK_FEATURES = tuple(f"p{o:+d}" for o in STACK_OFFSETS) + ("p_win5", "p_win15", "p_self")


def line_features(lines: list[dict]) -> np.ndarray:
    """(n_lines, N_BASE) float32 features of prepared lines (see `prepare_lines`)."""
    n = len(lines)
    X = np.zeros((n, N_BASE), dtype=np.float32)
    if n == 0:
        return X
    texts = [x["text"] for x in lines]
    counts: dict[str, int] = {}
    for t in texts:
        counts[t] = counts.get(t, 0) + 1
    U = np.array([units(t) for t in texts], dtype=np.float32)
    prose = np.array([_is_prose(t, u) for t, u in zip(texts, U)], dtype=np.float32)
    for i, (x, s) in enumerate(zip(lines, texts)):
        u = U[i]
        letters = [c for c in s if c.isalpha()]
        nl = max(1, len(letters))
        words = s.split()
        caps_words = sum(1 for w in words if w[:1].isupper())
        ui = len(_UI.findall(s))
        X[i, :27] = (
            math.log1p(u), math.log1p(len(s)), bool(_END_PUNCT.search(s)) and not s.endswith(":"), s.endswith(":"),
            min(5, len(re.findall(r"[.!?。！？](\s|$)", s))) / 5, min(10, s.count(",") + s.count("、")) / max(1.0, u),
            len(letters) / max(1, len(s)), sum(c.isupper() for c in letters) / nl,
            sum(c.isdigit() for c in s) / max(1, len(s)), caps_words / max(1, len(words)), s.isupper() and len(s) > 3,
            s[:1].islower(), bool(_BULLET.match(x["raw"])), min(5, s.count("|")) / 5, x["link_share"],
            bool(_URL.search(s)), min(3, ui) / 3, ui > 0 and u <= 6, bool(_RELATED_HEAD.match(s)) and u <= 8,
            bool(_DATE.search(s)), bool(_BYLINE.match(s)), "©" in s or "copyright" in s.lower(),
            math.log(counts[s]), len(_WIDE.findall(s)) / max(1, len(s)), prose[i], u < 4, u <= 1,
        )
        X[i, 27] = s[:1] in "\"“«'‘"
        X[i, 28] = s.endswith(")")
        X[i, 29] = bool(_COMMENT.search(s))
    # -- context ---------------------------------------------------------------------------------------
    base = len(BASE_FEATURES)
    long_mass = np.where(prose > 0, U, 0.0)
    cum = np.cumsum(long_mass) - long_mass
    total = max(1.0, float(long_mass.sum()))
    # blocks of running text: prose lines joined across gaps of at most 2 non-prose lines
    block = np.full(n, -1)
    sizes: list[float] = []
    last = -10
    for i in range(n):
        if prose[i]:
            if i - last > 3 or not sizes:
                sizes.append(0.0)
            sizes[-1] += U[i]
            last = i
            block[i] = len(sizes) - 1
    # a non-prose line between two prose lines of one block belongs to it
    prev_b = -1
    for i in range(n):
        if block[i] >= 0:
            prev_b = i
        elif prev_b >= 0:
            nxt = next((j for j in range(i + 1, min(n, i + 3)) if block[j] >= 0), None)
            if nxt is not None and block[nxt] == block[prev_b]:
                block[i] = block[prev_b]
    biggest = max(sizes) if sizes else 1.0
    order = sorted(range(len(sizes)), key=lambda b: -sizes[b])
    prose_idx = np.flatnonzero(prose)
    related_seen = False
    com = X[:, BASE_FEATURES.index("comment_marker")]
    com_cum = np.cumsum(com) - com
    big = [s >= 30 for s in sizes]
    big_before = np.cumsum([0] + big)  # big blocks before block b: big_before[b]
    for i in range(n):
        def pr(j):
            return prose[j] if 0 <= j < n else 0.0

        def un(j):
            return math.log1p(U[j]) if 0 <= j < n else 0.0

        lo3, hi3 = max(0, i - 3), min(n, i + 4)
        lo10, hi10 = max(0, i - 10), min(n, i + 11)
        b = block[i]
        dist = np.abs(prose_idx - i).min() if len(prose_idx) else n
        X[i, base:] = (
            i / max(1, n - 1), cum[i] / total, pr(i - 1), pr(i + 1), pr(i - 2), pr(i + 2), un(i - 1), un(i + 1),
            prose[lo3:hi3].mean(), prose[lo10:hi10].mean(), np.log1p(U[lo3:hi3]).mean(),
            sizes[b] / biggest if b >= 0 else 0.0, b >= 0 and b == order[0], b >= 0, min(10, dist) / 10,
            related_seen, math.log1p(com_cum[i]), com[lo10:hi10].mean(),
            math.log1p(big_before[b]) if b >= 0 else math.log1p(big_before[-1]),
        )
        if X[i, BASE_FEATURES.index("related_head")] and cum[i] > 0:
            related_seen = True
    return X


def stack_features(p: np.ndarray) -> np.ndarray:
    """Second-layer inputs: the first layer's scores of the neighbours, window means, and the line's own."""
    n = len(p)
    padded = np.concatenate([np.zeros(15), p, np.zeros(15)])
    cols = [padded[15 + o : 15 + o + n] for o in STACK_OFFSETS]
    c = np.concatenate([[0.0], np.cumsum(p)])
    for w in (5, 15):
        lo = np.clip(np.arange(n) - w, 0, n)
        hi = np.clip(np.arange(n) + w + 1, 0, n)
        cols.append((c[hi] - c[lo]) / (hi - lo))
    cols.append(p)
    return np.stack(cols, axis=1).astype(np.float32) if n else np.zeros((0, len(STACK_FEATURES)), np.float32)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


class LineClassifier:
    """Two stacked logistic layers over per-line features; `predict_proba(lines)` -> P(story) per line."""

    def __init__(self, mean1, scale1, w1, b1, mean2, scale2, w2, b2, threshold: float = 0.5, config: dict | None = None):
        self.mean1_, self.scale1_, self.w1_, self.b1_ = (np.asarray(a, np.float32) for a in (mean1, scale1, w1, b1))
        self.mean2_, self.scale2_, self.w2_, self.b2_ = (np.asarray(a, np.float32) for a in (mean2, scale2, w2, b2))
        self.threshold = float(threshold)
        self.config = dict(config or {})

    def first_layer(self, X: np.ndarray) -> np.ndarray:
        return _sigmoid(((X - self.mean1_) / self.scale1_) @ self.w1_ + self.b1_)

    def second_layer(self, X: np.ndarray, p1: np.ndarray) -> np.ndarray:
        Z = np.concatenate([X, stack_features(p1)], axis=1)
        return _sigmoid(((Z - self.mean2_) / self.scale2_) @ self.w2_ + self.b2_)

    def predict_proba(self, lines: list[dict]) -> np.ndarray:
        if not lines:
            return np.zeros(0, np.float32)
        X = line_features(lines)
        return self.second_layer(X, self.first_layer(X))

    def story_mask(self, lines: list[dict]) -> list[bool]:
        return [bool(p >= self.threshold) for p in self.predict_proba(lines)]

    # -- persistence ----------------------------------------------------------------------------------
    def save_pretrained(self, path: str | Path, *, extra_config: dict | None = None) -> None:
        from safetensors.numpy import save_file

        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        save_file({"mean1": self.mean1_, "scale1": self.scale1_, "w1": self.w1_, "b1": self.b1_.reshape(1),
                   "mean2": self.mean2_, "scale2": self.scale2_, "w2": self.w2_, "b2": self.b2_.reshape(1)},
                  str(path / "lines.safetensors"))
        cfg = {**self.config, **(extra_config or {}), "architecture": ARCHITECTURE, "features": list(FEATURES),
               "stack_features": list(STACK_FEATURES), "threshold": self.threshold}
        (path / "config.json").write_text(json.dumps(cfg, indent=1) + "\n")

    @classmethod
    def from_pretrained(cls, path: str | Path | None = None) -> LineClassifier:
        from safetensors.numpy import load_file

        from newsml.errors import ModelLoadError

        path = Path(path) if path is not None else DEFAULT_DIR
        try:
            cfg = json.loads((path / "config.json").read_text())
            t = load_file(str(path / "lines.safetensors"))
        except (OSError, ValueError) as e:
            raise ModelLoadError(f"cannot load the line classifier from {path}: {e}; "
                                 "rebuild it with `python training/train_extractor.py`") from e
        if cfg.get("architecture") != ARCHITECTURE or cfg.get("features") != list(FEATURES):
            raise ModelLoadError(f"{path} holds {cfg.get('architecture')!r} with other features; this newsml reads "
                                 f"{ARCHITECTURE!r}: retrain with `python training/train_extractor.py`")
        return cls(t["mean1"], t["scale1"], t["w1"], t["b1"][0], t["mean2"], t["scale2"], t["w2"], t["b2"][0],
                   threshold=cfg["threshold"], config=cfg)

