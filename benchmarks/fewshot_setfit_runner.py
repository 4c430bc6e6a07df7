"""One SetFit training run for `benchmarks/fewshot.py`, run with the SetFit venv's python (never newsml's).

    runs/setfit-venv/bin/python benchmarks/fewshot_setfit_runner.py IN.json OUT.json

IN.json: {"model": MiniLM folder, "seed": int, "threads": int, "train_texts": [...], "train_labels": [...],
"test_texts": [...]}. OUT.json: {"predictions": [label per test text], "fit_seconds", "fit_cpu_seconds", "load_seconds",
"train_seconds", "predict_seconds", "n_pairs", "steps", "versions", "args"}.

The recipe is SetFit's default, `TrainingArguments()` with only `seed` set (and `output_dir` pointed at a
temporary folder, so its checkpoints, which the default recipe saves every 500 steps, land nowhere in the
repository; where they go does not change training). `fit_seconds` = loading the pretrained body + training
(`load_seconds` + `train_seconds`), the span newsml's `fit_topic` covers too; `fit_cpu_seconds` = the process's
CPU time over the same span (all threads), which other jobs on a shared machine inflate less than wall time. The SetFit stack lives in its own
venv so it cannot disturb newsml's pins: this file imports nothing from newsml and must stay importable there.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time


def run(job: dict) -> dict:
    """Train SetFit on `job`'s examples with the default recipe and predict its test texts."""
    threads = int(job.get("threads", 2))
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # offline: the body is a local folder
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import torch

    torch.set_num_threads(threads)
    import datasets
    import sentence_transformers
    import setfit
    import transformers
    from datasets import Dataset
    from setfit import SetFitModel, Trainer, TrainingArguments
    from setfit.sampler import ContrastiveDataset

    labels = sorted(set(job["train_labels"]))  # SetFit is trained on integer ids; mapped back below
    y = [labels.index(x) for x in job["train_labels"]]
    with tempfile.TemporaryDirectory(prefix="setfit-ckpt-") as out_dir:
        args = TrainingArguments(output_dir=out_dir, seed=int(job["seed"]))
        t0, c0 = time.perf_counter(), time.process_time()
        model = SetFitModel.from_pretrained(job["model"])
        t1 = time.perf_counter()
        trainer = Trainer(model=model, args=args,
                          train_dataset=Dataset.from_dict({"text": list(job["train_texts"]), "label": y}))
        trainer.train()
        t2, c2 = time.perf_counter(), time.process_time()
    ids = model.predict(list(job["test_texts"]), as_numpy=True, use_labels=False)
    t3 = time.perf_counter()
    # the number of contrastive pairs the default sampler built (the cost driver), recomputed the sampler's way
    n_pairs = len(ContrastiveDataset(list(job["train_texts"]), y, None, args.num_iterations, args.sampling_strategy))
    batch = args.embedding_batch_size
    return {
        "predictions": [labels[int(i)] for i in ids],
        "fit_seconds": t2 - t0, "fit_cpu_seconds": c2 - c0, "load_seconds": t1 - t0, "train_seconds": t2 - t1, "predict_seconds": t3 - t2,
        "n_pairs": n_pairs, "steps": -(-n_pairs // batch) * args.embedding_num_epochs, "threads": torch.get_num_threads(),
        "versions": {"setfit": setfit.__version__, "sentence_transformers": sentence_transformers.__version__,
                     "transformers": transformers.__version__, "torch": torch.__version__,
                     "datasets": datasets.__version__},
        "args": {k: repr(v) for k, v in sorted(vars(args).items()) if not k.startswith("_")},
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2:
        print("usage: fewshot_setfit_runner.py IN.json OUT.json", file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as f:
        job = json.load(f)
    missing = {"model", "seed", "train_texts", "train_labels", "test_texts"} - set(job)
    if missing:
        print(f"IN.json lacks the keys {sorted(missing)}", file=sys.stderr)
        return 2
    with open(argv[1], "w", encoding="utf-8") as f:
        json.dump(run(job), f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
