"""python -m newsml.score: real subprocesses. Bad records give error records, kill -9 + --resume loses nothing."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import PAGES, ROOT

# Each of these starts `python -m newsml.score` in a fresh process that loads every model again (41-147 s each
# on 2 cores): marked slow, run by CI as its own step (`make test-slow`). The default run checks the same scoring
# in-process (tests/test_components.py drives the CLI's main()).
SUBPROCESS = pytest.mark.slow

ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
GOOD = "A powerful storm hit the northern coast on Monday, cutting power to 20,000 homes and closing schools across the region, officials said."


def run_cli(*args, stdin=None, timeout=300):
    return subprocess.run([sys.executable, "-m", "newsml.score", *args], input=stdin, capture_output=True, text=True,
                          env=ENV, cwd=ROOT, timeout=timeout)


def read_jsonl(p: Path):
    return [json.loads(x) for x in p.read_text().splitlines() if x.strip()]


@SUBPROCESS
def test_mixed_good_and_bad_records(tmp_path):
    lines = [
        json.dumps({"id": "ok1", "title": "Storm", "text": GOOD}),
        "{not json",
        json.dumps({"id": "empty", "text": "   "}),
        json.dumps({"id": "notext", "title": "only a title"}),
        json.dumps({"id": "wrongtype", "text": 42}),
        json.dumps([1, 2, 3]),
        json.dumps({"id": "binary", "text": "\x00\x01\x02\x03"}),
        json.dumps({"html": "<html><body><p>" + GOOD + "</p></body></html>"}),
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out.jsonl"
    r = run_cli(str(src), "--output", str(out), "--components", "topic", "--quiet")
    assert r.returncode == 0, r.stderr
    assert "Loading weights" not in r.stderr  # --quiet also silences transformers' loading bars
    recs = read_jsonl(out)
    assert len(recs) == len(lines)  # nothing dropped
    by_id = {x["id"]: x for x in recs}
    assert by_id["ok1"]["topic"]["label"] and "error" not in by_id["ok1"]
    assert by_id["in.jsonl:2"]["error"]["type"] == "JSONDecodeError"
    assert "empty" in by_id["empty"]["error"]["message"]
    assert by_id["notext"]["error"]["type"] == "InputValueError"
    assert by_id["wrongtype"]["error"]["type"] == "InputTypeError"
    assert by_id["in.jsonl:6"]["error"]["type"] == "InputTypeError"
    assert "error" in by_id["binary"]
    assert by_id["in.jsonl:8"]["topic"]["label"]
    # --fail-on-error: documented non-zero status when any record errored
    r2 = run_cli(str(src), "--output", str(tmp_path / "o2.jsonl"), "--components", "topic", "--quiet", "--fail-on-error")
    assert r2.returncode == 3


@SUBPROCESS
def test_directory_and_csv_inputs(tmp_path):
    d = tmp_path / "pages"
    d.mkdir()
    for name in ("scraped_page_nk_troops.txt", "article_page.html", "only_boilerplate.txt"):
        (d / name).write_text((PAGES / name).read_text())
    out = tmp_path / "o.jsonl"
    r = run_cli(str(d), "-o", str(out), "--components", "topic", "--quiet")
    assert r.returncode == 0, r.stderr
    recs = {Path(x["id"]).name: x for x in read_jsonl(out)}
    assert recs["scraped_page_nk_troops.txt"]["title"].startswith("North Korea")
    assert len(recs["scraped_page_nk_troops.txt"]["related"]) == 3
    assert recs["article_page.html"]["topic"]["label"]
    assert recs["only_boilerplate.txt"]["error"]["type"] == "NoArticleError"
    csv_path = tmp_path / "a.csv"
    csv_path.write_text('id,title,text\nc1,Storm,"' + GOOD + '"\nc2,Empty,\n')
    r = run_cli(str(csv_path), "--components", "topic", "--quiet")
    recs = [json.loads(x) for x in r.stdout.splitlines()]
    assert [x["id"] for x in recs] == ["c1", "c2"] and "error" in recs[1] and "topic" in recs[0]


@SUBPROCESS
def test_stdin(tmp_path):
    r = run_cli("-", "--components", "topic", "--quiet", stdin=json.dumps({"id": "s", "text": GOOD}) + "\n")
    assert json.loads(r.stdout)["id"] == "s"


@SUBPROCESS
def test_kill_9_then_resume(tmp_path):
    n = 120
    src = tmp_path / "many.jsonl"
    src.write_text("".join(json.dumps({"id": f"r{i}", "text": GOOD.replace("20,000", str(1000 + i))}) + "\n" for i in range(n)))
    out = tmp_path / "out.jsonl"
    p = subprocess.Popen([sys.executable, "-m", "newsml.score", str(src), "-o", str(out), "--components", "topic",
                          "--quiet", "--batch-size", "4"], env=ENV, cwd=ROOT)
    deadline = time.time() + 240
    while time.time() < deadline and (not out.exists() or len(out.read_text().splitlines()) < 20):
        time.sleep(0.2)
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    partial = out.read_text().splitlines()
    assert 0 < len(partial) < n, "the kill should land mid-run"
    r = run_cli(str(src), "-o", str(out), "--components", "topic", "--quiet", "--resume")
    assert r.returncode == 0, r.stderr
    ids = [x["id"] for x in read_jsonl(out)]
    assert sorted(ids) == sorted(f"r{i}" for i in range(n)) and len(ids) == n  # each exactly once


@pytest.mark.slow
def test_ray_engine_equals_local(tmp_path):
    pytest.importorskip("ray")
    src = tmp_path / "in.jsonl"
    lines = [json.dumps({"id": f"x{i}", "text": GOOD.replace("Monday", ["Monday", "Tuesday"][i % 2]) + f" It was storm {i}."})
             for i in range(48)] + ["{bad json", json.dumps({"id": "e", "text": ""})]
    src.write_text("\n".join(lines) + "\n")
    local, ray_out = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    assert run_cli(str(src), "-o", str(local), "--components", "topic,stance", "--quiet").returncode == 0
    r = run_cli(str(src), "-o", str(ray_out), "--components", "topic,stance", "--quiet", "--engine", "ray",
                "--ray-actors", "2", timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    assert read_jsonl(ray_out) == read_jsonl(local)


@SUBPROCESS
def test_parquet_output_and_workers(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": f"p{i}", "text": GOOD}) + "\n" for i in range(6)) + "{bad\n")
    out = tmp_path / "o.parquet"
    r = run_cli(str(src), "-o", str(out), "--format", "parquet", "--components", "topic", "--quiet", "--workers", "2")
    assert r.returncode == 0, r.stderr
    t = pq.read_table(out).to_pylist()
    assert [x["id"] for x in t] == [f"p{i}" for i in range(6)] + ["in.jsonl:7"]
    assert t[-1]["error"] and json.loads(t[0]["analysis"])["topic"]["label"]


def test_score_records_in_process(analyzer, tmp_path):
    """The mixed-records test without a subprocess (the default run): the session's loaded models, the same
    records, one output per input, each bad one an error record."""
    from newsml.score import iter_records, score_records

    lines = [json.dumps({"id": "ok1", "title": "Storm", "text": GOOD}), "{not json", json.dumps({"id": "empty", "text": "   "}),
             json.dumps({"id": "notext", "title": "only a title"}), json.dumps({"id": "wrongtype", "text": 42}),
             json.dumps([1, 2, 3]), json.dumps({"html": "<html><body><p>" + GOOD + "</p></body></html>"})]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n")
    recs = list(score_records(iter_records([str(src)]), analyzer, components=["topic"]))
    assert len(recs) == len(lines)
    by_id = {x["id"]: x for x in recs}
    assert by_id["ok1"]["topic"]["label"] and "error" not in by_id["ok1"]
    assert by_id["in.jsonl:2"]["error"]["type"] == "JSONDecodeError"
    assert "empty" in by_id["empty"]["error"]["message"] and by_id["notext"]["error"]["type"] == "InputValueError"
    assert by_id["wrongtype"]["error"]["type"] == "InputTypeError" and by_id["in.jsonl:6"]["error"]["type"] == "InputTypeError"
    assert by_id["in.jsonl:7"]["topic"]["label"]
