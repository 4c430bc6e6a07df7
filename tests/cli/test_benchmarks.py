"""The benchmark's summary path runs end to end on two sample stories (the full suite only adds data)."""

import pytest

from tests.conftest import DATA_DIR, needs_data


@pytest.mark.slow  # 130-210 s on 2 cores (loads the generator, runs the plain pipeline too); CI runs it (make test-slow)
@needs_data("cnn_dailymail", "test.jsonl.gz")
def test_bench_summary_runs_on_two_sample_stories():
    from benchmarks.run import bench_summary
    from evaluation.samples import load_samples

    rows = load_samples(DATA_DIR, tasks=("summary",))[:2]
    out = bench_summary(rows, "cpu", batch_size=2)
    assert out["n"] == 2 and out["load_s"] > 0
    for system in ("lead3", "selector", "newsml"):
        assert 0 < out[system]["rouge1"] <= 100
    assert out["newsml"]["articles_per_s"] > 0 and out["speedup_vs_pipeline"] > 0
    assert 0 <= out["newsml"]["guard_replaced_share"] <= 1
    ci = out["newsml"]["ci95"]
    assert ci["rouge2"][0] <= out["newsml"]["rouge2"] <= ci["rouge2"][1]
    assert ci["rouge2_minus_lead3"][0] <= ci["rouge2_minus_lead3"][1]
