"""The data loader: a local folder passes through, a bad one gets an error naming --data-dir, offline with no folder
the error names both fixes, and the AG News split rebuilt from the official rows is the shared one byte for byte.
The compatible hub copies (BBC, CNN/DM) are written in the shared layout with a marker, the readers read them and the
id-keyed sets refuse them. No network: the hub loader is replaced where a test needs its rows, with rows read from
../shared/data (AG News) or invented toy rows in the hub's schema (BBC, CNN/DM)."""

from __future__ import annotations

import csv
import gzip
import hashlib
import json

import pytest

from evaluation import datasets as ds
from evaluation.data_readers import cnn_path, read_jsonl, row_text, topic_rows
from evaluation.datasets import DataNotFoundError, ag_news_files, clean_ag, data_root, require_shared_ids
from tests.conftest import DATA_DIR

RAW_AG = DATA_DIR / "ag_news" / "raw" / "test.csv.gz"
needs_data = pytest.mark.skipif(not RAW_AG.is_file(), reason=f"{RAW_AG} not found: the shared data is not here")


@pytest.fixture
def no_local(tmp_path, monkeypatch):
    """No --data-dir, no $NEWSML_DATA_DIR, no ../shared/data, an empty cache; the hub switched off."""
    monkeypatch.delenv("NEWSML_DATA_DIR", raising=False)
    monkeypatch.setattr(ds, "DEFAULT_DIR", tmp_path / "absent")
    monkeypatch.setenv("NEWSML_DATA_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return tmp_path / "cache"


def _raw_ag_rows():
    with gzip.open(RAW_AG, "rt", encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def test_a_local_folder_passes_through(tmp_path):
    (tmp_path / "fnc1").mkdir()
    assert data_root(tmp_path, need=["fnc1"]) == tmp_path
    assert data_root(str(tmp_path)) == tmp_path
    if DATA_DIR.is_dir():
        assert data_root(DATA_DIR, need=["ag_news", "cnn_dailymail", "nli"]) == DATA_DIR


def test_a_missing_or_wrong_folder_is_a_clear_error(tmp_path):
    with pytest.raises(DataNotFoundError, match=r"--data-dir .*nowhere is not a folder: pass --data-dir PATH"):
        data_root(tmp_path / "nowhere")
    with pytest.raises(DataNotFoundError, match=r"lacks cnn_dailymail/ \(this command reads"):
        data_root(tmp_path, need=["cnn_dailymail"])
    with pytest.raises(DataNotFoundError, match="holds none of the dataset folders"):
        data_root(tmp_path)
    with pytest.raises(ValueError, match="unknown datasets.*'agnews'"):
        data_root(tmp_path, need=["agnews"])


@pytest.mark.parametrize("name", ["ag_news", "bbc_news", "cnn_dailymail"])
def test_offline_without_a_folder_names_both_options(no_local, name):
    with pytest.raises(DataNotFoundError) as e:
        data_root(None, need=[name])
    msg = str(e.value)
    assert "pass --data-dir PATH" in msg and f"network access to the Hugging Face hub ({ds.HUB[name][0]})" in msg
    assert not no_local.exists()  # nothing half-written


def test_a_dataset_without_a_hub_copy_says_so(no_local, monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE")  # even online: nothing is fetched for it
    with pytest.raises(DataNotFoundError, match=r"no fnc1/ folder found and FNC-1 has no official hub copy: pass --data-dir"):
        data_root(None, need=["fnc1"])


def test_the_ag_news_cleaning_on_written_examples():
    assert clean_ag("Oil hits \\$50 a\\barrel") == "Oil hits $50 a barrel"
    assert clean_ag("It #39;s the  #36;10 prize") == "It's the $10 prize"
    assert clean_ag("Game over #151;he said  quot;yes quot; &lt;b&gt;") == 'Game over—he said "yes" <b>'


@needs_data
def test_the_ag_news_split_rebuilt_from_the_raw_rows_is_the_shared_one():
    files = ag_news_files(_raw_ag_rows())
    for fn, text in files.items():
        assert text == gzip.open(DATA_DIR / "ag_news" / fn, "rt", encoding="utf-8").read(), fn
        assert hashlib.sha256(text.encode()).hexdigest() == ds.AG_DIGESTS[fn]
    assert [text.count("\n") for text in files.values()] == [6073, 1527]


@needs_data
def test_the_hub_path_writes_the_same_files_into_the_cache_and_reuses_them(no_local, monkeypatch):
    """`load_dataset` stands in for the network with the official rows in the hub copy's schema."""
    import warnings

    import datasets

    rows = [{"label": int(lab), "title": t, "description": d} for lab, t, d in _raw_ag_rows()]
    calls = []
    monkeypatch.setattr(datasets, "load_dataset", lambda *a, **k: calls.append((a, k)) or datasets.Dataset.from_list(rows))
    monkeypatch.delenv("HF_HUB_OFFLINE")
    monkeypatch.delenv("HF_DATASETS_OFFLINE", raising=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a rebuild that differs from ../shared/data would warn
        assert data_root(None, need=["ag_news"]) == no_local
    assert calls == [(("sh0416/ag_news", None), {"split": "test"})]
    assert sorted(p.name for p in no_local.iterdir()) == ["ag_news"]  # no half-written folder left behind
    for fn in ds.AG_DIGESTS:
        assert gzip.open(no_local / "ag_news" / fn).read() == gzip.open(DATA_DIR / "ag_news" / fn).read()
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # the second time: from the cache, offline
    assert data_root(None, need=["ag_news"]) == no_local and len(calls) == 1


# Invented rows in the hub copies' schemas (no dataset text): SetFit/bbc-news {text, label, label_text},
# abisee/cnn_dailymail {article, highlights, id}.
TOY_BBC = {"train": [{"text": "Toy headline here\nAn invented body. Two sentences.", "label": 1, "label_text": "business"},
                     {"text": "a lowercased toy story about a match. the team played well", "label": 2,
                      "label_text": "sport"}],
           "test": [{"text": "Toy headline here\nAn invented body. Two sentences.", "label": 1, "label_text": "business"},
                    {"text": "one run-on toy line with no sentence end", "label": 0, "label_text": "tech"}]}
TOY_CNN = {"train": [{"article": "(TOY) -- An invented story. It goes on.", "highlights": "First toy point .\nSecond .",
                      "id": "0" * 40},
                     {"article": "  ", "highlights": "A point for no story .", "id": "1" * 40}],
           "validation": [{"article": "Another invented story.", "highlights": "Its toy point .", "id": "2" * 40}],
           "test": [{"article": "A third invented story.", "highlights": "Made up .", "id": "3" * 40}]}


@pytest.fixture
def toy_hub(no_local, monkeypatch):
    """The hub on, `load_dataset` answering with the toy rows; returns the calls it got."""
    import datasets

    toy = {"SetFit/bbc-news": TOY_BBC, "abisee/cnn_dailymail": TOY_CNN}
    calls = []

    def load_dataset(path, name=None, split=None):
        calls.append((path, name, split))
        return datasets.Dataset.from_list(toy[path][split])

    monkeypatch.setattr(datasets, "load_dataset", load_dataset)
    monkeypatch.delenv("HF_HUB_OFFLINE")
    monkeypatch.delenv("HF_DATASETS_OFFLINE", raising=False)
    return calls


def test_compatible_hub_copies_are_written_in_the_shared_layout_with_a_marker(no_local, toy_hub, monkeypatch):
    with pytest.warns(UserWarning) as warned:
        root = data_root(None, need=["bbc_news", "cnn_dailymail"])
    assert [str(w.message).split(" is a hub copy ")[1][:60] for w in warned] == [
        f"({hub}), not the shared split: numbers are not comparable"[:60]
        for hub in ("SetFit/bbc-news", "abisee/cnn_dailymail")]
    assert root == no_local and sorted(p.name for p in root.iterdir()) == ["bbc_news", "cnn_dailymail"]
    assert toy_hub == [("SetFit/bbc-news", None, "train"), ("SetFit/bbc-news", None, "test"),
                       ("abisee/cnn_dailymail", "3.0.0", "train"), ("abisee/cnn_dailymail", "3.0.0", "validation"),
                       ("abisee/cnn_dailymail", "3.0.0", "test")]
    assert sorted(p.name for p in (root / "bbc_news").iterdir()) == ["HUB_COPY.json", "test.jsonl.gz", "train.jsonl.gz"]
    marker = json.loads((root / "cnn_dailymail" / "HUB_COPY.json").read_text())
    assert (marker["hub_id"], marker["config"], marker["tier"]) == ("abisee/cnn_dailymail", "3.0.0",
                                                                    "compatible, not identical")
    assert marker["note"].startswith("not the shared split") and marker["files"] == {
        "train.jsonl.gz": 1, "validation.jsonl.gz": 1, "test.jsonl.gz": 1}

    # BBC: the duplicate kept once, ids and split by the documented rules, title from the first line or sentence
    bbc = {split: list(read_jsonl(root / "bbc_news" / f"{split}.jsonl.gz")) for split in ("train", "test")}
    texts = [r["text"] for r in TOY_BBC["train"] + TOY_BBC["test"][1:]]
    assert sorted(r["id"] for rs in bbc.values() for r in rs) == sorted(
        "bbc-hub-" + hashlib.sha1(t.encode()).hexdigest()[:12] for t in texts)
    for split, rs in bbc.items():
        assert all((int(hashlib.sha256(f"bbc:{r['id']}".encode()).hexdigest(), 16) % 5 == 0) == (split == "test")
                   for r in rs)
    rows = topic_rows(root, "train", "bbc_news") + topic_rows(root, "test", "bbc_news")  # the topic reader
    assert sorted((r["title"], r["text"], r["label"]) for r in rows) == [
        ("", "one run-on toy line with no sentence end", "tech"),
        ("Toy headline here", "An invented body. Two sentences.", "business"),
        ("a lowercased toy story about a match.", "the team played well", "sport")]
    assert "Toy headline here. An invented body. Two sentences." in [row_text(r) for r in rows]

    # CNN/DM: the hub's splits and ids; the empty article dropped; highlights as in the shared files
    assert list(read_jsonl(cnn_path(root, "train"))) == [
        {"id": "0" * 40, "article": "(TOY) -- An invented story. It goes on.", "highlights": "First toy point.\nSecond."}]
    assert [r["id"] for r in read_jsonl(cnn_path(root, "validation"))] == ["2" * 40]

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # the second time: from the cache, offline, still marked
    with pytest.warns(UserWarning, match="abisee/cnn_dailymail"):
        assert data_root(None, need=["cnn_dailymail"]) == root
    assert len(toy_hub) == 5


def test_id_keyed_sets_refuse_a_hub_copy(no_local, toy_hub):
    from benchmarks.stance_compare import claims_dev
    from benchmarks.topic_longform import read_longform
    from evaluation.samples import load_samples

    with pytest.warns(UserWarning):
        root = data_root(None, need=["cnn_dailymail"])
    fix = r"is a hub copy \(abisee/cnn_dailymail\) with other ids: pass --data-dir PATH"
    with pytest.raises(DataNotFoundError, match=r"the long-form topic labels .*labels.jsonl\): keyed by .*" + fix):
        read_longform(root, "dev")
    with pytest.raises(DataNotFoundError, match=r"the claims dev set .*" + fix):
        claims_dev(root)
    with pytest.raises(DataNotFoundError, match=r"the quick suite's sample articles .*" + fix):
        load_samples(root, tasks=("summary",))
    require_shared_ids(root, "anything", "bbc_news")  # no bbc_news/ hub copy here: nothing to refuse
