"""Where `training/` and `benchmarks/` get their data: one entry point, `data_root`, that returns a folder in the
layout of ../shared/data (`ag_news/newsml_train.jsonl.gz`, `fnc1/train_stances.csv.gz`, ...), so every reader in
`data_readers` works on it unchanged.

    >>> root = data_root(args.data_dir, need=["ag_news", "bbc_news"])  # a Path

Where the folder comes from, first match wins:
1. `--data-dir PATH` when given (it must exist and hold the `need`ed dataset folders);
2. `$NEWSML_DATA_DIR`, then `../shared/data` beside the repository, when present (today's commands keep working);
3. the Hugging Face hub, for the datasets whose hub copy rebuilds newsml's files exactly: downloaded with
   `datasets.load_dataset` once, written in the same layout and file names into `$NEWSML_DATA_CACHE`
   (default `~/.cache/newsml/data`), and read from there afterwards, offline too.
Anything else (offline, or a dataset with no such hub copy) raises `DataNotFoundError` naming both options.

| folder | hub copy | from the hub here |
| --- | --- | --- |
| `ag_news` | `sh0416/ag_news` (test split, title and description apart) | yes: same cleaning and SHA-256 split as the local files (byte for byte when rebuilt from the local raw CSV) |
| `bbc_news` | `SetFit/bbc-news` | no: it has no file ids (the split hashes `bbc:<id>`) and no separate title |
| `cnn_dailymail` | `abisee/cnn_dailymail` 3.0.0 | no: the local rows are a non-official CNN subset whose ids (`amitd26_cnn_<N>`, used by the committed claims and long-form labels) cannot be matched to hub rows |
| `fnc1` | none official (a community copy, `nid989/FNC-1`, not checked) | no |
| `nli` | some folders have one (`stanfordnlp/snli`, `nyu-mll/multi_nli`, `facebook/anli`, `facebook/xnli` ...) | no: the files were converted from GitHub copies (detokenised text, subsets, line-number ids) that the hub rows do not reproduce |
| `extraction` | none (GitHub `scrapinghub/article-extraction-benchmark`) | no |
| `semeval2016_stance` | not looked for (no script reads it) | no |

`fancyzhx/ag_news`, the canonical AG News id, joins title and description into one `text`, so newsml's
title/text rows (and their split hash) cannot be rebuilt from it.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import os
import re
import warnings
from collections.abc import Iterable
from pathlib import Path

from newsml.errors import InputValueError, NewsmlError

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "shared" / "data"  # ../shared/data beside the repository
KNOWN = ("ag_news", "bbc_news", "cnn_dailymail", "fnc1", "nli", "extraction", "semeval2016_stance")
NO_HUB = {
    "bbc_news": "its hub copy (SetFit/bbc-news) has no file ids and no separate title, so newsml's split cannot "
                "be rebuilt from it",
    "cnn_dailymail": "newsml's split is a non-official CNN subset whose rows cannot be matched to abisee/cnn_dailymail",
    "fnc1": "FNC-1 has no official hub copy",
    "nli": "the NLI files were converted from GitHub copies that the hub rows do not reproduce",
    "extraction": "the Zyte extraction benchmark has no hub copy",
    "semeval2016_stance": "no hub copy was looked for",
}
DATA_DIR_HELP = ("a folder in the layout of ../shared/data (default: $NEWSML_DATA_DIR, else ../shared/data beside the "
                 "repository, else the Hugging Face hub where a copy rebuilds the files; README: 'Where the data comes from')")

AG_HUB = "sh0416/ag_news"
AG_LABELS = ("World", "Sports", "Business", "Sci/Tech")  # the CSV's class index 1..4
# sha256 of the uncompressed JSONL files in ../shared/data/ag_news: a hub rebuild is checked against them
AG_DIGESTS = {"newsml_train.jsonl.gz": "ef905ceb42ac030b9e965eac4c1bd602ada3ae30b0f70059a62cad2ff8d48503",
              "newsml_test.jsonl.gz": "2037e1e5968fe5b8dd11765e2a362087add1e7f87f1e17f3eebe8620b0bf71c5"}


class DataNotFoundError(NewsmlError, FileNotFoundError):
    """A dataset folder is missing and cannot be fetched: pass --data-dir or allow the hub."""


def data_root(data_dir: str | Path | None = None, need: Iterable[str] = ()) -> Path:
    """The folder to read datasets from, holding every folder in `need` (see the module docstring for the order).

    >>> data_root("../shared/data", need=["fnc1"])
    PosixPath('../shared/data')
    """
    need = list(need)
    unknown = [n for n in need if n not in KNOWN]
    if unknown:
        raise InputValueError(f"`need` holds unknown datasets {unknown}: expected names from {list(KNOWN)}")
    if data_dir is not None:
        return _checked(Path(data_dir).expanduser(), need, "--data-dir")
    if os.environ.get("NEWSML_DATA_DIR"):
        return _checked(Path(os.environ["NEWSML_DATA_DIR"]), need, "$NEWSML_DATA_DIR")
    if DEFAULT_DIR.is_dir():
        return _checked(DEFAULT_DIR, need, "the default ../shared/data")
    cache = Path(os.environ.get("NEWSML_DATA_CACHE") or Path.home() / ".cache" / "newsml" / "data")
    for name in sorted(need, key=lambda n: n not in NO_HUB):  # a dataset the hub cannot give fails before any download
        if not (cache / name).is_dir():
            _from_hub(name, cache)
    return cache


def _checked(root: Path, need: list[str], arg: str) -> Path:
    fix = (f"pass --data-dir PATH, a folder in the layout of ../shared/data ({', '.join(k + '/' for k in KNOWN)}), "
           "or leave it out to use ../shared/data or the Hugging Face hub")
    if not root.is_dir():
        raise DataNotFoundError(f"{arg} {root} is not a folder: {fix}")
    missing = [n for n in need if not (root / n).is_dir()]
    if missing:
        raise DataNotFoundError(f"{arg} {root} lacks {', '.join(m + '/' for m in missing)} "
                                f"(this command reads {need}): {fix}")
    if not need and not any((root / k).is_dir() for k in KNOWN):
        raise DataNotFoundError(f"{arg} {root} holds none of the dataset folders: {fix}")
    return root


def _offline() -> bool:
    return any(os.environ.get(v, "").upper() in ("1", "ON", "YES", "TRUE")
               for v in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE"))


def _from_hub(name: str, cache: Path) -> None:
    """Write dataset `name` into `cache`/`name` from its hub copy, or raise DataNotFoundError naming both options."""
    both = (f"pass --data-dir PATH (a folder in the layout of ../shared/data) or allow network access to the "
            f"Hugging Face hub ({AG_HUB})")
    if name in NO_HUB:
        raise DataNotFoundError(f"no {name}/ folder found and {NO_HUB[name]}: pass --data-dir PATH (a folder in "
                                f"the layout of ../shared/data that holds {name}/)")
    if _offline():
        raise DataNotFoundError(f"no {name}/ folder found and the hub is off (HF_HUB_OFFLINE or "
                                f"HF_DATASETS_OFFLINE is set): {both}")
    try:
        import datasets  # the `eval` extra

        rows = datasets.load_dataset(AG_HUB, split="test")
    except Exception as e:  # no network, hub down, id moved, package missing: the same two fixes
        raise DataNotFoundError(f"no {name}/ folder found and {AG_HUB} could not be loaded ({e}): {both}") from e
    files = ag_news_files((r["label"], r["title"], r["description"]) for r in rows)
    tmp = cache / f"{name}.partial"  # renamed when whole: a half-written folder is never taken for the dataset
    tmp.mkdir(parents=True, exist_ok=True)
    for fn, text in files.items():
        if hashlib.sha256(text.encode()).hexdigest() != AG_DIGESTS[fn]:
            warnings.warn(f"{AG_HUB} rebuilt {fn} differently from ../shared/data: numbers measured on it are not "
                          "comparable with the committed ones", stacklevel=2)
        with open(tmp / fn, "wb") as f, gzip.GzipFile(filename="", fileobj=f, mode="wb", mtime=0) as gz:
            gz.write(text.encode())
    tmp.replace(cache / name)


# --- AG News: the derivation ../shared/data/ag_news/README.md describes ------------------------------------
def clean_ag(s: str) -> str:
    """AG News text as newsml stores it: `\\$` -> `$`, other backslash runs -> a space, HTML entities decoded
    (also the stripped form ` #39;` whose `&` became a space; codes 128-159 as cp1252)."""
    s = re.sub(r"\\+", " ", s.replace("\\$", "$"))
    s = re.sub(r" (#\d+|quot|amp|lt|gt);", r"&\1;", s)

    def entity(m: re.Match) -> str:
        code = m.group(1)
        if code.startswith("#") and 128 <= int(code[1:]) <= 159:
            return bytes([int(code[1:])]).decode("cp1252", "replace")
        return html.unescape(m.group(0))

    return re.sub(r"&(#\d+|[a-zA-Z]+);", entity, s)


def ag_news_files(raw: Iterable[tuple]) -> dict[str, str]:
    """{file name: JSONL text} of newsml's AG News split from the official test rows (class index 1-4, title,
    description) in file order: cleaned, then SHA-256 of "ag:" + title + "\\n" + text, % 5 == 0 -> test."""
    out = {"newsml_train.jsonl.gz": [], "newsml_test.jsonl.gz": []}
    for label, title, text in raw:
        r = {"label": AG_LABELS[int(label) - 1], "title": clean_ag(title), "text": clean_ag(text)}
        test = int(hashlib.sha256(f"ag:{r['title']}\n{r['text']}".encode()).hexdigest(), 16) % 5 == 0
        out["newsml_test.jsonl.gz" if test else "newsml_train.jsonl.gz"].append(json.dumps(r, ensure_ascii=False) + "\n")
    return {fn: "".join(lines) for fn, lines in out.items()}
