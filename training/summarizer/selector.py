"""Stage 1 of the summarizer: the sentence selector, an MLP on 17 features per sentence trained on greedy
ROUGE-oracle labels of every CNN train story. Validation picks the hidden layers and the selector-alone word
budget. Installing it drops the context scorer (it learned residuals on the old MLP; run context.py again).

    python training/summarizer/selector.py --data-dir ../shared/data --out runs/summarizer --install

Measured on validation (500 stories, selector alone, 3 sentences): logistic on 1,500 stories
31.52 / 10.73 / 28.10 R1/R2/RLsum -> MLP (64, 32) on 5,500 stories 32.27 / 11.30 / 28.72.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.neural_network import MLPClassifier

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from evaluation.datasets import DATA_DIR_HELP, data_root  # noqa: E402
from newsml.summarize.select import SentenceSelector, sentence_features  # noqa: E402
from training.summarizer.common import (  # noqa: E402
    RESULTS,
    SELECTOR_WORDS,
    cnn_stories,
    command,
    install,
    oracle_labels,
    selector_rouge,
)

SELECTOR_HIDDEN = [(32,), (64, 32)]  # MLP shapes compared on validation (sklearn, alpha 1e-3, early stopping)


def fit_selector(args):
    """MLP sentence scorer vs greedy-oracle labels, on every train story, sentences split exactly as at
    inference (`Article`). Validation picks the hidden layers and the selector-alone word budget.

    Measured on validation (500 stories, selector alone, 3 sentences): logistic on 1,500 stories
    31.52 / 10.73 / 28.10 R1/R2/RLsum -> MLP (64, 32) on 5,500 stories 32.27 / 11.30 / 28.72."""
    t0 = time.time()
    train, val = cnn_stories(args.data_dir, "train"), cnn_stories(args.data_dir, "validation")
    X, y = [], []
    for sents, title, hl in train:
        sents = sents[:80]
        if len(sents) < 2:
            continue
        lab = oracle_labels(sents, hl)
        X.append(sentence_features(sents, title))
        y.extend(int(i in lab) for i in range(len(sents)))
    X = np.concatenate(X)
    mean, scale = X.mean(0), X.std(0) + 1e-9
    print(f"{len(y)} sentences ({sum(y)} oracle positives) from {len(train)} stories in {time.time() - t0:.0f}s", flush=True)

    best = None
    for hidden in SELECTOR_HIDDEN:
        mlp = MLPClassifier(hidden_layer_sizes=hidden, alpha=1e-3, max_iter=200, early_stopping=True,
                            random_state=0).fit((X - mean) / scale, y)
        sel = SentenceSelector(list(zip(mlp.coefs_, mlp.intercepts_)), mean, scale)
        r, key = selector_rouge(sel, val)
        print(f"hidden {hidden}: validation (3 sentences) {json.dumps({k: round(v, 2) for k, v in r.items()})}", flush=True)
        if best is None or key > best[0]:
            best = (key, hidden, sel)
    _, hidden, sel = best
    table = {w: selector_rouge(sel, val, words=w)[0] for w in SELECTOR_WORDS}
    words = max(table, key=lambda w: table[w]["rouge1"] + table[w]["rouge2"] + table[w]["rougeLsum"])
    for w, r in table.items():
        print(f"words {w}: {json.dumps({k: round(v, 2) for k, v in r.items()})}", flush=True)
    out = Path(args.out) / "selector.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    sel_json = json.dumps(sel.to_dict())
    out.write_text(sel_json)
    meta = {"hidden": list(hidden), "summary_words": words, "n_stories": len(train), "n_sentences": len(y),
            "validation_selector_alone": {str(w): r for w, r in table.items()}, "seconds": round(time.time() - t0, 1),
            "command": command("selector.py")}
    (Path(args.out) / "selector_meta.json").write_text(json.dumps(meta, indent=2))
    print(f"selector {hidden}, summary_words {words} -> {out}", flush=True)
    if args.install:  # into the shipped model folder (the adapter there is left as it is)
        def update(cfg):
            cfg["summary_words"] = words  # the word budget lives once, at the top level, where Summarizer reads it
            cfg["selector"] = {k: v for k, v in meta.items() if k not in ("validation_selector_alone", "summary_words")}

        # a context scorer learned residuals on the old MLP: it goes (context.py --install trains a new one)
        install(update, selector=sel)
        (RESULTS / "summarizer_selector.json").write_text(json.dumps(meta, indent=2))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-dir", default=None, help=DATA_DIR_HELP)
    p.add_argument("--out", default="runs/summarizer")
    p.add_argument("--install", action="store_true", help="also write it into newsml/models/summarizer")
    args = p.parse_args(argv)
    args.data_dir = data_root(args.data_dir, need=["cnn_dailymail"])
    return fit_selector(args)


if __name__ == "__main__":
    main()
