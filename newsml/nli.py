"""NLIModel: does a piece of evidence entail, contradict, or say nothing about a claim?

    >>> nli = NLIModel.from_pretrained()
    >>> nli.predict([("Smith pleaded not guilty on Monday.", "Smith pleaded guilty.")])[0].label
    'contradiction'

A cross-encoder on all-MiniLM-L6-v2: premise (evidence) and hypothesis (claim) are read together as
one input, `[CLS] premise [SEP] hypothesis [SEP]`; the mean of the last hidden states and the [CLS]
state go through one linear layer to entailment / neutral / contradiction. Training
(`training/train_nli.py`) fine-tunes the top encoder layers and that head; the folder ships only those
layers (float16 safetensors) and the head, laid over the packaged MiniLM weights at load.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from newsml.errors import InputValueError, type_error
from newsml.safe_io import load_folder, save_folder

ARCHITECTURE = "newsml.nli.minilm_cross_encoder.v1"
DEFAULT_PATH = Path(__file__).parent / "models" / "nli"
LABELS = ("entailment", "neutral", "contradiction")


def build_head(hidden: int, n_labels: int = 3):
    """The classification head over [mean-pooled state ; CLS state] (shared by training and inference)."""
    import torch

    return torch.nn.Sequential(torch.nn.Dropout(0.1), torch.nn.Linear(2 * hidden, n_labels))


def is_tuned(param_name: str, layers) -> bool:
    """Whether training updates this encoder parameter (the layers in `layers`; embeddings stay frozen)."""
    return any(param_name.startswith(f"encoder.layer.{i}.") for i in layers)


def pooled(last_hidden, attention_mask):
    """[mean over real tokens ; CLS token] -> [batch, 2 * hidden]."""
    import torch

    m = attention_mask.unsqueeze(-1).to(last_hidden.dtype)
    mean = (last_hidden * m).sum(1) / m.sum(1).clamp(min=1)
    return torch.cat([mean, last_hidden[:, 0]], dim=-1)


class NLIModel:
    """Batched 3-way NLI. `predict_proba(pairs) -> [n, 3]` in `LABELS` order; pairs are (premise, hypothesis)."""

    def __init__(self, config: dict, tensors: dict[str, np.ndarray], device: str | None = None):
        self.config = config
        self.labels: list[str] = list(config["labels"])
        self.device = device
        self._t = tensors
        self._model = None
        self._tok = None
        self._head = None

    # -- loading / saving ------------------------------------------------------------------------------
    @classmethod
    def from_pretrained(cls, path: str | Path | None = None, *, device: str | None = None) -> NLIModel:
        config, tensors, _ = load_folder(Path(path) if path else DEFAULT_PATH, ARCHITECTURE)
        return cls(config, tensors, device=device)

    def save_pretrained(self, path: str | Path) -> None:
        save_folder(Path(path), self.config, self._t)

    @property
    def model_id(self) -> str:
        return f"{self.config['name']}@{self.config['version']}"

    def load(self):
        """(encoder with LoRA merged, tokenizer, head), built once on first use."""
        if self._model is None:
            import torch
            from transformers import AutoModel, AutoTokenizer

            from newsml.backbones import minilm_path

            if self.device is None:
                self.device = "cuda" if torch.cuda.is_available() else "cpu"
            base = minilm_path()
            self._tok = AutoTokenizer.from_pretrained(base)
            # with its pooler (unused: [mean; CLS] of the last layer is read), so loading reports no unexpected keys
            model = AutoModel.from_pretrained(base, dtype=torch.float32)
            tuned = {k.removeprefix("enc."): torch.from_numpy(v.astype(np.float32))
                     for k, v in self._t.items() if k.startswith("enc.")}
            missing = set(tuned) - set(dict(model.named_parameters()))
            if missing:
                from newsml.errors import ModelLoadError

                raise ModelLoadError(f"NLI weights name encoder parameters MiniLM does not have: {sorted(missing)[:3]}")
            model.load_state_dict(tuned, strict=False)
            head = build_head(model.config.hidden_size, len(self.labels))
            head[1].weight.data = torch.from_numpy(self._t["head.weight"].copy())
            head[1].bias.data = torch.from_numpy(self._t["head.bias"].copy())
            self._model = model.to(self.device).eval()
            self._head = head.to(self.device).eval()
        return self._model, self._tok, self._head

    # -- inference -------------------------------------------------------------------------------------
    def logits(self, pairs: list[tuple[str, str]], batch_size: int = 64) -> np.ndarray:
        """Raw logits [n, 3] (temperature-scaled by the saved calibration)."""
        import torch

        pairs = _check_pairs(pairs)
        if not pairs:
            return np.zeros((0, len(self.labels)), dtype=np.float32)
        model, tok, head = self.load()
        max_len = int(self.config["max_length"])
        # Length-sorted batches: far less padding, results written back in input order.
        order = np.argsort([len(p) + len(h) for p, h in pairs])
        out = np.zeros((len(pairs), len(self.labels)), dtype=np.float32)
        with torch.inference_mode():
            for i in range(0, len(pairs), batch_size):
                idx = order[i : i + batch_size]
                enc = tok(
                    [pairs[j][0] for j in idx], [pairs[j][1] for j in idx], padding=True,
                    truncation="longest_first", max_length=max_len, return_tensors="pt",
                ).to(self.device)
                h = model(**enc).last_hidden_state
                out[idx] = head(pooled(h, enc["attention_mask"])).float().cpu().numpy()
        return out / float(self.config.get("temperature", 1.0))

    def predict_proba(self, pairs: list[tuple[str, str]], batch_size: int = 64) -> np.ndarray:
        z = self.logits(pairs, batch_size=batch_size)
        z = z - z.max(1, keepdims=True) if len(z) else z
        p = np.exp(z)
        return p / p.sum(1, keepdims=True) if len(p) else p

    def entailment_contradiction(self, pairs: list[tuple[str, str]], batch_size: int = 64) -> list[tuple[float, float]]:
        """(entailment, contradiction) probabilities per pair: what the summarizer's meaning check reads."""
        P = self.predict_proba(pairs, batch_size=batch_size)
        return [(float(p[0]), float(p[2])) for p in P]

    def predict(self, pairs: list[tuple[str, str]], batch_size: int = 64):
        """One `NLIResult` per pair: label, score and every label's probability."""
        from newsml.types import LabelScore

        P = self.predict_proba(pairs, batch_size=batch_size)
        out = []
        for p in P:
            order = np.argsort(-p)
            out.append(NLIResult(self.labels[order[0]], float(p[order[0]]),
                                  tuple(LabelScore(self.labels[j], float(p[j])) for j in order)))
        return out


@dataclass(frozen=True)
class NLIResult:
    """The top label of one (premise, hypothesis) pair, its probability, and every label's probability."""

    label: str
    score: float
    scores: tuple  # LabelScore, highest first


def _check_pairs(pairs) -> list[tuple[str, str]]:
    if isinstance(pairs, (str, bytes)) or not isinstance(pairs, (list, tuple)):
        raise type_error("pairs", "a list of (premise, hypothesis) string pairs", pairs)
    out = []
    for i, p in enumerate(pairs):
        if not isinstance(p, (list, tuple)) or len(p) != 2 or not all(isinstance(x, str) for x in p):
            raise type_error(f"pairs[{i}]", "a (premise, hypothesis) pair of strings", p)
        if not p[0].strip() or not p[1].strip():
            raise InputValueError(f"`pairs[{i}]` has an empty premise or hypothesis: both must be sentences")
        out.append((p[0], p[1]))
    return out
