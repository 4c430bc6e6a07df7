"""Batch-scoring benchmark: records/s for `python -m newsml.score` (local, --workers N, Ray) and peak RSS.

    python -m benchmarks.score_bench --records 200 --engines local,workers2,ray
    python -m benchmarks.score_bench --rss-records 100000        # flat memory check, topic only

Records are the quick suite's 32 sample articles (benchmarks/fixtures/sample_ids.json, their text read from
`--data-dir`, default ../shared/data) repeated with fresh ids. Peak RSS is the largest sum of RSS over the
scoring process tree, sampled every 0.2 s from /proc. Writes benchmarks/results/score-cpu-<date>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from evaluation.datasets import DATA_DIR_HELP, data_root
from evaluation.samples import load_samples

HERE = Path(__file__).parent


def _tree_rss_mb(pid: int) -> float:
    """RSS of `pid` and all its descendants (Linux /proc)."""
    total, todo, seen = 0, [pid], set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            for t in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{t}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except (OSError, ValueError):
            continue
    return total / 1024


def make_records(path: Path, n: int, rows: list[dict], short: bool = False) -> None:
    """`n` scoring records {"id", "title", "text"} cycling through the sample articles `rows`."""
    with open(path, "w") as f:
        for i in range(n):
            r = rows[i % len(rows)]
            text = r["text"][:300] if short else r["text"]
            f.write(json.dumps({"id": f"rec{i}", "title": r.get("title", ""), "text": text}) + "\n")


def run_cli(args: list[str]) -> dict:
    t0 = time.time()
    p = subprocess.Popen([sys.executable, "-m", "newsml.score", *args], stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    peak = 0.0
    while p.poll() is None:
        peak = max(peak, _tree_rss_mb(p.pid))
        time.sleep(0.2)
    err = p.stderr.read()
    last = [x for x in err.splitlines() if x.startswith("{")]
    summary = json.loads(last[-1]) if last else {"error": err[-2000:]}
    return {**summary, "wall_s": time.time() - t0, "peak_rss_mb": peak, "returncode": p.returncode}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=96)
    ap.add_argument("--engines", default="local,workers2,ray")
    ap.add_argument("--components", default="topic,stance;topic,stance,summary")
    ap.add_argument("--rss-records", type=int, default=0, help="also score this many short records, topic only")
    ap.add_argument("--data-dir", default=None, help="the shared datasets the sample articles are read from: "
                    + DATA_DIR_HELP)
    a = ap.parse_args(argv)
    try:
        rows = load_samples(data_root(a.data_dir))
    except FileNotFoundError as e:
        raise SystemExit(f"score_bench: {e}") from None
    out = {"date": dt.date.today().isoformat(), "cores": os.cpu_count(), "runs": []}
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.jsonl"
        make_records(src, a.records, rows)
        for comps in a.components.split(";"):
            n = a.records if "summary" not in comps else max(8, a.records // 8)
            make_records(src, n, rows)
            for eng in a.engines.split(","):
                extra = {"local": [], "workers2": ["--workers", "2"],
                         "ray": ["--engine", "ray", "--ray-actors", "2"]}[eng]
                dst = Path(tmp) / f"out-{eng}.jsonl"
                dst.unlink(missing_ok=True)
                res = run_cli([str(src), "-o", str(dst), "--components", comps, "--batch-size", "8", *extra])
                res.update(engine=eng, components=comps, records_in=n)
                print(json.dumps(res), flush=True)
                out["runs"].append(res)
        if a.rss_records:
            big = Path(tmp) / "big.jsonl"
            make_records(big, a.rss_records, rows, short=True)
            res = run_cli([str(big), "-o", str(Path(tmp) / "big-out.jsonl"), "--components", "topic", "--batch-size", "64"])
            res.update(engine="local", components="topic", records_in=a.rss_records)
            out["rss_run"] = res
            print(json.dumps(res), flush=True)
    dst = HERE / "results" / f"score-cpu-{out['date']}.json"
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_text(json.dumps(out, indent=2))
    print(dst)


if __name__ == "__main__":
    main()
