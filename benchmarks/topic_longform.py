"""Topic on real long-form news: the labelled CNN set of issue 28 (`fixtures/topic_longform`), one split.

    python -m benchmarks.topic_longform --data-dir ../shared/data --split dev
    python -m benchmarks.topic_longform --data-dir ../shared/data --split test --compare runs/topic_lf/topic_1.2

The stories are read from `../shared/data/cnn_dailymail/train.jsonl.gz` by id (the repository holds ids and
labels only). Every model in the run (the shipped one, each `--compare` folder, and the TF-IDF + LR baseline
fit on AG News + BBC train, as in `benchmarks/run.py`) is scored on the same stories:

- `macro_f1_six`: macro-F1 over the six topic labels, on the stories whose gold label is not `other`, with the
  model's top label among the six (its topic decision before any abstention); `world_recall` on the same rows;
- `macro_f1_six_abstain`: the same, an abstention (`other`) counted as an error;
- `accuracy_incl_other`: accuracy over every story of the split, `other` included; a model abstains (answers
  `other`) only where its config has an abstention threshold (1.3 on), the baseline never does;
- `ece`: of the six-label probabilities on the six-label stories, beside `ece_floor` (the ECE a perfectly
  calibrated model with the same probabilities would show on this many stories: mean and 95th percentile over
  label draws, `evaluation.metrics.compute_ece_floor`); the confusion matrix; articles per second for
  `predict` (story parsing, every head, evidence) on this split's stories; with `--speed-every k`, also
  `predict_proba` articles/s on every k-th AG News + BBC test row (the rows benchmarks/run.py times), per model.

1.2, the model before this set existed, is not shipped any more: pass its folder with `--compare` (recreate it
with `mkdir -p runs/topic_lf/topic_1.2 && git archive ee0d72a newsml/models/topic | tar -x --strip-components=3
-C runs/topic_lf/topic_1.2`).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evaluation.data_readers import TOPIC_MAP, cnn_path, read_jsonl, row_text, topic_rows  # noqa: E402
from evaluation.datasets import DATA_DIR_HELP, data_root, require_shared_ids  # noqa: E402
from evaluation.metrics import compute_classification, compute_ece, compute_ece_floor, compute_macro_f1_ci  # noqa: E402

LABELS_FILE = ROOT / "benchmarks" / "fixtures" / "topic_longform" / "labels.jsonl"
SIX = ["world", "politics", "business", "sport", "science_technology", "entertainment"]


SPLITS = ("train", "train_extra", "dev", "test", "dev2", "test2")  # dev2 / test2: training/plans/topic_calibration_sets.md


def read_longform(data_dir: Path, split: str) -> list[dict]:
    """{"id", "label", "hard", "text"} for the labelled stories of `split`: one of SPLITS, or several joined by "+"
    ("test+test2": the stories of both, pooled)."""
    parts = split.split("+")
    if not all(p in SPLITS for p in parts):
        raise ValueError(f"split must be one of {', '.join(SPLITS)} (or several joined by '+'), got {split!r}")
    rows = [json.loads(x) for x in LABELS_FILE.read_text().splitlines() if x.strip()]
    rows = [r for r in rows if r["split"] in parts]
    require_shared_ids(data_dir, f"the long-form topic labels ({LABELS_FILE})")
    text = {}
    for source in sorted({r["source"] for r in rows}):  # "cnn_dailymail/train"
        path = cnn_path(data_dir, source.split("/")[1])
        if not path.exists():
            raise FileNotFoundError(f"{path} not found: pass --data-dir pointing at the shared data folder")
        want = {r["id"] for r in rows if r["source"] == source}
        text.update({r["id"]: r["article"] for r in read_jsonl(path) if r["id"] in want})
    return [{"id": r["id"], "label": r["label"], "hard": r["hard"], "text": text[r["id"]]} for r in rows]


def compute_longform(top_six: list[str], answered: list[str], probs: np.ndarray, gold: list[str]) -> dict:
    """The long-form metrics (module docstring) from each story's top label among the six (`top_six`), the
    label the model answers (`answered`: `top_six` or `other`), its six-label probabilities (columns in SIX
    order) and the gold labels."""
    if not (len(top_six) == len(answered) == len(probs) == len(gold)):
        raise ValueError(f"inputs differ in length: [{len(top_six)}, {len(answered)}, {len(probs)}, {len(gold)}]")
    g, t, a = np.asarray(gold), np.asarray(top_six), np.asarray(answered)
    six = g != "other"
    m = compute_classification(t[six], g[six], labels=SIX)
    m_abs = compute_classification(a[six], g[six], labels=SIX)
    y = np.array([SIX.index(x) for x in g[six]])
    world = g == "world"
    cm_labels = SIX + ["other"]
    return {
        "n": int(len(g)), "n_six": int(six.sum()),
        "macro_f1_six": m["macro_f1"], "macro_f1_six_ci95": compute_macro_f1_ci(t[six], g[six], SIX),
        "per_class_f1": m["per_class_f1"], "accuracy_six": m["accuracy"],
        "world_recall": float((t[world] == "world").mean()) if world.any() else 0.0,
        "macro_f1_six_abstain": m_abs["macro_f1"],
        "accuracy_incl_other": float((a == g).mean()),
        "abstained": int((a == "other").sum()),
        "ece": compute_ece(np.asarray(probs)[six], y)["ece"],
        "ece_floor": compute_ece_floor(np.asarray(probs)[six]),  # what a perfectly calibrated model would show here
        "confusion": {"true": cm_labels, "predicted": cm_labels,
                      "counts": [[int(((g == i) & (a == j)).sum()) for j in cm_labels] for i in cm_labels]},
    }


def score_model(path: str | None, stories: list[dict], speed_texts: list[str] = ()) -> dict:
    """Load a TopicClassifier folder (None: the shipped one), predict every story, return its metrics; with
    `speed_texts`, also `predict_proba` articles/s on them (as benchmarks/run.py times the AG + BBC test rows)."""
    from newsml.topic import TopicClassifier

    clf = TopicClassifier.from_pretrained(path)
    docs = [{"text": s["text"]} for s in stories]
    clf.predict(docs[:2])  # warm-up: loads the encoders
    t0 = time.perf_counter()
    res = clf.predict(docs)
    secs = time.perf_counter() - t0
    P = np.array([[dict((x.label, x.score) for x in r.scores)[lab] for lab in SIX] for r in res])
    top = [r.scores[0].label for r in res]
    out = compute_longform(top, [r.label for r in res], P, [s["label"] for s in stories])
    out.update(model=clf.model_id, version=clf.config.get("version"), articles_per_s=len(stories) / secs,
               abstain_below=clf.config.get("abstain_below"))
    if speed_texts:
        t0 = time.perf_counter()
        clf.predict_proba(list(speed_texts))
        out["agbbc_test_articles_per_s"] = len(speed_texts) / (time.perf_counter() - t0)
    return out


def score_baseline(data_dir: Path, stories: list[dict]) -> dict:
    """TF-IDF + LR (sklearn defaults) fit on AG News + BBC train with newsml's six labels (as benchmarks/run.py)."""
    from evaluation.baselines import tfidf_lr_probs

    train = topic_rows(data_dir, "train")
    P = tfidf_lr_probs([row_text(r) for r in train], [SIX.index(TOPIC_MAP[r["label"]]) for r in train],
                       [s["text"] for s in stories], len(SIX))
    top = [SIX[k] for k in P.argmax(1)]
    return {"model": "tfidf_lr_baseline(ag_news+bbc_news train)",
            **compute_longform(top, top, P, [s["label"] for s in stories])}


