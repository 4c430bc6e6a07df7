"""Your own topics from a few labelled examples: `fit_topic(texts, labels) -> TopicClassifier`.

    >>> clf = fit_topic(texts, labels, seed=0)            # 8+ examples per label, any label names
    >>> clf.predict_proba(["Arsenal beat Chelsea"])       # columns: clf.labels
    >>> clf.save_pretrained("my_topic/")                  # + a model card; Analyzer(topic="my_topic/") loads it

    python -m newsml.train topic --data my.jsonl --text-field text --label-field label -o my_topic/

The recipe (SetFit's idea, Tunstall et al. 2022: tune the sentence encoder contrastively, then fit a linear head;
here with an in-batch loss, so that one pass over the examples is the whole cost):
1. **Contrastive LoRA tuning of MiniLM.** Batches hold every label; the supervised contrastive loss (Khosla et
   al. 2020) pulls each text towards the other texts of its label and away from the rest, over every pair in
   the batch at once. SetFit's pair loss encodes two texts per pair; this encodes each text once per pass.
2. **Heads.** Logistic regression on the tuned embeddings (`lora`) and on TF-IDF (`tfidf`, small weight; it also
   picks the evidence sentences), as in the shipped topic model: the result *is* a `TopicClassifier`.
3. **Calibration.** A temperature fitted on `validation` when given (the honest way); otherwise on the heads'
   cross-fitted logits over the training examples, which the encoder has seen, so probabilities may then be
   over-confident (the model card says which).

Deterministic for a given `seed` on a given machine (torch's CPU kernels; a GPU may differ in the last digits).
"""

from __future__ import annotations

import math
import time
from collections import Counter
from dataclasses import asdict, dataclass

import numpy as np

from newsml.errors import InputTypeError, InputValueError
from newsml.topic import ARCHITECTURE, LORA_CHAR_LIMIT, TopicClassifier

MIN_PER_LABEL = 8


@dataclass(frozen=True)
class FewShotConfig:
    """The recipe's settings (saved in the model's config). Defaults chosen on AG News / BBC train-split
    validation draws (never on the benchmark's test rows): see `benchmarks/fewshot.py`."""

    epochs: int = 8  # passes over the examples (fewer examples: at least `min_steps` steps)
    min_steps: int = 24
    batch_size: int = 32
    max_length: int = 128  # tokens MiniLM reads while tuning and predicting (SetFit: 256)
    lr: float = 5e-4
    lora_r: int = 16
    lora_alpha: int = 32
    lora_targets: tuple = ("query", "key", "value", "dense")
    tau: float = 0.1  # the contrastive loss's temperature
    C: float = 1.0  # logistic regression on the tuned embeddings
    tfidf_C: float = 10.0
    tfidf_weight: float = 0.2  # of the ensemble's logits; the tuned-embedding head gets the rest
    frozen_weight: float = 0.0  # a head on untuned MiniLM reading 256 tokens (`minilm`), 0: none
    seed: int = 0


def check_examples(texts, labels, min_per_label: int = MIN_PER_LABEL, arg: str = "texts",
                   min_labels: int = 2) -> tuple[list[str], list[str]]:
    """Validated (texts, labels) as lists of str; a clear error for each way they can be wrong."""
    for name, v in ((arg, texts), ("labels", labels)):
        if isinstance(v, (str, bytes)) or not hasattr(v, "__len__"):
            raise InputTypeError(f"`{name}` must be a list, got {type(v).__name__}")
    texts, labels = list(texts), list(labels)
    if len(texts) != len(labels):
        raise InputValueError(f"`{arg}` and `labels` must have the same length, got {len(texts)} and {len(labels)}")
    for i, (t, y) in enumerate(zip(texts, labels)):
        if not isinstance(t, str) or not t.strip():
            raise InputValueError(f"`{arg}[{i}]` must be a non-empty string, got {t!r:.60}")
        if not isinstance(y, str) or not y.strip():
            raise InputValueError(f"`labels[{i}]` must be a non-empty string, got {y!r:.60}")
    counts = Counter(labels)
    if len(counts) < min_labels:
        raise InputValueError(f"`labels` must hold at least {min_labels} different labels, got {sorted(counts)}")
    few = {y: n for y, n in counts.items() if n < min_per_label}
    if few:
        raise InputValueError(f"every label needs at least {min_per_label} examples; too few: {few}")
    return texts, labels


