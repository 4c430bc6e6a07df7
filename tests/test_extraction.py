"""Main-story extraction: the benchmark's metric, the page split, the line classifier, real pages."""

import warnings

import pytest

from benchmarks.extraction import compute_shingle_f1, load_pages, page_f1, render, split_of
from newsml import Article
from newsml.extract_html import page_titles, story_lines
from newsml.extract_lines import FEATURES, LineClassifier, prepare_lines
from tests.conftest import DATA_DIR

STORY = ("The city council voted on Tuesday to build a new bridge over the river, ending a debate that lasted ten "
         "years. Work will start in the spring and is expected to take three years, the mayor said.")


def test_metric_matches_its_definition():
    assert compute_shingle_f1(["one two three four five"], ["one two three four five"])["f1"] == 1.0
    s = compute_shingle_f1(["alpha beta gamma delta", ""], ["one two three four", "one two three four"])
    assert s["precision"] == 0.0 and s["recall"] == 0.0 and s["pages_below_0.5"] == 2
    # a page with no output counts in recall but not in precision
    s = compute_shingle_f1(["one two three four", ""], ["one two three four", "five six seven eight"])
    assert s["precision"] == 1.0 and s["recall"] == 0.5
    # tokens are \w+ runs, case kept; punctuation and line breaks do not matter
    assert page_f1("One, two -- three\nfour five", "One two three four five") == 1.0
    assert page_f1("one two three four five", "One two three four five") < 1.0
    # half the shingles right: P = R = 0.5
    assert page_f1("a b c d e", "a b c d x") == pytest.approx(0.5)


def test_split_is_a_fixed_half():
    ids = [f"{i:064x}" for i in range(400)]
    assert [split_of(i) for i in ids] == [split_of(i) for i in ids]
    assert 150 < sum(split_of(i) == "test" for i in ids) < 250


def test_line_classifier_round_trip(tmp_path):
    clf = LineClassifier.from_pretrained()
    assert clf.config["features"] == list(FEATURES) and 0 < clf.threshold < 1
    clf.save_pretrained(tmp_path)
    again = LineClassifier.from_pretrained(tmp_path)
    lines = prepare_lines("Home | News | Sport\nSign in\n" + "\n".join([STORY] * 3) + "\nShare on Facebook\n© 2024 The Paper")
    assert (again.predict_proba(lines) == clf.predict_proba(lines)).all()
    assert clf.story_mask(lines) == [False, False, True, True, True, False, False]


def test_markdown_links_are_reduced_to_their_text():
    lines = prepare_lines("Read the [full report](https://example.org/report?id=1) here today.\n![logo](/img/logo.png)")
    assert [x["text"] for x in lines] == ["Read the full report here today."]


def test_text_without_spaces_gives_a_story():
    # Japanese written for this test: a menu, a headline, three sentences of story, a footer
    page = "\n".join([
        "ホーム", "ニュース", "スポーツ", "ログイン",
        "市議会が新しい橋の建設を承認",
        "市議会は火曜日、川に新しい橋を建設する計画を賛成多数で承認し、十年にわたる議論に決着をつけた。",
        "工事は来年の春に始まり、完成までに約三年かかる見通しだと市長は記者会見で述べた。",
        "反対派は費用が当初の見積もりを大きく上回る可能性があると指摘し、住民への説明を求めている。",
        "利用規約", "プライバシーポリシー",
    ])
    a = Article.from_text(page)
    assert a.text.startswith("市議会は火曜日") and a.text.endswith("求めている。")


def test_html_story_lines_drop_headline_links_and_comments():
    titles = page_titles("<html><head><title>Council approves river bridge | The Paper</title>"
                         "<meta property='og:title' content='Council approves river bridge'></head>"
                         "<body><h1>Council approves <b>river</b> bridge</h1></body></html>")
    assert titles.count("Council approves river bridge") == 2 and "Council approves river bridge | The Paper" in titles
    text = "\n".join(["Council approves river bridge", STORY, "Read more: Mayor opens new library", STORY,
                      "Related stories", STORY, "12 comments", "Great news for the town!"])
    assert story_lines(text, titles=titles) == [STORY, STORY, STORY]
    # a comments heading early in the text is not where the story ends; a lone headline stays
    assert story_lines("Comments\n" + STORY + "\n" + STORY) == ["Comments", STORY, STORY]
    assert story_lines("Council approves river bridge", titles=titles) == ["Council approves river bridge"]


needs_data = pytest.mark.skipif(
    not (DATA_DIR / "extraction" / "scrapinghub" / "ground-truth.json.gz").exists(),
    reason=f"the Zyte extraction benchmark is not at {DATA_DIR}/extraction/scrapinghub (shared data absent)",
)


@needs_data
def test_real_held_out_pages():
    pages = [p for p in load_pages(DATA_DIR) if p["split"] == "test"][:12]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        html = [Article.from_html(p["html"], url=p["url"]).text for p in pages]
        text = [Article.from_text(render(p["html"], "inscriptis")).text for p in pages]
    truth = [p["truth"] for p in pages]
    assert compute_shingle_f1(html, truth)["f1"] > 0.9
    assert compute_shingle_f1(text, truth)["f1"] > 0.8


def test_newspaper4k_pages_pair_each_html_with_its_expected_text(tmp_path):
    import io
    import tarfile

    from benchmarks.extraction import load_newspaper4k_pages

    story = "<html><body><article><p>" + "A story sentence that is long enough to keep. " * 20 + "</p></article></body></html>"
    sdist = tmp_path / "newspaper4k-0.9.6.tar.gz"
    with tarfile.open(sdist, "w:gz") as tar:
        for name, body in [("tests/data/html/a.html", story), ("tests/data/txt/a.txt", "A story sentence."),
                           ("tests/data/html/b_copy.html", story), ("tests/data/txt/b_copy.txt", "Another text."),
                           ("tests/data/html/no_text.html", "<p>x</p>"), ("tests/data/txt/only_text.txt", "x")]:
            data = body.encode()
            info = tarfile.TarInfo(f"newspaper4k-0.9.6/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    pages = load_newspaper4k_pages(sdist)
    # pages without a pair are left out; a page with the same HTML as an earlier one counts once
    assert [(p["id"], p["truth"], p["same_html_as"]) for p in pages] == [("a", "A story sentence.", ["b_copy"])]
    assert pages[0]["html"] == story
    with pytest.raises(FileNotFoundError, match="pip download --no-deps --no-binary :all: newspaper4k==0.9.6"):
        load_newspaper4k_pages(tmp_path / "absent.tar.gz")
