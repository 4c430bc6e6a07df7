"""Reliability and safety: fuzzed inputs, the bad-input corpus, safe weights, threads, determinism."""

import json
import re
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsml import Article, NewsmlError, to_article
from newsml.errors import ModelLoadError, NoArticleError
from tests.conftest import PAGES, ROOT

FUZZ = settings(max_examples=int(__import__("os").environ.get("NEWSML_FUZZ_EXAMPLES", "150")), deadline=5000,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

weird_text = st.one_of(
    st.text(),
    st.text(alphabet=st.sampled_from(list("abc DEF.\n\t\u200b\u200f\u202e\u0000\ufeff😀مرحباשלום<>/&;\"'") + ["\ud800"])),
    st.lists(st.sampled_from(["Related Articles", "logo", "Share", "time3 hours ago", "By Ann Lee", "12-03-2024",
                              "A long sentence about the economy that keeps going for a while.", "", "<p>", "</div>"]),
             max_size=40).map("\n".join),
)
html_fragments = st.recursive(
    st.text(max_size=30),
    lambda inner: st.tuples(st.sampled_from(["div", "p", "article", "script", "style", "aside", "h1", "table"]), inner)
    .map(lambda t: f"<{t[0]}>{t[1]}</{t[0]}>"),
    max_leaves=30,
)


def _ok_or_newsml_error(fn, *a, **k):
    try:
        return fn(*a, **k)
    except NewsmlError:
        return None


@FUZZ
@given(weird_text)
def test_fuzz_text(s):
    a = _ok_or_newsml_error(Article.from_text, s)
    if a is not None:
        assert a.text.strip() and isinstance(a.sentences, tuple)
    _ok_or_newsml_error(to_article, s)


@FUZZ
@given(html_fragments)
def test_fuzz_html(h):
    _ok_or_newsml_error(Article.from_html, "<html><body>" + h + "</body></html>")


@FUZZ
@given(st.one_of(st.none(), st.integers(), st.binary(), st.lists(st.text()), st.dictionaries(st.text(), st.text())))
def test_fuzz_types(x):
    _ok_or_newsml_error(to_article, x)


@settings(max_examples=int(__import__("os").environ.get("NEWSML_FUZZ_ANALYZE_EXAMPLES", "25")), deadline=20000, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(weird_text)
def test_fuzz_analyze(analyzer, s):
    r = _ok_or_newsml_error(analyzer.analyze, s, components=["topic", "stance"])
    if r is not None:
        json.dumps(r.to_dict())


def test_deep_nested_html_and_huge_line():
    _ok_or_newsml_error(Article.from_html, "<div>" * 5000 + "text" + "</div>" * 5000)
    a = Article.from_text("word " * 1_000_000)  # 5 MB on one line
    assert len(a.sentences) >= 1


# The bad-input corpus and its documented outcome (README, "Failure behaviour").
CORPUS = [
    ("", "InputValueError"),
    ("   \n\t ", "InputValueError"),
    ((PAGES / "only_boilerplate.txt").read_text(), "NoArticleError"),
    ("<html><head><script>var a=1;</script><style>p{}</style></head><body></body></html>", "NoArticleError"),
    ("<html><body><table><tr><td>1</td><td>2</td></tr><tr><td>3</td><td>4</td></tr></table></body></html>", "result"),
    ("Le gouvernement français a annoncé mardi une réforme des retraites, provoquant des grèves dans tout le pays.", "result"),
    (b"\x00\xff\xfe binary".decode("latin-1"), "result"),
    ("\udcff invalid utf-8 surrogate then text about a storm that hit the coast on Monday.", "result"),
]


@pytest.mark.parametrize("text,outcome", CORPUS)
def test_bad_input_corpus(analyzer, text, outcome):
    if outcome == "result":
        r = analyzer.analyze(text, components=["topic", "stance"])
        assert r.topic is not None
    else:
        with pytest.raises(NewsmlError) as e:
            analyzer.analyze(text, components=["topic", "stance"])
        assert type(e.value).__name__ == outcome


def test_five_mb_article_is_bounded(analyzer):
    import resource

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    text = ("The storm damaged roads and bridges across the province on Monday. " * 80_000)[:5_000_000]
    r = analyzer.analyze(text, components=["topic", "stance"])
    grew_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert r.topic is not None and grew_mb < 1500


def test_no_pickle_in_loading_paths():
    bad = re.compile(r"^\s*(import|from)\s+(pickle|joblib|cloudpickle|dill|_pickle)\b|\b(pickle|joblib)\.loads?\("
                     r"|torch\.load\((?![^)]*weights_only=True)|trust_remote_code\s*=\s*True", re.M)
    for p in (ROOT / "newsml").rglob("*.py"):
        assert not bad.search(p.read_text()), f"{p} uses pickle/joblib or torch.load without weights_only=True"


def test_every_shipped_model_has_a_verified_manifest():
    from newsml.safe_io import verify_manifest

    folders = [p.parent for p in (ROOT / "newsml" / "models").rglob("manifest.json")]
    assert {f.name for f in folders} >= {"topic", "stance", "summarizer", "adapter"}
    for f in folders:
        verify_manifest(f)
        assert not any(p.suffix in (".pkl", ".pickle", ".joblib", ".bin", ".pt", ".py") for p in f.iterdir())


def test_untrusted_folder_cannot_run_code(tmp_path):
    from newsml.topic import TopicClassifier

    (tmp_path / "config.json").write_text(json.dumps({"architecture": "newsml.topic.tfidf_minilm_ensemble.v1",
                                                      "auto_map": {"AutoModel": "evil.Model"}}))
    (tmp_path / "evil.py").write_text("raise SystemExit('code ran')")
    with pytest.raises(ModelLoadError, match="manifest"):
        TopicClassifier.from_pretrained(tmp_path)
    (tmp_path / "manifest.json").write_text(json.dumps({"files": {"../../etc/passwd": "0"}}))
    with pytest.raises(ModelLoadError, match="outside"):
        TopicClassifier.from_pretrained(tmp_path)


def test_threads_equal_sequential(analyzer):
    texts = [p.read_text() for p in sorted(PAGES.glob("*.txt")) if "boilerplate" not in p.name]
    seq = [json.dumps(analyzer.analyze(t, components=["topic", "stance"]).to_dict() | {"timings": {}}) for t in texts]
    res = [None] * len(texts)

    def work(i):
        res[i] = json.dumps(analyzer.analyze(texts[i], components=["topic", "stance"]).to_dict() | {"timings": {}})

    ths = [threading.Thread(target=work, args=(i,)) for i in range(len(texts))]
    for t in ths:
        t.start()
    for t in ths:
        t.join()
    assert res == seq


def test_same_input_same_bytes(analyzer, nk_page):
    a = json.dumps(analyzer.analyze(nk_page, components=["topic", "stance"]).to_dict() | {"timings": {}}, sort_keys=True)
    b = json.dumps(analyzer.analyze(nk_page, components=["topic", "stance"]).to_dict() | {"timings": {}}, sort_keys=True)
    assert a == b


def test_no_article_error_message():
    with pytest.raises(NoArticleError, match="no article body"):
        to_article((PAGES / "only_boilerplate.txt").read_text())


def test_import_is_light():
    import subprocess
    import sys

    code = "import sys, newsml; print('torch' in sys.modules, 'transformers' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=Path(ROOT)).stdout.strip()
    assert out == "False False"
