"""The code's layers: newsml (what analyze needs) <- evaluation (readers, metrics, baselines) <- training, benchmarks.

training/ and benchmarks/ never import each other; only model_cards/ writes cards."""

import ast
from pathlib import Path

from tests.conftest import ROOT

# Files owned by work in progress that still cross the line; each is rebuilt by its own issue. Remove an entry
# when its file is rebuilt (the test then holds it to the rule).
PENDING = {
    "training/train_extractor.py",  # imports benchmarks.extraction: the extraction issue
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
    return out


def _files(folder: str):
    return [p for p in sorted((ROOT / folder).rglob("*.py")) if str(p.relative_to(ROOT)) not in PENDING]


def test_training_and_benchmarks_never_import_each_other():
    for folder, banned in (("training", "benchmarks"), ("benchmarks", "training")):
        for p in _files(folder):
            bad = sorted(m for m in _imports(p) if m == banned or m.startswith(banned + "."))
            assert not bad, f"{p.relative_to(ROOT)} imports {bad}: shared code belongs in evaluation/"


def test_newsml_imports_no_tooling():
    for p in _files("newsml"):
        bad = sorted(m for m in _imports(p) if m.split(".")[0] in ("training", "benchmarks", "evaluation", "model_cards"))
        assert not bad, f"{p.relative_to(ROOT)} imports {bad}"


def test_only_model_cards_writes_cards():
    for folder in ("training", "benchmarks", "evaluation", "newsml"):
        for p in _files(folder):
            assert "write_card" not in p.read_text(encoding="utf-8"), f"{p.relative_to(ROOT)} writes a model card"
