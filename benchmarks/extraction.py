"""Main-story extraction on real pages: the Zyte article-extraction benchmark (181 pages, 126 sites).

    python -m benchmarks.extraction --data-dir ../shared/data

Scores, with the benchmark's own metric (4-gram `\\w+` shingles, per-page precision / recall, averaged):
newsml `Article.from_html`, trafilatura defaults, readability-lxml and the whole-page text floor on
the HTML; and `Article.from_text` on each page rendered to text by three scrapers (inscriptis,
html2text, BeautifulSoup `get_text`), beside the render itself. Every number is given for the
held-out half of the pages (`split_of(page_id) == "test"`, never used to train or tune), the train
half and all 181. Writes benchmarks/results/extraction-cpu-<date>.json (per-page F1 included) and .md.
The pages and truth texts are read from `--data-dir` at run time; none is stored in the repository.

A second set of real pages, used for nothing but this report: the 22 article pages of newspaper4k's own test data
(news sites in 9 languages) with the text newspaper4k's tests expect (its maintainers' fixtures, not hand-written
truth: they favour newspaper-style extraction). Fetch the sdist once and pass it:

    pip download --no-deps --no-binary :all: newspaper4k==0.9.6 -d runs/pages
    python -m benchmarks.extraction --data-dir ../shared/data --newspaper4k runs/pages/newspaper4k-0.9.6.tar.gz
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import hashlib
import json
import os
import re
import time
import warnings
from collections import Counter
from pathlib import Path

from evaluation.datasets import DATA_DIR_HELP, data_root

HERE = Path(__file__).parent
SUBDIR = Path("extraction") / "scrapinghub"
RENDERS = ("inscriptis", "html2text", "bs4")

# -- the benchmark's metric ------------------------------------------------------------------------
# Re-implemented from its definition (the benchmark's evaluate.py): tokens are `\w+` runs (Unicode,
# case kept); a page's 4-gram shingles are a multiset; a text of fewer than 4 tokens is one shingle.
_TOKEN = re.compile(r"\w+")


def _shingles(text: str, n: int = 4) -> Counter:
    toks = _TOKEN.findall(text or "")
    return Counter(tuple(toks[i : i + n]) for i in range(max(1, len(toks) - n + 1)) if toks[i : i + n])


def page_tp_fp_fn(prediction: str, reference: str) -> tuple[float, float, float]:
    """A page's shingle TP / FP / FN, normalised to sum 1 so that long pages weigh no more."""
    p, r = _shingles(prediction), _shingles(reference)
    tp = sum((p & r).values())
    fp = sum((p - r).values())
    fn = sum((r - p).values())
    s = tp + fp + fn
    return (tp / s, fp / s, fn / s) if s else (0.0, 0.0, 0.0)


def _prf(tp: float, fp: float, fn: float) -> tuple[float, float, float]:
    if fp == fn == 0:
        return 1.0, 1.0, 1.0
    p = 0.0 if tp == fp == 0 else tp / (tp + fp)
    r = 0.0 if tp == fn == 0 else tp / (tp + fn)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def compute_shingle_f1(predictions: list[str], references: list[str]) -> dict[str, float]:
    """The benchmark's corpus scores: precision = mean over pages with output, recall = mean over pages
    with a truth text, F1 = their harmonic mean. Also the mean of per-page F1 and the pages below 0.5.

    >>> round(compute_shingle_f1(["a b c d e"], ["a b c d e"])["f1"], 3)
    1.0
    """
    if len(predictions) != len(references):
        raise ValueError(f"predictions and references differ in length: {len(predictions)} vs {len(references)}")
    rows = [page_tp_fp_fn(p, r) for p, r in zip(predictions, references)]
    precs = [_prf(*x)[0] for x in rows if x[0] + x[1] > 0]
    recs = [_prf(*x)[1] for x in rows if x[0] + x[2] > 0]
    p = sum(precs) / len(precs) if precs else 0.0
    r = sum(recs) / len(recs) if recs else 0.0
    page_f1 = [_prf(*x)[2] for x in rows]
    return {
        "f1": 2 * p * r / (p + r) if p + r else 0.0,
        "precision": p,
        "recall": r,
        "mean_page_f1": sum(page_f1) / len(page_f1) if page_f1 else 0.0,
        "pages_below_0.5": sum(f < 0.5 for f in page_f1),
        "n": len(rows),
    }


def page_f1(prediction: str, reference: str) -> float:
    return _prf(*page_tp_fp_fn(prediction, reference))[2]


