"""Model cards: generated, complete, and every model-index number equals the committed results JSON."""

import json

import pytest

from model_cards.generate import BUILDERS, CARDS, MISSING, RESULTS, card_index_values
from tests.conftest import ROOT

SECTIONS = ["## Model Details", "## Uses", "## Bias Risks and Limitations", "## Training Details", "## Evaluation",
            "## How to Get Started"]


def _topic_version():
    return json.loads((ROOT / "newsml" / "models" / "topic" / "config.json").read_text())["version"]


def _source_values(name):
    if name == "topic":  # the shipped version's AG/BBC test run, long-form test split (topic_metrics.json) and pooled set
        r, v = json.loads((RESULTS / "topic_metrics.json").read_text()), _topic_version()
        agbbc, lf = r[f"test_{v.replace('.', '_')}_agbbc"], r["longform"]["test"][v]
        pooled = next(m for m in json.loads((RESULTS / "topic_longform_test+test2.json").read_text())["models"].values()
                      if m.get("version") == v)  # issue 28's targets: the pooled long-form test set
        return {(ds, k): agbbc[ds][k] for ds in ("ag_news", "bbc_news") for k in ("macro_f1", "accuracy", "ece")} | \
               {("topic_longform", card): lf[k] for card, k in (("macro_f1_six_labels", "macro_f1_six"), ("world_recall", "world_recall"),
                                                                 ("accuracy_incl_other", "accuracy_incl_other"), ("ece", "ece"))} | \
               {("topic_longform_pooled", card): pooled[k] for card, k in (("macro_f1_six_labels", "macro_f1_six"),
                                                                        ("world_recall", "world_recall"), ("ece", "ece"))}
    if name == "stance":  # the training run's same-run report (stance 2.x: train_stance.py writes it)
        m = json.loads((RESULTS / "stance_metrics.json").read_text())["metrics"]
        new = "newsml_2.0"
        return {("newsml_claims_dev", "accuracy"): m["claims_dev"][new]["accuracy"],
                ("fnc1", "fnc_relative_score"): m["fnc_test"][new]["fnc_score"],
                ("fnc1", "macro_f1"): m["fnc_test"][new]["macro_f1"], ("arc", "macro_f1"): m["arc_test"][new]["macro_f1"]}
    if name == "nli":  # the latest NLI benchmark run
        runs = sorted((ROOT / "benchmarks" / "results").glob("nli-cpu-*.json"))
        res = json.loads(runs[-1].read_text())["results"] if runs else {}
        return {(k.split("/")[0], "accuracy"): v["newsml"] for k, v in res.items()}
    p = RESULTS / "summarizer_test_metrics.json"
    n = json.loads(p.read_text())["newsml"] if p.exists() else {}
    return {("cnn_dailymail", k): n[k] for k in ("rouge1", "rouge2", "rougeLsum") if k in n}


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_card_is_current_and_complete(name):
    text = (CARDS / f"{name}.md").read_text()
    body, _ = BUILDERS[name]()
    assert body in text, f"model_cards/{name}.md is stale: run python -m model_cards.generate"
    for s in SECTIONS:
        assert s in text
    assert text.startswith("---\n") and "model-index:" in text


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_card_numbers_equal_results_json(name):
    values = card_index_values((CARDS / f"{name}.md").read_text())
    src = _source_values(name)
    assert len(values) == len(src) and src, f"{name}: card lists {values}, results have {src}"
    for ds, metric, v in values:
        assert v == pytest.approx(round(float(src[(ds, metric)]), 4), abs=1e-9)


