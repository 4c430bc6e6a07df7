"""Every dataset file newsml trains or is measured on, read in one place (`training/` and `benchmarks/` both use it).

    >>> rows = topic_rows(Path("../shared/data"), "test")       # AG News newsml_test + BBC test
    >>> bodies, stances = fnc_split(Path("../shared/data"), "train")
    >>> refs = [references(r["highlights"]) for r in read_jsonl(cnn_path(data_dir, "validation"))]

Datasets live outside the repository (`--data-dir`, default `../shared/data`); nothing here copies them.
"""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import Iterator
from pathlib import Path

# The default topic taxonomy: each dataset's label -> newsml's (one table, also printed in the model card).
LABEL_MAP = {
    "ag_news": {"World": "world", "Sports": "sport", "Business": "business", "Sci/Tech": "science_technology"},
    "bbc_news": {"business": "business", "sport": "sport", "tech": "science_technology",
                 "politics": "politics", "entertainment": "entertainment"},
}
TOPIC_MAP = {src: label for m in LABEL_MAP.values() for src, label in m.items()}  # every dataset's label -> newsml's
TOPIC_FILES = {"ag_news": {"train": "newsml_train.jsonl.gz", "test": "newsml_test.jsonl.gz"},
               "bbc_news": {"train": "train.jsonl.gz", "test": "test.jsonl.gz"}}


def read_jsonl(path) -> Iterator[dict]:
    """The objects of a JSONL file (gzip when the name ends in .gz), lazily; blank lines skipped."""
    op = gzip.open if str(path).endswith(".gz") else open
    with op(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def row_text(r: dict) -> str:
    """A labelled topic row's classification text, "title. text" (training and the benchmark join rows alike)."""
    return r["title"].strip() + ". " + r["text"].strip()


def topic_rows(data_dir: Path, split: str, dataset: str | None = None) -> list[dict]:
    """{"dataset", "title", "text", "label"} rows of AG News then BBC (or one `dataset`) for "train" or "test";
    `label` is the dataset's own label (TOPIC_MAP gives newsml's)."""
    return [{"dataset": ds, "title": r["title"], "text": r["text"], "label": r["label"]}
            for ds, files in TOPIC_FILES.items() if dataset in (None, ds)
            for r in read_jsonl(Path(data_dir) / ds / files[split])]


def fnc_split(data_dir: Path, split: str) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """FNC-1 "train" or "test" (competition test): ({body id: body}, [(headline, body id, stance)])."""
    pre = "train" if split == "train" else "competition_test"

    def rows(name):
        with gzip.open(Path(data_dir) / "fnc1" / name, "rt", encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))

    bodies = {r["Body ID"]: r["articleBody"] for r in rows(f"{pre}_bodies.csv.gz")}
    stances = [(r["Headline"], r["Body ID"], r["Stance"]) for r in rows(f"{pre}_stances.csv.gz")]
    return bodies, stances


def cnn_path(data_dir: Path, split: str) -> Path:
    """The CNN/DailyMail split file ("train", "validation", "test"): rows {"article", "highlights", ...}."""
    return Path(data_dir) / "cnn_dailymail" / f"{split}.jsonl.gz"


def references(highlights: str) -> str:
    """A story's reference summary for ROUGE: its highlight lines, stripped, one per line."""
    return "\n".join(h.strip() for h in highlights.split("\n") if h.strip())
