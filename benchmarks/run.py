"""newsml benchmarks: quality and speed of every model and of analyze(), beside baselines.

    python -m benchmarks.run --suite quick --device cpu                 # fixture articles, minutes
    python -m benchmarks.run --suite full --device cpu --data-dir ../shared/data   # whole test splits

Writes benchmarks/results/<suite>-<device>-<date>.json, a Markdown table (.md) and PNG plots
(throughput vs batch size, topic reliability diagram, stance confusion matrix). `--device cuda` runs
the same code on a GPU and falls back to CPU with a message when CUDA is absent.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import json
import os
import platform
import resource
import sys
import time
from pathlib import Path

import numpy as np

from benchmarks.metrics import (
    compute_classification,
    compute_ece,
    compute_faithfulness,
    compute_fnc,
    compute_guard_share,
    compute_latency,
    compute_macro_f1_ci,
    compute_novel_bigrams,
    compute_rouge_ci,
    rouge_means,
    rouge_per_example,
)
from training.train_topic import LABEL_MAP, row_text

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"
TOPIC_MAP = {src: label for m in LABEL_MAP.values() for src, label in m.items()}  # every dataset's label -> newsml's


def hardware(device: str) -> dict:
    import torch

    cpu = platform.processor()
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    hw = {"cpu": cpu, "cores": os.cpu_count(), "torch_threads": torch.get_num_threads(), "torch": torch.__version__,
          "python": platform.python_version(), "device": device}
    if device.startswith("cuda"):
        hw["gpu"] = torch.cuda.get_device_name(0)
    return hw


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _gpu_mem(device):
    if device.startswith("cuda"):
        import torch

        return torch.cuda.max_memory_allocated() / 2**20
    return None


def timed(fn, *a, **k):
    t0 = time.perf_counter()
    out = fn(*a, **k)
    return out, time.perf_counter() - t0


def speed(fn, items, batch_sizes=(1, 8, 32), n_latency=None):
    """Latency p50/p95 per item at batch 1 and throughput (items/s) per batch size."""
    lat = [timed(fn, [x])[1] for x in items[: n_latency or len(items)]]
    thr = {}
    for bs in batch_sizes:
        pool = (items * (2 * bs // len(items) + 1))[: 2 * bs]  # two full batches, items repeated as needed
        t0 = time.perf_counter()
        for i in range(0, len(pool), bs):
            fn(pool[i : i + bs])
        thr[str(bs)] = len(pool) / (time.perf_counter() - t0)
    return {**compute_latency(lat), "throughput_per_s": thr}


# -- data -------------------------------------------------------------------------------------------------------
def load_samples():
    return [json.loads(x) for x in (FIXTURES / "sample_articles.jsonl").read_text().splitlines() if x.strip()]


def full_topic_data(data_dir: Path):
    rows = []
    for ds, fn in (("ag_news", "newsml_test.jsonl.gz"), ("bbc_news", "test.jsonl.gz")):
        for r in (json.loads(x) for x in gzip.open(data_dir / ds / fn, "rt", encoding="utf-8")):
            rows.append({"dataset": ds, "title": r["title"], "text": r["text"], "label": r["label"]})
    return rows


def full_fnc_data(data_dir: Path):
    op = lambda n: gzip.open(data_dir / "fnc1" / n, "rt", encoding="utf-8", newline="")  # noqa: E731
    bodies = {r["Body ID"]: r["articleBody"] for r in csv.DictReader(op("competition_test_bodies.csv.gz"))}
    return [{"text": bodies[r["Body ID"]], "body_id": r["Body ID"], "claim": r["Headline"], "stance": r["Stance"]}
            for r in csv.DictReader(op("competition_test_stances.csv.gz"))]


def _tfidf_lr_probs(train: list[dict], texts: list[str], labels: list[str]) -> np.ndarray:
    """The topic baseline: sklearn-default TfidfVectorizer + LogisticRegression fit on `train`; probabilities for
    `texts` over every newsml label (0 for a label the training rows lack)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer()
    X = vec.fit_transform([row_text(r) for r in train])
    lr = LogisticRegression(max_iter=2000).fit(X, [labels.index(TOPIC_MAP[r["label"]]) for r in train])
    P = np.zeros((len(texts), len(labels)))
    P[:, list(lr.classes_)] = lr.predict_proba(vec.transform(texts))
    return P