def test_card_numbers_equal_latest_full_benchmark():
    """Each card's test numbers are those of the latest full benchmark run that measured its component
    (`--only` runs a subset). Stance 2.x reports from its training run (1.0 and 2.0 side by side), not from here.
    Topic: the full run of the shipped version, kept as training/results/topic_bench_full_<version>.json where it
    wrote outside benchmarks/results (1.3's run did; the latest there is 1.2's)."""
    runs = [json.loads(p.read_text()) for p in sorted((ROOT / "benchmarks" / "results").glob("full-cpu-*.json"))]
    if not runs:
        pytest.skip("no committed full benchmark run yet")

    def latest(component):
        return next((r[component] for r in reversed(runs) if component in r), None)

    topic = dict(((ds, m), v) for ds, m, v in card_index_values((CARDS / "topic.md").read_text()))
    kept = RESULTS / f"topic_bench_full_{_topic_version()}.json"
    run = json.loads(kept.read_text())["topic"] if kept.exists() else latest("topic")
    for ds, metric in (("ag_news", "macro_f1"), ("ag_news", "ece"), ("bbc_news", "macro_f1"), ("bbc_news", "ece")):
        assert topic[(ds, metric)] == pytest.approx(round(run[ds][metric], 4))
    if latest("summary") is not None:
        summ = dict(((ds, m), v) for ds, m, v in card_index_values((CARDS / "summarizer.md").read_text()))
        assert summ[("cnn_dailymail", "rouge1")] == pytest.approx(round(latest("summary")["newsml"]["rouge1"], 4))


def test_topic_card_shows_the_longform_test_results():
    """The topic card's long-form table and targets carry topic_metrics.json's long-form test numbers (the shipped
    version beside the one before it), the same as the long-form benchmark's own results file."""
    from model_cards.generate import POOLED_TEST, TOPIC_TARGETS, _by_version

    r, v = json.loads((RESULTS / "topic_metrics.json").read_text()), _topic_version()
    test, old = r["longform"]["test"], r["config"]["version"]
    text = (CARDS / "topic.md").read_text()
    f1 = test[v]["macro_f1_six"]
    assert f"| test | newsml {v} | {f1:.4f} |" in text
    assert f"| test | newsml {old} | {test[old]['macro_f1_six']:.4f} |" in text
    split = json.loads((RESULTS / "topic_longform_test.json").read_text())["models"]
    assert _by_version(split, v)["macro_f1_six"] == f1 and _by_version(split, old)["macro_f1_six"] == test[old]["macro_f1_six"]
    # the targets are judged on the pooled long-form test set (test + test2), from its own results file
    pooled = _by_version(json.loads((RESULTS / f"topic_longform_{POOLED_TEST}.json").read_text())["models"], v)
    pf1 = pooled["macro_f1_six"]
    verdict = "met" if pf1 >= TOPIC_TARGETS["longform_macro_f1"] else "**not met**"
    row = f"| long-form test ({POOLED_TEST}) six-label macro-F1 >= 0.85 | {pf1:.4f} "
    assert row in text and text.split(row)[1].split("\n")[0].endswith(f"| {verdict} |")


def test_topic_targets_are_computed_and_missing_ones_render_visibly():
    from model_cards.generate import _topic_targets

    out = _topic_targets({"macro_f1_six": 0.86, "world_recall": 0.5, "ece": 0.031}, {}, {}, "1.2")
    lines = {row.split(" | ")[0].strip("| "): row for row in out.splitlines() if row.startswith("| ")}
    assert lines["long-form test six-label macro-F1 >= 0.85"].endswith("| met |")
    assert lines["long-form test world recall >= 0.85"].endswith("| **not met** |")
    assert lines["long-form test ECE <= 0.03"].endswith("| **not met** |")
    assert lines["AG News test macro-F1 >= 0.88"].endswith(f"| {MISSING} |")
    floor_row = next(row for name, row in lines.items() if name.startswith("long-form test ECE floor"))
    assert MISSING in floor_row and "cannot be judged" not in out  # no floor measured: shown as missing, no verdict


