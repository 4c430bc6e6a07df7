"""The summarizer's meaning check: its cost in speed, beside the same summarizer without it, in one run.

    python -m benchmarks.summary_meaning --data-dir ../shared/data --stories 48

Versions 2.5-2.7 differ from 2.4 only by the config's `meaning_check` (the NLI pass over every rewrite; 2.6 on
NLI 2.0) and, in 2.7, `role_check` (a pure function); "off" drops both. This loads the shipped summarizer once and times `summarize` on the first `--stories` CNN test stories with
the check off (= 2.4) and on (the shipped version), alternating off/on/off/on so drift in this machine's speed falls on both; articles/s is the total
over both passes of each. It also reports how many rewrites the check put back. Catch rates on planted errors:
training/train_summary_check.py (training/results/summary_check.json).
Results: benchmarks/results/summary-meaning-<device>-<date>.json.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import date
from pathlib import Path

from evaluation.data_readers import cnn_path, read_jsonl
from evaluation.datasets import DATA_DIR_HELP, data_root

ROOT = Path(__file__).resolve().parents[1]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", default=None, help=DATA_DIR_HELP)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--stories", type=int, default=48)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    args = ap.parse_args(argv)
    args.data_dir = data_root(args.data_dir, need=["cnn_dailymail"])
    from newsml.article import Article
    from newsml.summarize import Summarizer

    s = Summarizer.from_pretrained(device=args.device)
    check, role = s.config.get("meaning_check"), s.config.get("role_check")
    if not check:
        ap.error("the shipped summarizer has no meaning_check (version 2.4): nothing to compare")
    rows = [r for _, r in zip(range(args.stories), read_jsonl(cnn_path(Path(args.data_dir), "test")))]
    arts = [Article(text=r["article"]) for r in rows]
    s.load()
    _ = s.nli.predict_proba([("a", "b")])  # load both models before timing
    s.summarize(arts[:2], batch_size=args.batch_size)
    secs = {"off": 0.0, "on": 0.0}
    copied = {}
    for mode in ("off", "on", "off", "on"):
        s.config.pop("meaning_check", None)
        s.config.pop("role_check", None)
        if mode == "on":
            s.config["meaning_check"], s.config["role_check"] = check, role
        t0 = time.perf_counter()
        res = s.summarize(arts, batch_size=args.batch_size)
        secs[mode] += time.perf_counter() - t0
        copied[mode] = sum(x.kind == "copied" for r in res for x in r.sentences) / max(1, sum(len(r.sentences) for r in res))
    rate = {m: 2 * len(arts) / v for m, v in secs.items()}
    out = {"date": date.today().isoformat(), "device": args.device, "model": s.model_id, "stories": len(arts),
           "batch_size": args.batch_size,
           # check off = version 2.4 (the same generation and exact checks, no NLI pass)
           "articles_per_s_check_off": rate["off"], "articles_per_s_check_on": rate["on"], "ratio": rate["on"] / rate["off"],
           "copied_share_check_off": copied["off"], "copied_share_check_on": copied["on"], "meaning_check": check,
           "role_check": role,
           "command": "python -m benchmarks.summary_meaning " + " ".join(argv if argv is not None else __import__("sys").argv[1:])}
    dest = Path(args.out)
    dest.mkdir(parents=True, exist_ok=True)
    (dest / f"summary-meaning-{args.device}-{out['date']}.json").write_text(json.dumps(out, indent=2))
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
