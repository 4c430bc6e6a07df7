"""Batch scoring on one machine: read records lazily, score them in windows, write JSONL (or Parquet)
append-only. `run` is the CLI's job as a plain function; `score_records` the Python API under it."""

from __future__ import annotations

import csv
import glob
import itertools
import json
import os
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

EXIT_RECORD_ERRORS = 3
WINDOW_BATCHES = 4  # length-sort inside a window of this many batches, then restore input order


# -- reading -------------------------------------------------------------------------------------------------
def iter_records(inputs: list[str]) -> Iterator[dict]:
    """Yield raw records `{"id": ..., **fields}` or `{"id": ..., "_error": (type, message)}`, lazily."""
    for spec in inputs:
        if spec == "-":
            yield from _iter_jsonl_stream(sys.stdin, "stdin")
            continue
        p = Path(spec)
        if p.is_dir():
            files = sorted(x for x in p.rglob("*") if x.suffix.lower() in (".txt", ".html", ".htm"))
            for f in files:
                yield from _iter_file(f)
        elif any(c in spec for c in "*?["):
            for f in sorted(glob.glob(spec, recursive=True)):
                yield from _iter_file(Path(f))
        elif p.exists():
            yield from _iter_file(p)
        else:
            yield {"id": spec, "_error": ("FileNotFoundError", f"input {spec!r} does not exist")}


def _iter_file(f: Path) -> Iterator[dict]:
    suf = f.suffix.lower()
    if suf in (".jsonl", ".json", ".ndjson"):
        with open(f, encoding="utf-8", errors="replace") as fh:
            yield from _iter_jsonl_stream(fh, str(f))
    elif suf == ".csv":
        with open(f, encoding="utf-8", errors="replace", newline="") as fh:
            for i, row in enumerate(csv.DictReader(fh)):
                rid = row.get("id") or f"{f.name}:{i + 1}"
                yield {**{k: v for k, v in row.items() if k is not None}, "id": rid}
    else:
        raw = f.read_bytes()
        rid = str(f)
        if b"\x00" in raw[:4096]:
            yield {"id": rid, "_error": ("InputValueError", "file looks binary (NUL bytes); expected text or HTML")}
            return
        text = raw.decode("utf-8", errors="replace")
        yield {"id": rid, "html": text} if suf in (".html", ".htm") else {"id": rid, "text": text}


def _iter_jsonl_stream(fh, name: str) -> Iterator[dict]:
    for i, line in enumerate(fh):
        if line.strip():
            yield parse_line(line, f"{Path(name).name}:{i + 1}")


def parse_line(line: str, gen_id: str) -> dict:
    """One JSONL line -> a raw record; `gen_id` ("<file>:<line>") when the record has no id."""
    try:
        obj = json.loads(line)
    except ValueError as e:
        return {"id": gen_id, "_error": ("JSONDecodeError", f"{gen_id}: {e}")}
    if not isinstance(obj, dict):
        return {"id": gen_id, "_error": ("InputTypeError", f"{gen_id}: expected a JSON object, got {type(obj).__name__}")}
    rid = obj.get("id")
    obj["id"] = str(rid) if rid is not None and rid != "" else gen_id
    return obj


# -- scoring --------------------------------------------------------------------------------------------------
def _error_record(rid, exc_type: str, message: str) -> dict:
    return {"id": rid, "error": {"type": exc_type, "message": message[:1000]}}


def _to_article_input(rec: dict):
    fields = {k: rec.get(k) for k in ("title", "text", "html", "url", "source", "date", "author") if rec.get(k) is not None}
    return fields


def score_records(records: Iterable[dict], analyzer=None, *, components=None, claims=None, batch_size: int = 8,
                  timings: bool = False) -> Iterator[dict]:
    """Score raw records lazily; yields one output dict per input record, in input order.

    Records are grouped into windows of `batch_size * WINDOW_BATCHES`, length-sorted inside the window
    for the models, and written back in input order. A bad record yields an error record.
    """
    from newsml.analyzer import Analyzer
    from newsml.article import to_article
    from newsml.errors import NewsmlError

    analyzer = analyzer or Analyzer()
    it = iter(records)
    while True:
        window = list(itertools.islice(it, batch_size * WINDOW_BATCHES))
        if not window:
            return
        out: list[dict | None] = [None] * len(window)
        parsed = []
        for i, rec in enumerate(window):
            rid = rec.get("id")
            if "_error" in rec:
                out[i] = _error_record(rid, *rec["_error"])
                continue
            try:
                parsed.append((i, to_article(_to_article_input(rec), arg="record")))
            except NewsmlError as e:
                out[i] = _error_record(rid, type(e).__name__, str(e))
            except Exception as e:  # noqa: BLE001 -- a record must never stop the run
                out[i] = _error_record(rid, type(e).__name__, str(e))
        parsed.sort(key=lambda p: len(p[1].text))
        for s in range(0, len(parsed), batch_size):
            chunk = parsed[s : s + batch_size]
            try:
                results = analyzer.analyze_batch([a for _, a in chunk], claims=claims, components=components,
                                                 batch_size=batch_size)
                for (i, _), res in zip(chunk, results):
                    out[i] = _result_record(window[i]["id"], res, timings)
            except Exception:  # noqa: BLE001 -- retry one by one so one bad record cannot sink its batch
                for i, a in chunk:
                    try:
                        res = analyzer.analyze(a, claims=claims, components=components)
                        out[i] = _result_record(window[i]["id"], res, timings)
                    except Exception as e:  # noqa: BLE001
                        out[i] = _error_record(window[i]["id"], type(e).__name__, str(e))
        yield from out


