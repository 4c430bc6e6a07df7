"""Batch scoring: files in, JSONL (or Parquet) out. Streaming, resumable, never drops a record.

    python -m newsml.score articles.jsonl --output scores.jsonl --components topic,stance
    python -m newsml.score pages/ --output scores.jsonl --resume       # continue after a crash
    cat x.jsonl | python -m newsml.score - > scores.jsonl
    python -m newsml.score big.jsonl --output out/ --engine ray --ray-address auto
    python -m newsml.score articles.jsonl --topic-model my_topic/ -o scores.jsonl    # a model folder of your own

Inputs: JSONL ({"id","title","text"} / {"id","html"} / {"id","url","text"}), CSV with a header,
a directory of .txt/.html files, a glob, or "-" (stdin). Every output line carries the input id
(or a stable generated one: "<file>:<line>") and either the analysis or {"error": {"type","message"}}.

Exit status: 0 when every record was scored; with --fail-on-error, 3 when any record errored;
2 for bad command-line arguments.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from newsml.score.scoring import EXIT_RECORD_ERRORS, run


# -- CLI ---------------------------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m newsml.score", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("inputs", nargs="+", help="files (.jsonl/.csv/.txt/.html), directories, globs, or - for stdin")
    p.add_argument("-o", "--output", help="output file (default: stdout); a folder for --engine ray")
    p.add_argument("--format", default="jsonl", choices=["jsonl", "parquet"])
    p.add_argument("--components", default=None, help="comma list of components (default: every registered one: "
                   "topic,stance,summary)")
    p.add_argument("--claims-file", help="one claim per line, checked against every article (default: its headline)")
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--device", default=None, choices=["cpu", "cuda"])
    add_model_arguments(p)
    p.add_argument("--workers", type=int, default=1, help="processes on this machine (one core each)")
    p.add_argument("--resume", action="store_true", help="skip ids already in --output (after a crash)")
    p.add_argument("--fail-on-error", action="store_true", help=f"exit {EXIT_RECORD_ERRORS} if any record errored")
    p.add_argument("--quiet", action="store_true", help="no progress or summary on stderr (nor transformers' loading bars)")
    p.add_argument("--timings", action="store_true", help="include per-component seconds (output no longer byte-stable)")
    p.add_argument("--engine", default="local", choices=["local", "ray"])
    p.add_argument("--ray-address", default=None, help="existing Ray cluster (e.g. auto or ray://host:10001)")
    p.add_argument("--ray-actors", type=int, default=2)
    return p


def add_model_arguments(p: argparse.ArgumentParser) -> None:
    """--topic-model / --stance-model / --summarizer-model PATH: model folders of your own (save_pretrained)."""
    p.add_argument("--topic-model", default=None, metavar="PATH", help="a topic model folder (default: the shipped one)")
    p.add_argument("--stance-model", default=None, metavar="PATH", help="a stance model folder")
    p.add_argument("--summarizer-model", default=None, metavar="PATH", help="a summarizer model folder")


def model_folders(a, p: argparse.ArgumentParser) -> dict[str, str]:
    """{component: folder} from the parsed model flags; a flag naming no folder is a usage error."""
    flags = {"topic": a.topic_model, "stance": a.stance_model, "summary": a.summarizer_model}
    for comp, path in flags.items():
        if path is not None and not Path(path).is_dir():
            flag = "--summarizer-model" if comp == "summary" else f"--{comp}-model"
            p.error(f"{flag} must be a model folder (save_pretrained), got {path!r}: not a directory")
    return {comp: path for comp, path in flags.items() if path is not None}


def main(argv=None) -> int:
    p = build_parser()
    a = p.parse_args(argv)
    if a.batch_size < 1:
        p.error("--batch-size must be >= 1")
    if a.workers < 1:
        p.error("--workers must be >= 1")
    from newsml.components import REGISTRY

    comps = [c.strip() for c in (a.components or ",".join(REGISTRY)).split(",") if c.strip()]
    bad = set(comps) - set(REGISTRY)
    if bad:
        p.error(f"--components has unknown names {sorted(bad)}; valid: {','.join(REGISTRY)}")
    models = model_folders(a, p)
    if a.quiet:
        from newsml.backbones import silence_progress_bars

        silence_progress_bars()
    claims = None
    if a.claims_file:
        claims = [x.strip() for x in Path(a.claims_file).read_text(encoding="utf-8").splitlines() if x.strip()]
    if a.engine == "ray":
        from newsml.score.ray_engine import run_ray

        summary = run_ray(a.inputs, a.output, components=comps, claims=claims, batch_size=a.batch_size,
                          address=a.ray_address, actors=a.ray_actors, fmt=a.format, device=a.device, quiet=a.quiet,
                          models=models)
    else:
        summary = run(a.inputs, a.output, components=comps, claims=claims, batch_size=a.batch_size,
                      resume=a.resume, quiet=a.quiet, fmt=a.format, device=a.device, workers=a.workers,
                      timings=a.timings, models=models)
    return EXIT_RECORD_ERRORS if (a.fail_on_error and summary["errors"]) else 0
