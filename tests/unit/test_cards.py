"""Model cards: generated, complete, and every model-index number equals the committed results JSON."""

import json

import pytest

from model_cards.generate import BUILDERS, CARDS, MISSING, RESULTS, card_index_values
from tests.conftest import ROOT

SECTIONS = ["## Model Details", "## Uses", "## Bias Risks and Limitations", "## Training Details", "## Evaluation",
            "## How to Get Started"]


def _source_values(name):
    if name == "topic":
        m = json.loads((RESULTS / "topic_metrics.json").read_text())["metrics"]
        return {("ag_news", k): m["test_ag_news"]["newsml"][k] for k in ("macro_f1", "accuracy", "ece")} | \
               {("bbc_news", k): m["test_bbc_news"]["newsml"][k] for k in ("macro_f1", "accuracy", "ece")}
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
    (`--only` runs a subset). Stance 2.x reports from its training run (1.0 and 2.0 side by side), not from here."""
    runs = [json.loads(p.read_text()) for p in sorted((ROOT / "benchmarks" / "results").glob("full-cpu-*.json"))]
    if not runs:
        pytest.skip("no committed full benchmark run yet")

    def latest(component):
        return next((r[component] for r in reversed(runs) if component in r), None)

    topic = dict(((ds, m), v) for ds, m, v in card_index_values((CARDS / "topic.md").read_text()))
    assert topic[("ag_news", "macro_f1")] == pytest.approx(round(latest("topic")["ag_news"]["macro_f1"], 4))
    assert topic[("bbc_news", "ece")] == pytest.approx(round(latest("topic")["bbc_news"]["ece"], 4))
    if latest("summary") is not None:
        summ = dict(((ds, m), v) for ds, m, v in card_index_values((CARDS / "summarizer.md").read_text()))
        assert summ[("cnn_dailymail", "rouge1")] == pytest.approx(round(latest("summary")["newsml"]["rouge1"], 4))


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