def _result_record(rid, analysis, timings: bool) -> dict:
    d = analysis.to_dict()
    if not timings:
        d.pop("timings", None)  # keeps output byte-identical across runs
    return {"id": rid, **d}


# -- writing (append-only, durable per batch) --------------------------------------------------------------------
def _done_ids(path: Path) -> set[str]:
    done = set()
    if not path.exists():
        return done
    with open(path, "rb") as fh:
        data = fh.read()
    if data and not data.endswith(b"\n"):  # a torn last line from a crash: cut it off
        cut = data.rfind(b"\n") + 1
        with open(path, "r+b") as fh:
            fh.truncate(cut)
        data = data[:cut]
    for line in data.splitlines():
        try:
            done.add(str(json.loads(line)["id"]))
        except (ValueError, KeyError, TypeError):
            continue
    return done


def run(inputs, output=None, *, components=None, claims=None, batch_size=8, resume=False, quiet=False,
        fmt="jsonl", device=None, workers=1, timings=False, models=None) -> dict:
    """The CLI's job as a plain function. Returns {"records", "errors", "seconds", "records_per_s"}.

    `models`: {component: model folder} for models of your own (e.g. {"topic": "my_topic/"}); the rest shipped."""
    from newsml.analyzer import Analyzer

    t0 = time.time()
    out_path = Path(output) if output and output != "-" else None
    skip = _done_ids(out_path) if (resume and out_path and fmt == "jsonl") else set()
    records = (r for r in iter_records(inputs) if str(r.get("id")) not in skip)
    if workers > 1:
        results = _score_parallel(records, workers, components, claims, batch_size, device, timings, models)
    else:
        results = score_records(records, Analyzer(device=device, **(models or {})), components=components, claims=claims,
                                batch_size=batch_size, timings=timings)
    bar = None
    if not quiet and sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(unit="rec", desc="scoring", file=sys.stderr)
    n = errors = 0
    if fmt == "parquet":
        n, errors = _write_parquet(results, out_path, bar)
    else:
        fh = open(out_path, "a", encoding="utf-8") if out_path else sys.stdout
        try:
            for rec in results:
                fh.write(json.dumps(rec, ensure_ascii=False, sort_keys=True) + "\n")
                n += 1
                errors += "error" in rec
                if n % batch_size == 0:
                    _flush(fh)
                if bar:
                    bar.update(1)
            _flush(fh)
        finally:
            if out_path:
                fh.close()
    if bar:
        bar.close()
    secs = time.time() - t0
    summary = {"records": n, "skipped_done": len(skip), "errors": errors, "seconds": round(secs, 2),
               "records_per_s": round(n / secs, 2) if secs else 0.0}
    if not quiet:
        print(json.dumps(summary), file=sys.stderr)
    return summary


def _flush(fh):
    fh.flush()
    if fh is not sys.stdout:
        os.fsync(fh.fileno())


def _write_parquet(results, out_path, bar):
    import pyarrow as pa
    import pyarrow.parquet as pq

    if out_path is None:
        raise SystemExit("--format parquet needs --output FILE")
    writer, n, errors, buf = None, 0, 0, []
    for rec in results:
        buf.append({"id": str(rec["id"]), "error": json.dumps(rec.get("error")) if "error" in rec else None,
                    "analysis": None if "error" in rec else json.dumps(rec, sort_keys=True)})
        n += 1
        errors += "error" in rec
        if bar:
            bar.update(1)
        if len(buf) >= 256:
            t = pa.Table.from_pylist(buf)
            writer = writer or pq.ParquetWriter(out_path, t.schema)
            writer.write_table(t)
            buf = []
    if buf or writer is None:
        t = pa.Table.from_pylist(buf, schema=pa.schema([("id", pa.string()), ("error", pa.string()), ("analysis", pa.string())]))
        writer = writer or pq.ParquetWriter(out_path, t.schema)
        writer.write_table(t)
    writer.close()
    return n, errors


# -- workers (processes on one machine) ------------------------------------------------------------------------------
_WORKER = {}


def _worker_init(components, claims, batch_size, device, timings, models):
    import torch

    torch.set_num_threads(1)  # one core per worker: N workers == N cores
    from newsml.analyzer import Analyzer

    _WORKER.update(analyzer=Analyzer(device=device, **(models or {})), components=components, claims=claims,
                   batch_size=batch_size, timings=timings)


def _worker_score(chunk):
    w = _WORKER
    return list(score_records(chunk, w["analyzer"], components=w["components"], claims=w["claims"],
                              batch_size=w["batch_size"], timings=w["timings"]))


def _score_parallel(records, workers, components, claims, batch_size, device, timings, models):
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    chunk_size = batch_size * WINDOW_BATCHES

    def chunks():
        it = iter(records)
        while True:
            c = list(itertools.islice(it, chunk_size))
            if not c:
                return
            yield c

    with ctx.Pool(workers, initializer=_worker_init, initargs=(components, claims, batch_size, device, timings, models)) as pool:
        for res in pool.imap(_worker_score, chunks()):  # imap keeps input order, bounded look-ahead
            yield from res
