import os
from pathlib import Path

import pytest

# Offline always: no model hub, no dataset hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "benchmarks" / "fixtures" / "pages"
DATA_DIR = Path(os.environ.get("NEWSML_DATA_DIR", ROOT.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def nk_page() -> str:
    return (PAGES / "scraped_page_nk_troops.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def encoder():
    from newsml.encoder import SentenceEncoder

    return SentenceEncoder()


@pytest.fixture(scope="session")
def topic_model(encoder):
    from newsml.topic import TopicClassifier

    return TopicClassifier.from_pretrained(encoder=encoder)


@pytest.fixture(scope="session")
def nli_model():
    from newsml.nli import NLIModel

    return NLIModel.from_pretrained()


@pytest.fixture(scope="session")
def stance_model(encoder, nli_model):
    from newsml.stance import StanceClassifier

    return StanceClassifier.from_pretrained(encoder=encoder, nli=nli_model)


@pytest.fixture(scope="session")
def summarizer():
    """The shipped summarizer, loaded once for every read-only test (its generator loads on first use)."""
    from newsml.summarize import Summarizer

    return Summarizer.from_pretrained()


@pytest.fixture(scope="session")
def analyzer(topic_model, stance_model):
    """Shared read-only Analyzer with the shipped topic and stance models (summarizer loads lazily)."""
    from newsml import Analyzer

    return Analyzer(topic=topic_model, stance=stance_model)


def needs_data(*parts):
    """Skip a test that reads the shared datasets (DATA_DIR: ../shared/data, or $NEWSML_DATA_DIR) when the file
    `parts` is absent; the reason names the folder, so `pytest -rs` lists what a clean clone without it skipped."""
    p = DATA_DIR.joinpath(*parts)
    why = f"the shared datasets folder {DATA_DIR} is absent" if not DATA_DIR.is_dir() else f"{p} is absent"
    return pytest.mark.skipif(not p.exists(), reason=f"needs ../shared/data: {why} (set NEWSML_DATA_DIR to its path)")
