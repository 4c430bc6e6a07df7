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


# --- NLI (../shared/data/nli): premise/hypothesis pairs --------------------------------------------------
NLI_LABELS = ("entailment", "neutral", "contradiction")
# (folder, file) of every NLI training file (binary files, label not_entailment, train with a set-valued loss)
NLI_TRAIN_FILES = [
    ("snli", "validation"), ("snli", "test"), ("snli_cad", "train"), ("sick", "train"),
    ("conjnli", "train"), ("mnli", "train_taxinli_subset"), ("mnli", "validation_mismatched_taxinli_subset"),
    ("anli", "validation"), ("covid_fact", "train"), ("control", "validation"), ("healthver", "validation"),
    ("fever_symmetric", "validation"), ("fever_nli_binary", "validation"), ("rte_binary", "train"),
]
NLI_SELECT = [("xnli_en", "validation")]  # model selection
NLI_CALIBRATE = [("snli_cad", "validation"), ("sick", "validation")]  # temperature
NLI_REPORT = [  # read after selection, never trained on
    ("mnli", "validation_matched"), ("negation_nli", "test"), ("breaking_nli", "test"), ("snli_cad", "test"),
    ("covid_fact", "test"), ("fever_symmetric", "test"), ("climate_fever", "test"), ("healthver", "test"),
    ("anli", "test"), ("sick", "test"), ("control", "test"),
]


# samples of the largest folders in the training pool (training/train_nli.py's stage A; benchmarks/nli.py fits its
# baselines on the same pool)
NLI_POOL_CAPS = {"snli": 10000, "conjnli": 3000, "fever_nli_binary": 4000}


def nli_correct(P, rows: list[dict]):
    """Per row: whether the predicted probabilities `P` [n, 3] are right. Rows of a binary file score entailment
    (>= 0.5) against the other two labels summed; 3-way rows the argmax against their allowed labels."""
    import numpy as np

    return np.array([(p[0] >= 0.5) == (r["label"] == "entailment") if "binary" in r["source"]
                     else int(np.argmax(p)) in r["allowed"] for p, r in zip(P, rows)], dtype=bool)


def read_nli(data_dir: Path, folder: str, split: str) -> list[dict]:
    """Rows {premise, hypothesis, label, allowed, source} of one NLI file; `allowed` holds the label indices the
    row admits (one for 3-way rows; neutral and contradiction for a binary file's `not_entailment`)."""
    rows = []
    for r in read_jsonl(Path(data_dir) / "nli" / folder / f"{split}.jsonl.gz"):
        lab = r["label"]
        allowed = [1, 2] if lab == "not_entailment" else [NLI_LABELS.index(lab)]
        rows.append({"premise": r["premise"], "hypothesis": r["hypothesis"], "label": lab, "allowed": allowed,
                     "source": f"{folder}/{split}"})
    return rows


def _nli_key(r: dict) -> tuple[str, str]:
    import re

    norm = lambda s: re.sub(r"\W+", " ", s.lower()).strip()  # noqa: E731
    return norm(r["premise"]), norm(r["hypothesis"])


def nli_train_pool(data_dir: Path, caps: dict[str, int], seed: int = 0, files=None) -> list[dict]:
    """The NLI training pool: every file of `files` (default NLI_TRAIN_FILES) minus any pair that also occurs in a
    selection, calibration or report set (normalised text); folders in `caps` sampled down to that many rows."""
    import random

    held = {_nli_key(r) for f, s in NLI_SELECT + NLI_CALIBRATE + NLI_REPORT for r in read_nli(data_dir, f, s)}
    rng = random.Random(seed)
    by_folder: dict[str, list] = {}
    for folder, split in files or NLI_TRAIN_FILES:
        by_folder.setdefault(folder, []).extend(r for r in read_nli(data_dir, folder, split) if _nli_key(r) not in held)
    rows = []
    for folder, rs in by_folder.items():
        cap = caps.get(folder)
        rows += rng.sample(rs, cap) if cap and cap < len(rs) else rs
    return rows
