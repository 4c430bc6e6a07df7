"""The quick suite's sample articles: ids kept in the repository, text read from the datasets at run time.

    >>> samples = load_samples(Path("../shared/data"))              # 32 dicts, 8 per dataset
    >>> stories = load_samples(data_dir, tasks=("summary",))         # only the CNN stories

`benchmarks/fixtures/sample_ids.json` (written by `python -m benchmarks.make_fixtures`) names a few dozen test-split
rows; the datasets' terms do not allow copying their text into the repository, so each row is found again in
`data_dir` by its key:
- ag_news (`newsml_test`): the first 8 hex digits of the SHA-256 of the row's text (the rows have no id);
- bbc_news (`test`): the row's `id` (`business/001`);
- fnc1 (competition test): the stance row's index in `competition_test_stances.csv` and its Body ID;
- cnn_dailymail (`test`): the row's `id`.

Each sample is a dict {"id", "task", "dataset", ...}: topic rows add "title", "text", "label"; stance rows add
"text" (the body), "claim" (the headline), "stance"; summary rows add "text" (the story) and "reference" (its
highlights as in the data file).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from evaluation.data_readers import cnn_path, fnc_split, read_jsonl, topic_rows
from evaluation.datasets import require_shared_ids

IDS_FILE = Path(__file__).resolve().parents[1] / "benchmarks" / "fixtures" / "sample_ids.json"
TASKS = ("topic", "stance", "summary")
# The data files each task reads (relative to data_dir): what a missing-data message names.
TASK_FILES = {"topic": ("ag_news/newsml_test.jsonl.gz", "bbc_news/test.jsonl.gz"),
              "stance": ("fnc1/competition_test_stances.csv.gz", "fnc1/competition_test_bodies.csv.gz"),
              "summary": ("cnn_dailymail/test.jsonl.gz",)}


def text_key(text: str) -> str:
    """An AG News row's key: the first 8 hex digits of the SHA-256 of its text."""
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def read_ids(path: Path = IDS_FILE) -> list[dict]:
    """The sample entries of an ids file (no text: ids, tasks, datasets, keys)."""
    return json.loads(Path(path).read_text(encoding="utf-8"))["samples"]


def check_data_dir(data_dir, tasks: Iterable[str] = TASKS) -> Path:
    """`data_dir` as a Path when it holds every file `tasks` read; a FileNotFoundError naming what is missing."""
    fix = "pass --data-dir with the shared datasets (e.g. ../shared/data); the repository keeps only the ids"
    if data_dir is None:
        raise FileNotFoundError(f"the sample articles are read from the datasets folder at run time: {fix}")
    d = Path(data_dir)
    if not d.is_dir():
        raise FileNotFoundError(f"the sample articles are read from the datasets folder {d}, which does not exist: {fix}")
    missing = [f for t in tasks for f in TASK_FILES[t] if not (d / f).is_file()]
    if missing:
        raise FileNotFoundError(f"the sample articles are read from the datasets folder {d}, which lacks "
                                f"{', '.join(missing)}: {fix}")
    return d


def load_samples(data_dir, tasks: Iterable[str] = TASKS, ids_file: Path = IDS_FILE) -> list[dict]:
    """The sample articles of `tasks` (any of "topic", "stance", "summary"), in the ids file's order, their text
    read from `data_dir`."""
    tasks = tuple(tasks)
    bad = [t for t in tasks if t not in TASKS]
    if bad:
        raise ValueError(f"`tasks` must name some of {TASKS}, got {bad}")
    d = check_data_dir(data_dir, tasks)
    entries = [e for e in read_ids(ids_file) if e["task"] in tasks]
    found = {}
    for ds in sorted({e["dataset"] for e in entries}):
        require_shared_ids(d, f"the quick suite's sample articles ({ids_file})", ds)
        keys = {_KEY[ds](e): e for e in entries if e["dataset"] == ds}
        for key, fields in _test_rows(d, ds):
            e = keys.get(key)
            if e:
                found[e["id"]] = {"id": e["id"], "task": e["task"], "dataset": ds, **fields}
    lost = [e["id"] for e in entries if e["id"] not in found]
    if lost:
        raise ValueError(f"{len(lost)} sample ids are not in {d} (a different copy of the datasets?): {lost[:5]}")
    return [found[e["id"]] for e in entries]


# How an ids-file entry names its row, per dataset (the same key `_test_rows` gives each row).
_KEY = {"ag_news": lambda e: e["text_sha256"], "bbc_news": lambda e: e["row_id"],
        "fnc1": lambda e: (e["stance_row"], e["body_id"], e["stance"]), "cnn_dailymail": lambda e: e["row_id"]}


def _test_rows(d: Path, dataset: str):
    """(key, sample fields) of every row of `dataset`'s test split."""
    if dataset == "ag_news":
        for r in topic_rows(d, "test", "ag_news"):
            yield text_key(r["text"]), {"title": r["title"], "text": r["text"], "label": r["label"]}
    elif dataset == "bbc_news":
        for r in read_jsonl(d / "bbc_news" / "test.jsonl.gz"):
            yield r["id"], {"title": r["title"], "text": r["text"], "label": r["label"]}
    elif dataset == "fnc1":  # the row index, checked against its Body ID and stance: a changed file fails, not drifts
        bodies, stances = fnc_split(d, "test")
        for i, (headline, body_id, stance) in enumerate(stances):
            yield (i, body_id, stance), {"text": bodies[body_id], "claim": headline, "stance": stance}
    else:
        for r in read_jsonl(cnn_path(d, "test")):
            yield r["id"], {"text": r["article"], "reference": r["highlights"]}