# -- suites ------------------------------------------------------------------------------------------------------
def bench_topic(rows, device, data_dir: Path | None, plots_dir: Path | None, stem: str):
    from newsml.topic import TopicClassifier

    clf, load_s = timed(TopicClassifier.from_pretrained)
    texts = [row_text(r) for r in rows]
    clf.predict(texts[:2])  # warm-up: loads MiniLM
    P, secs = timed(clf.predict_proba, texts)
    out = {"load_s": load_s, "n": len(rows), "articles_per_s": len(rows) / secs}
    for ds in sorted({r["dataset"] for r in rows}):
        idx = [i for i, r in enumerate(rows) if r["dataset"] == ds]
        y = np.array([clf.labels.index(TOPIC_MAP[rows[i]["label"]]) for i in idx])
        present, pred = sorted(set(y.tolist())), P[idx].argmax(1)
        m = compute_classification(pred, y, labels=present)
        m["per_class_f1"] = {clf.labels[int(k)]: v for k, v in m["per_class_f1"].items()}
        # rows: this dataset's true labels; columns: every label (a BBC article can be predicted `world`)
        cm = [[int(((pred == j) & (y == i)).sum()) for j in range(len(clf.labels))] for i in present]
        out[ds] = {**m, "macro_f1_ci95": compute_macro_f1_ci(pred, y, present),
                   "ece": compute_ece(P[idx], y)["ece"], "n": len(idx),
                   "confusion": {"true": [clf.labels[i] for i in present], "predicted": list(clf.labels), "counts": cm}}
    y_all = np.array([clf.labels.index(TOPIC_MAP[r["label"]]) for r in rows])
    rel = compute_ece(P, y_all)
    out["speed"] = speed(lambda b: clf.predict(b), [{"title": r["title"], "text": r["text"]} for r in rows[:16]],
                         n_latency=16)
    if data_dir is not None:  # baselines in the same run: TF-IDF + LR on the same training data
        train = {ds: [json.loads(x) for x in gzip.open(data_dir / ds / fn, "rt", encoding="utf-8")]
                 for ds, fn in (("ag_news", "newsml_train.jsonl.gz"), ("bbc_news", "train.jsonl.gz"))}
        # (a) one model on the merged 6-label data, as newsml; (b) one per dataset on its own labels only, an
        # easier task: the gap between them is what the merge costs a linear model
        merged = _tfidf_lr_probs(train["ag_news"] + train["bbc_news"], texts, clf.labels)
        out["baseline_tfidf_lr"], out["baseline_tfidf_lr_own_labels"] = {}, {}
        for ds in sorted({r["dataset"] for r in rows}):
            idx = [i for i, r in enumerate(rows) if r["dataset"] == ds]
            y = np.array([clf.labels.index(TOPIC_MAP[rows[i]["label"]]) for i in idx])
            present = sorted(set(y.tolist()))
            own = _tfidf_lr_probs(train[ds], [texts[i] for i in idx], clf.labels)
            for key, Pb in (("baseline_tfidf_lr", merged[idx]), ("baseline_tfidf_lr_own_labels", own)):
                m = compute_classification(Pb.argmax(1), y, labels=present)
                out[key][ds] = {"macro_f1": m["macro_f1"], "accuracy": m["accuracy"], "ece": compute_ece(Pb, y)["ece"]}
    if plots_dir is not None:
        _plot_reliability(rel["bins"], plots_dir / f"{stem}-topic-reliability.png")
    return out