def fit_topic(texts, labels, *, validation: tuple | None = None, seed: int = 0, epochs: int | None = None,
              name: str = "my-topic", version: str = "1.0", progress: bool = True, device: str | None = None,
              config: FewShotConfig | None = None) -> TopicClassifier:
    """A TopicClassifier for your labels from 8+ examples per label (texts: titles to full articles).

    `validation`: optional (texts, labels) for calibration and the model card's numbers. `epochs`: exactly this
    many passes over the examples (default: the recipe's, at least `min_steps` steps). `progress`: a tqdm bar over the tuning steps. `device`: "cpu" (default when no CUDA), "cuda"."""
    cfg = config or FewShotConfig()
    cfg = FewShotConfig(**{**asdict(cfg), "seed": seed, **({"epochs": epochs, "min_steps": 1} if epochs else {})})
    if cfg.epochs < 1:
        raise InputValueError(f"`epochs` must be >= 1, got {cfg.epochs}")
    texts, labels = check_examples(texts, labels)
    if validation is not None:
        if not isinstance(validation, (tuple, list)) or len(validation) != 2:
            raise InputTypeError("`validation` must be a (texts, labels) pair")
        val_texts, val_labels = check_examples(*validation, min_per_label=1, arg="validation texts", min_labels=1)
        unknown = sorted(set(val_labels) - set(labels))
        if unknown:
            raise InputValueError(f"`validation` has labels the training examples do not: {unknown}")
    names = sorted(set(labels))
    y = np.array([names.index(v) for v in labels])
    t0 = time.time()
    lora = tune_encoder(texts, y, cfg, progress=progress, device=device)
    tuned_seconds = time.time() - t0
    clf, heads = _with_heads(texts, y, names, lora, cfg, name, version, device)
    if validation is not None:
        yv = np.array([names.index(v) for v in val_labels])
        z = clf.logits(val_texts)
        clf.config["temperature"] = fit_temperature(z, yv)
        clf.config["calibration"] = "temperature on the validation set"
    else:
        z = _cross_fit_logits(clf, heads, y, cfg)
        clf.config["temperature"] = fit_temperature(z, y)
        clf.config["calibration"] = ("temperature on cross-fitted logits of the training examples (no validation "
                                     "set; the encoder saw them: probabilities may be over-confident)")
    report = {"examples": dict(sorted(Counter(labels).items())), "seconds": round(time.time() - t0, 1),
              "tuning_seconds": round(tuned_seconds, 1), "recipe": {**asdict(cfg), "lora_targets": list(cfg.lora_targets)}}
    if validation is not None:
        report["validation"] = validation_report(clf, val_texts, val_labels)
    clf.config["fewshot"] = report
    return clf


def tune_encoder(texts: list[str], y: np.ndarray, cfg: FewShotConfig, progress: bool = True, device=None) -> dict:
    """LoRA-tune MiniLM with the supervised contrastive loss; returns the LoRA matrices (`merge_lora`'s format)."""
    import torch
    from peft import LoraConfig, get_peft_model
    from tqdm.auto import tqdm
    from transformers import AutoModel, AutoTokenizer

    from newsml.backbones import minilm_path
    from newsml.encoder import lora_arrays

    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    tok = AutoTokenizer.from_pretrained(minilm_path())
    base = AutoModel.from_pretrained(minilm_path(), dtype=torch.float32)
    model = get_peft_model(base, LoraConfig(r=cfg.lora_r, lora_alpha=cfg.lora_alpha, lora_dropout=0.0,
                                            target_modules=list(cfg.lora_targets))).to(device)
    batches = balanced_batches(y, cfg, rng)
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=cfg.lr, weight_decay=0.01)
    warm = max(1, len(batches) // 10)  # linear warm-up over 10% of the steps, then linear decay
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda i: min((i + 1) / warm, max(0.0, (len(batches) - i) / (len(batches) - warm + 1))))
    model.train()
    for b in tqdm(batches, desc="tuning MiniLM", unit="step", disable=not progress):
        enc = tok([texts[j][:LORA_CHAR_LIMIT] for j in b], padding=True, truncation=True, max_length=cfg.max_length,
                  return_tensors="pt").to(device)
        h = model(**enc).last_hidden_state
        m = enc["attention_mask"].unsqueeze(-1).to(h.dtype)
        e = torch.nn.functional.normalize((h * m).sum(1) / m.sum(1).clamp(min=1), dim=-1)
        loss = supcon_loss(e, torch.as_tensor(y[b], device=device), cfg.tau)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
    return lora_arrays(model)


