"""Write benchmarks/fixtures/sample_ids.json: the ids of a few dozen test-split articles for the quick suite.

    python -m benchmarks.make_fixtures --data-dir ../shared/data

The file holds ids and keys only, never text: the datasets' terms do not allow copying their articles into the
repository, so `evaluation.samples.load_samples(data_dir)` reads them back at run time.
Deterministic: the first rows by SHA-256 of their text (AG News), id (BBC, CNN) or headline + Body ID (FNC-1,
2 per stance), 8 per dataset. Test splits only (these are for reporting, never for choosing models).
"""

import argparse
import hashlib
import json
from pathlib import Path

from evaluation.data_readers import cnn_path, fnc_split, read_jsonl, topic_rows
from evaluation.samples import IDS_FILE, check_data_dir, text_key

ABOUT = ("Ids of the quick suite's sample articles (python -m benchmarks.make_fixtures). No text: "
         "evaluation.samples.load_samples(data_dir) reads each row from the shared datasets at run time.")


def _pick(rows, key, n):
    return sorted(rows, key=lambda r: hashlib.sha256(key(r).encode()).hexdigest())[:n]


def sample_ids(data_dir: Path) -> list[dict]:
    """The sample entries (id, task, dataset, split and the key that finds the row) chosen from `data_dir`."""
    d = check_data_dir(data_dir)
    out = []
    for r in _pick(topic_rows(d, "test", "ag_news"), lambda r: r["text"], 8):
        out.append({"id": "ag-" + text_key(r["text"]), "task": "topic", "dataset": "ag_news", "split": "test",
                    "text_sha256": text_key(r["text"])})
    for r in _pick(list(read_jsonl(d / "bbc_news" / "test.jsonl.gz")), lambda r: r["id"], 8):
        out.append({"id": "bbc-" + r["id"].replace("/", "-"), "task": "topic", "dataset": "bbc_news", "split": "test",
                    "row_id": r["id"]})
    _, stances = fnc_split(d, "test")
    rows = [{"row": i, "headline": h, "body_id": b, "stance": s} for i, (h, b, s) in enumerate(stances)]
    for lab in ("agree", "disagree", "discuss", "unrelated"):
        for r in _pick([r for r in rows if r["stance"] == lab], lambda r: r["headline"] + r["body_id"], 2):
            out.append({"id": f"fnc-{lab}-{r['body_id']}", "task": "stance", "dataset": "fnc1", "split": "test",
                        "stance_row": r["row"], "body_id": r["body_id"], "stance": lab})
    for r in _pick(list(read_jsonl(cnn_path(d, "test"))), lambda r: r["id"], 8):
        out.append({"id": r["id"], "task": "summary", "dataset": "cnn_dailymail", "split": "test", "row_id": r["id"]})
    return out


def write_ids(samples: list[dict], path: Path = IDS_FILE) -> None:
    """One sample per line, so a changed selection reads as a small diff."""
    lines = ",\n".join("    " + json.dumps(s) for s in samples)
    path.write_text(f'{{\n  "about": {json.dumps(ABOUT)},\n  "samples": [\n{lines}\n  ]\n}}\n', encoding="utf-8")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", default="../shared/data")
    ap.add_argument("--out", default=str(IDS_FILE))
    a = ap.parse_args(argv)
    try:
        samples = sample_ids(Path(a.data_dir))
    except FileNotFoundError as e:
        raise SystemExit(f"make_fixtures: {e}") from None
    write_ids(samples, Path(a.out))
    print(f"{len(samples)} sample ids -> {a.out}")


if __name__ == "__main__":
    main()
