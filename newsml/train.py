"""Train a model of your own from the command line (today: few-shot topics).

    python -m newsml.train topic --data my.jsonl -o my_topic/                  # fields "text" and "label"
    python -m newsml.train topic --data my.csv --text-field body --title-field headline --label-field section \\
        --validation val.jsonl --seed 0 -o my_topic/
    newsml train topic ...                                                     # the same

Input: JSONL (one object per line) or CSV with a header; 8 or more examples per label, any label names, texts
of any length. Output: a model folder (config, safetensors weights, model card README.md) that
`Analyzer(topic="my_topic/")`, `newsml analyze --topic-model my_topic/` and `python -m newsml.score --topic-model
my_topic/` load. The recipe is `newsml.topic_fewshot` (its docstring says what it does).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from newsml.backbones import silence_progress_bars
from newsml.errors import InputTypeError, InputValueError


def read_examples(path: str, text_field: str, label_field: str, title_field: str | None = None) -> tuple[list, list]:
    """(texts, labels) from a JSONL or CSV file (read as batch scoring reads it: `newsml.score.iter_records`);
    text = title + ". " + text when `title_field` is given."""
    from newsml.score import iter_records

    rows = list(iter_records([path]))
    bad = next((r for r in rows if "_error" in r), None)
    if bad:
        raise InputValueError(f"--data / --validation {path!r}: {bad['_error'][1]}")
    texts, labels = [], []
    for i, r in enumerate(rows, 1):
        missing = [f for f in (text_field, label_field) if f not in r]
        if missing:
            raise InputValueError(f"{path}: row {i} has no field {missing[0]!r} (set --text-field / --label-field)")
        title = (r.get(title_field) or "").strip() if title_field else ""
        texts.append(f"{title}. {r[text_field]}" if title else r[text_field])
        labels.append(str(r[label_field]))
    return texts, labels


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m newsml.train", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="model", required=True)
    t = sub.add_parser("topic", help="a topic model for your own labels, from 8+ examples per label")
    t.add_argument("--data", required=True, help="training examples: JSONL or CSV")
    t.add_argument("-o", "--output", required=True, help="the model folder to write")
    t.add_argument("--text-field", default="text")
    t.add_argument("--label-field", default="label")
    t.add_argument("--title-field", default=None, help="optional: prepended to the text as 'title. text'")
    t.add_argument("--validation", default=None, help="labelled JSONL/CSV (same fields): calibration + card numbers")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--epochs", type=int, default=None, help="passes over the examples (default: the recipe's)")
    t.add_argument("--name", default=None, help="the model's name (default: the output folder's name)")
    t.add_argument("--device", default=None, choices=["cpu", "cuda"])
    t.add_argument("--quiet", action="store_true", help="no progress bars")
    return p


def main(argv=None) -> int:
    p = build_parser()
    a = p.parse_args(argv)
    from newsml.topic_fewshot import fit_topic

    if a.quiet:
        silence_progress_bars()
    try:
        texts, labels = read_examples(a.data, a.text_field, a.label_field, a.title_field)
        val = read_examples(a.validation, a.text_field, a.label_field, a.title_field) if a.validation else None
        clf = fit_topic(texts, labels, validation=val, seed=a.seed, epochs=a.epochs, progress=not a.quiet,
                        name=a.name or Path(a.output).resolve().name, device=a.device)
    except (InputValueError, InputTypeError) as e:
        p.error(str(e))
    clf.save_pretrained(a.output)
    fs = clf.config["fewshot"]
    msg = f"{len(texts)} examples, {len(clf.labels)} labels, {fs['seconds']} s -> {a.output}"
    if "validation" in fs:
        v = fs["validation"]
        msg += f"; validation n={v['n']} accuracy {v['accuracy']:.3f} macro-F1 {v['macro_f1']:.3f} ECE {v['ece']:.3f}"
    print(msg, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
