"""NLI benchmark: newsml's cross-encoder beside two baselines that cannot read the premise properly.

    python -m benchmarks.nli --data-dir ../shared/data                  # the shipped model
    python -m benchmarks.nli --data-dir ../shared/data --model runs/nli/selected --max-rows 3000
    python -m benchmarks.nli --data-dir ../shared/data --rows .gpu/rows --max-rows 1500   # 2.0: baselines on its rows

For every report set (evaluation/data_readers.NLI_REPORT, never trained on) and the selection set: accuracy of
the model, of a hypothesis-only baseline (TF-IDF + logistic regression on the claim alone) and of a
word-overlap baseline (logistic regression on overlap / negation / number / length features of the pair),
both fit on the model's own training pool (`--rows`: the rows `training/train_nli.py --export-rows` wrote; else
stage A's pool), and NLI 1.0 (read from git) in the same run. A model far above the hypothesis-only baseline reads the premise.
Binary sets score entailment against the other two labels summed. Results: benchmarks/results/nli-<device>-<date>.json/.md.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time
from datetime import date
from pathlib import Path

import numpy as np

from evaluation.data_readers import (
    NLI_LABELS,
    NLI_POOL_CAPS,
    NLI_REPORT,
    NLI_SELECT,
    nli_correct,
    nli_train_pool,
    read_jsonl,
    read_nli,
)
from evaluation.datasets import DATA_DIR_HELP, data_root

ROOT = Path(__file__).resolve().parents[1]
NEG = {"not", "no", "never", "nobody", "nothing", "none", "n't", "without", "neither", "nor"}


def _words(s: str) -> list[str]:
    return re.findall(r"[a-z0-9]+|n't", s.lower())


def overlap_features(premise: str, hypothesis: str) -> list[float]:
    p, h = _words(premise), _words(hypothesis)
    ps, hs = set(p), set(h)
    nums_p, nums_h = {w for w in ps if w.isdigit()}, {w for w in hs if w.isdigit()}
    return [
        len(hs & ps) / max(1, len(hs)), len(hs & ps) / max(1, len(ps)), len(hs - ps) / max(1, len(hs)),
        sum(w in NEG for w in p), sum(w in NEG for w in h), float((sum(w in NEG for w in p) > 0) != (sum(w in NEG for w in h) > 0)),
        float(bool(nums_h - nums_p)), np.log1p(len(p)), np.log1p(len(h)), len(h) / max(1, len(p)),
    ]


def fit_baselines(pool: list[dict]):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    three = [r for r in pool if len(r["allowed"]) == 1]
    y = [r["allowed"][0] for r in three]
    vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    Xh = vec.fit_transform([r["hypothesis"] for r in three])
    hyp = LogisticRegression(max_iter=2000, C=1.0).fit(Xh, y)
    Xo = np.array([overlap_features(r["premise"], r["hypothesis"]) for r in three])
    mu, sd = Xo.mean(0), Xo.std(0) + 1e-9
    ovl = LogisticRegression(max_iter=2000).fit((Xo - mu) / sd, y)
    return {
        "hypothesis_only": lambda rows: hyp.predict_proba(vec.transform([r["hypothesis"] for r in rows])),
        "word_overlap": lambda rows: ovl.predict_proba((np.array([overlap_features(r["premise"], r["hypothesis"])
                                                                  for r in rows]) - mu) / sd),
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", default=None, help=DATA_DIR_HELP)
    ap.add_argument("--model", default=None, help="NLI model folder (default: the shipped one)")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--max-rows", type=int, default=3000, help="rows per set (a seeded sample); MNLI-matched always whole")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    ap.add_argument("--rows", default=None, help="fit the baselines on these training rows (train_nli.py --export-rows)")
    ap.add_argument("--no-previous", action="store_true", help="skip NLI 1.0 (read from git) beside the model")
    args = ap.parse_args(argv)
    args.data_dir = data_root(args.data_dir, need=["nli"])
    from evaluation.previous_models import earlier_folder
    from newsml.nli import NLIModel

    data_dir = Path(args.data_dir)
    model = NLIModel.from_pretrained(args.model, device=args.device)
    previous = None if args.no_previous else NLIModel.from_pretrained(
        earlier_folder("nli", ROOT / "runs" / "previous_models"), device=args.device)
    t0 = time.time()
    if args.rows:
        pool = list(read_jsonl(Path(args.rows) / "train.jsonl.gz"))
    else:
        pool = nli_train_pool(data_dir, NLI_POOL_CAPS, seed=0)  # stage A's pool (seed 0)
    baselines = fit_baselines(pool)
    print(f"baselines fit in {time.time() - t0:.0f}s", flush=True)
    results, n_pairs, seconds = {}, 0, 0.0
    for folder, split in NLI_SELECT + NLI_REPORT:
        rows = read_nli(data_dir, folder, split)
        if folder != "mnli" and len(rows) > args.max_rows:
            rows = random.Random(0).sample(rows, args.max_rows)
        t = time.time()
        P = model.predict_proba([(r["premise"], r["hypothesis"]) for r in rows])
        seconds += time.time() - t
        n_pairs += len(rows)
        res = {"n": len(rows), "newsml": float(nli_correct(P, rows).mean())}
        if previous is not None:
            res["nli_1.0"] = float(nli_correct(previous.predict_proba([(r["premise"], r["hypothesis"]) for r in rows]),
                                               rows).mean())
        for name, fn in baselines.items():
            res[name] = float(nli_correct(fn(rows), rows).mean())
        res["role"] = "selection" if (folder, split) in NLI_SELECT else "report"
        results[f"{folder}/{split}"] = res
        print(f"{folder}/{split}: {json.dumps(res)}", flush=True)
    out = {"model": model.model_id, "device": args.device, "date": date.today().isoformat(),
           "labels": list(NLI_LABELS), "results": results, "pairs_per_second": round(n_pairs / seconds, 1),
           "command": "python -m benchmarks.nli " + " ".join(argv if argv is not None else __import__("sys").argv[1:])}
    dest = Path(args.out)
    dest.mkdir(parents=True, exist_ok=True)
    stem = dest / f"nli-{args.device}-{out['date']}"
    stem.with_suffix(".json").write_text(json.dumps(out, indent=2))
    lines = [f"# NLI benchmark ({out['model']}, {args.device}, {out['date']})", "",
             "| set | role | n | newsml | NLI 1.0 | hypothesis-only | word overlap |", "|---|---|---|---|---|---|---|"]
    lines += [f"| {k} | {v['role']} | {v['n']} | {v['newsml']:.3f} | {v.get('nli_1.0', float('nan')):.3f} | "
              f"{v['hypothesis_only']:.3f} | {v['word_overlap']:.3f} |" for k, v in results.items()]
    lines += ["", f"Speed: {out['pairs_per_second']} pairs/s. Command: `{out['command']}`"]
    stem.with_suffix(".md").write_text("\n".join(lines) + "\n")
    print(f"wrote {stem}.json/.md", flush=True)


if __name__ == "__main__":
    main()