def run(data_dir: Path, split: str, compare: list[str] | None = None, model: str | None = None,
        speed_every: int = 0) -> dict:
    """Every model's metrics on the split (pure of I/O but the data read): {name: metrics}. `speed_every` k > 0:
    also time each model on every k-th AG News + BBC test row (texts only; their labels are not read)."""
    stories = read_longform(data_dir, split)
    speed_texts = [row_text(r) for r in topic_rows(data_dir, "test")][::speed_every] if speed_every else []
    out = {"split": split, "n": len(stories), "models": {}, "speed_rows": len(speed_texts)}
    for path in [model] + list(compare or []):
        r = score_model(path, stories, speed_texts)
        out["models"][f"{r['model']}" if path is None else str(path)] = r
    out["models"]["baseline_tfidf_lr"] = score_baseline(data_dir, stories)
    return out


def table(result: dict) -> str:
    cols = ["macro_f1_six", "world_recall", "macro_f1_six_abstain", "accuracy_incl_other", "ece", "ece_floor_p95",
            "articles_per_s", "agbbc_test_articles_per_s"]
    lines = ["| model | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for name, m in result["models"].items():
        m = {**m, "ece_floor_p95": (m.get("ece_floor") or {}).get("p95")}
        vals = [f"{m[c]:.4f}" if isinstance(m.get(c), float) else "-" for c in cols]
        lines.append(f"| {name} | " + " | ".join(vals) + " |")
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", default=None, help=DATA_DIR_HELP)
    ap.add_argument("--split", default="dev", help=f"one of {', '.join(SPLITS)}, or several joined by '+' (pooled)")
    ap.add_argument("--model", default=None, help="the model folder to score (default: the shipped one)")
    ap.add_argument("--compare", nargs="*", default=[], help="other TopicClassifier folders (e.g. topic 1.2)")
    ap.add_argument("--speed-every", type=int, default=0, help="k > 0: also time each model on every k-th AG + "
                    "BBC test row (benchmarks/run.py's speed rows), in the same run")
    ap.add_argument("--out", default=None, help="JSON path (default training/results/topic_longform_<split>.json)")
    args = ap.parse_args(argv)
    args.data_dir = data_root(args.data_dir, need=["cnn_dailymail", "ag_news", "bbc_news"])
    res = run(Path(args.data_dir), args.split, args.compare, args.model, args.speed_every)
    res["command"] = "python -m benchmarks.topic_longform " + " ".join(argv if argv is not None else sys.argv[1:])
    out = Path(args.out or ROOT / "training" / "results" / f"topic_longform_{args.split}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=2))
    print(table(res))
    print(f"wrote {out}")
    return res


if __name__ == "__main__":
    main()
