"""Article extraction on messy pages: exact body boundaries, metadata, related stories, errors."""

import json
from pathlib import Path

import pytest

from newsml import Article, InputTypeError, InputValueError, NewsmlError, NoArticleError, to_article
from tests.conftest import PAGES

CASES = sorted(p for p in PAGES.glob("*.expected.json"))


@pytest.mark.parametrize("expected_path", CASES, ids=[p.name.split(".")[0] for p in CASES])
def test_messy_pages(expected_path: Path):
    stem = expected_path.name[: -len(".expected.json")]
    src = next(p for p in PAGES.glob(stem + ".*") if not p.name.endswith(".json"))
    e = json.loads(expected_path.read_text())
    a = to_article(src.read_text(encoding="utf-8"))
    assert (a.title, a.author, a.date, a.source) == (e["title"], e["author"], e["date"], e["source"])
    assert a.text.startswith(e["body_starts"])
    assert a.text.endswith(e["body_ends"])
    for junk in e["absent"]:
        assert junk not in a.text
    assert [r.title for r in a.related] == e["related"]


def test_nk_page_exact(nk_page):
    a = Article.from_text(nk_page)
    assert a.title == "North Korea confirms troop deployment to Russia, hails 'heroes'"
    assert a.source == "Iraqi News" and a.date == "2025-04-28"
    assert a.text.startswith("North Korea confirmed for the first time on Monday")
    assert a.text.endswith("South Korean officials have said.")
    assert a.title not in a.text  # the duplicated headline is not part of the body
    # the related stories are set aside with their source and text, not in the body
    assert len(a.related) == 3
    assert a.related[0].source == "Iraqi News" and a.related[1].source == "Shafaq News"
    assert a.related[2].text.startswith("Shafaq News/ A wave of Ukrainian drone attacks")
    for r in a.related:
        assert r.title not in a.text and r.text[:60] not in a.text
    # real sentence splitting: abbreviations such as "U.S." and "U.N." do not end a sentence
    assert any(s.startswith("The U.S. State Department demanded") and "U.N. Security Council" in s for s in a.sentences)
    assert a.sentences[0].startswith("North Korea confirmed") and a.sentences[-1].endswith("officials have said.")


def test_from_dict_and_dispatch():
    a = to_article({"title": "Given title", "text": "A storm hit the coast on Monday. Thousands lost power overnight."})
    assert a.title == "Given title" and len(a.sentences) == 2
    assert to_article(a) is a
    h = to_article("<html><body><article><h1>Big storm hits coast</h1><p>A large storm hit the northern coast on Monday, "
                   "cutting power to thousands of homes and closing schools across the region.</p></article></body></html>")
    assert "storm" in h.text


@pytest.mark.parametrize("bad", [None, 123, 4.5, ["text"], b"bytes"])
def test_bad_types_name_the_argument(bad):
    with pytest.raises(InputTypeError, match="`article`"):
        to_article(bad)


@pytest.mark.parametrize("bad", ["", "   ", "\n\t\n"])
def test_empty_text(bad):
    with pytest.raises(InputValueError, match="empty"):
        to_article(bad)


def test_only_boilerplate_page():
    with pytest.raises(NoArticleError, match="no article body"):
        to_article((PAGES / "only_boilerplate.txt").read_text())


def test_dict_without_text():
    with pytest.raises(InputValueError, match="'text' or 'html'"):
        to_article({"title": "x"})
    with pytest.raises(InputTypeError, match=r"article\['text'\]"):
        to_article({"text": 5})


def test_errors_are_builtin_subclasses():
    assert issubclass(InputTypeError, TypeError) and issubclass(InputValueError, ValueError)
    assert issubclass(NoArticleError, NewsmlError)


def test_one_word_and_headline_only():
    assert to_article("Hello").text == "Hello"
    a = to_article("Markets rally as inflation cools")
    assert a.text == "Markets rally as inflation cools"


def test_sentence_splitting_is_thread_safe(nk_page):
    """pysbd keeps per-call state on its Segmenter: threads must not share one."""
    import threading

    from newsml.text import split_sentences

    texts = [nk_page, nk_page.upper(), "Mr. Kim said it. Then he left. " * 200, nk_page[::-1]]
    want = [split_sentences(t) for t in texts]
    got = [[None] * len(texts) for _ in range(6)]

    def work(r, i):
        got[r][i] = split_sentences(texts[i])

    ths = [threading.Thread(target=work, args=(r, i)) for r in range(6) for i in range(len(texts))]
    for t in ths:
        t.start()
    for t in ths:
        t.join()
    assert all(row == want for row in got)
