"""The data loader: a local folder passes through, a bad one gets an error naming --data-dir, offline with no folder
the error names both fixes, and the AG News split rebuilt from the official rows is the shared one byte for byte.
No network: the hub loader is replaced where a test needs its rows, with rows read from ../shared/data."""

from __future__ import annotations

import csv
import gzip
import hashlib

import pytest

from evaluation import datasets as ds
from evaluation.datasets import DataNotFoundError, ag_news_files, clean_ag, data_root
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


def test_offline_without_a_folder_names_both_options(no_local):
    with pytest.raises(DataNotFoundError) as e:
        data_root(None, need=["ag_news"])
    msg = str(e.value)
    assert "pass --data-dir PATH" in msg and "network access to the Hugging Face hub (sh0416/ag_news)" in msg
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
    assert calls == [(("sh0416/ag_news",), {"split": "test"})]
    assert sorted(p.name for p in no_local.iterdir()) == ["ag_news"]  # no half-written folder left behind
    for fn in ds.AG_DIGESTS:
        assert gzip.open(no_local / "ag_news" / fn).read() == gzip.open(DATA_DIR / "ag_news" / fn).read()
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # the second time: from the cache, offline
    assert data_root(None, need=["ag_news"]) == no_local and len(calls) == 1
