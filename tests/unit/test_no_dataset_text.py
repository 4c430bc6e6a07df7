"""No file in the repository holds more than a title's worth of a ../shared/data article (the datasets' terms allow
ids, not copies): every run of 12 consecutive words of every tracked text file, and of every file under tests/ and
benchmarks/fixtures/, is checked against the article bodies, story highlights, NLI premises and tweets of the shared
datasets (evaluation/copied_text.py; about 6 s). The checker is shown to find a copy, and the old sample file."""

import json

from evaluation.copied_text import N_WORDS, dataset_texts, find_copies, repo_shingles, repo_texts, tracked_files, words
from evaluation.samples import TASK_FILES, load_samples
from tests.conftest import DATA_DIR, ROOT, needs_data

# Tracked files that still hold a copied run, each with why and who decides; the test holds the rest of the tree
# to the rule. Remove an entry once its file is cleaned (an entry whose file holds no copy fails the test).
PENDING: set[str] = set()
SAMPLE_FILES = ["ag_news/newsml_test.jsonl.gz", "bbc_news/test.jsonl.gz", "fnc1/competition_test_bodies.csv.gz",
                "cnn_dailymail/test.jsonl.gz"]


def _repo_files():
    """Every tracked file, and every file under tests/ and benchmarks/fixtures/ (tracked or not)."""
    extra = [p for d in ("tests", "benchmarks/fixtures") for p in (ROOT / d).rglob("*")
             if p.is_file() and "__pycache__" not in p.parts]
    return sorted(set(tracked_files(ROOT)) | set(extra))


@needs_data()
def test_no_repository_file_holds_a_dataset_article_run():
    copies = find_copies(repo_shingles(repo_texts(ROOT, _repo_files())), dataset_texts(DATA_DIR))
    found = [c for c in copies if c["file"] not in PENDING]
    assert not found, f"{len(found)} runs of {N_WORDS}+ words copied from ../shared/data articles: " + "; ".join(
        f"{c['file']} <- {c['dataset']} {c['id']}" for c in found[:20])
    stale = PENDING - {c["file"] for c in copies}
    assert not stale, f"no copy left in {sorted(stale)}: remove from PENDING"


@needs_data(*SAMPLE_FILES[-1].split("/"))
def test_a_copied_paragraph_is_found_and_a_title_is_not(tmp_path):
    story = load_samples(DATA_DIR, tasks=("summary",))[0]
    para = max(story["text"].split("\n"), key=len)
    assert len(words(para)) > 2 * N_WORDS
    cut = len(para) // 2
    # a Python string split over two lines, a JSON line with escaped characters, and a title-sized run
    (tmp_path / "quoted.py").write_text(f"TEXT = (\n    {json.dumps(para[:cut])}\n    {json.dumps(para[cut:])}\n)\n")
    (tmp_path / "rows.jsonl").write_text(json.dumps({"note": para}, ensure_ascii=True) + "\n")
    (tmp_path / "title.txt").write_text(" ".join(words(para)[: N_WORDS - 1]) + "\n")
    repo = repo_shingles(repo_texts(tmp_path, sorted(tmp_path.iterdir())))
    copies = find_copies(repo, dataset_texts(DATA_DIR, ["cnn_dailymail/test.jsonl.gz"]))
    assert {c["file"] for c in copies if c["id"] == story["id"]} == {"quoted.py", "rows.jsonl"}
    assert "title.txt" not in {c["file"] for c in copies}


@needs_data(*TASK_FILES["topic"][0].split("/"))
def test_the_retired_sample_file_would_be_flagged(tmp_path):
    """benchmarks/fixtures/sample_articles.jsonl as it was (the same bytes: tests/unit/test_samples.py): each of
    its 32 articles is found in the dataset it came from."""
    samples = load_samples(DATA_DIR)
    old = tmp_path / "sample_articles.jsonl"
    old.write_text("".join(json.dumps(s, ensure_ascii=False) + "\n" for s in samples), encoding="utf-8")
    copies = find_copies(repo_shingles(repo_texts(tmp_path, [old])), dataset_texts(DATA_DIR, SAMPLE_FILES))
    flagged = {(c["dataset"].split("/")[0], c["id"]) for c in copies}
    for s in samples:
        if s["dataset"] == "bbc_news":
            assert ("bbc_news", s["id"].removeprefix("bbc-").replace("-", "/")) in flagged
        elif s["dataset"] == "cnn_dailymail":
            assert ("cnn_dailymail", s["id"]) in flagged
        elif s["dataset"] == "fnc1":
            assert ("fnc1", s["id"].rsplit("-", 1)[1]) in flagged
    assert sum(ds == "ag_news" for ds, _ in flagged) >= 8  # AG rows have no id: their line numbers
