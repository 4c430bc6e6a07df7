"""Find dataset article text copied into the repository: any run of 12 consecutive words that a tracked file shares
with an article of the shared datasets (more than a title's worth; the datasets' terms allow ids, not copies).

    python -m evaluation.copied_text --data-dir ../shared/data          # every dataset; exit 1 on a copy
    >>> copies = find_copies(repo_shingles(repo_texts(ROOT)), dataset_texts(data_dir))   # [] when clean

Words are `\\w+` runs, lowercased, so quoting, JSON escapes, punctuation and line breaks do not hide a copy. The
repository side is small and hashed whole; the datasets are streamed past it, one article at a time.
Titles and headlines are not scanned (a title's worth may be quoted); article bodies, story highlights, NLI
premises, stance bodies and tweets are.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import re
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

N_WORDS = 12  # a run this long is more than a title's worth: a headline is rarely over 12 words
WORD = re.compile(r"\w+")
ROOT = Path(__file__).resolve().parents[1]

# The text fields scanned, by dataset folder (FNC-1 bodies are CSV, the extraction truth one JSON, the rest JSONL).
FIELDS = {"ag_news": ("text",), "bbc_news": ("text",), "cnn_dailymail": ("article", "highlights"),
          "semeval2016_stance": ("text",), "nli": ("premise", "body")}  # nli: premises; stance sets' bodies (arc)
FNC_BODIES = ("fnc1/train_bodies.csv.gz", "fnc1/competition_test_bodies.csv.gz")
EXTRACTION_TRUTH = "extraction/scrapinghub/ground-truth.json.gz"
# Runs of these words alone are no one's text (a list of months in code matches a list in an NLI premise).
STOCK = set("january february march april may june july august september october november december monday tuesday "
            "wednesday thursday friday saturday sunday".split())


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


def _runs(w: list[str], n: int) -> Iterator[tuple[str, ...]]:
    return zip(*(w[k:] for k in range(n)))  # every n consecutive words, as tuples, built in C


def shingles(text: str, n: int = N_WORDS) -> set[int]:
    """Hashes of every run of `n` consecutive words of `text` (none when it has fewer words), less the runs of
    calendar words and numbers alone."""
    return {hash(r) for r in _runs(words(text), n) if not all(x in STOCK or x.isdigit() for x in r)}


# -- the repository side -------------------------------------------------------------------------------------------
def tracked_files(root: Path = ROOT) -> list[Path]:
    """The files git tracks under `root` (every file under it when it is not a git checkout)."""
    try:
        out = subprocess.run(["git", "ls-files", "-z"], cwd=root, capture_output=True, check=True).stdout
        return [root / p for p in out.decode().split("\0") if p and (root / p).is_file()]
    except (OSError, subprocess.CalledProcessError):
        return [p for p in sorted(root.rglob("*")) if p.is_file() and ".git" not in p.parts]


def file_text(path: Path) -> str | None:
    """A text file's words as they read (the strings of a JSON / JSONL file, so escapes do not split words);
    None for a binary file."""
    raw = path.read_bytes()
    if b"\0" in raw[:8192]:
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if path.suffix in (".json", ".jsonl"):
        try:
            docs = [json.loads(text)] if path.suffix == ".json" else [json.loads(x) for x in text.splitlines() if x.strip()]
            return "\n".join(s for d in docs for s in _strings(d))
        except ValueError:
            pass
    return text


def _strings(x) -> Iterator[str]:
    if isinstance(x, str):
        yield x
    elif isinstance(x, dict):
        for k, v in x.items():
            yield k
            yield from _strings(v)
    elif isinstance(x, list):
        for v in x:
            yield from _strings(v)


def repo_texts(root: Path = ROOT, paths: Iterable[Path] | None = None) -> Iterator[tuple[str, str]]:
    """(path relative to `root`, text) of every tracked text file (or of `paths`)."""
    for p in tracked_files(root) if paths is None else paths:
        text = file_text(p)
        if text is not None:
            yield str(p.relative_to(root)) if p.is_relative_to(root) else str(p), text


def repo_shingles(texts: Iterable[tuple[str, str]], n: int = N_WORDS) -> dict[int, str]:
    """{shingle hash: the first file that holds it}."""
    out: dict[int, str] = {}
    for name, text in texts:
        for h in shingles(text, n):
            out.setdefault(h, name)
    return out


# -- the dataset side ----------------------------------------------------------------------------------------------
def dataset_files(data_dir: Path) -> list[str]:
    """Every scanned dataset file under `data_dir`, relative to it (the folders that are there)."""
    d = Path(data_dir)
    jsonl = [p for folder in FIELDS for p in sorted((d / folder).glob("**/*.jsonl.gz"))]
    return [str(p.relative_to(d)) for p in jsonl] + [f for f in (*FNC_BODIES, EXTRACTION_TRUTH) if (d / f).is_file()]


def dataset_texts(data_dir: Path, files: Iterable[str] | None = None) -> Iterator[tuple[str, str, str]]:
    """(dataset file, row id or line number, text) of every scanned text of `data_dir`, or of its `files`."""
    d = Path(data_dir)
    for rel in dataset_files(d) if files is None else files:
        if rel in FNC_BODIES:
            with gzip.open(d / rel, "rt", encoding="utf-8", newline="") as f:
                for r in csv.DictReader(f):
                    yield rel, r["Body ID"], r["articleBody"]
        elif rel == EXTRACTION_TRUTH:
            with gzip.open(d / rel, "rt", encoding="utf-8") as f:
                truth = json.load(f)
            for k, v in truth.items():
                yield rel, k, v["articleBody"]
        else:
            fields = FIELDS[rel.split("/")[0]]
            with gzip.open(d / rel, "rt", encoding="utf-8") as f:
                for i, line in enumerate(f):
                    r = json.loads(line)
                    for k in fields:
                        if isinstance(r.get(k), str):
                            yield rel, str(r.get("id", f"line {i}")), r[k]


def find_copies(repo: dict[int, str], articles: Iterable[tuple[str, str, str]], n: int = N_WORDS) -> list[dict]:
    """Every (repository file, dataset article) pair that shares a run of `n`+ words, with the first shared run:
    [{"file", "dataset", "id", "words"}]. One entry per pair."""
    out, seen = [], set()
    for source, row_id, text in articles:
        w = words(text)
        hashes = [hash(r) for r in _runs(w, n)]
        if repo.keys().isdisjoint(hashes):  # the common case: one C-level pass per article
            continue
        for i, h in enumerate(hashes):
            name = repo.get(h)
            if name is not None and (name, source, row_id) not in seen:
                seen.add((name, source, row_id))
                out.append({"file": name, "dataset": source, "id": row_id, "words": " ".join(w[i : i + n])})
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--files", nargs="*", help="only these dataset files, e.g. cnn_dailymail/test.jsonl.gz")
    a = ap.parse_args(argv)
    if not Path(a.data_dir).is_dir():
        raise SystemExit(f"copied_text: the datasets folder {a.data_dir} does not exist: pass --data-dir")
    copies = find_copies(repo_shingles(repo_texts()), dataset_texts(Path(a.data_dir), a.files))
    for c in copies:
        print(f"{c['file']}: {c['dataset']} {c['id']}: \"{c['words']}\"")
    print(f"{len(copies)} copied runs of {N_WORDS}+ words", file=sys.stderr)
    return 1 if copies else 0


if __name__ == "__main__":
    sys.exit(main())
