"""Stance 2.x beside 1.0 in one run: realistic claims, the fixture pages' own headlines, and speed.

    python -m benchmarks.stance_compare --data-dir ../shared/data

- quality: the hand-written claims dev set (benchmarks/fixtures/claims_dev, 288 claims on 70 CNN validation
  stories): accuracy, macro-F1 and per-class F1 (95% interval of accuracy by bootstrapping stories);
- speed on this machine: claim-article pairs/s for the headline default (each CNN story's first dev claim
  stands in for its headline: one claim per article, the article encoded for it alone), and
  `analyze_batch(components=["topic", "stance"])` articles/s on the same stories; both models measured in the
  same process, one after the other, so the ratio is the number to read (machines here differ by up to 2x).
Results: benchmarks/results/stance-compare-<device>-<date>.json/.md.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import date
from pathlib import Path

import numpy as np

from evaluation.data_readers import cnn_path, read_jsonl
from evaluation.datasets import DATA_DIR_HELP, data_root, require_shared_ids
from evaluation.metrics import compute_classification
from evaluation.previous_models import earlier_folder

ROOT = Path(__file__).resolve().parents[1]
LABELS = ["agree", "disagree", "discuss", "unrelated"]


def claims_dev(data_dir: Path):
    require_shared_ids(data_dir, "the claims dev set (benchmarks/fixtures/claims_dev)")
    stories = {r["id"]: r for r in read_jsonl(cnn_path(data_dir, "validation"))}
    by_story: dict[str, list] = {}
    for c in read_jsonl(ROOT / "benchmarks/fixtures/claims_dev/claims.jsonl"):
        by_story.setdefault(c["story_id"], []).append(c)
    ids = sorted(by_story)
    return [stories[i]["article"] for i in ids], [by_story[i] for i in ids]


def quality(clf, arts, claims) -> dict:
    res = clf.predict_many(arts, [[c["claim"] for c in cs] for cs in claims])
    pred = [r.label for rs in res for r in rs]
    gold = [c["label"] for cs in claims for c in cs]
    m = compute_classification(pred, gold, LABELS)
    per_story = [(sum(r.label == c["label"] for r, c in zip(rs, cs)), len(cs)) for rs, cs in zip(res, claims)]
    rng = np.random.default_rng(0)
    boots = []
    for _ in range(1000):
        idx = rng.integers(0, len(per_story), len(per_story))
        boots.append(sum(per_story[i][0] for i in idx) / sum(per_story[i][1] for i in idx))
    kinds: dict[str, list] = {}
    for rs, cs in zip(res, claims):
        for r, c in zip(rs, cs):
            kinds.setdefault(c["kind"], []).append(r.label == c["label"])
    return {"accuracy": m["accuracy"], "accuracy_ci95": [float(np.quantile(boots, 0.025)), float(np.quantile(boots, 0.975))],
            "macro_f1": m["macro_f1"], "per_class_f1": m.get("per_class_f1") or m.get("f1"),
            "accuracy_by_kind": {k: float(np.mean(v)) for k, v in sorted(kinds.items())}, "n": len(gold)}


def speed(clf, arts, claims, device) -> dict:
    from newsml import Analyzer
    from newsml.article import to_article

    docs = [to_article({"text": a}) for a in arts]
    heads = [[cs[0]["claim"]] for cs in claims]
    clf.predict_many(docs[:2], heads[:2])  # warm up (model loading)
    t0 = time.perf_counter()
    for d, h in zip(docs, heads):
        clf.predict_many([d], [h])
    pairs = len(docs) / (time.perf_counter() - t0)
    an = Analyzer(stance=clf, device=device)
    titled = [{"title": h[0], "text": a} for h, a in zip(heads, arts)]
    an.analyze_batch(titled[:2], components=["topic", "stance"])
    t0 = time.perf_counter()
    an.analyze_batch(titled, components=["topic", "stance"], batch_size=8)
    return {"headline_pairs_per_s": pairs, "analyze_topic_stance_articles_per_s": len(titled) / (time.perf_counter() - t0)}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", default=None, help=DATA_DIR_HELP)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--model", default=None, help="the stance folder to measure (default: the shipped one)")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    ap.add_argument("--cache", default=str(ROOT / "runs" / "previous_models"))
    args = ap.parse_args(argv)
    args.data_dir = data_root(args.data_dir, need=["cnn_dailymail"])
    from newsml.encoder import SentenceEncoder
    from newsml.stance import StanceClassifier

    enc = SentenceEncoder(device=args.device)
    arts, claims = claims_dev(Path(args.data_dir))
    models = {"new": StanceClassifier.from_pretrained(args.model, device=args.device, encoder=enc),
              "1.0": StanceClassifier.from_pretrained(earlier_folder("stance", Path(args.cache)), device=args.device, encoder=enc)}
    out = {"date": date.today().isoformat(), "device": args.device, "models": {}}
    for name, clf in models.items():
        q = quality(clf, arts, claims)
        s = speed(clf, arts, claims, args.device)
        out["models"][name] = {"model": clf.model_id, "claims_dev": q, "speed": s}
        print(name, clf.model_id, json.dumps({"accuracy": q["accuracy"], **s}), flush=True)
    new, old = out["models"]["new"]["speed"], out["models"]["1.0"]["speed"]
    out["speed_ratio_new_over_1.0"] = {k: new[k] / old[k] for k in new}
    out["command"] = "python -m benchmarks.stance_compare " + " ".join(argv if argv is not None else __import__("sys").argv[1:])
    dest = Path(args.out)
    dest.mkdir(parents=True, exist_ok=True)
    stem = dest / f"stance-compare-{args.device}-{out['date']}"
    stem.with_suffix(".json").write_text(json.dumps(out, indent=2))
    rows = ["| model | claims-dev accuracy [95% CI] | macro-F1 | agree / disagree / discuss / unrelated F1 | headline pairs/s | analyze topic+stance articles/s |",
            "|---|---|---|---|---|---|"]
    for m in out["models"].values():
        q, s = m["claims_dev"], m["speed"]
        f1 = " / ".join(f"{q['per_class_f1'][lab]:.2f}" for lab in LABELS)
        rows.append(f"| {m['model']} | {q['accuracy']:.3f} [{q['accuracy_ci95'][0]:.3f}, {q['accuracy_ci95'][1]:.3f}] | "
                    f"{q['macro_f1']:.3f} | {f1} | {s['headline_pairs_per_s']:.2f} | {s['analyze_topic_stance_articles_per_s']:.2f} |")
    ratio = out["speed_ratio_new_over_1.0"]
    rows += ["", f"Speed ratio new / 1.0: headline pairs {ratio['headline_pairs_per_s']:.2f}x, analyze topic+stance "
             f"{ratio['analyze_topic_stance_articles_per_s']:.2f}x. Command: `{out['command']}`"]
    stem.with_suffix(".md").write_text("\n".join(rows) + "\n")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