def bench_stance(rows, device, data_dir: Path | None, plots_dir: Path | None, stem: str):
    from newsml.article import Article
    from newsml.stance import StanceClassifier

    clf, load_s = timed(StanceClassifier.from_pretrained)
    by_body: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        by_body.setdefault(r.get("body_id") or r["text"][:200], []).append(i)
    pred = [None] * len(rows)
    t0 = time.perf_counter()
    for idx in by_body.values():  # the article is encoded once for all its claims
        # Article(text=...) keeps the body as given (FNC bodies are clean text): the sentences are exactly
        # those the training script used; a raw dict would go through the scraped-page parser first.
        res = clf.predict(Article(text=rows[idx[0]]["text"]), [rows[i]["claim"] for i in idx])
        for i, r in zip(idx, res):
            pred[i] = r.label
    secs = time.perf_counter() - t0
    gold = [r["stance"] for r in rows]
    out = {"load_s": load_s, "n": len(rows), "pairs_per_s": len(rows) / secs, **compute_fnc(pred, gold)}
    body = rows[0]["text"]
    out["speed_claims_per_article"] = {
        str(k): k / timed(clf.predict, {"text": body}, [rows[j % len(rows)]["claim"] for j in range(k)])[1]
        for k in (1, 8, 32)
    }
    if plots_dir is not None:
        _plot_confusion(out["confusion_matrix"], out["labels"], plots_dir / f"{stem}-stance-confusion.png")
    return out


def bench_fnc_baseline(data_dir: Path, rows):
    from sklearn.ensemble import GradientBoostingClassifier

    from training.fnc_baseline import features
    from training.train_stance import read_fnc

    bodies, stances = read_fnc(data_dir, "train")
    X = np.stack([features(h, bodies[b]) for h, b, _ in stances])
    gb = GradientBoostingClassifier(n_estimators=200, random_state=14128).fit(X, [s for _, _, s in stances])
    P = gb.predict(np.stack([features(r["claim"], r["text"]) for r in rows]))
    return compute_fnc(list(P), [r["stance"] for r in rows])


def bench_summary(rows, device, batch_size=16):
    from newsml.article import Article
    from newsml.summarize import Summarizer
    from newsml.text import split_sentences

    s, load_s = timed(Summarizer.from_pretrained, device=device)
    _, gen_load_s = timed(s.load)
    refs = ["\n".join(h.strip() for h in r["reference"].split("\n") if h.strip()) for r in rows]
    arts = [Article(text=r["text"]) for r in rows]
    out = {"load_s": load_s + gen_load_s, "n": len(rows)}
    lead3 = [" ".join(split_sentences(r["text"])[:3]) for r in rows]
    selector = [x.text for x in s.summarize(arts, generate=False)]
    per = {"lead3": rouge_per_example(lead3, refs), "selector": rouge_per_example(selector, refs)}
    out["lead3"], out["selector"] = rouge_means(per["lead3"]), rouge_means(per["selector"])
    res, secs = timed(s.summarize, arts, batch_size=batch_size)
    texts = [x.text for x in res]
    per_newsml = rouge_per_example(texts, refs)
    out["newsml"] = {**rouge_means(per_newsml), **compute_faithfulness(texts, [r["text"] for r in rows]),
                     "ci95": compute_rouge_ci(per_newsml, per),
                     **compute_novel_bigrams(texts, [r["text"] for r in rows]),
                     **compute_guard_share(res),
                     "articles_per_s": len(rows) / secs, "batch_size": batch_size}
    # the plain transformers pipeline on the same generator and prompts, unbatched (speed reference)
    out["pipeline_baseline"] = _pipeline_speed(s, arts[: min(4, len(arts))])
    out["speedup_vs_pipeline"] = out["newsml"]["articles_per_s"] / out["pipeline_baseline"]["articles_per_s"]
    return out


def _pipeline_speed(s, arts):
    from transformers import pipeline

    model, tok = s.load()
    pipe = pipeline("text-generation", model=model, tokenizer=tok, device=model.device)
    prompts = [p for a in arts for p in s.article_prompts(a)]  # one per article, or one per picked sentence
    t0 = time.perf_counter()
    for p in prompts:
        pipe(p, max_new_tokens=s.config["generation"]["max_new_tokens"], do_sample=False, return_full_text=False)
    return {"articles_per_s": len(arts) / (time.perf_counter() - t0), "n": len(arts), "prompts": len(prompts)}