def balanced_batches(y: np.ndarray, cfg: FewShotConfig, rng) -> list[np.ndarray]:
    """Index batches for every pass: each label's examples shuffled and dealt round-robin, so a batch holds
    (nearly) every label, two or more examples each when the batch size allows."""
    n_steps_per_epoch = max(1, math.ceil(len(y) / cfg.batch_size))
    epochs = max(cfg.epochs, math.ceil(cfg.min_steps / n_steps_per_epoch))
    out = []
    for _ in range(epochs):
        per_label = [rng.permutation(np.flatnonzero(y == k)) for k in np.unique(y)]
        dealt = [i for group in zip(*[np.resize(p, max(map(len, per_label))) for p in per_label]) for i in group]
        order = list(dict.fromkeys(dealt))  # round-robin across labels, each example once
        for s in range(0, len(order), cfg.batch_size):
            b = np.array(order[s : s + cfg.batch_size])
            if len(np.unique(y[b])) > 1:
                out.append(b)
    return out


def supcon_loss(e, y, tau: float):
    """Supervised contrastive loss over unit-norm embeddings `e` [n, d] with labels `y` [n]."""
    import torch

    sim = e @ e.T / tau
    eye = torch.eye(len(y), dtype=torch.bool, device=e.device)
    sim = sim.masked_fill(eye, -1e9)
    log_p = sim - torch.logsumexp(sim, dim=1, keepdim=True)
    pos = (y[:, None] == y[None, :]) & ~eye
    has = pos.any(1)
    return -((log_p * pos).sum(1)[has] / pos.sum(1)[has]).mean()


def _with_heads(texts, y, names, lora, cfg: FewShotConfig, name, version, device) -> tuple[TopicClassifier, list]:
    """The TopicClassifier (LoRA merged into MiniLM, logistic-regression heads on its embeddings and on TF-IDF),
    and each head's (name, training features, C), which calibration reuses."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from newsml.encoder import SentenceEncoder

    vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1, strip_accents="unicode", dtype=np.float32)
    Xt = vec.fit_transform(texts)
    enc = SentenceEncoder(device=device, lora=lora, lora_scale=cfg.lora_alpha / cfg.lora_r)
    tensors = {"tfidf.idf": vec.idf_.astype(np.float32), **{"lora.adapter." + k: v for k, v in lora.items()}}
    heads = list(_head_inputs(texts, Xt, enc, cfg, device))
    for head, X, C in heads:
        W, b = _logistic(X, y, C, len(names))
        tensors[head + ".coef"], tensors[head + ".intercept"] = W, b
    config = {
        "architecture": ARCHITECTURE, "name": name, "version": version, "labels": names,
        "head_weights": {"tfidf": cfg.tfidf_weight, "minilm": cfg.frozen_weight,
                         "lora": 1.0 - cfg.tfidf_weight - cfg.frozen_weight},
        "tfidf": {"C": cfg.tfidf_C, "ngram_range": [1, 2], "sublinear_tf": True},
        "lora": {"base": "sentence-transformers/all-MiniLM-L6-v2", "r": cfg.lora_r, "alpha": cfg.lora_alpha,
                 "targets": list(cfg.lora_targets), "max_length": cfg.max_length},
        "temperature": 1.0, "length_temperature": None, "abstain_below": None,
    }
    vocab = [t for t, _ in sorted(vec.vocabulary_.items(), key=lambda kv: kv[1])]
    clf = TopicClassifier(config, tensors, vocab)
    clf._lora_encoders["lora"] = enc  # already built: reuse it
    return clf, heads


def _head_inputs(texts: list[str], Xt, enc, cfg: FewShotConfig, device=None):
    """(head, features, C) for each head of the ensemble: TF-IDF, the tuned MiniLM, and the untuned one if weighed."""
    from newsml.encoder import SentenceEncoder
    from newsml.topic import MINILM_CHAR_LIMIT

    yield "tfidf", Xt, cfg.tfidf_C
    yield "lora", enc.encode([t[:LORA_CHAR_LIMIT] for t in texts], max_length=cfg.max_length), cfg.C
    if cfg.frozen_weight:
        yield "minilm", SentenceEncoder(device=device).encode([t[:MINILM_CHAR_LIMIT] for t in texts], max_length=256), cfg.C


def _logistic(X, y: np.ndarray, C: float, n_labels: int) -> tuple[np.ndarray, np.ndarray]:
    """(coef [n_labels, d], intercept [n_labels]) of a multinomial logistic regression (float32)."""
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=C, max_iter=2000).fit(X, y)
    return lr.coef_.astype(np.float32), lr.intercept_.astype(np.float32)


def _cross_fit_logits(clf: TopicClassifier, heads: list, y: np.ndarray, cfg: FewShotConfig) -> np.ndarray:
    """The ensemble's logits for each training example from heads fitted without its fold (5 folds)."""
    from sklearn.model_selection import StratifiedKFold

    w = clf.config["head_weights"]
    z = np.zeros((len(y), len(clf.labels)))
    folds = StratifiedKFold(n_splits=min(5, int(np.bincount(y).min())), shuffle=True, random_state=cfg.seed)
    for tr, te in folds.split(np.zeros(len(y)), y):
        for head, X, C in heads:
            W, b = _logistic(X[tr], y[tr], C, len(clf.labels))
            z[te] += w[head] * (np.asarray(X[te] @ W.T) + b)
    return z


