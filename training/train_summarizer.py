"""Train the summarizer: one script per stage in training/summarizer/ (read each top to bottom; shared code in
training/summarizer/common.py). In the order that built the shipped model (version 2.4):

    python training/summarizer/selector.py --data-dir ../shared/data --out runs/summarizer --install
    python training/summarizer/rewriter.py --data-dir ../shared/data --out runs/summarizer --n-examples 3200
    python training/summarizer/rewriter.py --data-dir ../shared/data --out runs/summarizer --resume --n-examples 6400
    python training/summarizer/tune.py --data-dir ../shared/data --out runs/summarizer --limit 200 --batch-size 8 \
        --threads 2 --repetition-penalty 1.0 1.03 1.06 1.1 --no-repeat-ngram 0 --install
    python training/summarizer/context.py --device cuda --data-dir ../shared/data --out runs/context --install
    python training/summarizer/chooser.py --data-dir ../shared/data --out runs/summarizer --install

This file keeps the commands the shipped config and the cards record working: `--stage NAME ARGS` runs that
stage's script with ARGS (`copy` is chooser.py; `tune --mode sentences` is tune.py). The whole-summary mode's
stages (`adapter`, `export`, `tune --mode summary`) were retired with version 2.0; their history is in CHANGELOG.md.
A split's ROUGE (the old `--stage eval`): python -m benchmarks.run --suite full --only summary --summary-split validation.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

STAGES = {"selector": "selector", "rewriter": "rewriter", "tune": "tune", "context": "context", "copy": "chooser"}
RETIRED = {"adapter", "export"}


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--stage" not in argv or argv.index("--stage") + 1 >= len(argv):
        raise SystemExit(__doc__ + f"\n--stage is one of {', '.join(STAGES)}")
    i = argv.index("--stage")
    stage = argv[i + 1]
    rest = argv[:i] + argv[i + 2 :]
    if "--mode" in rest:  # tune's only mode now
        j = rest.index("--mode")
        if rest[j + 1 : j + 2] != ["sentences"]:
            raise SystemExit("--mode summary (the whole-summary generator) was retired with version 2.0; see CHANGELOG.md")
        rest = rest[:j] + rest[j + 2 :]
    if stage in RETIRED:
        raise SystemExit(f"--stage {stage} (the whole-summary generator) was retired with version 2.0; see CHANGELOG.md")
    if stage not in STAGES:
        raise SystemExit(f"--stage must be one of {', '.join(STAGES)}, got {stage!r}")
    return importlib.import_module(f"training.summarizer.{STAGES[stage]}").main(rest)


if __name__ == "__main__":
    main()