def bench_analyze(device):
    from newsml import Analyzer

    pages = sorted(p for p in (FIXTURES / "pages").iterdir() if p.suffix in (".txt", ".html") and "boilerplate" not in p.name)
    texts = [p.read_text(encoding="utf-8") for p in pages]
    an = Analyzer(device=device)
    t0 = time.perf_counter()
    an.analyze(texts[0], components=["topic", "stance"])
    load_s = time.perf_counter() - t0
    out = {"pages": [p.name for p in pages], "first_call_s": load_s}
    out["topic_stance"] = speed(lambda b: an.analyze_batch(b, components=["topic", "stance"]), texts, (1, 8))
    lat = [timed(an.analyze, t)[1] for t in texts]
    out["all_components"] = compute_latency(lat)
    out["all_components"]["articles_per_s"] = len(texts) / sum(lat)
    return out


# -- plots + report -------------------------------------------------------------------------------------------------
def _plot_reliability(bins, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4, 4))
    ax.plot([0, 1], [0, 1], "k--", lw=1)
    ax.bar([(b["lo"] + b["hi"]) / 2 for b in bins], [b["accuracy"] for b in bins], width=1 / 15, alpha=0.7, edgecolor="k")
    ax.set(xlabel="confidence", ylabel="accuracy", title="topic reliability")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _plot_confusion(cm, labels, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.5, 4))
    a = np.asarray(cm, dtype=float)
    ax.imshow(a / np.maximum(1, a.sum(1, keepdims=True)), cmap="Blues")
    for i in range(len(labels)):
        for j in range(len(labels)):
            ax.text(j, i, int(a[i, j]), ha="center", va="center", fontsize=8)
    ax.set(xticks=range(len(labels)), yticks=range(len(labels)), xticklabels=labels, yticklabels=labels,
           xlabel="predicted", ylabel="gold", title="stance confusion")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _plot_throughput(res, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.5, 3.5))
    for name, thr in res.items():
        ks = sorted(thr, key=int)
        ax.plot([int(k) for k in ks], [thr[k] for k in ks], marker="o", label=name)
    ax.set(xscale="log", xlabel="batch size", ylabel="items/s", title="throughput")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def refresh_cards(r: dict) -> None:
    """Full suite: copy this run's test numbers into training/results/*.json and regenerate the cards,
    so every number in a card is a number in this run's JSON."""
    from model_cards.generate import RESULTS, write_card

    def update(name, fn):
        p = RESULTS / name
        d = json.loads(p.read_text()) if p.exists() else {}
        fn(d)
        p.write_text(json.dumps(d, indent=2, default=float))

    hw = f"{r['hardware']['cpu']} ({r['hardware']['cores']} cores, {r['hardware']['device']})"
    if "topic" in r:
        t = r["topic"]

        def upd_topic(d):
            m = d.setdefault("metrics", {})
            for ds in ("ag_news", "bbc_news"):
                tm = m.setdefault(f"test_{ds}", {})
                tm["n"] = t[ds]["n"]
                tm.setdefault("newsml", {}).update({k: t[ds][k] for k in ("macro_f1", "macro_f1_ci95", "accuracy",
                                                                          "per_class_f1", "ece", "confusion")})
                for key in ("baseline_tfidf_lr", "baseline_tfidf_lr_own_labels"):
                    if key in t:
                        tm.setdefault(key, {}).update(t[key][ds])
            m["benchmark"] = r["command"]

        update("topic_metrics.json", upd_topic)
        update("topic_speed.json", lambda d: d.update(articles_per_s=t["articles_per_s"], load_s=t["load_s"], hardware=hw))
    if "stance" in r:
        st = r["stance"]
        keep = ("fnc_score", "fnc_max", "fnc_relative", "macro_f1", "accuracy", "per_class_f1", "confusion_matrix", "labels")

        def upd_stance(d):
            m = d.setdefault("metrics", {})
            m["test"] = {k: st[k] for k in keep}
            m["n_test"] = st["n"]
            if r.get("stance_baseline"):
                m["baseline_official_fnc"] = {k: r["stance_baseline"][k] for k in keep}
            m["benchmark"] = r["command"]

        update("stance_metrics.json", upd_stance)
        update("stance_speed.json", lambda d: d.update(pairs_per_s=st["pairs_per_s"], load_s=st["load_s"], hardware=hw))
    for name in ("topic", "stance", "summarizer"):
        write_card(name)


