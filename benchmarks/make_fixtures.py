"""Write benchmarks/fixtures/sample_articles.jsonl: a few dozen test-split articles with gold labels.

    python -m benchmarks.make_fixtures --data-dir ../shared/data

Deterministic: the first rows by SHA-256 of their text, per dataset. Test splits only (these are for
reporting, never for choosing models). Each line: {"id", "task", "title", "text", "label"|"claim"+"stance"|"reference"}.
"""

import argparse
import csv
import gzip
import hashlib
import json
from pathlib import Path

OUT = Path(__file__).parent / "fixtures" / "sample_articles.jsonl"


def _pick(rows, key, n):
    return sorted(rows, key=lambda r: hashlib.sha256(key(r).encode()).hexdigest())[:n]


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default="../shared/data")
    a = ap.parse_args(argv)
    d = Path(a.data_dir)
    rd = lambda p: [json.loads(x) for x in gzip.open(p, "rt", encoding="utf-8")]  # noqa: E731
    out = []
    for r in _pick(rd(d / "ag_news" / "newsml_test.jsonl.gz"), lambda r: r["text"], 8):
        out.append({"id": "ag-" + hashlib.sha256(r["text"].encode()).hexdigest()[:8], "task": "topic", "dataset": "ag_news",
                    "title": r["title"], "text": r["text"], "label": r["label"]})
    for r in _pick(rd(d / "bbc_news" / "test.jsonl.gz"), lambda r: r["id"], 8):
        out.append({"id": "bbc-" + r["id"].replace("/", "-"), "task": "topic", "dataset": "bbc_news", "title": r["title"],
                    "text": r["text"], "label": r["label"]})
    op = lambda n: gzip.open(d / "fnc1" / n, "rt", encoding="utf-8", newline="")  # noqa: E731
    bodies = {r["Body ID"]: r["articleBody"] for r in csv.DictReader(op("competition_test_bodies.csv.gz"))}
    st = list(csv.DictReader(op("competition_test_stances.csv.gz")))
    for lab in ("agree", "disagree", "discuss", "unrelated"):
        for r in _pick([s for s in st if s["Stance"] == lab], lambda r: r["Headline"] + r["Body ID"], 2):
            out.append({"id": f"fnc-{lab}-{r['Body ID']}", "task": "stance", "dataset": "fnc1", "text": bodies[r["Body ID"]],
                        "claim": r["Headline"], "stance": lab})
    for r in _pick(rd(d / "cnn_dailymail" / "test.jsonl.gz"), lambda r: r["id"], 8):
        out.append({"id": r["id"], "task": "summary", "dataset": "cnn_dailymail", "text": r["article"],
                    "reference": r["highlights"]})
    OUT.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in out))
    print(f"{len(out)} articles -> {OUT}")


if __name__ == "__main__":
    main()
