"""Load the project's local ROUGE metric through `evaluate` (by path: works offline)."""

from pathlib import Path

METRIC_DIR = Path(__file__).parent / "metrics" / "rouge"


def load_rouge():
    import evaluate

    return evaluate.load(str(METRIC_DIR / "rouge.py"))
