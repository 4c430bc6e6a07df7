"""The quick suite's sample articles: ids in the repository, text read from ../shared/data at run time."""

import hashlib
import json
import re

import pytest

from evaluation.samples import IDS_FILE, load_samples, read_ids
from tests.conftest import DATA_DIR, needs_data

# SHA-256 of the retired benchmarks/fixtures/sample_articles.jsonl (git show 1c1b161:benchmarks/fixtures/...), which
# held these 32 articles' text: the reader gives its lines back byte for byte, so the quick suite's numbers compare.
OLD_FIXTURE_SHA256 = "9fc98a7b558d1f51e6233447bba656a9802bc756b5ced18380d54ad21597e73a"


@needs_data()
def test_samples_are_the_articles_the_old_fixture_held():
    samples = load_samples(DATA_DIR)
    lines = "".join(json.dumps(s, ensure_ascii=False) + "\n" for s in samples)
    assert hashlib.sha256(lines.encode()).hexdigest() == OLD_FIXTURE_SHA256
    assert [s["id"] for s in samples] == [e["id"] for e in read_ids()]
    assert [s["id"] for s in load_samples(DATA_DIR, tasks=("summary",))] == [s["id"] for s in samples
                                                                             if s["task"] == "summary"]


def test_the_ids_file_holds_no_text():
    entries = read_ids()
    assert len(entries) == 32 and {e["dataset"] for e in entries} == {"ag_news", "bbc_news", "fnc1", "cnn_dailymail"}
    for e in entries:
        assert not {"text", "title", "claim", "reference"} & e.keys()
        assert all(len(str(v)) <= 32 for v in e.values()), e  # ids, keys and labels only


@needs_data()
def test_make_fixtures_writes_the_committed_ids_file(tmp_path):
    from benchmarks.make_fixtures import main

    main(["--data-dir", str(DATA_DIR), "--out", str(tmp_path / "ids.json")])
    assert (tmp_path / "ids.json").read_bytes() == IDS_FILE.read_bytes()


def test_without_the_datasets_the_readers_name_the_folder_and_data_dir(tmp_path):
    missing = tmp_path / "no-data"
    names_it = f"{re.escape(str(missing))}.*--data-dir"
    with pytest.raises(FileNotFoundError, match=names_it):
        load_samples(missing)
    with pytest.raises(ValueError, match="`tasks`"):
        load_samples(DATA_DIR, tasks=("headline",))
    from benchmarks import run, score_bench

    with pytest.raises(SystemExit, match=names_it):
        score_bench.main(["--data-dir", str(missing)])
    with pytest.raises(SystemExit, match=names_it):  # the quick suite stops before loading a model
        run.main(["--suite", "quick", "--only", "topic", "--data-dir", str(missing), "--out", str(tmp_path / "out")])
