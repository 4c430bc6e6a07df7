"""Stage 2 of the summarizer: the rewriter, a LoRA on SmolLM2-135M-Instruct that turns one selected sentence into
one CNN-style highlight. Trained on (sentence, highlight) pairs from the CNN train split, aligned by token recall
(9,667 pairs over the 5,500 stories at recall 0.6; highlights are 11.7 words from 27.5-word sources). Batches of
8 right-padded pairs, fp32, on CPU. The shipped adapter: 3,200 pairs, then resumed to 6,400:

    python training/summarizer/rewriter.py --data-dir ../shared/data --out runs/summarizer --n-examples 3200
    python training/summarizer/rewriter.py --data-dir ../shared/data --out runs/summarizer --resume --n-examples 6400

then tune.py chooses the generation settings and installs it.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from evaluation.data_readers import cnn_path, read_jsonl  # noqa: E402
from evaluation.datasets import DATA_DIR_HELP, data_root  # noqa: E402
from newsml.article import Article  # noqa: E402
from newsml.summarize.prompt import build_sentence_prompt, build_sentence_target  # noqa: E402
from newsml.text import tokens  # noqa: E402
from training.summarizer.common import LoraRun, resume_phases, start_run  # noqa: E402


@dataclass
class RewriterConfig:
    """Every setting of a run (`--set key=value` overrides any of them); the shipped adapter used these."""

    seed: int = 13  # the order of stories and pairs
    n_examples: int = 3200  # aligned (sentence, highlight) pairs seen, one pass (~0.7 s each on 2 cores)
    min_recall: float = 0.6  # a pair needs this share of the highlight's tokens in its source sentence
    max_source_words: int = 70  # longer source sentences are left out
    max_target_tokens: int = 40  # highlights are ~16 tokens; longer targets are cut
    batch_size: int = 8  # short sequences: real batches (right padded) beat batch 1 here
    lora_r: int = 16  # rank: 16 gave the best speed/quality trade-off in the planning runs
    lora_alpha: int = 32  # scale alpha / r = 2
    lora_dropout: float = 0.05
    target_modules: tuple = ("q_proj", "k_proj", "v_proj", "o_proj")  # attention projections
    lr: float = 3e-4  # LoRA tolerates a high LR; small data needs it
    warmup: int = 256  # pairs of linear warm-up, then cosine decay to 10% (LoraRun.lr_at)
    save_every: int = 400  # pairs between checkpoints
    threads: int = 2


def align_highlights(sentences: list[str], highlights: str, min_recall: float, max_source_words: int):
    """(source index, highlight) for each highlight line whose tokens are mostly (>= min_recall) in one
    source sentence: the compressions a sentence rewriter can learn without inventing content."""
    toks = [Counter(tokens(s)) for s in sentences]
    out = []
    for h in (x.strip() for x in highlights.split("\n")):
        ht = tokens(h)
        if len(ht) < 4 or not toks:
            continue
        hc = Counter(ht)
        rec = [sum((hc & t).values()) / len(ht) for t in toks]
        i = max(range(len(rec)), key=rec.__getitem__)
        if rec[i] >= min_recall and len(sentences[i].split()) <= max_source_words:
            out.append((i, h))
    return out


def fit_rewriter(args):
    """LoRA on SmolLM2 for sentence -> highlight rewriting, on CNN train pairs aligned by token recall
    (9,667 pairs over the 5,500 stories at recall 0.6; highlights are 11.7 words from 27.5-word sources).
    Checkpoints to --out/rewriter_checkpoint; `--resume` continues; tune.py --install ships the adapter."""
    cfg = RewriterConfig()
    out = start_run(cfg, args)

    t0 = time.time()
    rows = list(read_jsonl(cnn_path(args.data_dir, "train")))
    random.Random(cfg.seed).shuffle(rows)
    pairs = []
    for r in rows:
        sents = list(Article(text=r["article"]).sentences)  # split exactly as at inference
        pairs += [(sents[i], h) for i, h in align_highlights(sents, r["highlights"], cfg.min_recall, cfg.max_source_words)]
    random.Random(cfg.seed).shuffle(pairs)
    pairs = pairs[: cfg.n_examples]
    print(f"{len(pairs)} pairs in {time.time() - t0:.0f}s", flush=True)

    run = LoraRun(cfg, out / "rewriter_checkpoint", args.resume)
    tok, model, step = run.tok, run.model, run.step
    # a resumed run may plan more pairs than the first (--n-examples): each phase and its schedule are recorded
    prev = run.resumed
    phases = resume_phases(prev, step, "planned", cfg.n_examples, config_key="n_examples")
    prior_seconds = prev.get("seconds", 0.0)
    pad = tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id

    log = open(out / "rewriter_log.jsonl", "a")
    model.train()
    hist = []
    while step < len(pairs):
        batch = pairs[step : step + cfg.batch_size]
        seqs, labs = [], []
        for src, hl in batch:
            p_ids = tok(build_sentence_prompt(src), add_special_tokens=False)["input_ids"]
            t_ids = tok(build_sentence_target(hl), add_special_tokens=False)["input_ids"][: cfg.max_target_tokens]
            t_ids = t_ids + [tok.eos_token_id]
            seqs.append(p_ids + t_ids)
            labs.append([-100] * len(p_ids) + t_ids)
        n = max(map(len, seqs))
        ids = torch.tensor([s + [pad] * (n - len(s)) for s in seqs])
        att = torch.tensor([[1] * len(s) + [0] * (n - len(s)) for s in seqs])
        labels = torch.tensor([lb + [-100] * (n - len(lb)) for lb in labs])
        loss = model(input_ids=ids, attention_mask=att, labels=labels).loss
        loss.backward()
        step += len(batch)
        run.update(step)
        hist.append(round(loss.item(), 4))
        if len(hist) % 10 == 0:
            rec = {"step": step, "loss": round(sum(hist[-10:]) / 10, 4), "lr": run.lr_at(step), "sec": round(time.time() - t0, 1)}
            log.write(json.dumps(rec) + "\n")
            log.flush()
            print(rec, flush=True)
        if step % cfg.save_every < cfg.batch_size or step >= len(pairs):
            phases[-1]["to"] = step
            run.save({"step": step, "config": asdict(cfg), "loss": hist, "phases": phases,
                      "seconds": round(prior_seconds + time.time() - t0, 1)})
    print("done", flush=True)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-dir", default=None, help=DATA_DIR_HELP)
    p.add_argument("--out", default="runs/summarizer")
    p.add_argument("--resume", action="store_true", help="continue from --out/rewriter_checkpoint")
    p.add_argument("--n-examples", type=int, default=None, help="pairs to train on (RewriterConfig.n_examples)")
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--set", nargs="*", default=[], help="RewriterConfig overrides, e.g. --set lr=1e-4 batch_size=4")
    args = p.parse_args(argv)
    args.data_dir = data_root(args.data_dir, need=["cnn_dailymail"])
    return fit_rewriter(args)


if __name__ == "__main__":
    main()
