"""Stage 4 of the summarizer: the selector's context scorer (BertSum-style). MiniLM + LoRA reads the article's
opening at once, `[CLS] s1 [SEP] s2 [SEP] ...` (`context_window`); each in-window sentence's mean-pooled vector ->
linear -> a residual added to the frozen MLP selector's logit (the one in the shipped folder); binary
cross-entropy vs the greedy-oracle labels of the train stories. Checkpoints every `save_every` steps in
--out/context_checkpoint (--resume continues). Validation: selector-alone ROUGE with and without the residual,
side by side. The shipped scorer (219 s on one GPU):

    python training/summarizer/context.py --device cuda --data-dir ../shared/data --out runs/context --install

`--install` writes it into the shipped folder (with --out holding a finished run of the same config, it installs
that run without training again).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from peft import LoraConfig, get_peft_model, set_peft_model_state_dict
from peft.utils import get_peft_model_state_dict
from safetensors.numpy import load_file as load_numpy
from safetensors.numpy import save_file as save_numpy
from safetensors.torch import load_file, save_file
from transformers import AutoModel, AutoTokenizer

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from evaluation.datasets import DATA_DIR_HELP, data_root  # noqa: E402
from newsml.backbones import minilm_path  # noqa: E402
from newsml.encoder import lora_arrays  # noqa: E402
from newsml.summarize import DEFAULT_PATH  # noqa: E402
from newsml.summarize.select import ContextScorer, SentenceSelector, context_window, span_vectors  # noqa: E402
from training.overrides import apply_overrides  # noqa: E402
from training.summarizer.common import (  # noqa: E402
    RESULTS,
    SELECTOR_WORDS,
    SUMMARIZER_VERSION,
    atomic_folder,
    cnn_stories,
    command,
    install,
    oracle_labels,
    resume_phases,
    selector_rouge,
)


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


def fit_context(args):
    """BertSum-style: MiniLM + LoRA reads [CLS] s1 [SEP] s2 [SEP] ... (`context_window`); each in-window
    sentence's mean-pooled vector -> linear -> a residual added to the frozen MLP selector's logit (the one in
    the shipped folder); binary cross-entropy vs the greedy-oracle labels of the train stories. Checkpoints
    every `save_every` steps in --out/context_checkpoint (--resume continues). Validation: selector-alone
    ROUGE with and without the residual, side by side. --install writes it into the shipped folder."""
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
    save_numpy(ctx.tensors(), str(out / "context.safetensors"))  # before validation: the weights are kept whatever follows

    val = cnn_stories(args.data_dir, "validation", args.limit)
    with_ctx = mlp.with_context(ctx)
    table = {}
    for name, sel in (("mlp", mlp), ("mlp+context", with_ctx)):
        for w in (*SELECTOR_WORDS, 110):
            table[f"{name},{w}"] = selector_rouge(sel, val, w)[0]
            print(name, w, json.dumps({k: round(v, 2) for k, v in table[f"{name},{w}"].items()}), flush=True)
    base_cmd = command("context.py", [a for a in sys.argv[1:] if a != "--resume"])
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
    meta = json.loads((run / "context_meta.json").read_text())
    ctx = ContextScorer.from_tensors(scorer_config(meta["config"]), load_numpy(str(run / "context.safetensors")))
    ctx_meta = {k: v for k, v in meta.items() if k != "validation_selector_alone"}

    def update(cfg):
        cfg["selector"]["context"] = ctx_meta
        cfg["version"] = SUMMARIZER_VERSION

    install(update, selector=mlp.with_context(ctx))  # its weights: the scorer's LoRA + head (weights.safetensors)
    (RESULTS / "summarizer_context.json").write_text(json.dumps(meta, indent=2))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-dir", default=None, help=DATA_DIR_HELP)
    p.add_argument("--out", default="runs/context")
    p.add_argument("--resume", action="store_true", help="continue from --out/context_checkpoint")
    p.add_argument("--n-examples", type=int, default=None, help="first N train stories (default: all)")
    p.add_argument("--limit", type=int, default=None, help="first N validation stories (default: all)")
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--device", default=None, help="where MiniLM trains (cpu, cuda; default: cuda when available)")
    p.add_argument("--set", nargs="*", default=[], help="ContextConfig overrides, e.g. --set epochs=2 max_tokens=384")
    p.add_argument("--install", action="store_true", help="write it into newsml/models/summarizer")
    args = p.parse_args(argv)
    args.data_dir = data_root(args.data_dir, need=["cnn_dailymail"])
    return fit_context(args)


if __name__ == "__main__":
    main()
