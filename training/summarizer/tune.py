"""Stage 3 of the summarizer: choose on validation how the rewriter is used, then ship it. Compares the generation
settings (`--repetition-penalty`, `--no-repeat-ngram`; both also act on the prompt: a decoder-only model sees it
as history, so they discourage copying the source), the source-word budget of the picked sentences
(`--rewrite-words`), the most sentences per summary (`--max-sentences`) and the verifier's support threshold
(`--min-support`). Rewrites are generated once per generation setting for each story's 5 best sentences (every
setting's picks are a prefix of that ranking) and cached under --out. The choice: the best R1 + R2 + RLsum among
settings with novel bigrams >= 15% + NOVELTY_MARGIN and unsupported names <= 2%. The shipped choice:

    python training/summarizer/tune.py --data-dir ../shared/data --out runs/summarizer --limit 200 --batch-size 8 \
        --threads 2 --repetition-penalty 1.0 1.03 1.06 1.1 --no-repeat-ngram 0 --install

`--install` writes the adapter (fp16) and the chosen settings into newsml/models/summarizer.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import sys
import time
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from evaluation.data_readers import references  # noqa: E402
from evaluation.datasets import DATA_DIR_HELP, data_root  # noqa: E402
from evaluation.metrics import compute_faithfulness, compute_guard_share, compute_novel_bigrams, compute_rouge  # noqa: E402
from newsml.article import Article  # noqa: E402
from newsml.safe_io import write_manifest  # noqa: E402
from newsml.summarize import DEFAULT_PATH, SENTENCE_PROMPTS_PER_ARTICLE, Summarizer  # noqa: E402
from newsml.summarize.prompt import build_sentence_prompt  # noqa: E402
from newsml.summarize.verify import verify_rewrites  # noqa: E402
from training.summarizer.common import (  # noqa: E402
    NOVELTY_MARGIN,
    RESULTS,
    SUMMARIZER_VERSION,
    command,
    install,
    validation_rows,
)

REWRITE_MAX_NEW_TOKENS = 40  # highlights are ~12 words (~16 tokens); 40 leaves room, never runs away


def tune(args):
    """Sentence mode: pick `rewrite_words`, `max_summary_sentences`, `min_support` and the generation settings
    (`--repetition-penalty`, `--no-repeat-ngram`) on validation.
    Rewrites are generated once for each story's 5 best sentences (every setting's picks are a prefix of
    that ranking) and cached under --out; `--install` writes the choice and the adapter into the package."""
    torch.set_num_threads(args.threads or 2)
    rows = validation_rows(args.data_dir, args.limit or 100)
    refs = [references(r["highlights"]) for r in rows]
    docs = [r["article"] for r in rows]
    arts = [Article(text=d) for d in docs]
    adapter = Path(args.adapter or Path(args.out) / "rewriter_checkpoint")
    summ = Summarizer.from_pretrained()
    summ.adapter_dir = adapter
    ranked = [summ.selector.ranking(a.sentences, a.title)[:5] for a in arts]
    prompts = [build_sentence_prompt(a.sentences[i]) for a, rk in zip(arts, ranked) for i in rk]
    adapter_hash = hashlib.sha256((adapter / "adapter_model.safetensors").read_bytes()).hexdigest()
    table, gens, gen_seconds = {}, {}, {}
    for rp, nr in itertools.product(args.repetition_penalty, args.no_repeat_ngram):
        gen = gens[(rp, nr)] = {"max_new_tokens": REWRITE_MAX_NEW_TOKENS, "repetition_penalty": rp,
                                "no_repeat_ngram_size": nr}
        summ.config["generation"] = gen
        key = hashlib.sha256((json.dumps([prompts, gen]) + adapter_hash).encode()).hexdigest()[:12]
        cache = Path(args.out) / f"tune_rewrites_{key}.json"
        cache.parent.mkdir(parents=True, exist_ok=True)
        t0 = time.time()
        if cache.exists():
            flat, gen_seconds[(rp, nr)] = json.loads(cache.read_text())
        else:
            flat = summ.generate(prompts, batch_size=args.batch_size * SENTENCE_PROMPTS_PER_ARTICLE)
            gen_seconds[(rp, nr)] = time.time() - t0
            cache.write_text(json.dumps([flat, gen_seconds[(rp, nr)]]))
        it = iter(flat)
        rewrites = [{i: next(it) for i in rk} for rk in ranked]
        for words, k, ms in itertools.product(args.rewrite_words, args.max_sentences, args.min_support):
            outs = []
            for a, rw in zip(arts, rewrites):
                picks = summ.selector.summary_picks(a.sentences, a.title, words=words, max_sentences=k)
                outs.append(verify_rewrites([rw[i] for i in picks], picks, list(a.sentences), method="t", min_support=ms))
            texts = [o.text for o in outs]
            m = (words, k, ms, rp, nr)
            table[m] = {**compute_rouge(texts, refs), **compute_novel_bigrams(texts, docs),
                        "unsupported_entity_rate": compute_faithfulness(texts, docs)["unsupported_entity_rate"],
                        **compute_guard_share(outs),
                        "words": sum(len(t.split()) for t in texts) / len(texts)}
            print(m, json.dumps({k_: round(v, 4) for k_, v in table[m].items()}), flush=True)
    ok = [m for m in table if table[m]["novel_bigram_rate"] >= 0.15 + NOVELTY_MARGIN
          and table[m]["unsupported_entity_rate"] <= 0.02] or list(table)
    best = max(ok, key=lambda m: table[m]["rouge1"] + table[m]["rouge2"] + table[m]["rougeLsum"])
    print(f"rewrite_words, max_summary_sentences, min_support, repetition_penalty, no_repeat_ngram -> {best}: "
          f"{json.dumps(table[best])}", flush=True)
    tuning = {"split": "validation", "n": len(rows), "mode": "sentences", "novelty_margin": NOVELTY_MARGIN,
              "generation": gens[best[3:]], "n_prompts": len(prompts),
              "generation_seconds": {f"repetition_penalty={k[0]},no_repeat_ngram={k[1]}": round(v, 1) for k, v in gen_seconds.items()},
              "table": {f"rewrite_words={k[0]},max_sentences={k[1]},min_support={k[2]},repetition_penalty={k[3]},"
                        f"no_repeat_ngram={k[4]}": v for k, v in table.items()},
              "command": command("tune.py")}
    (Path(args.out) / "tune_sentences.json").write_text(json.dumps({"best": best, **tuning}, indent=2))
    if args.install:
        install_rewriter(adapter, best, tuning)


def install_rewriter(adapter: Path, best: tuple, tuning: dict) -> None:
    """The rewriter adapter + sentence-mode settings -> newsml/models/summarizer (fp16 adapter, manifests)."""
    state = json.loads((adapter / "state.json").read_text())
    ad = DEFAULT_PATH / "adapter"
    save_file({k: v.to(torch.float16) for k, v in load_file(adapter / "adapter_model.safetensors").items()},
              ad / "adapter_model.safetensors")
    cfg_ad = json.loads((adapter / "adapter_config.json").read_text())
    cfg_ad["base_model_name_or_path"] = "HuggingFaceTB/SmolLM2-135M-Instruct"
    (ad / "adapter_config.json").write_text(json.dumps(cfg_ad, indent=2))
    write_manifest(ad)
    tc = state["config"]

    def update(cfg):
        for k in ("min_words", "max_abstractive", "prompt_sentences"):  # the retired whole-summary mode's settings
            cfg.pop(k, None)
        cfg.update({
            "version": SUMMARIZER_VERSION, "generation_mode": "sentences", "rewrite_words": best[0],
            "max_summary_sentences": best[1], "min_support": best[2], "generation": tuning["generation"],
            "adapter": {"task": "sentence -> highlight", "r": tc["lora_r"], "alpha": tc["lora_alpha"],
                        "target_modules": tc["target_modules"], "examples_seen": state["step"], "lr": tc["lr"],
                        "min_recall": tc["min_recall"], "seconds": state.get("seconds"), "phases": state.get("phases"),
                        "command": " then ".join(
                            "python training/summarizer/rewriter.py --data-dir ../shared/data --out "
                            f"runs/summarizer --resume --n-examples {ph['planned']}" for ph in state.get("phases")
                            or [{"planned": tc["n_examples"]}])},
            "train_loss_last": [round(sum(state["loss"][i:i + 10]) / 10, 4)
                                for i in range(len(state["loss"]) - 100, len(state["loss"]), 10)],
            "tuning": tuning,
        })

    install(update)
    (RESULTS / "summarizer_tuning.json").write_text(json.dumps(tuning, indent=2))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-dir", default=None, help=DATA_DIR_HELP)
    p.add_argument("--out", default="runs/summarizer")
    p.add_argument("--limit", type=int, default=None, help="first N validation stories (default 100)")
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--adapter", default=None, help="the rewriter checkpoint (default: --out/rewriter_checkpoint)")
    p.add_argument("--repetition-penalty", type=float, nargs="+", default=[1.1])
    p.add_argument("--no-repeat-ngram", type=int, nargs="+", default=[4])
    p.add_argument("--rewrite-words", type=int, nargs="+", default=[60, 75, 90, 110])
    p.add_argument("--max-sentences", type=int, nargs="+", default=[4, 5], help="at most 5: the cached ranking")
    p.add_argument("--min-support", type=float, nargs="+", default=[0.3, 0.5])
    p.add_argument("--install", action="store_true", help="write the adapter and the choice into the package")
    args = p.parse_args(argv)
    args.data_dir = data_root(args.data_dir, need=["cnn_dailymail"])
    return tune(args)


if __name__ == "__main__":
    main()
