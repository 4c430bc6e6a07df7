"""newsml benchmarks: quality and speed of every model and of analyze(), beside baselines.

    python -m benchmarks.run --suite quick --device cpu                 # 32 sample test articles, minutes
    python -m benchmarks.run --suite full --device cpu --data-dir ../shared/data   # whole test splits

Writes benchmarks/results/<suite>-<device>-<date>.json, a Markdown table (.md) and PNG plots
(throughput vs batch size, topic reliability diagram, stance confusion matrix), and nothing else: the model
cards take a full run's test numbers with `python -m model_cards.generate --benchmark <that .json>`.
`--device cuda` runs the same code on a GPU and falls back to CPU with a message when CUDA is absent.

One bench function per registered component (`newsml.components.REGISTRY`; `BENCHES` below), each loading its
model through the registry; dataset readers, metrics and baselines come from `evaluation/` (shared with
training, which this package never imports).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import sys
import time
from pathlib import Path

import numpy as np

from evaluation.baselines import fnc_gbdt, tfidf_lr_probs
from evaluation.data_readers import TOPIC_MAP, cnn_path, fnc_split, read_jsonl, references, row_text, topic_rows
from evaluation.datasets import DATA_DIR_HELP, DataNotFoundError, data_root
from evaluation.metrics import (
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
from evaluation.samples import load_samples
from newsml.components import REGISTRY

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"


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
def full_fnc_data(data_dir: Path):
    bodies, stances = fnc_split(data_dir, "test")
    return [{"text": bodies[b], "body_id": b, "claim": h, "stance": st} for h, b, st in stances]


def _tfidf_lr_probs(train: list[dict], texts: list[str], labels: list[str]) -> np.ndarray:
    """The topic baseline (`evaluation.baselines.tfidf_lr_probs`) fit on labelled topic rows `train`."""
    return tfidf_lr_probs([row_text(r) for r in train], [labels.index(TOPIC_MAP[r["label"]]) for r in train], texts,
                          len(labels))


# -- suites ------------------------------------------------------------------------------------------------------
def bench_topic(rows, device, data_dir: Path | None, plots_dir: Path | None, stem: str):
    clf, load_s = timed(REGISTRY["topic"].load)
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
        train = {ds: topic_rows(data_dir, "train", ds) for ds in ("ag_news", "bbc_news")}
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

    clf, load_s = timed(REGISTRY["stance"].load)
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
    bodies, stances = fnc_split(data_dir, "train")
    return compute_fnc(fnc_gbdt(bodies, stances, [(r["claim"], r["text"]) for r in rows]), [r["stance"] for r in rows])


def bench_summary(rows, device, batch_size=16):
    from newsml.article import Article
    from newsml.text import split_sentences

    s, load_s = timed(REGISTRY["summary"].load, device=device)
    _, gen_load_s = timed(s.load)
    refs = [references(r["reference"]) for r in rows]
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
    ap.add_argument("--data-dir", default=None, help=DATA_DIR_HELP)
    ap.add_argument("--out", default=str(HERE / "results"))
    ap.add_argument("--only", default=",".join([*REGISTRY, "analyze"]))
    ap.add_argument("--summary-limit", type=int, default=None, help="full suite: first N CNN test stories")
    ap.add_argument("--summary-split", default="test", choices=["test", "validation"],
                    help="full suite: the CNN split the summarizer is scored on (validation: during development)")
    args = ap.parse_args(argv)
    device = args.device
    if device.startswith("cuda"):
        import torch

        if not torch.cuda.is_available():
            print("benchmarks: CUDA requested but not available; running on CPU", file=sys.stderr)
            device = "cpu"
    only = set(args.only.split(","))
    try:  # the full suite reads the test splits; the quick suite its sample articles (the `analyze` part: none)
        data_dir = data_root(args.data_dir, need=["ag_news", "bbc_news", "fnc1", "cnn_dailymail"]
                             if args.suite == "full" else [])
    except DataNotFoundError as e:
        if args.suite == "full":
            raise SystemExit(f"benchmarks: --suite full: {e}") from None
        data_dir, args.data_error = None, str(e)
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    date = dt.date.today().isoformat()
    stem = f"{args.suite}-{device.split(':')[0]}-{date}"  # a component's plot: {stem}-topic-reliability.png
    prefix = stem
    if only != set(ap.get_default("only").split(",")):  # a subset run gets its own files: it never replaces a full one
        prefix += "-" + "-".join(sorted(only))
    t0 = time.time()
    r = {"suite": args.suite, "date": date, "hardware": hardware(device), "command": "python -m benchmarks.run " + " ".join(argv or sys.argv[1:])}
    samples = _quick_samples(args, data_dir, only)
    for name in [*REGISTRY, "extraction"]:  # every registered component with a bench function, then extraction
        if name in only and name in BENCHES:
            r.update(BENCHES[name](args, samples, data_dir, device, out_dir, stem))
            print(f"{name} done", flush=True)
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
    (out_dir / f"{prefix}.md").write_text(markdown(r))
    print(markdown(r))
    if args.suite == "full":
        print(f"cards: python -m model_cards.generate --benchmark {out_dir / prefix}.json", flush=True)
    return r


def _quick_samples(args, data_dir: Path | None, only: set[str]) -> list[dict]:
    """The quick suite's sample articles for the components in `only`, read from `data_dir` (the repository keeps
    their ids only: benchmarks/fixtures/sample_ids.json); a clear stop when the datasets are absent."""
    tasks = [t for t in ("topic", "stance", "summary") if t in only]
    if args.suite != "quick" or not tasks:
        return []
    try:
        if data_dir is None:
            raise FileNotFoundError(args.data_error)
        return load_samples(data_dir, tasks)
    except FileNotFoundError as e:
        raise SystemExit(f"benchmarks: --suite quick --only {','.join(tasks)}: {e}. "
                         "(`--only analyze` runs on the repository's own pages without them.)") from None


# -- one entry per registered component: (args, sample articles, data dir, device, out dir, stem) -> results ---------
def _run_topic(args, samples, data_dir, device, out_dir, stem):
    rows = topic_rows(data_dir, "test") if args.suite == "full" else [s for s in samples if s["task"] == "topic"]
    return {"topic": bench_topic(rows, device, data_dir, out_dir, stem)}


def _run_stance(args, samples, data_dir, device, out_dir, stem):
    rows = full_fnc_data(data_dir) if args.suite == "full" else [s for s in samples if s["task"] == "stance"]
    out = {"stance": bench_stance(rows, device, data_dir, out_dir, stem)}
    if args.suite == "full":
        out["stance_baseline"] = bench_fnc_baseline(data_dir, rows)
    return out


def _run_summary(args, samples, data_dir, device, out_dir, stem):
    if args.suite == "full":
        rows = [{"text": x["article"], "reference": x["highlights"]}
                for x in read_jsonl(cnn_path(data_dir, args.summary_split))]
        rows = rows[: args.summary_limit]
    else:
        rows = [s for s in samples if s["task"] == "summary"]
    split = {"split": args.summary_split} if args.suite == "full" else {}  # the quick suite reads the sample stories
    return {"summary": {**bench_summary(rows, device), **split}}


def _run_extraction(args, samples, data_dir, device, out_dir, stem):
    """`--only extraction` (full suite): the Zyte pages through newsml, trafilatura and readability
    (benchmarks/extraction.py; extraction is not a model component, so it is not in the default run)."""
    if args.suite != "full" or data_dir is None:
        return {}
    from benchmarks.extraction import bench_extraction

    return {"extraction": bench_extraction(data_dir)}


BENCHES = {"topic": _run_topic, "stance": _run_stance, "summary": _run_summary, "extraction": _run_extraction}


if __name__ == "__main__":
    main()