def fit_temperature(z: np.ndarray, y: np.ndarray) -> float:
    """The temperature T minimising the negative log-likelihood of softmax(z / T)."""
    from scipy.optimize import minimize_scalar

    def nll(log_t):
        s = z / math.exp(log_t)
        s = s - s.max(1, keepdims=True)
        return float(-(s[np.arange(len(y)), y] - np.log(np.exp(s).sum(1))).mean())

    return float(math.exp(minimize_scalar(nll, bounds=(-4, 4), method="bounded").x))


def validation_report(clf: TopicClassifier, texts: list[str], labels: list[str]) -> dict:
    """Accuracy, macro-F1 and ECE (15 bins) on a labelled set, for the model card."""
    from sklearn.metrics import f1_score

    P = clf.predict_proba(texts)
    y = np.array([clf.labels.index(v) for v in labels])
    pred = P.argmax(1)
    conf, hit = P.max(1), (pred == y)
    bins = np.minimum((conf * 15).astype(int), 14)
    ece = sum(abs(hit[bins == k].mean() - conf[bins == k].mean()) * (bins == k).mean() for k in range(15) if (bins == k).any())
    return {"n": len(y), "accuracy": round(float(hit.mean()), 4),
            "macro_f1": round(float(f1_score(y, pred, average="macro")), 4), "ece": round(float(ece), 4)}


def model_card(config: dict) -> str:
    """A README.md for a few-shot model folder, from what `fit_topic` recorded in its config."""
    fs = config["fewshot"]
    rows = "\n".join(f"| {k} | {n} |" for k, n in fs["examples"].items())
    val = fs.get("validation")
    val_txt = (f"| n | accuracy | macro-F1 | ECE |\n|---|---|---|---|\n| {val['n']} | {val['accuracy']:.3f} | "
               f"{val['macro_f1']:.3f} | {val['ece']:.3f} |" if val else "No validation set was given: no numbers.")
    return f"""# {config['name']}@{config['version']} (newsml few-shot topic model)

Trained with `newsml.topic_fewshot.fit_topic` (newsml {config.get('newsml_version', '?')}): MiniLM
(all-MiniLM-L6-v2) tuned contrastively with LoRA on the examples below, then logistic-regression heads on its
embeddings and on TF-IDF. Load it with `TopicClassifier.from_pretrained(folder)`, `Analyzer(topic=folder)` or
`python -m newsml.score --topic-model folder`.

## Training examples ({sum(fs['examples'].values())}, {len(fs['examples'])} labels; {fs['seconds']} s)
| label | examples |
|---|---|
{rows}

## Validation
{val_txt}

Calibration: {config['calibration']} (T = {config['temperature']:.3f}).

## Limits
Few examples stand for a whole label: expect errors on stories unlike them, and check the validation numbers on
stories of your own before relying on it. Evidence sentences come from the TF-IDF head, fitted on the same few
examples. Recipe: `{fs['recipe']}`.
"""