# -- the pages ----------------------------------------------------------------------------------------
def split_of(page_id: str) -> str:
    """'train' or 'test' (held out): a fixed half of the pages, by a hash of the page id."""
    return "train" if hashlib.sha256(("newsml-extraction:" + page_id).encode()).digest()[0] % 2 == 0 else "test"


def load_pages(data_dir: str | Path) -> list[dict]:
    """[{id, url, html, truth, split}] sorted by id. Raises FileNotFoundError naming the folder."""
    root = Path(data_dir) / SUBDIR
    gt_path = root / "ground-truth.json.gz"
    if not gt_path.exists():
        raise FileNotFoundError(f"no extraction benchmark at {root}: pass --data-dir pointing at shared/data")
    truth = json.load(gzip.open(gt_path, "rt", encoding="utf-8"))
    pages = []
    for pid in sorted(truth):
        html = gzip.open(root / "html" / f"{pid}.html.gz").read().decode("utf-8", "replace")
        pages.append({"id": pid, "url": truth[pid].get("url"), "html": html,
                      "truth": truth[pid].get("articleBody", ""), "split": split_of(pid)})
    return pages


# -- renders: a page as a scraper turns it into text --------------------------------------------------
def render(html: str, how: str) -> str:
    """The whole page as text, the way common scrapers make it ('inscriptis', 'html2text', 'bs4')."""
    if how == "inscriptis":
        from inscriptis import get_text

        return get_text(html)
    if how == "html2text":
        from html2text import HTML2Text

        h = HTML2Text()
        h.body_width = 0  # no hard wrapping
        return h.handle(html)
    if how == "bs4":
        from bs4 import BeautifulSoup

        soup = BeautifulSoup(html, "lxml")
        for t in soup(["script", "style"]):
            t.decompose()
        return soup.get_text("\n", strip=True)
    raise ValueError(f"render `how` must be one of {RENDERS}, got {how!r}")


# -- extractors ------------------------------------------------------------------------------------------
def _newsml_html(page: dict) -> str:
    from newsml.article import Article
    from newsml.errors import NoArticleError

    try:
        return Article.from_html(page["html"], url=page["url"]).text
    except NoArticleError:
        return ""


def _newsml_text(rendered: str) -> str:
    from newsml.article import Article
    from newsml.errors import InputValueError

    try:
        return Article.from_text(rendered).text
    except InputValueError:  # NoArticleError, or an empty render
        return ""


def _trafilatura(page: dict) -> str:
    import trafilatura

    return trafilatura.extract(page["html"], url=page["url"]) or ""


def _readability(page: dict) -> str:
    from newsml.extract_html import readability_text

    return readability_text(page["html"])


def _whole_page(page: dict) -> str:
    return render(page["html"], "inscriptis")


HTML_EXTRACTORS = {
    "newsml": _newsml_html,
    "trafilatura": _trafilatura,
    "readability": _readability,
    "whole_page": _whole_page,
}


def _timed(fn, items) -> tuple[list[str], float]:
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = [fn(x) for x in items]
    return out, time.perf_counter() - t0


def _scores(preds: list[str], pages: list[dict]) -> dict:
    out = {}
    for name, keep in (("test", "test"), ("train", "train"), ("all", None)):
        idx = [i for i, p in enumerate(pages) if keep is None or p["split"] == keep]
        out[name] = compute_shingle_f1([preds[i] for i in idx], [pages[i]["truth"] for i in idx])
    return out


