"""Train newsml's NLI cross-encoder (entailment / neutral / contradiction) on all-MiniLM-L6-v2.

    python training/train_nli.py --data-dir ../shared/data                     # both stages, resumable
    python training/train_nli.py --data-dir ../shared/data --install stage_b   # copy a stage into newsml/models/nli

Two stages, each one pass over its data, fine-tuning MiniLM's top layers (the embeddings and the first two
layers stay frozen) and a linear head over [mean ; CLS]:
  A. general NLI: every labelled pair of ../shared/data/nli meant for training (the big MNLI/SNLI/ANLI
     train sets are not available here, so SNLI's dev/test and ANLI's dev are training data), binary sets
     (RTE, FEVER) through a set-valued loss (not_entailment = neutral or contradiction);
  B. news: pairs generated from CNN train stories by evaluation/nli_news_pairs.py (highlight vs supporting
     sentences, minimal-edit contradictions, other-story neutrals) mixed with an equal replay of stage A.
Held out of all training: MNLI validation_matched (read once, after selection), XNLI-en validation
(selection), SNLI-CAD and SICK validation (temperature calibration), and every test set reported by the
evaluation (pairs shared with them are removed from the training pool by normalised text).
Checkpoints (safetensors + JSON, never pickle) go to runs/nli/; a killed run resumes where it stopped.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import shutil
import sys
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evaluation.data_readers import NLI_POOL_CAPS, NLI_TRAIN_FILES, nli_correct, nli_train_pool  # noqa: E402
from evaluation.datasets import DATA_DIR_HELP, data_root  # noqa: E402
from newsml.nli import ARCHITECTURE, LABELS  # noqa: E402

# ---------------------------------------------------------------------------------------------------------
# config: every setting of a run, saved next to the weights


@dataclass
class NLITrainConfig:
    seed: int = 0
    max_length: int = 128  # tokens of premise + hypothesis; the premise is truncated first
    batch_size: int = 32
    # Fine-tuned encoder layers (the rest frozen). On 2 CPU cores full fine-tuning of these layers ran ~2x
    # faster per step than LoRA on all layers (peft's many small matmuls), and frozen bottom layers need no
    # backward pass. The shipped delta is these layers in float16 (~14 MB).
    train_layers: tuple = (2, 3, 4, 5)
    lr_a: float = 5e-5  # stage A peak learning rate of the encoder
    lr_b: float = 3e-5  # stage B peak learning rate of the encoder
    lr_head: float = 1e-3  # the new head learns faster
    warmup_steps: int = 200
    weight_decay: float = 0.01
    # Samples of the largest files, so one pass fits a session on 2 CPU cores (~40k pairs in stage A):
    # SNLI (captions) would otherwise be a third of the pool; ConjNLI's train labels are heuristic.
    caps: dict = field(default_factory=lambda: dict(NLI_POOL_CAPS))
    news_pairs: int = 10000  # stage B: generated news pairs (CNN train stories)
    replay_pairs: int = 6000  # stage B: stage A pairs mixed in, so general NLI is not forgotten
    news_stories: int = 4000  # CNN train stories the generator reads
    # Stage C (added after stages A and B reached only 0.583 / 0.585 XNLI-en accuracy and still read "pleaded
    # guilty" as entailed by "pleaded not guilty"): a second pass, news pairs from every CNN train story under
    # another seed + a larger replay of stage A, at stage A's learning rate.
    news_pairs_c: int = 12000
    news_stories_c: int = 5500
    replay_pairs_c: int = 20000
    lr_c: float = 5e-5
    checkpoint_every: int = 400  # steps
    # (folder, file) of every training file of stage A; binary files use the set-valued loss
    train_files: list = field(default_factory=lambda: list(NLI_TRAIN_FILES))


def stage_a_rows(cfg: NLITrainConfig, data_dir: Path) -> list[dict]:
    return nli_train_pool(data_dir, cfg.caps, cfg.seed, [tuple(f) for f in cfg.train_files])


def _news_row(p: dict) -> dict:
    """A generated news pair (evaluation/nli_news_pairs.py) as a training row."""
    return {"premise": p["premise"], "hypothesis": p["hypothesis"], "label": p["label"],
            "allowed": [LABELS.index(p["label"])], "source": f"news/{p['kind']}"}


def stage_b_rows(cfg: NLITrainConfig, data_dir: Path, a_rows: list[dict], stage: str = "b") -> list[dict]:
    """Generated news pairs + a replay sample of stage A (stage B; stage C: more stories, another seed)."""
    from evaluation.nli_news_pairs import make_pairs, read_stories

    n_stories, n_news, n_replay, seed = ((cfg.news_stories, cfg.news_pairs, cfg.replay_pairs, cfg.seed) if stage == "b"
                                         else (cfg.news_stories_c, cfg.news_pairs_c, cfg.replay_pairs_c, cfg.seed + 100))
    stories = list(read_stories(data_dir, "train", limit=n_stories))
    pairs = make_pairs(stories, seed=seed)
    rng = random.Random(seed + 1)
    pairs = rng.sample(pairs, min(n_news, len(pairs)))
    return [_news_row(p) for p in pairs] + rng.sample(a_rows, min(n_replay, len(a_rows)))


def batches(rows: list[dict], batch_size: int, seed: int) -> list[list[int]]:
    """Shuffled batches of row indices, length-grouped inside windows of 50 batches (less padding)."""
    rng = random.Random(seed)
    idx = list(range(len(rows)))
    rng.shuffle(idx)
    out = []
    win = batch_size * 50
    for i in range(0, len(idx), win):
        chunk = sorted(idx[i : i + win], key=lambda j: len(rows[j]["premise"]) + len(rows[j]["hypothesis"]))
        out += [chunk[k : k + batch_size] for k in range(0, len(chunk), batch_size)]
    rng.shuffle(out)
    return out


# ---------------------------------------------------------------------------------------------------------
# model


def build(cfg: NLITrainConfig):
    import torch
    from transformers import AutoModel, AutoTokenizer

    from newsml.backbones import minilm_path
    from newsml.nli import build_head, is_tuned

    torch.manual_seed(cfg.seed)
    tok = AutoTokenizer.from_pretrained(minilm_path())
    enc = AutoModel.from_pretrained(minilm_path(), dtype=torch.float32, add_pooling_layer=False)
    for name, p in enc.named_parameters():
        p.requires_grad_(is_tuned(name, cfg.train_layers))
    head = build_head(enc.config.hidden_size, len(LABELS))
    return tok, enc, head


def forward(tok, enc, head, rows, cfg, device="cpu", truncation="only_first"):
    from newsml.nli import pooled

    b = tok([r["premise"] for r in rows], [r["hypothesis"] for r in rows], padding=True,
            truncation=truncation, max_length=cfg.max_length, return_tensors="pt").to(device)
    h = enc(**b).last_hidden_state
    return head(pooled(h, b["attention_mask"]))


def set_loss(logits, rows):
    """-log P(allowed labels): cross-entropy for 3-way rows, P(neutral)+P(contradiction) for not_entailment."""
    import torch

    mask = torch.full_like(logits, float("-inf"))
    for i, r in enumerate(rows):
        mask[i, r["allowed"]] = 0.0
    return (torch.logsumexp(logits, -1) - torch.logsumexp(logits + mask, -1)).mean()


def trainable(enc, head) -> dict:
    params = {f"enc.{n}": p for n, p in enc.named_parameters() if p.requires_grad}
    params.update({f"head.{n}": p for n, p in head.named_parameters()})
    return params


def save_checkpoint(folder: Path, enc, head, opt, meta: dict) -> None:
    """Trainable weights and AdamW moments as safetensors, the loop position as JSON (atomic rename)."""
    from safetensors.torch import save_file

    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    params = trainable(enc, head)
    save_file({k: v.detach().contiguous() for k, v in params.items()}, str(tmp / "params.safetensors"))
    moments = {}
    names = {id(p): k for k, p in params.items()}
    for p, st in opt.state.items():
        for m in ("exp_avg", "exp_avg_sq"):
            moments[f"{names[id(p)]}.{m}"] = st[m].contiguous()
        meta.setdefault("opt_step", {})[names[id(p)]] = float(st["step"])
    save_file(moments, str(tmp / "optimizer.safetensors"))
    (tmp / "meta.json").write_text(json.dumps(meta, indent=2))
    shutil.rmtree(folder, ignore_errors=True)
    tmp.rename(folder)


def load_checkpoint(folder: Path, enc, head, opt) -> dict:
    import torch
    from safetensors.torch import load_file

    params = trainable(enc, head)
    saved = load_file(str(folder / "params.safetensors"))
    with torch.no_grad():
        for k, p in params.items():
            p.copy_(saved[k])
    meta = json.loads((folder / "meta.json").read_text())
    moments = load_file(str(folder / "optimizer.safetensors"))
    for k, p in params.items():
        if f"{k}.exp_avg" in moments:
            opt.state[p] = {"step": torch.tensor(meta["opt_step"][k]), "exp_avg": moments[f"{k}.exp_avg"],
                            "exp_avg_sq": moments[f"{k}.exp_avg_sq"]}
    return meta


def export(folder: Path, enc, head, cfg: NLITrainConfig, extra: dict, version: str = "1.0") -> None:
    """Write an NLIModel folder: the tuned layers (float16) + head (safetensors), config.json, manifest."""
    from newsml.safe_io import save_folder

    tensors = {f"enc.{n}": p.detach().cpu().numpy().astype(np.float16) for n, p in enc.named_parameters()
               if p.requires_grad}
    tensors["head.weight"] = head[1].weight.detach().cpu().numpy().copy()
    tensors["head.bias"] = head[1].bias.detach().cpu().numpy().copy()
    config = {"architecture": ARCHITECTURE, "name": "newsml-nli", "version": version, "labels": list(LABELS),
              "encoder": "sentence-transformers/all-MiniLM-L6-v2", "max_length": cfg.max_length,
              "temperature": 1.0, "train_config": asdict(cfg), **extra}
    save_folder(folder, config, tensors)


# ---------------------------------------------------------------------------------------------------------
# evaluation helpers


def accuracy(model, rows: list[dict]) -> float:
    """Share of rows predicted right (evaluation.data_readers.nli_correct, as the benchmark scores them)."""
    return float(nli_correct(model.predict_proba([(r["premise"], r["hypothesis"]) for r in rows]), rows).mean())


def fit_temperature(model, rows: list[dict]) -> float:
    """The temperature minimising the NLL of 3-way rows (grid search; logits at T=1)."""
    z = model.logits([(r["premise"], r["hypothesis"]) for r in rows]) * float(model.config.get("temperature", 1.0))
    y = np.array([r["allowed"][0] for r in rows])
    best = (math.inf, 1.0)
    for t in np.arange(0.5, 3.01, 0.05):
        zt = z / t
        zt = zt - zt.max(1, keepdims=True)
        nll = -(zt[np.arange(len(y)), y] - np.log(np.exp(zt).sum(1))).mean()
        best = min(best, (nll, float(round(t, 2))))
    return best[1]


# ---------------------------------------------------------------------------------------------------------
# the training loop


def run_stage(name: str, rows: list[dict], lr: float, cfg: NLITrainConfig, out: Path, tok, enc, head, log) -> None:
    import torch

    ck = out / f"ckpt_{name}"
    done = out / f"stage_{name}"
    if (done / "config.json").exists():
        log(f"stage {name}: already exported at {done}")
        return
    order = batches(rows, cfg.batch_size, cfg.seed + ord(name))
    params = trainable(enc, head)
    groups = [{"params": [p for k, p in params.items() if k.startswith("enc.")], "peak": lr},
              {"params": [p for k, p in params.items() if k.startswith("head.")], "peak": cfg.lr_head}]
    opt = torch.optim.AdamW(groups, lr=lr, weight_decay=cfg.weight_decay)
    total = len(order)
    sched = lambda s: min(1.0, (s + 1) / cfg.warmup_steps) * max(0.1, 1 - s / total)  # noqa: E731
    start, t0, run_loss = 0, time.time(), []
    if (ck / "meta.json").exists():
        start = load_checkpoint(ck, enc, head, opt)["step"]
        log(f"stage {name}: resumed at step {start}/{total}")
    enc.train()
    head.train()
    for step in range(start, total):
        for g in opt.param_groups:
            g["lr"] = g["peak"] * sched(step)
        batch = [rows[j] for j in order[step]]
        loss = set_loss(forward(tok, enc, head, batch, cfg), batch)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params.values(), 1.0)
        opt.step()
        run_loss.append(loss.item())
        if (step + 1) % 50 == 0:
            rate = 50 * cfg.batch_size / (time.time() - t0)
            log(f"stage {name} step {step + 1}/{total} loss {np.mean(run_loss[-50:]):.4f} {rate:.1f} pairs/s")
            t0 = time.time()
        if (step + 1) % cfg.checkpoint_every == 0 or step + 1 == total:
            save_checkpoint(ck, enc, head, opt, {"step": step + 1, "stage": name, "total": total})
    enc.eval()
    head.eval()
    export(done, enc, head, cfg, {"training_data": f"stage {name}: {len(rows)} pairs"})
    log(f"stage {name}: exported to {done}")


# ---------------------------------------------------------------------------------------------------------
# recipe G: several passes over the whole pool, every layer tuned, on a lent GPU (training/plans/nli_2.md)


@dataclass
class GPURecipe:
    layers: tuple = (0, 1, 2, 3, 4, 5)  # every encoder layer (the embeddings stay frozen)
    lrs: tuple = (3e-5, 6e-5)  # one candidate per encoder peak learning rate
    epochs: int = 5
    batch_size: int = 32
    lr_head: float = 1e-3
    warmup: float = 0.06  # share of all steps
    weight_decay: float = 0.01
    caps: dict = field(default_factory=lambda: {"conjnli": 3000})  # ConjNLI's train labels are heuristic
    news_seeds: tuple = (200, 201)  # news pairs from every CNN train story under each seed, deduplicated
    newsval_stories: int = 1000  # CNN validation stories whose generated pairs are monitored (never selected on)
    tie_points: float = 0.3  # XNLI-en accuracy points within which news-validation accuracy decides


def g_rows(cfg: NLITrainConfig, g: GPURecipe, data_dir: Path) -> dict[str, list[dict]]:
    """{"train", "select", "newsval"} rows of recipe G."""
    from evaluation.data_readers import NLI_SELECT, read_nli
    from evaluation.nli_news_pairs import make_pairs, read_stories

    pool = nli_train_pool(data_dir, g.caps, cfg.seed, [tuple(f) for f in cfg.train_files])
    stories = list(read_stories(data_dir, "train"))
    seen, news = set(), []
    for seed in g.news_seeds:
        for p in make_pairs(stories, seed=seed):
            if (p["premise"], p["hypothesis"]) not in seen:
                seen.add((p["premise"], p["hypothesis"]))
                news.append(_news_row(p))
    val = make_pairs(list(read_stories(data_dir, "validation", limit=g.newsval_stories)), seed=0)
    return {"train": pool + news, "select": [r for f, s in NLI_SELECT for r in read_nli(data_dir, f, s)],
            "newsval": [_news_row(p) for p in val]}


def write_rows(rows: dict[str, list[dict]], folder: Path) -> None:
    import gzip

    folder.mkdir(parents=True, exist_ok=True)
    for name, rs in rows.items():
        with gzip.open(folder / f"{name}.jsonl.gz", "wt", encoding="utf-8") as f:
            f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rs)


def read_rows(folder: Path) -> dict[str, list[dict]]:
    from evaluation.data_readers import read_jsonl

    return {name: list(read_jsonl(folder / f"{name}.jsonl.gz")) for name in ("train", "select", "newsval")}


def run_g(rows: dict, lr: float, cfg: NLITrainConfig, g: GPURecipe, out: Path, device: str, deadline: float,
          log, init: Path | None = None, name: str = "g") -> Path:
    """Train one candidate; export every epoch to out/stage_{name}_lr{lr}/epoch{k} with its validation accuracies.
    `init`: continue from an exported model folder (its tuned layers and head; a new optimizer, other shuffles)."""
    import torch
    from safetensors.torch import load_file

    from newsml.nli import NLIModel

    cfg = replace(cfg, train_layers=g.layers, batch_size=g.batch_size)
    torch.manual_seed(cfg.seed)
    tok, enc, head = build(cfg)
    seed_offset = 0
    if init is not None:
        saved = load_file(str(Path(init) / "weights.safetensors"))
        with torch.no_grad():
            for k, p in trainable(enc, head).items():
                p.copy_(saved[k].float() if k.startswith("enc.") else saved[k.replace("head.1.", "head.")])
        seed_offset = 100
    enc.to(device)
    head.to(device)
    params = trainable(enc, head)
    groups = [{"params": [p for k, p in params.items() if k.startswith("enc.")], "peak": lr},
              {"params": [p for k, p in params.items() if k.startswith("head.")], "peak": g.lr_head}]
    opt = torch.optim.AdamW(groups, lr=lr, weight_decay=g.weight_decay)
    train = rows["train"]
    total = math.ceil(len(train) / g.batch_size) * g.epochs
    warm = max(1, int(g.warmup * total))
    folder = out / f"stage_{name}_lr{lr:g}"
    history, step, stopped = [], 0, False
    for epoch in range(1, g.epochs + 1):
        enc.train()
        head.train()
        t0, losses = time.time(), []
        for idx in batches(train, g.batch_size, cfg.seed + seed_offset + epoch):
            for grp in opt.param_groups:
                grp["lr"] = grp["peak"] * min(1.0, (step + 1) / warm) * max(0.0, 1 - step / total)
            batch = [train[j] for j in idx]
            with torch.autocast(device_type=device.split(":")[0], dtype=torch.bfloat16, enabled=device.startswith("cuda")):
                logits = forward(tok, enc, head, batch, cfg, device, truncation="longest_first")
            loss = set_loss(logits.float(), batch)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params.values(), 1.0)
            opt.step()
            losses.append(loss.item())
            step += 1
            if time.time() > deadline:
                stopped = True
                break
        enc.eval()
        head.eval()
        ep = folder / f"epoch{epoch}"
        export(ep, enc, head, cfg, {"training_data": f"recipe G: {len(train)} pairs, epoch {epoch}",
                                    "recipe": asdict(g), "lr": lr, "init": str(init) if init else None},
               version="2.0")
        model = NLIModel.from_pretrained(ep, device=device)
        rec = {"epoch": epoch, "step": step, "total_steps": total, "complete": not stopped, "lr": lr,
               "loss": float(np.mean(losses)) if losses else None, "seconds": round(time.time() - t0, 1),
               "xnli_en": accuracy(model, rows["select"]), "news_validation": accuracy(model, rows["newsval"])}
        history.append(rec)
        (folder / "history.json").write_text(json.dumps(history, indent=2))
        log(f"G lr {lr:g} epoch {epoch}: {json.dumps(rec)}")
        if stopped:
            break
    return folder


def choose_g(out: Path, g: GPURecipe, log) -> Path:
    """The rule of training/plans/nli_2.md: among G's candidates (out/stage_g_lr*) the epoch with the highest XNLI-en
    accuracy; within `tie_points` of it, the higher news-validation accuracy. A continuation G2 (out/stage_g2_lr*,
    `--init`) replaces that choice only if its best epoch is at least `tie_points` higher. Copies the chosen epoch to
    out/stage_g and writes the record (every candidate) to out/choice_g.json."""
    def candidates(pattern: str, label: str) -> list[tuple[dict, Path]]:
        return [({**r, "candidate": label}, f) for f in sorted(out.glob(pattern)) if (f / "history.json").exists()
                for r in json.loads((f / "history.json").read_text())]

    cands = candidates("stage_g_lr*", "G")
    best = max(r["xnli_en"] for r, _ in cands)
    r, f = max(((r, f) for r, f in cands if r["xnli_en"] >= best - g.tie_points / 100),
               key=lambda c: (c[0]["news_validation"], c[0]["xnli_en"]))
    record = {"rule": "training/plans/nli_2.md", "g_chosen": r}
    cands2 = candidates("stage_g2_lr*", "G2 (continued from G's choice)")
    if cands2:
        r2, f2 = max(cands2, key=lambda c: c[0]["xnli_en"])
        record["g2_best"] = r2
        if r2["xnli_en"] >= r["xnli_en"] + g.tie_points / 100:
            r, f = r2, f2
    chosen = out / "stage_g"
    shutil.rmtree(chosen, ignore_errors=True)
    shutil.copytree(f / f"epoch{r['epoch']}", chosen)
    record.update({"chosen": r, "candidates": [c for c, _ in cands + cands2]})
    (out / "choice_g.json").write_text(json.dumps(record, indent=2))
    log(f"G chosen: {r['candidate']}, lr {r['lr']:g} epoch {r['epoch']} (XNLI-en {r['xnli_en']:.4f}, news validation "
        f"{r['news_validation']:.4f}) -> {chosen}")
    return chosen


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", default=None, help=DATA_DIR_HELP)
    ap.add_argument("--out", default=str(ROOT / "runs/nli"))
    ap.add_argument("--stages", default="a,b,c,select",
                    help="steps to run, in order: a, b, c, select (1.0, CPU); g, choose_g, select_g (recipe G, 2.0)")
    ap.add_argument("--install", action="store_true", help="copy the selected model into newsml/models/nli")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--smoke", action="store_true", help="tiny run: 256 pairs per stage, to test the script")
    ap.add_argument("--device", default="cpu", help="recipe G: cpu or cuda")
    ap.add_argument("--lr", type=float, default=None, help="recipe G: train only the candidate with this peak lr")
    ap.add_argument("--deadline-s", type=float, default=None,
                    help="recipe G: stop training after this many seconds (the epoch in progress is exported)")
    ap.add_argument("--export-rows", default=None, help="recipe G: write its training/selection rows to this folder")
    ap.add_argument("--rows", default=None, help="recipe G: read rows written by --export-rows (no data folder needed)")
    ap.add_argument("--init", default=None, help="recipe G: continue from this exported model folder (G2)")
    ap.add_argument("--epochs", type=int, default=None, help="recipe G: epochs (default GPURecipe.epochs)")
    ap.add_argument("--warmup", type=float, default=None, help="recipe G: warm-up share of the steps")
    args = ap.parse_args(argv)
    stages = args.stages.split(",")
    needs_data = not (args.rows and set(stages) <= {"g", "choose_g"})
    if needs_data:
        args.data_dir = data_root(args.data_dir, need=["nli", "cnn_dailymail"])

    import torch

    torch.set_num_threads(args.threads)
    cfg = NLITrainConfig()
    data_dir, out = Path(args.data_dir or "."), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    logf = open(out / "train.log", "a")

    def log(msg):
        line = f"{time.strftime('%H:%M:%S')} {msg}"
        print(line, flush=True)
        logf.write(line + "\n")
        logf.flush()

    (out / "config.json").write_text(json.dumps(asdict(cfg), indent=2))
    if args.export_rows or "g" in stages:
        g = GPURecipe()
        rows = read_rows(Path(args.rows)) if args.rows else g_rows(cfg, g, data_dir)
        g.epochs = args.epochs or g.epochs
        g.warmup = args.warmup if args.warmup is not None else g.warmup
        if args.smoke:
            rows = {k: random.Random(0).sample(v, min(256, len(v))) for k, v in rows.items()}
            g.epochs = 2
        log("recipe G rows: " + ", ".join(f"{k} {len(v)}" for k, v in rows.items()))
        if args.export_rows:
            write_rows(rows, Path(args.export_rows))
            log(f"wrote recipe G rows to {args.export_rows}")
        if "g" in stages:
            deadline = time.time() + (args.deadline_s or 1e9)
            for lr in [args.lr] if args.lr else g.lrs:
                run_g(rows, lr, cfg, g, out, args.device, deadline, log, init=args.init,
                      name="g2" if args.init else "g")
    if "choose_g" in stages:
        choose_g(out, GPURecipe(), log)
    if "select_g" in stages:
        select(out, data_dir, log, stage_names=("g",))
    if set(stages) & {"a", "b", "c", "select"}:
        run_1_0(args, cfg, stages, data_dir, out, log)
    if args.install:
        from newsml.nli import DEFAULT_PATH, NLIModel

        NLIModel.from_pretrained(out / "selected").save_pretrained(DEFAULT_PATH)
        log(f"installed {out / 'selected'} -> {DEFAULT_PATH}")


def run_1_0(args, cfg: NLITrainConfig, stages: list[str], data_dir: Path, out: Path, log) -> None:
    """NLI 1.0: stages A, B, C on 2 CPU cores, then selection (training/plans/stance_2.md)."""
    tok, enc, head = build(cfg)
    a_rows = stage_a_rows(cfg, data_dir)
    if args.smoke:
        a_rows = random.Random(0).sample(a_rows, 256)
        cfg.news_pairs, cfg.news_stories, cfg.checkpoint_every = 128, 60, 4
    log(f"stage a: {len(a_rows)} pairs")
    if "a" in stages:
        run_stage("a", a_rows, cfg.lr_a, cfg, out, tok, enc, head, log)
    if "b" in stages:
        _load_stage(out / "stage_a", enc, head)  # stage B starts from stage A's exported weights
        b_rows = stage_b_rows(cfg, data_dir, a_rows)
        log(f"stage b: {len(b_rows)} pairs")
        run_stage("b", b_rows, cfg.lr_b, cfg, out, tok, enc, head, log)
    if "c" in stages:
        _load_stage(out / "stage_b", enc, head)
        c_rows = stage_b_rows(cfg, data_dir, a_rows, "c")
        log(f"stage c: {len(c_rows)} pairs")
        run_stage("c", c_rows, cfg.lr_c, cfg, out, tok, enc, head, log)
    if "select" in stages:
        select(out, data_dir, log)


def select(out: Path, data_dir: Path, log, stage_names=("a", "b", "c")) -> None:
    """The written rule (training/plans/stance_2.md): the last stage unless its XNLI-en accuracy is more than 2.0
    points below the best stage's (then the best); then the temperature that minimises NLL on the calibration
    sets; saved to out/selected. Recipe G (`stage_names=("g",)`) has one stage, already chosen by `choose_g`."""
    from evaluation.data_readers import NLI_CALIBRATE, NLI_SELECT, read_nli
    from newsml.nli import NLIModel

    sel = [r for f, s in NLI_SELECT for r in read_nli(data_dir, f, s)]
    acc = {}
    for st in stage_names:
        if (out / f"stage_{st}" / "config.json").exists():
            acc[st] = accuracy(NLIModel.from_pretrained(out / f"stage_{st}"), sel)
            log(f"stage {st}: XNLI-en validation accuracy {acc[st]:.4f}")
    last = max(acc)  # the latest stage trained
    chosen = last if acc[last] >= max(acc.values()) - 0.02 else max(acc, key=acc.get)
    model = NLIModel.from_pretrained(out / f"stage_{chosen}")
    cal = [r for f, s in NLI_CALIBRATE for r in read_nli(data_dir, f, s)]
    t = fit_temperature(model, cal)
    rule = ("the last stage unless its XNLI-en accuracy < the best stage's - 0.02" if stage_names != ("g",) else
            "training/plans/nli_2.md: the epoch of either candidate with the highest XNLI-en accuracy (within 0.3 "
            "points, the higher news-validation accuracy); the continuation G2 replaces it if >= 0.3 points higher")
    choice = out / "choice_g.json"
    model.config.update({"temperature": t, "selection": {"rule": rule,
                                                          "xnli_en_accuracy": acc, "chosen_stage": chosen,
                                                          "temperature_fit_on": [f"{f}/{s}" for f, s in NLI_CALIBRATE],
                                                          **({"candidates": json.loads(choice.read_text())["candidates"]}
                                                             if stage_names == ("g",) and choice.exists() else {})}})
    model.save_pretrained(out / "selected")
    log(f"selected stage {chosen}, temperature {t} -> {out / 'selected'}")


def _load_stage(folder: Path, enc, head) -> None:
    """Continue from an exported stage: its tuned layers and head (float32 master weights from the stage's
    last checkpoint, so stage B does not start from the float16-rounded export)."""
    import torch
    from safetensors.torch import load_file

    saved = load_file(str(folder.parent / f"ckpt_{folder.name.removeprefix('stage_')}" / "params.safetensors"))
    with torch.no_grad():
        for k, p in trainable(enc, head).items():
            p.copy_(saved[k])


if __name__ == "__main__":
    main()
