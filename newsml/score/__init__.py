"""`python -m newsml.score`: batch scoring (see `cli.py` for the command line).

`scoring.py` reads, scores and writes records on one machine (`score_records`, `run`); `ray_engine.py` runs the same
scoring on Ray Data; `cli.py` parses arguments and calls one of them. Neither engine imports the CLI.
"""

from newsml.score.cli import build_parser, main
from newsml.score.scoring import EXIT_RECORD_ERRORS, iter_records, parse_line, run, score_records

__all__ = ["main", "build_parser", "run", "score_records", "iter_records", "parse_line", "EXIT_RECORD_ERRORS"]