def speed(pages: list[dict]) -> dict:
    """Pages/s of newsml and the baselines, timed page by page in turn, so that a busy machine slows
    them all alike (the quality pass times each extractor in its own stretch)."""
    rendered = [render(p["html"], "inscriptis") for p in pages]
    fns = {"newsml_from_html": _newsml_html, "trafilatura": _trafilatura, "readability": _readability,
           "newsml_from_text_inscriptis": None}
    secs = dict.fromkeys(fns, 0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for p, text in zip(pages, rendered):
            for name, fn in fns.items():
                t0 = time.perf_counter()
                fn(p) if fn is not None else _newsml_text(text)
                secs[name] += time.perf_counter() - t0
    return {name: len(pages) / s for name, s in secs.items()}


def _run_extractors(pages: list[dict], score, per_page: dict) -> tuple[dict, dict]:
    """Every HTML extractor, and newsml on each text render beside the render itself, on every page: the `html` and
    `text` result tables (`score(predictions, seconds)` makes each entry) and each page's F1 added to `per_page`."""
    html, text = {}, {}
    for name, fn in HTML_EXTRACTORS.items():
        preds, secs = _timed(fn, pages)
        html[name] = score(preds, secs)
        for p, x in zip(pages, preds):
            per_page[p["id"]][f"html/{name}"] = round(page_f1(x, p["truth"]), 4)
    for how in RENDERS:
        texts, rsecs = _timed(lambda p, how=how: render(p["html"], how), pages)
        preds, secs = _timed(_newsml_text, texts)
        text[how] = {"newsml": score(preds, secs), "whole_render": score(texts, rsecs)}
        for p, x in zip(pages, preds):
            per_page[p["id"]][f"{how}/newsml"] = round(page_f1(x, p["truth"]), 4)
    return html, text


def bench_extraction(data_dir: str | Path, *, limit: int | None = None) -> dict:
    """Every extractor on every page: split scores, pages/s and per-page F1 (dict, JSON-ready)."""
    pages = load_pages(data_dir)[:limit]
    res: dict = {"n_pages": len(pages), "cores": os.cpu_count(), "n_test": sum(p["split"] == "test" for p in pages),
                 "split": "sha256('newsml-extraction:' + id)[0] % 2: even = train, odd = test (held out)",
                 "per_page": {p["id"]: {"split": p["split"], "url": p["url"]} for p in pages}}
    res["html"], res["text"] = _run_extractors(
        pages, lambda preds, secs: {**_scores(preds, pages), "pages_per_s": len(pages) / secs}, res["per_page"])
    res["speed"] = speed(pages)
    worst = sorted(res["per_page"].items(), key=lambda kv: kv[1]["html/newsml"])[:10]
    res["worst_html"] = [{"id": k, **v} for k, v in worst]
    for how in RENDERS:
        worst = sorted(res["per_page"].items(), key=lambda kv, how=how: kv[1][f"{how}/newsml"])[:10]
        res[f"worst_{how}"] = [{"id": k, "url": v["url"], "split": v["split"], "f1": v[f"{how}/newsml"]} for k, v in worst]
    return res


def load_newspaper4k_pages(sdist: str | Path) -> list[dict]:
    """[{id, url, html, truth, same_html_as}] for every page of newspaper4k's sdist (`tests/data/html/X.html`) that
    has an expected text (`tests/data/txt/X.txt`), read from the .tar.gz without unpacking it. Two ids with the same
    HTML (the sdist has one such pair) count once, under the first id; `same_html_as` lists the others."""
    import tarfile

    sdist = Path(sdist)
    if not sdist.exists():
        raise FileNotFoundError(f"{sdist} not found: pip download --no-deps --no-binary :all: newspaper4k==0.9.6 "
                                "-d runs/pages, then pass --newspaper4k runs/pages/newspaper4k-0.9.6.tar.gz")
    with tarfile.open(sdist) as tar:
        files = {Path(m.name).relative_to(Path(m.name).parts[0]).as_posix(): m for m in tar.getmembers() if m.isfile()}

        def read(name):
            return tar.extractfile(files[name]).read().decode("utf-8", "replace")

        ids = sorted(Path(n).stem for n in files if n.startswith("tests/data/html/") and n.endswith(".html")
                     and f"tests/data/txt/{Path(n).stem}.txt" in files)
        pages, seen = [], {}
        for i in ids:  # a page whose HTML repeats an earlier one's (byte for byte) is one page, not two: kept once
            html = read(f"tests/data/html/{i}.html")
            if html in seen:
                seen[html]["same_html_as"].append(i)
                continue
            seen[html] = {"id": i, "url": None, "html": html, "truth": read(f"tests/data/txt/{i}.txt"), "same_html_as": []}
            pages.append(seen[html])
    if not pages:
        raise ValueError(f"{sdist} holds no tests/data/html/X.html with a tests/data/txt/X.txt: not newspaper4k's sdist?")
    return pages


def bench_newspaper4k(sdist: str | Path) -> dict:
    """newsml, trafilatura and readability on newspaper4k's test pages (HTML and the three text renders),
    all pages one set: scores and per-page F1."""
    pages = load_newspaper4k_pages(sdist)
    truth = [p["truth"] for p in pages]
    res: dict = {"n_pages": len(pages), "source": f"{Path(sdist).name}: tests/data/html + tests/data/txt",
                 "same_html_dropped": {p["id"]: p["same_html_as"] for p in pages if p["same_html_as"]},
                 "per_page": {p["id"]: {} for p in pages}}
    res["html"], res["text"] = _run_extractors(pages, lambda preds, _: compute_shingle_f1(preds, truth), res["per_page"])
    return res


def newspaper4k_markdown(res: dict) -> str:
    L = ["", f"## Second real-page set: newspaper4k's test pages ({res['n_pages']} pages; expected texts are its "
         "maintainers' fixtures)", "", "| extractor | F1 | P | R | <0.5 |", "|---|---|---|---|---|"]
    rows = [(f"HTML: {k}", v) for k, v in res["html"].items()]
    rows += [(f"{how}: {k}", v) for how, d in res["text"].items() for k, v in d.items()]
    L += [f"| {n} | {s['f1']:.3f} | {s['precision']:.3f} | {s['recall']:.3f} | {s['pages_below_0.5']} |" for n, s in rows]
    L += ["", "| page | " + " | ".join(next(iter(res["per_page"].values()))) + " |",
          "|---" * (1 + len(next(iter(res["per_page"].values())))) + "|"]
    L += [f"| {pid} | " + " | ".join(f"{v:.2f}" for v in d.values()) + " |" for pid, d in res["per_page"].items()]
    return "\n".join(L) + "\n"


def to_markdown(res: dict) -> str:
    def row(name, s):
        return (f"| {name} | {s['test']['f1']:.3f} | {s['test']['pages_below_0.5']} | {s['train']['f1']:.3f} | "
                f"{s['all']['f1']:.3f} | {s['all']['precision']:.3f} | {s['all']['recall']:.3f} | "
                f"{s['all']['pages_below_0.5']} | {s['pages_per_s']:.1f} |")

    head = ["| extractor | F1 held-out | <0.5 held-out | F1 train | F1 all | P all | R all | <0.5 all | pages/s |",
            "|---|---|---|---|---|---|---|---|---|"]
    L = [f"# Main-story extraction ({res['n_pages']} pages, {res['n_test']} held out)", "",
         "Metric: the benchmark's 4-gram shingle precision / recall / F1, per page, averaged.", "", "## HTML", "", *head]
    L += [row(k, v) for k, v in res["html"].items()]
    L += ["", "## Scraped text (the page rendered to text, then `Article.from_text`)", "", *head]
    for how, d in res["text"].items():
        L += [row(f"{how}: newsml", d["newsml"]), row(f"{how}: whole render", d["whole_render"])]
    L += ["", "## Speed (pages/s, timed page by page in turn on this machine)", "",
          " | ".join(f"{k} {v:.1f}" for k, v in res["speed"].items())]
    L += ["", "## Worst pages, newsml on HTML", "", "| id | split | newsml | trafilatura | readability | url |",
          "|---|---|---|---|---|---|"]
    for w in res["worst_html"]:
        L.append(f"| {w['id'][:10]} | {w['split']} | {w['html/newsml']:.3f} | {w['html/trafilatura']:.3f} | "
                 f"{w['html/readability']:.3f} | {w['url']} |")
    for how in RENDERS:
        L += ["", f"## Worst pages, newsml on the {how} render", "", "| id | split | F1 | url |", "|---|---|---|---|"]
        L += [f"| {w['id'][:10]} | {w['split']} | {w['f1']:.3f} | {w['url']} |" for w in res[f"worst_{how}"]]
    return "\n".join(L) + "\n"


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", default=None, help=DATA_DIR_HELP)
    ap.add_argument("--out", default=str(HERE / "results"))
    ap.add_argument("--limit", type=int, default=None, help="first N pages only (smoke runs)")
    ap.add_argument("--newspaper4k", default=None, help="newspaper4k-0.9.6.tar.gz (pip download --no-deps "
                    "--no-binary :all: newspaper4k==0.9.6): also score its test pages, a second set of real pages")
    args = ap.parse_args(argv)
    args.data_dir = data_root(args.data_dir, need=["extraction"])
    res = bench_extraction(args.data_dir, limit=args.limit)
    if args.newspaper4k:
        res["newspaper4k"] = bench_newspaper4k(args.newspaper4k)
    res["date"] = dt.date.today().isoformat()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"extraction-cpu-{res['date']}"
    stem.with_suffix(".json").write_text(json.dumps(res, indent=1, ensure_ascii=False))
    md = to_markdown(res) + (newspaper4k_markdown(res["newspaper4k"]) if "newspaper4k" in res else "")
    stem.with_suffix(".md").write_text(md)
    print(md)
    return res


if __name__ == "__main__":
    main()
