"""How `newsml.topic_fewshot`'s defaults were chosen: a few recipes on validation draws, never on test rows.

    python training/fewshot_recipe.py --data-dir ../shared/data            # -> training/results/fewshot_recipe.json

Draws come from the *train* splits only: for AG News (newsml split) and BBC, `shots` examples per label to fit on,
and 50 other train rows per label to score on (seeds 100+, so the benchmark's draws, seeds 0-4, are not these).
Each recipe tunes MiniLM once per draw; head-only settings (C, the TF-IDF weight) reuse that tuning.
`frozen` is the same heads on untuned MiniLM: what the contrastive tuning adds.

Run on 2026-11-27 (seed 100 only: each tuning costs 0.5-3.5 minutes on 2 busy cores), macro-F1 on the validation
draw (`training/results/fewshot_recipe.json`). Chosen: `default` (tau 0.1, lr 5e-4, C 1, TF-IDF weight 0.2, no
untuned-MiniLM head), the best or within 0.5 point of the best in every cell. Tuning beat `frozen` by 6.0 (AG 8),
1.5 (AG 64) and 3.2 (BBC 8) points, but lost 1.3 points on BBC 64 (0.963 vs 0.976): with 64 long articles a
label, tuning on their first 128 tokens can cost. Adding an untuned-MiniLM head (`frozen_weight` 0.2) moved the
four cells by 0, +0.5, -0.4, +0.4 points: within noise, for a second encoder pass at prediction; left out.

Follow-up after the benchmark showed newsml below SetFit on every AG News 8-shot draw (validation draws again,
seeds 101-104, `--datasets ag_news --shots 8 --recipes default,steps12`): half the steps (`steps12`) 0.802 vs
0.800 for the default, no TF-IDF head 0.808 vs 0.800 (seed 100 had it the other way, 0.811 vs 0.827): neither
explains the gap; the default stays, and the gap is reported as open.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from evaluation.data_readers import row_text, topic_rows  # noqa: E402
from evaluation.datasets import data_root  # noqa: E402

OUT = Path(__file__).parent / "results" / "fewshot_recipe.json"
RECIPES = {  # name -> FewShotConfig overrides for the tuning (None: no tuning)
    "frozen": None,
    "default": {},
    "tau0.05": {"tau": 0.05},
    "lr2e-4": {"lr": 2e-4},
    "steps x2": {"epochs": 16, "min_steps": 48},
    "steps12": {"min_steps": 12},  # fewer passes over the smallest sets (8 shots x 4 labels: 12 instead of 24)
}
HEADS = [{"C": 1.0, "tfidf_weight": 0.2}, {"C": 1.0, "tfidf_weight": 0.0}, {"C": 10.0, "tfidf_weight": 0.2},
         {"C": 10.0, "tfidf_weight": 0.0}, {"C": 1.0, "tfidf_weight": 0.2, "frozen_weight": 0.4},
         {"C": 1.0, "tfidf_weight": 0.2, "frozen_weight": 0.2}]


def head_names() -> list[str]:
    return [f"C{h['C']}|tfidf{h['tfidf_weight']}" + (f"|frozen{h['frozen_weight']}" if "frozen_weight" in h else "")
            for h in HEADS]


def draw(rows, shots: int, n_val: int, seed: int):
    rng = np.random.default_rng(seed)
    train, val = [], []
    for lab in sorted({r["label"] for r in rows}):
        pool = [r for r in rows if r["label"] == lab]
        idx = rng.permutation(len(pool))
        train += [pool[i] for i in idx[:shots]]
        val += [pool[i] for i in idx[shots : shots + n_val]]
    return train, val


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--datasets", default="ag_news,bbc_news")
    ap.add_argument("--shots", default="8,64")
    ap.add_argument("--seeds", default="100,101")
    ap.add_argument("--recipes", default=",".join(RECIPES))
    a = ap.parse_args(argv)
    import torch
    from sklearn.metrics import f1_score

    from newsml.topic_fewshot import FewShotConfig, _with_heads, tune_encoder

    torch.set_num_threads(2)
    data_dir = data_root(a.data_dir, need=a.datasets.split(","))
    results = json.loads(OUT.read_text()) if OUT.exists() else {}
    for ds in a.datasets.split(","):
        rows = topic_rows(data_dir, "train", ds)
        for shots in map(int, a.shots.split(",")):
            for seed in map(int, a.seeds.split(",")):
                train, val = draw(rows, shots, 50, seed)
                names = sorted({r["label"] for r in train})
                texts, y = [row_text(r) for r in train], np.array([names.index(r["label"]) for r in train])
                vt, vy = [row_text(r) for r in val], np.array([names.index(r["label"]) for r in val])
                for recipe in a.recipes.split(","):
                    key = f"{ds}|{shots}|{seed}|{recipe}"
                    if key in results and all(k in results[key] for k in head_names()):
                        continue
                    cfg = replace(FewShotConfig(seed=seed), **(RECIPES[recipe] or {}))
                    t0 = time.time()
                    lora = tune_encoder(texts, y, cfg, progress=False) if RECIPES[recipe] is not None else {}
                    tune_s = time.time() - t0
                    res = {"tuning_seconds": round(tune_s, 1)}
                    for h in HEADS:
                        c = replace(cfg, **h)
                        clf, _ = _with_heads(texts, y, names, lora, c, "dev", "0", None)
                        pred = clf.predict_proba(vt).argmax(1)
                        res[head_names()[HEADS.index(h)]] = round(float(f1_score(vy, pred, average="macro")), 4)
                    results[key] = res
                    print(key, res, flush=True)
                    OUT.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    summary = {}
    for key, res in results.items():
        ds, shots, _, recipe = key.split("|")
        for h, v in res.items():
            summary.setdefault(f"{ds}|{shots}|{recipe}|{h}", []).append(v)
    for k, v in sorted(summary.items()):
        print(f"{k:60s} {np.mean(v):.4f} (n={len(v)})")


if __name__ == "__main__":
    main()
