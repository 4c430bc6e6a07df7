"""The `newsml` command: analyse pages, score batches, print the version.

    newsml analyze page.txt story.html                  # pretty JSON, one analysis per page
    newsml analyze page.txt --format text               # a readable view
    newsml analyze page.txt --topic-model my_topic/     # a model folder of your own (score takes it too)
    newsml score articles.jsonl -o scores.jsonl         # = python -m newsml.score (same arguments)
    newsml train topic --data my.jsonl -o my_topic/     # = python -m newsml.train: your own labels, few examples
    newsml --version

The parser only reads arguments; the work is `Analyzer.analyze` and `newsml.score.cli.main`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from newsml._version import __version__
from newsml.score.cli import add_model_arguments, model_folders


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="newsml", description="News analysis: topic, claim stance, faithful summaries.")
    p.add_argument("--version", action="version", version=f"newsml {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    a = sub.add_parser("analyze", help="analyse pages (text or HTML files) and print the results")
    a.add_argument("pages", nargs="+", help="files with the page as text or HTML")
    a.add_argument("--components", default=None, help="comma list, e.g. topic,stance (default: all)")
    a.add_argument("--claims", action="append", default=None, help="a claim to check (repeatable; default: the headline)")
    a.add_argument("--format", default="json", choices=["json", "text"])
    a.add_argument("--device", default=None, choices=["cpu", "cuda"])
    a.add_argument("--quiet", action="store_true", help="no loading or progress bars on stderr")
    add_model_arguments(a)
    sub.add_parser("score", help="batch scoring: the arguments of python -m newsml.score", add_help=False)
    sub.add_parser("train", help="train your own model: the arguments of python -m newsml.train", add_help=False)
    return p


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["score"]:
        from newsml.score.cli import main as score_main

        return score_main(argv[1:])
    if argv[:1] == ["train"]:
        from newsml.train import main as train_main

        return train_main(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    from newsml.analyzer import Analyzer

    for page in args.pages:
        if not Path(page).is_file():
            parser.error(f"page {page!r} is not a file")
    if args.quiet:
        from newsml.backbones import silence_progress_bars

        silence_progress_bars()
    an = Analyzer(device=args.device, **model_folders(args, parser))
    for page in args.pages:
        res = an.analyze(Path(page).read_text(encoding="utf-8", errors="replace"), claims=args.claims,
                         components=args.components)
        if args.format == "json":
            print(json.dumps({"page": page, **res.to_dict()}, indent=2, ensure_ascii=False))
        else:
            print(render_text(page, res))
    return 0


def render_text(page: str, a) -> str:
    """A readable view of one Analysis."""
    lines = [f"== {page}", f"title: {a.title or '-'}   source: {a.source or '-'}   date: {a.date or '-'}"]
    if a.topic:
        lines.append(f"topic: {a.topic.label} ({a.topic.score:.2f})")
    for s in a.stance:
        lines.append(f"stance: {s.label} ({s.score:.2f}) <- {s.claim}")
    if a.summary:
        lines.append(f"summary: {a.summary.text}")
    for w in a.warnings:
        lines.append(f"warning: {w}")
    for c in a.absent:
        if c in a.absent_reasons:
            lines.append(f"absent: {c}: {a.absent_reasons[c]}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