def test_topic_ece_bar_is_judged_only_on_a_set_whose_noise_floor_allows_it():
    from model_cards.generate import _topic_targets

    small = {"macro_f1_six": 0.86, "world_recall": 0.9, "ece": 0.02, "n_six": 225,
             "ece_floor": {"mean": 0.043, "p95": 0.061}}
    out = _topic_targets(small, {}, {}, "1.2")
    lines = {row.split(" | ")[0].strip("| "): row for row in out.splitlines() if row.startswith("| ")}
    # even an ECE under the bar is not called met where a calibrated model could show more than the bar
    assert "cannot be judged" in out and lines["long-form test ECE <= 0.03"].endswith("| not judgeable (set too small) |")
    assert "long-form test ECE <= 0.03" not in out.split("Targets met:")[1].split("The fixture page")[0]
    large = {**small, "ece": 0.018, "n_six": 1118, "ece_floor": {"mean": 0.02, "p95": 0.029}}
    out = _topic_targets(large, {}, {}, "1.2", "test (test+test2)")
    lines = {row.split(" | ")[0].strip("| "): row for row in out.splitlines() if row.startswith("| ")}
    assert "cannot be judged" not in out and "large enough to judge it" in out
    assert lines["long-form test (test+test2) ECE <= 0.03"].endswith("| met |")


def test_missing_facts_render_visibly():
    from model_cards.generate import fmt

    assert fmt(None) == MISSING


def test_summarizer_card_describes_a_context_scorer_when_the_folder_has_one():
    from model_cards.generate import _summarizer_design, _summarizer_training
    from newsml.summarize import DEFAULT_PATH

    shipped = json.loads((DEFAULT_PATH / "config.json").read_text())
    assert shipped["selector"]["context"]["config"]["epochs"] == 3  # the shipped folder has one, and the card says so
    design, training = _summarizer_design(shipped), _summarizer_training(shipped, "")
    assert "+ a MiniLM context scorer" in design
    mlp_only = {**shipped, "selector": {k: v for k, v in shipped["selector"].items() if k != "context"}}
    assert "context scorer" not in _summarizer_design(mlp_only) + _summarizer_training(mlp_only, "")
    assert "first 512 tokens" in training and "5500 train stories" in training and "--stage context --install" in training
    device = shipped["selector"]["context"]["device"]  # where it trained, from the run's metadata (a GPU)
    assert f"s on one {device} GPU" in training


def test_one_card_per_registered_component():
    from model_cards.generate import SUPPORT_CARDS, card_names
    from newsml.components import REGISTRY

    assert card_names() == ["topic", "stance", "summarizer", "nli"] and SUPPORT_CARDS == ["nli"]
    assert len(card_names()) == len(REGISTRY) + len(SUPPORT_CARDS)


def test_benchmark_run_is_recorded_by_the_card_tool_only(tmp_path, monkeypatch):
    """The benchmark writes only its results folder; `model_cards.generate --benchmark` copies a full run's test
    numbers into training/results (here a copy), and the cards it would write from them are the committed ones."""
    import shutil

    import model_cards.generate as g

    runs = sorted((ROOT / "benchmarks" / "results").glob("full-cpu-*.json"))
    if not runs:
        pytest.skip("no committed full benchmark run yet")
    results = tmp_path / "results"
    shutil.copytree(RESULTS, results)
    monkeypatch.setattr(g, "RESULTS", results)
    loaded = [json.loads(p.read_text()) for p in runs]
    newest = {c: i for i, r in enumerate(loaded) for c in ("topic", "stance", "summary") if c in r}
    latest = {}
    for i, r in enumerate(loaded):  # each component from its latest full run, as the cards were made
        mine = {c for c, j in newest.items() if j == i}
        if mine:
            keep = {k: v for k, v in r.items() if k not in ("topic", "stance", "summary", "stance_baseline")
                    or k in mine or (k == "stance_baseline" and "stance" in mine)}
            for c in g.record_benchmark(keep):
                latest[c] = runs[i].name
    assert set(latest) == {"topic", "stance", "summarizer"}
    for name in latest:
        body, _ = g.BUILDERS[name]()
        assert body in (CARDS / f"{name}.md").read_text(), f"{name}: {latest[name]} does not give the committed card"
