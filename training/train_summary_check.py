"""The summarizer's meaning check (version 2.5; 2.6 on NLI 2.0): NLI thresholds chosen on planted relation errors.

    python training/train_summary_check.py --data-dir ../shared/data            # measure + choose, writes results
    python training/train_summary_check.py --data-dir ../shared/data --install  # and set them in the shipped config

1. the shipped summarizer rewrites the picked sentences of the first `--stories` CNN validation stories;
2. the rewrites that pass version 2.4's exact checks ("verified rewrites") are the clean set; each also gets one
   planted relation error that keeps its names and numbers (evaluation/planted_errors.py);
3. the NLI model scores every clean and planted sentence against its source sentence (one batch);
4. thresholds (minimum entailment, maximum contradiction) are chosen on the "tune" half of the stories (by hash):
   the most planted errors caught with at most 8% of clean rewrites flagged; both halves are reported, with the
   2.4 guard on the same rows. Results: training/results/summary_check.json.
5. (2.7, training/plans/summary_roles.md) the hand-written role swaps of these rewrites
   (benchmarks/fixtures/role_swaps) are scored with and without the role check (`verify.swapped_roles`); the
   check is kept when it flags at most 1% more of the clean rewrites and catches more swaps on the tune half.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evaluation.datasets import DATA_DIR_HELP, data_root  # noqa: E402

MAX_CLEAN_FLAGGED = 0.08  # on the tune half; the bar is 10% on any half
MAX_ROLE_EXTRA_FLAGGED = 0.01  # the role check's clean rewrites flagged beyond the meaning check's (all of them)


def clip(text: str, n_words: int = 10) -> str:
    """The first `n_words` words of `text` (with "..." when cut)."""
    w = text.split()
    return " ".join(w[:n_words]) + (" ..." if len(w) > n_words else "")


def rewriter_key(config: dict, folder: Path) -> str:
    """What the summarizer's rewrites depend on: its config less the meaning and role checks (which only read them) and the
    version fields, and every file of its folder but config and manifest (selector, weights, adapter). A new
    meaning check, or a version bump, reuses the cached rewrites; any change to what writes them does not."""
    h = hashlib.sha256(json.dumps({k: v for k, v in config.items() if k not in ("meaning_check", "role_check", "version", "newsml_version")},
                                  sort_keys=True, default=str).encode())
    for f in sorted(Path(folder).rglob("*")):
        if f.is_file() and f.name not in ("config.json", "manifest.json"):
            h.update(f.relative_to(folder).as_posix().encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:16]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", default=None, help=DATA_DIR_HELP)
    ap.add_argument("--stories", type=int, default=200, help="first N CNN validation stories")
    ap.add_argument("--cache", default=str(ROOT / "runs/summary_check"))
    ap.add_argument("--results", default=str(ROOT / "training/results/summary_check.json"))
    ap.add_argument("--install", action="store_true", help="write the chosen thresholds into newsml/models/summarizer")
    args = ap.parse_args(argv)
    args.data_dir = data_root(args.data_dir, need=["cnn_dailymail"])
    import torch

    from evaluation.data_readers import cnn_path, read_jsonl
    from evaluation.planted_errors import (
        ROLE_SWAPS,
        catch_rates,
        choose_thresholds,
        collect_rewrites,
        plant_errors,
        role_swap_rows,
        story_half,
    )
    from newsml.summarize import Summarizer
    from newsml.summarize.verify import first_sentence

    torch.set_num_threads(2)
    t0 = time.time()
    summ = Summarizer.from_pretrained(device="cpu")
    min_support = summ.config["min_support"]
    stories = [r for _, r in zip(range(args.stories), read_jsonl(cnn_path(Path(args.data_dir), "validation")))]
    key = rewriter_key(summ.config, Summarizer.default_path)
    cache = Path(args.cache) / f"rewrites-{key}-{args.stories}.json"
    if cache.exists():
        recs = json.loads(cache.read_text())
    else:  # the stories are a prefix of the validation file: a smaller run's rewrites are reused
        smaller = sorted((int(f.stem.rsplit("-", 1)[1]), f) for f in cache.parent.glob(f"rewrites-{key}-*.json")
                         if int(f.stem.rsplit("-", 1)[1]) < args.stories) if cache.parent.exists() else []
        done, recs = (smaller[-1][0], json.loads(smaller[-1][1].read_text())) if smaller else (0, [])
        recs += collect_rewrites(summ, stories[done:])
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps(recs))
    print(f"{len(recs)} rewrites of {len(stories)} stories ({time.time() - t0:.0f}s)", flush=True)
    clean = [r for r in recs if r["passes_names_numbers"]]
    planted = plant_errors(clean, seed=0)
    swaps, missing = role_swap_rows(clean) if ROLE_SWAPS.exists() else ([], 0)  # swaps were written on verified rewrites
    nli = summ.nli
    scores = nli.entailment_contradiction([(r["source"], first_sentence(r["rewrite"])) for r in clean] +
                        [(r["source"], r["planted"]) for r in planted + swaps])
    for r, s in zip(clean, scores[: len(clean)]):
        r["nli"] = s
    for r, s in zip(planted + swaps, scores[len(clean):]):
        r["planted_nli"] = s
    halves = {h: ([r for r in planted if story_half(r["story_id"]) == h], [r for r in clean if story_half(r["story_id"]) == h])
              for h in ("tune", "report")}
    check = choose_thresholds(*halves["tune"], min_support, MAX_CLEAN_FLAGGED)
    res = {"nli_model": nli.model_id, "summarizer": summ.model_id, "stories": len(stories), "rewrites": len(recs),
           "verified_rewrites": len(clean), "planted": len(planted), "chosen": check,
           "rule": f"most planted errors caught on the tune half with <= {MAX_CLEAN_FLAGGED:.0%} of clean rewrites flagged",
           "tune": catch_rates(*halves["tune"], check, min_support),
           "report": catch_rates(*halves["report"], check, min_support),
           "all": catch_rates(planted, clean, check, min_support),
           # examples clipped to a title's length: a rewrite may quote its story, whose text stays out of the repo
           "examples": [{"kind": r["kind"], "story_id": r["story_id"], "rewrite": clip(first_sentence(r["rewrite"])),
                         "planted": clip(r["planted"]), "planted_nli": [round(x, 3) for x in r["planted_nli"]]}
                        for r in planted[:12]],
           "role_swaps": role_swap_report(swaps, missing, clean, check, min_support),
           "seconds": round(time.time() - t0, 1),
           "command": "python training/train_summary_check.py " + " ".join(argv if argv is not None else sys.argv[1:])}
    for h in ("tune", "report", "all"):
        r = res[h]
        print(f"{h}: planted {r['n_planted']} caught 2.4 {r['caught_guard_2.4']:.3f} new {r['caught_new']:.3f}; "
              f"clean {r['n_clean']} flagged {r['clean_flagged_new']:.3f}", flush=True)
    print(f"chosen {check}", flush=True)
    roles = res["role_swaps"]
    print(f"role swaps: {json.dumps({k: v for k, v in roles.items() if k != 'per_half'})}", flush=True)
    Path(args.results).write_text(json.dumps(res, indent=2))
    if args.install:
        summ.config["meaning_check"] = {**check, "nli_model": nli.model_id}
        summ.config["role_check"] = roles["role_check"]
        summ.config["version"] = "2.7" if roles["role_check"] else "2.6"
        summ.save_pretrained(Summarizer.default_path)
        print(f"installed into {Summarizer.default_path}", flush=True)


def role_swap_report(swaps: list[dict], missing: int, clean: list[dict], check: dict, min_support: float) -> dict:
    """The role-swap set with the meaning check alone (2.6) and with the role check (2.7), per half, the clean
    rewrites the role check adds to the flagged ones, and the plan's rule: keep the role check or not."""
    from evaluation.planted_errors import catch_rates, story_half
    from newsml.summarize.verify import first_sentence, swapped_roles

    per_half = {h: {f"role_check_{on}": catch_rates([r for r in swaps if story_half(r["story_id"]) == h],
                                                    [r for r in clean if story_half(r["story_id"]) == h],
                                                    check, min_support, role_check=on)
                    for on in (False, True)} for h in ("tune", "report")}
    off, on = (catch_rates(swaps, clean, check, min_support, role_check=x) for x in (False, True))
    only_roles = [r for r in clean if swapped_roles(first_sentence(r["rewrite"]), r["source"])]  # clean ones it flags
    extra = round((on["clean_flagged_new"] - off["clean_flagged_new"]) * len(clean))  # a count: flagged by it alone
    tune = per_half["tune"]
    keep = bool(swaps) and extra <= int(MAX_ROLE_EXTRA_FLAGGED * len(clean)) and \
        tune["role_check_True"]["caught_new"] > tune["role_check_False"]["caught_new"]
    return {"n": len(swaps), "stored_without_rewrite": missing, "clean_extra_flagged": extra / max(1, len(clean)),
            "clean_extra_flagged_n": extra, "caught_without": off["caught_new"], "caught_with": on["caught_new"],
            "role_check": keep,
            "clean_flagged_by_role_check": [{"story_id": r["story_id"], "index": r["index"],
                                             "rewrite": clip(first_sentence(r["rewrite"]))} for r in only_roles],
            "rule": f"role check kept if it flags <= {MAX_ROLE_EXTRA_FLAGGED:.0%} more clean rewrites and catches more "
                    "swaps on the tune half (training/plans/summary_roles.md)",
            "per_half": per_half}


if __name__ == "__main__":
    main()
