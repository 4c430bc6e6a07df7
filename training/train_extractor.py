"""Train newsml's scraped-text line classifier (newsml/models/extractor/) from the Zyte benchmark pages.

    python training/train_extractor.py --data-dir ../shared/data            # writes runs/extractor/
    python training/train_extractor.py --data-dir ../shared/data --install  # and newsml/models/extractor/

Read top to bottom:
1. the pages of the *train* half (`benchmarks.extraction.split_of`; the held-out half is never read
   here) are rendered to text three ways (inscriptis, html2text, BeautifulSoup), as scrapers do;
2. each rendered line is labelled automatically: story if most of its 4-gram shingles (for lines of
   under 4 tokens: its whole token sequence) occur in the page's hand-written article text;
3. layer 1, a logistic regression on the line's own and positional features, is fit with 5-fold
   cross-fitting by page, so layer 2 (the same features plus layer 1's scores of the neighbours)
   learns from honest layer-1 scores;
4. the keep threshold is the one with the best mean benchmark F1 over the three renders on the
   cross-fitted train pages;
5. both layers are refit on all train pages and saved (safetensors + config.json with the data
   fingerprint and the cross-fitted train scores).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import re
import sys
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.extraction import RENDERS, _shingles, compute_shingle_f1, load_pages, render  # noqa: E402
from evaluation.datasets import DATA_DIR_HELP, data_root  # noqa: E402
from newsml.extract_lines import (  # noqa: E402
    DEFAULT_DIR,
    LineClassifier,
    line_features,
    prepare_lines,
    stack_features,
)

_TOKEN = re.compile(r"\w+")


@dataclass
class TrainConfig:
    c1: float = 1.0  # inverse L2 strength of layer 1 (sklearn C)
    c2: float = 1.0  # inverse L2 strength of layer 2
    folds: int = 5  # cross-fitting folds, by page
    label_share: float = 0.5  # a line is story when at least this share of its shingles is in the truth
    max_weight: float = 8.0  # a line's training weight: sqrt(tokens), capped (long lines carry the metric)
    thresholds: tuple = tuple(round(x, 2) for x in np.arange(0.2, 0.81, 0.05))


def label_lines(lines: list[dict], truth: str, share: float, max_weight: float) -> tuple[np.ndarray, np.ndarray]:
    """(labels, weights) of prepared lines against the page's truth text."""
    truth_sh = set(_shingles(truth))
    toks = _TOKEN.findall(truth)
    short = {tuple(toks[i : i + k]) for k in (1, 2, 3) for i in range(len(toks) - k + 1)}
    y, w = [], []
    for x in lines:
        t = _TOKEN.findall(x["text"])
        if len(t) >= 4:
            sh = [tuple(t[i : i + 4]) for i in range(len(t) - 3)]
            y.append(sum(s in truth_sh for s in sh) / len(sh) >= share)
        else:
            y.append(tuple(t) in short)
        w.append(min(len(t) ** 0.5, max_weight))
    return np.array(y, dtype=np.float32), np.array(w, dtype=np.float32)


def build(pages: list[dict], cfg: TrainConfig) -> list[dict]:
    """One record per (page, render): prepared lines, features, labels, weights."""
    docs = []
    for p in pages:
        for how in RENDERS:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                lines = prepare_lines(render(p["html"], how))
            y, w = label_lines(lines, p["truth"], cfg.label_share, cfg.max_weight)
            docs.append({"id": p["id"], "how": how, "lines": lines, "X": line_features(lines), "y": y, "w": w,
                         "truth": p["truth"]})
    return docs


def _fit_lr(X, y, w, C):
    from sklearn.linear_model import LogisticRegression

    mean, scale = X.mean(0), X.std(0)
    scale[scale < 1e-6] = 1.0
    lr = LogisticRegression(C=C, max_iter=2000).fit((X - mean) / scale, y, sample_weight=w)
    return mean, scale, lr.coef_[0], lr.intercept_[0]


