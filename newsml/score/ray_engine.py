"""`python -m newsml.score --engine ray`: the same scoring on Ray Data, for more than one machine.

Lines are read as text (so a malformed line becomes an error record, never a failed read), batched
through an actor pool in which each actor loads the models once, and either streamed back to the
driver into one JSONL file (`--output x.jsonl`, same bytes as the local engine) or written by the
workers as JSON shards into a folder (`--output dir/`, the multi-node way: a shared filesystem or S3).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


class _Scorer:
    """Ray actor: one Analyzer per actor process, reused for every batch."""

    def __init__(self, components, claims, batch_size, device, models=None):
        from newsml.analyzer import Analyzer

        self.analyzer = Analyzer(device=device, **(models or {}))
        self.kw = {"components": components, "claims": claims, "batch_size": batch_size}

    def __call__(self, batch: dict) -> dict:
        from newsml.score.scoring import parse_line, score_records

        recs = [parse_line(line, gid) for line, gid in zip(batch["text"], batch["gen_id"])]
        out = list(score_records(recs, self.analyzer, **self.kw))
        return {"id": [str(r["id"]) for r in out], "record": [json.dumps(r, ensure_ascii=False, sort_keys=True) for r in out]}


def _numbered_lines(inputs):
    for spec in inputs:
        with open(spec, encoding="utf-8", errors="replace") as fh:
            for i, line in enumerate(fh):
                if line.strip():
                    yield {"text": line, "gen_id": f"{Path(spec).name}:{i + 1}"}


def run_ray(inputs, output, *, components, claims, batch_size=8, address=None, actors=2, fmt="jsonl",
            device=None, quiet=False, models=None) -> dict:
    import ray

    t0 = time.time()
    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, log_to_driver=False,
                 **({} if address else {"num_cpus": max(2, actors)}))
    ctx = ray.data.DataContext.get_current()
    ctx.execution_options.preserve_order = True  # output order == input order
    # Line numbers are assigned on the driver so ids are stable; for inputs too large for the driver,
    # point the cluster at pre-split files instead (see README).
    ds = ray.data.from_items(list(_numbered_lines(inputs)))
    scored = ds.map_batches(_Scorer, fn_constructor_args=(components, claims, batch_size, device, models),
                            batch_size=batch_size * 4, concurrency=actors, num_cpus=1)
    n = errors = 0
    if output and (output.endswith("/") or Path(output).is_dir()):
        scored = scored.materialize()  # run once; count and write from the materialized blocks
        n = scored.count()
        errors = scored.filter(lambda r: '"error": {' in r["record"]).count()
        (scored.write_parquet if fmt == "parquet" else scored.write_json)(output)
    else:
        fh = open(output, "w", encoding="utf-8") if output else sys.stdout
        for r in scored.iter_rows():
            fh.write(r["record"] + "\n")
            n += 1
            errors += '"error": {' in r["record"]
        if output:
            fh.close()
    secs = time.time() - t0
    summary = {"records": n, "errors": errors, "seconds": round(secs, 2), "records_per_s": round(n / secs, 2), "engine": "ray"}
    if not quiet:
        print(json.dumps(summary), file=sys.stderr)
    return summary
