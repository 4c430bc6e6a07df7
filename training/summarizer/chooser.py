"""Stage 5 of the summarizer: the copy chooser (`newsml.summarize.copy_chooser`), a logistic model on 17
reference-free features of each verified rewrite that puts the source sentence back where the rewrite is likely
to score worse. Fit on the shipped pipeline's rewrites of the validation stories (cached in --out).

Label of each kept rewrite: ROUGE-2 F of its summary with the source sentence put back, minus as is (> 0: copy).
5-fold cross-fitting by story gives every rewrite a probability from a model that did not see its story; the
threshold is the lowest that keeps the validation summaries' novel-bigram rate >= COPY_MIN_NOVELTY (set by
novelty, not by ROUGE); the final model is fit on all rewrites.

    python training/summarizer/chooser.py --data-dir ../shared/data --out runs/summarizer --install
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from evaluation.data_readers import references  # noqa: E402
from evaluation.datasets import DATA_DIR_HELP, data_root  # noqa: E402
from evaluation.metrics import compute_guard_share, compute_novel_bigrams, rouge_means, rouge_per_example  # noqa: E402
from newsml.article import Article  # noqa: E402
from newsml.summarize import SENTENCE_PROMPTS_PER_ARTICLE, Summarizer  # noqa: E402
from newsml.summarize.copy_chooser import FEATURES, copy_features, put_back  # noqa: E402
from training.summarizer.common import NOVELTY_MARGIN, RESULTS, SUMMARIZER_VERSION, install, validation_rows  # noqa: E402

COPY_MIN_NOVELTY = round(0.15 + NOVELTY_MARGIN, 4)  # the novelty target + the margin every summarizer rule has used


def fit_chooser(args):
    """Fit `newsml.summarize.copy_chooser`'s logistic model on the shipped pipeline's rewrites of the validation stories.

    Label of each kept rewrite: ROUGE-2 F of its summary with the source sentence put back, minus as is (> 0: copy).
    5-fold cross-fitting by story gives every rewrite a probability from a model that did not see its story; the
    threshold is the lowest that keeps the validation summaries' novel-bigram rate >= COPY_MIN_NOVELTY (set by
    novelty, not by ROUGE); the final model is fit on all rewrites. The rewrites are cached in --out.
    `--install` writes the chooser into the shipped config (version SUMMARIZER_VERSION)."""
    torch.set_num_threads(args.threads or 2)
    t0 = time.time()
    rows = validation_rows(args.data_dir, args.limit)
    s = Summarizer.from_pretrained()
    arts = [Article(text=r["article"]) for r in rows]
    sents = [list(a.sentences) for a in arts]
    scored = [s.scored_rewrite_picks(a) for a in arts]
    prompts = [q for a, (p, _) in zip(arts, scored) for q in s._sentence_prompts(a, p)]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    cache = out / "copy_validation_rewrites.json"
    key = hashlib.sha256("\n".join(prompts).encode()).hexdigest()[:16]
    cached = json.loads(cache.read_text()) if cache.exists() else {}
    if cached.get("key") != key:
        cached = {"key": key, "rewrites": s.generate(prompts, batch_size=16 * SENTENCE_PROMPTS_PER_ARTICLE)}
        cache.write_text(json.dumps(cached))
    base = s.verified_rewrites(arts, scored, cached["rewrites"], chooser=False)  # the summaries without a chooser
    before = s.verified_rewrites(arts, scored, cached["rewrites"]) if s.config.get("copy_chooser") else None
    refs = [references(r["highlights"]) for r in rows]
    texts = [r["article"] for r in rows]
    feats, where = [], []
    for k, (a, x, (_, sc)) in enumerate(zip(arts, base, scored)):
        kept, X = copy_features(x, sents[k], a.text, sc)
        feats.append(X)
        where += [(k, j) for j in kept]
    X = np.vstack(feats)
    r2_base = np.array(rouge_per_example([x.text for x in base], refs)["rouge2"])
    alt = [put_back(base[k], sents[k], {j}).text for k, j in where]
    story = np.array([k for k, _ in where])
    y = (np.array(rouge_per_example(alt, [refs[k] for k in story])["rouge2"]) > r2_base[story]).astype(int)

    def fit(Xa, ya):
        sc_ = StandardScaler().fit(Xa)
        return sc_, LogisticRegression(C=1.0, max_iter=2000).fit(sc_.transform(Xa), ya)

    p = np.zeros(len(y))
    for f in range(5):  # cross-fitting by story
        tr, te = story % 5 != f, story % 5 == f
        sc_, lr = fit(X[tr], y[tr])
        p[te] = lr.predict_proba(sc_.transform(X[te]))[:, 1]

    def copied(n):  # the summaries with the n most likely copies put back
        back = [where[i] for i in np.argsort(-p, kind="stable")[:n]]
        return [put_back(x, sents[k], {j for kk, j in back if kk == k}) for k, x in enumerate(base)]

    def novelty(n):
        return compute_novel_bigrams([x.text for x in copied(n)], texts)["novel_bigram_rate"]

    lo, hi = 0, len(y)  # the most copies that keep novelty >= COPY_MIN_NOVELTY (bisection; novelty falls with copies)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if novelty(mid) >= COPY_MIN_NOVELTY else (lo, mid - 1)
    threshold = float(np.sort(p)[::-1][lo - 1]) if lo else 1.0

    def report(summaries):
        return {**rouge_means(rouge_per_example([x.text for x in summaries], refs)),
                **compute_novel_bigrams([x.text for x in summaries], texts), **compute_guard_share(summaries),
                "copies": sum(z.kind == "extracted" for x in summaries for z in x.sentences)}

    sc_, lr = fit(X, y)
    chooser = {"features": list(FEATURES), "mean": sc_.mean_.tolist(), "scale": sc_.scale_.tolist(),
               "coef": lr.coef_[0].tolist(), "intercept": float(lr.intercept_[0]), "threshold": threshold,
               "fitted_on": f"{len(y)} kept rewrites of {len(rows)} CNN validation stories",
               "out_of_fold_auc": round(float(roc_auc_score(y, p)), 4), "min_novelty": COPY_MIN_NOVELTY,
               "validation": {"without": report(base), "cross_fitted": report(copied(lo)),
                              # the chooser installed before this run, on the same rewrites
                              **({"installed_before": report(before)} if before is not None else {})},
               "seconds": round(time.time() - t0, 1),
               "command": "python training/summarizer/chooser.py --data-dir ../shared/data --out runs/summarizer"
                          + (f" --limit {args.limit}" if args.limit else "")}
    print(json.dumps({k: v for k, v in chooser.items() if k not in ("mean", "scale", "coef")}, indent=1), flush=True)
    (RESULTS / "summarizer_copy.json").write_text(json.dumps(chooser, indent=2) + "\n")
    if args.install:
        install(lambda cfg: cfg.update({"version": SUMMARIZER_VERSION, "copy_chooser": chooser}))
    return chooser


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-dir", default=None, help=DATA_DIR_HELP)
    p.add_argument("--out", default="runs/summarizer")
    p.add_argument("--limit", type=int, default=None, help="first N validation stories (default: all)")
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--install", action="store_true", help="write the chooser into newsml/models/summarizer")
    args = p.parse_args(argv)
    args.data_dir = data_root(args.data_dir, need=["cnn_dailymail"])
    return fit_chooser(args)


if __name__ == "__main__":
    main()