def fit(docs: list[dict], cfg: TrainConfig) -> LineClassifier:
    """Layer 1 on all docs; layer 2 on layer 1's cross-fitted scores."""
    ids = sorted({d["id"] for d in docs})
    fold = {pid: int(hashlib.sha256(pid.encode()).hexdigest(), 16) % cfg.folds for pid in ids}
    cat = lambda k, ds: np.concatenate([d[k] for d in ds])  # noqa: E731
    p1_oof = {}
    for f in range(cfg.folds):
        tr = [d for d in docs if fold[d["id"]] != f]
        m1 = _fit_lr(cat("X", tr), cat("y", tr), cat("w", tr), cfg.c1)
        clf = LineClassifier(*m1, *m1)  # only layer 1 is used here
        for d in docs:
            if fold[d["id"]] == f:
                p1_oof[id(d)] = clf.first_layer(d["X"])
    m1 = _fit_lr(cat("X", docs), cat("y", docs), cat("w", docs), cfg.c1)
    Z = np.concatenate([np.concatenate([d["X"], stack_features(p1_oof[id(d)])], axis=1) for d in docs])
    m2 = _fit_lr(Z, cat("y", docs), cat("w", docs), cfg.c2)
    return LineClassifier(*m1, *m2)


def crossfit_scores(docs: list[dict], cfg: TrainConfig) -> dict:
    """Per-threshold benchmark F1 of each render, every page scored by a model that did not see it."""
    ids = sorted({d["id"] for d in docs})
    fold = {pid: (int(hashlib.sha256(("outer" + pid).encode()).hexdigest(), 16) % cfg.folds) for pid in ids}
    probs = {}
    for f in range(cfg.folds):
        clf = fit([d for d in docs if fold[d["id"]] != f], cfg)
        for d in docs:
            if fold[d["id"]] == f:
                probs[id(d)] = clf.predict_proba(d["lines"])
    out = {}
    for thr in cfg.thresholds:
        out[thr] = {}
        for how in RENDERS:
            ds = [d for d in docs if d["how"] == how]
            preds = ["\n".join(x["text"] for x, p in zip(d["lines"], probs[id(d)]) if p >= thr) for d in ds]
            out[thr][how] = compute_shingle_f1(preds, [d["truth"] for d in ds])["f1"]
    return out


def fingerprint(pages: list[dict]) -> str:
    h = hashlib.sha256()
    for p in pages:
        h.update(p["id"].encode())
    return h.hexdigest()[:16]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", default=None, help=DATA_DIR_HELP)
    ap.add_argument("--out", default="runs/extractor")
    ap.add_argument("--install", action="store_true", help=f"also write the model to {DEFAULT_DIR}")
    args = ap.parse_args(argv)
    args.data_dir = data_root(args.data_dir, need=["extraction"])
    cfg = TrainConfig()
    pages = [p for p in load_pages(args.data_dir) if p["split"] == "train"]  # the held-out half is never read
    docs = build(pages, cfg)
    print(f"{len(pages)} train pages, {sum(len(d['y']) for d in docs)} lines, "
          f"{sum(d['y'].sum() for d in docs):.0f} story lines", flush=True)
    cv = crossfit_scores(docs, cfg)
    for thr, s in cv.items():
        print(thr, " ".join(f"{k} {v:.3f}" for k, v in s.items()), f"mean {np.mean(list(s.values())):.3f}")
    best = max(cv, key=lambda t: np.mean(list(cv[t].values())))
    clf = fit(docs, cfg)
    clf.threshold = float(best)
    meta = {"newsml_version": _version(), "trained": dt.date.today().isoformat(),
            "data": "Zyte article-extraction-benchmark, train half (benchmarks.extraction.split_of)",
            "data_fingerprint": fingerprint(pages), "n_pages": len(pages), "renders": list(RENDERS),
            "train_config": {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(cfg).items()},
            "crossfit_train_f1": {k: round(v, 4) for k, v in cv[best].items()}}
    clf.save_pretrained(args.out, extra_config=meta)
    if args.install:
        clf.save_pretrained(DEFAULT_DIR, extra_config=meta)
    print(f"threshold {best}; cross-fitted train F1 {cv[best]}; saved to {args.out}" + (" and installed" if args.install else ""))


def _version() -> str:
    from newsml import __version__

    return __version__


if __name__ == "__main__":
    main()
