"""Where `training/` and `benchmarks/` get their data: one entry point, `data_root`, that returns a folder in the
layout of ../shared/data (`ag_news/newsml_train.jsonl.gz`, `fnc1/train_stances.csv.gz`, ...), so every reader in
`data_readers` works on it unchanged.

    >>> root = data_root(args.data_dir, need=["ag_news", "bbc_news"])  # a Path

Where the folder comes from, first match wins:
1. `--data-dir PATH` when given (it must exist and hold the `need`ed dataset folders);
2. `$NEWSML_DATA_DIR`, then `../shared/data` beside the repository, when present (today's commands keep working);
3. the Hugging Face hub, for the datasets that have a hub copy: downloaded with `datasets.load_dataset` once,
   written in the same layout and file names into `$NEWSML_DATA_CACHE` (default `~/.cache/newsml/data`), and read
   from there afterwards, offline too.
Anything else (offline, or a dataset with no hub copy) raises `DataNotFoundError` naming both options.

Hub copies come in two tiers:
- **identical**: the hub rows rebuild the shared files byte for byte (AG News);
- **compatible, not identical**: the files have the shared layout, file names and fields, so every reader and
  training script runs on them, but the rows, ids and split differ from the shared copy. Such a folder holds
  `HUB_COPY.json` (hub id, config, revision, date, the id and split rules, `NOT_SHARED`); `data_root` warns once
  when it hands one out, and the readers of id-keyed sets (the claims sets, the long-form topic labels, the quick
  suite's samples) refuse it through `require_shared_ids`.

| folder | hub copy | tier |
| --- | --- | --- |
| `ag_news` | `sh0416/ag_news` (test split, title and description apart) | identical: same cleaning and SHA-256 split as the local files (byte for byte when rebuilt from the local raw CSV) |
| `bbc_news` | `SetFit/bbc-news` (train + test, pooled) | compatible: ids `bbc-hub-<first 12 hex of SHA-1 of the hub text>` (exact duplicates kept once); title = the text's first line, or with no line break its first sentence (that copy is lowercased, punctuation partly stripped, headline run into the body); split by SHA-256 of `bbc:<id>` % 5 == 0 -> test, the shared rule; `train`/`test` files, no validation (as the shared copy) |
| `cnn_dailymail` | `abisee/cnn_dailymail` 3.0.0 | compatible: the hub's own train/validation/test (287,113 / 13,368 / 11,490 rows), CNN and Daily Mail stories both (the rows name no source, so no filter; the shared copy is a CNN-only, >= 20-sentence subset of 7,039 stories in a non-official split); ids = the hub's `id`; each highlight's trailing ` .` made `.`; rows with an empty article or highlights dropped |
| `fnc1` | none official (a community copy, `nid989/FNC-1`, not checked) | none: --data-dir only |
| `nli` | some folders have one (`stanfordnlp/snli`, `nyu-mll/multi_nli`, `facebook/anli`, `facebook/xnli` ...) | none: the files were converted from GitHub copies (detokenised text, subsets, line-number ids) that the hub rows do not reproduce |
| `extraction` | none (GitHub `scrapinghub/article-extraction-benchmark`) | none |
| `semeval2016_stance` | not looked for (no script reads it) | none |

`fancyzhx/ag_news`, the canonical AG News id, joins title and description into one `text`, so newsml's
title/text rows (and their split hash) cannot be rebuilt from it.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import html
import json
import os
import re
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path

from evaluation.data_readers import LABEL_MAP
from newsml.errors import InputValueError, NewsmlError

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "shared" / "data"  # ../shared/data beside the repository
KNOWN = ("ag_news", "bbc_news", "cnn_dailymail", "fnc1", "nli", "extraction", "semeval2016_stance")
NO_HUB = {
    "fnc1": "FNC-1 has no official hub copy",
    "nli": "the NLI files were converted from GitHub copies that the hub rows do not reproduce",
    "extraction": "the Zyte extraction benchmark has no hub copy",
    "semeval2016_stance": "no hub copy was looked for",
}
# folder -> (hub id, config, the hub splits read); the tier of each is in the module docstring
HUB = {"ag_news": ("sh0416/ag_news", None, ("test",)),
       "bbc_news": ("SetFit/bbc-news", None, ("train", "test")),
       "cnn_dailymail": ("abisee/cnn_dailymail", "3.0.0", ("train", "validation", "test"))}
MARKER = "HUB_COPY.json"  # in a compatible-not-identical hub copy's folder
NOT_SHARED = ("not the shared split: numbers are not comparable with the committed ones; id-keyed sets (claims, "
              "long-form topic labels, the quick suite's samples) do not match these ids")
RULES = {  # written into the marker, so the folder says how it was made
    "bbc_news": {"ids": "bbc-hub-<first 12 hex digits of SHA-1 of the hub text>; exact duplicates kept once",
                 "title": "the text's first line, else its first sentence, else empty; text = the rest",
                 "split": "hub train + test pooled; SHA-256 of 'bbc:' + id % 5 == 0 -> test.jsonl.gz, else train"},
    "cnn_dailymail": {"ids": "the hub's id field (SHA-1 of the story URL)",
                      "split": "the hub's own train/validation/test; CNN and Daily Mail stories, not filtered",
                      "cleaning": "trailing ' .' of each highlight made '.'; rows with an empty article or highlights "
                              "dropped"},
}
DATA_DIR_HELP = ("a folder in the layout of ../shared/data (default: $NEWSML_DATA_DIR, else ../shared/data beside the "
                 "repository, else the Hugging Face hub where a copy exists; README: 'Where the data comes from')")

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
        root = _checked(Path(data_dir).expanduser(), need, "--data-dir")
    elif os.environ.get("NEWSML_DATA_DIR"):
        root = _checked(Path(os.environ["NEWSML_DATA_DIR"]), need, "$NEWSML_DATA_DIR")
    elif DEFAULT_DIR.is_dir():
        root = _checked(DEFAULT_DIR, need, "the default ../shared/data")
    else:
        root = Path(os.environ.get("NEWSML_DATA_CACHE") or Path.home() / ".cache" / "newsml" / "data")
        for name in sorted(need, key=lambda n: n not in NO_HUB):  # a dataset the hub cannot give fails first
            if not (root / name).is_dir():
                _from_hub(name, root)
    for name in need:  # the same text each time, so Python's warning filter shows it once per process
        if (root / name / MARKER).is_file():
            warnings.warn(f"{root / name} is a hub copy ({HUB[name][0]}), {NOT_SHARED}; pass --data-dir with the "
                          "shared copy for comparable numbers", stacklevel=2)
    return root


def require_shared_ids(data_dir: str | Path, what: str, dataset: str = "cnn_dailymail") -> None:
    """Raise DataNotFoundError when `data_dir`/`dataset` is a hub copy: `what` names rows by the shared copy's ids.

    >>> require_shared_ids(data_dir, "the claims dev set (benchmarks/fixtures/claims_dev)")
    """
    marker = Path(data_dir) / dataset / MARKER
    if marker.is_file():
        hub = json.loads(marker.read_text(encoding="utf-8"))["hub_id"]
        raise DataNotFoundError(f"{what}: keyed by the shared copy's {dataset} ids, but {marker.parent} is a "
                                f"hub copy ({hub}) with other ids: pass --data-dir PATH, a folder that holds the "
                                f"shared {dataset}/ (the layout of ../shared/data)")


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
    if name in NO_HUB:
        raise DataNotFoundError(f"no {name}/ folder found and {NO_HUB[name]}: pass --data-dir PATH (a folder in "
                                f"the layout of ../shared/data that holds {name}/)")
    hub, config, splits = HUB[name]
    both = (f"pass --data-dir PATH (a folder in the layout of ../shared/data) or allow network access to the "
            f"Hugging Face hub ({hub})")
    if _offline():
        raise DataNotFoundError(f"no {name}/ folder found and the hub is off (HF_HUB_OFFLINE or "
                                f"HF_DATASETS_OFFLINE is set): {both}")
    try:
        import datasets  # the `eval` extra

        rows = {s: datasets.load_dataset(hub, config, split=s) for s in splits}
    except Exception as e:  # no network, hub down, id moved, package missing: the same two fixes
        raise DataNotFoundError(f"no {name}/ folder found and {hub} could not be loaded ({e}): {both}") from e
    tmp = cache / f"{name}.partial"  # renamed when whole: a half-written folder is never taken for the dataset
    tmp.mkdir(parents=True, exist_ok=True)
    if name == "ag_news":
        for fn, text in ag_news_files((r["label"], r["title"], r["description"]) for r in rows["test"]).items():
            if hashlib.sha256(text.encode()).hexdigest() != AG_DIGESTS[fn]:
                warnings.warn(f"{hub} rebuilt {fn} differently from ../shared/data: numbers measured on it are not "
                              "comparable with the committed ones", stacklevel=3)
            _write_gz(tmp / fn, [text])
    else:
        files = (bbc_hub_files(r for s in splits for r in rows[s]) if name == "bbc_news"
                 else {f"{s}.jsonl.gz": cnn_hub_rows(rows[s]) for s in splits})
        counts = {fn: _write_gz(tmp / fn, (json.dumps(r, ensure_ascii=False) + "\n" for r in rs))
                  for fn, rs in files.items()}
        marker = {"hub_id": hub, "config": config, "revision": _revision(rows[splits[0]]),
                  "written": dt.date.today().isoformat(), "tier": "compatible, not identical", "note": NOT_SHARED,
                  "files": counts, **RULES[name]}
        (tmp / MARKER).write_text(json.dumps(marker, indent=1) + "\n", encoding="utf-8")
    tmp.replace(cache / name)


def _write_gz(path: Path, chunks: Iterable[str]) -> int:
    """Write `chunks` gzip-compressed (no timestamp, so equal text gives equal bytes); returns how many."""
    n = 0
    with open(path, "wb") as f, gzip.GzipFile(filename="", fileobj=f, mode="wb", mtime=0) as gz:
        for chunk in chunks:
            gz.write(chunk.encode())
            n += 1
    return n


def _revision(rows) -> str | None:
    """The hub commit a downloaded split came from: `datasets` names its cache folder after it (None if not seen)."""
    for f in getattr(rows, "cache_files", None) or []:
        m = re.search(r"/([0-9a-f]{40})/", f.get("filename", ""))
        if m:
            return m.group(1)
    return None


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


# --- the compatible hub copies (RULES above) -----------------------------------------------------------------
def bbc_hub_files(rows: Iterable[dict]) -> dict[str, list[dict]]:
    """{file name: rows {"label", "title", "text", "id"}} of a BBC hub copy from rows {"text", "label_text"}."""
    out: dict[str, list[dict]] = {"train.jsonl.gz": [], "test.jsonl.gz": []}
    seen = set()
    for r in rows:
        full = r["text"].strip()
        rid = "bbc-hub-" + hashlib.sha1(full.encode()).hexdigest()[:12]
        if rid in seen:
            continue
        seen.add(rid)
        if r["label_text"] not in LABEL_MAP["bbc_news"]:
            raise DataNotFoundError(f"{HUB['bbc_news'][0]} has a label {r['label_text']!r} outside "
                                    f"{sorted(LABEL_MAP['bbc_news'])} (the hub copy changed?): pass --data-dir PATH")
        m = re.match(r"([^\n]+)\n+(.+)|(.+?[.!?])\s+(\S.*)", full, re.S)
        title, text = (m.group(1) or m.group(3), m.group(2) or m.group(4)) if m else ("", full)
        test = int(hashlib.sha256(f"bbc:{rid}".encode()).hexdigest(), 16) % 5 == 0
        out["test.jsonl.gz" if test else "train.jsonl.gz"].append(
            {"label": r["label_text"], "title": title.strip(), "text": text.strip(), "id": rid})
    return out


def cnn_hub_rows(rows: Iterable[dict]) -> Iterator[dict]:
    """Rows {"id", "article", "highlights"} of a CNN/DailyMail hub split, lazily (the train split is large)."""
    for r in rows:
        highlights = "\n".join(re.sub(r"\s+\.$", ".", h.strip()) for h in r["highlights"].split("\n") if h.strip())
        if r["article"].strip() and highlights:
            yield {"id": r["id"], "article": r["article"].strip(), "highlights": highlights}