def markdown(r: dict) -> str:
    from model_cards.generate import fmt_ci, rouge_ci_note

    f = lambda x, d=3: "-" if x is None else (f"{x:.{d}f}" if isinstance(x, float) else str(x))  # noqa: E731
    L = [f"# newsml benchmark: {r['suite']} / {r['hardware']['device']} / {r['date']}", "",
         f"Hardware: {r['hardware']}", ""]
    t = r.get("topic")
    if t:
        L += ["## Topic", "", "| dataset | n | macro-F1 | 95% CI | accuracy | ECE | baseline TF-IDF+LR macro-F1 | baseline ECE | baseline on own labels |",
              "|---|---|---|---|---|---|---|---|---|"]
        for ds in ("ag_news", "bbc_news"):
            if ds in t:
                b = t.get("baseline_tfidf_lr", {}).get(ds, {})
                L.append(f"| {ds} | {t[ds]['n']} | {f(t[ds]['macro_f1'])} | {fmt_ci(t[ds].get('macro_f1_ci95'), 3) if t[ds].get('macro_f1_ci95') else '-'} | {f(t[ds]['accuracy'])} | "
                         f"{f(t[ds]['ece'])} | {f(b.get('macro_f1'))} | {f(b.get('ece'))} | "
                         f"{f(t.get('baseline_tfidf_lr_own_labels', {}).get(ds, {}).get('macro_f1'))} |")
        L += ["", f"Speed: {f(t['articles_per_s'], 1)} articles/s (predict_proba, all rows); latency p50 {f(t['speed']['p50_s'])} s; load {f(t['load_s'])} s.", ""]
    s = r.get("stance")
    if s:
        b = r.get("stance_baseline") or {}
        L += ["## Stance (FNC-1)", "", "| system | n | FNC score % | macro-F1 | agree | disagree | discuss | unrelated |", "|---|---|---|---|---|---|---|---|"]
        for name, m in (("newsml", s), ("official baseline", b)):
            if m:
                pc = m["per_class_f1"]
                L.append(f"| {name} | {s['n']} | {f(m['fnc_relative'], 2)} | {f(m['macro_f1'])} | {f(pc['agree'])} | {f(pc['disagree'])} | {f(pc['discuss'])} | {f(pc['unrelated'])} |")
        L += ["", f"Speed: {f(s['pairs_per_s'], 1)} pairs/s; load {f(s['load_s'])} s.", ""]
    m = r.get("summary")
    if m:
        L += ["## Summary (CNN)", "", "| system | R1 | R2 | RLsum |", "|---|---|---|---|"]
        for name, k in (("Lead-3", "lead3"), ("selector alone", "selector"), ("newsml", "newsml")):
            L.append(f"| {name} | {f(m[k]['rouge1'], 2)} | {f(m[k]['rouge2'], 2)} | {f(m[k]['rougeLsum'], 2)} |")
        n = m["newsml"]
        L += ["", f"n={m['n']}; summaries with an unsupported number: {n['summaries_with_unsupported_number']}; "
              f"unsupported-entity rate {f(n['unsupported_entity_rate'])}; guard replaced {f(n['guard_replaced_share'])} of sentences; "
              f"novel bigrams {f(n['novel_bigram_rate'])}; {f(n['articles_per_s'], 2)} articles/s (batch {n['batch_size']}); "
              f"plain transformers pipeline {f(m['pipeline_baseline']['articles_per_s'], 2)} articles/s (x{f(m['speedup_vs_pipeline'], 2)}).", ""]
        if n.get("ci95"):
            L += [rouge_ci_note(n["ci95"], m["n"]), ""]
    a = r.get("analyze")
    if a:
        L += ["## analyze() end to end (fixture pages)", "",
              f"topic+stance: p50 {f(a['topic_stance']['p50_s'])} s, p95 {f(a['topic_stance']['p95_s'])} s, "
              f"throughput {a['topic_stance']['throughput_per_s']}; all components: p50 {f(a['all_components']['p50_s'])} s, "
              f"{f(a['all_components']['articles_per_s'], 2)} articles/s; first call (loads models) {f(a['first_call_s'])} s.", ""]
    L += [f"Peak RSS: {f(r['peak_rss_mb'], 0)} MB. Total {f(r['seconds'], 0)} s.", ""]
    return "\n".join(L)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--suite", default="quick", choices=["quick", "full"])
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--data-dir", default=str(HERE.parent.parent / "shared" / "data"))
    ap.add_argument("--out", default=str(HERE / "results"))
    ap.add_argument("--only", default="topic,stance,summary,analyze")
    ap.add_argument("--summary-limit", type=int, default=None, help="full suite: first N CNN test stories")
    args = ap.parse_args(argv)
    device = args.device
    if device.startswith("cuda"):
        import torch

        if not torch.cuda.is_available():
            print("benchmarks: CUDA requested but not available; running on CPU", file=sys.stderr)
            device = "cpu"
    only = set(args.only.split(","))
    data_dir = Path(args.data_dir) if Path(args.data_dir).exists() else None
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    date = dt.date.today().isoformat()
    stem = f"{args.suite}-{device.split(':')[0]}-{date}"  # a component's plot: {stem}-topic-reliability.png
    prefix = stem
    if only != set(ap.get_default("only").split(",")):  # a subset run gets its own files: it never replaces a full one
        prefix += "-" + "-".join(sorted(only))
    t0 = time.time()
    r = {"suite": args.suite, "date": date, "hardware": hardware(device), "command": "python -m benchmarks.run " + " ".join(argv or sys.argv[1:])}
    samples = load_samples()
    if args.suite == "full" and data_dir is None:
        raise SystemExit(f"--suite full needs --data-dir with the test splits ({args.data_dir} not found)")
    if "topic" in only:
        rows = full_topic_data(data_dir) if args.suite == "full" else [s for s in samples if s["task"] == "topic"]
        r["topic"] = bench_topic(rows, device, data_dir, out_dir, stem)
        print("topic done", flush=True)
    if "stance" in only:
        rows = full_fnc_data(data_dir) if args.suite == "full" else [s for s in samples if s["task"] == "stance"]
        r["stance"] = bench_stance(rows, device, data_dir, out_dir, stem)
        if args.suite == "full":
            r["stance_baseline"] = bench_fnc_baseline(data_dir, rows)
        print("stance done", flush=True)
    if "summary" in only:
        if args.suite == "full":
            rows = [{"text": x["article"], "reference": x["highlights"]} for x in
                    (json.loads(y) for y in gzip.open(data_dir / "cnn_dailymail" / "test.jsonl.gz", "rt", encoding="utf-8"))]
            rows = rows[: args.summary_limit]
        else:
            rows = [s for s in samples if s["task"] == "summary"]
        r["summary"] = bench_summary(rows, device)
        if args.suite == "full" and args.summary_limit is None:  # the card's numbers come from this run
            from training.train_summarizer import save_summary_metrics

            save_summary_metrics({**r["summary"], "split": "test", "command": r["command"]}, "test")
        print("summary done", flush=True)
    if "analyze" in only:
        r["analyze"] = bench_analyze(device)
    r["peak_rss_mb"] = peak_rss_mb()
    r["gpu_peak_mb"] = _gpu_mem(device)
    r["seconds"] = time.time() - t0
    thr = {}
    if "topic" in r:
        thr["topic.predict"] = r["topic"]["speed"]["throughput_per_s"]
    if "stance" in r:
        thr["stance claims/article"] = r["stance"]["speed_claims_per_article"]
    if "analyze" in r:
        thr["analyze topic+stance"] = r["analyze"]["topic_stance"]["throughput_per_s"]
    if thr:
        _plot_throughput(thr, out_dir / f"{prefix}-throughput.png")
    (out_dir / f"{prefix}.json").write_text(json.dumps(r, indent=2, default=float))
    if args.suite == "full":  # each card's test numbers: the latest full run of its component (--only picks)
        refresh_cards(r)
    (out_dir / f"{prefix}.md").write_text(markdown(r))
    print(markdown(r))
    return r


if __name__ == "__main__":
    main()
