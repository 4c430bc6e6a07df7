"""Sentence encoder: all-MiniLM-L6-v2 (mean pooling, L2-normalised), loaded from the offline package."""

from __future__ import annotations

import numpy as np

from newsml.backbones import minilm_path


class SentenceEncoder:
    """`encode(list[str]) -> np.ndarray[n, 384]`, unit-norm rows. Torch is imported on first use.

    >>> SentenceEncoder().encode(["North Korea sent troops."]).shape
    (1, 384)
    """

    def __init__(self, name_or_path: str | None = None, device: str | None = None, max_length: int = 128,
                 lora: dict[str, np.ndarray] | None = None, lora_scale: float = 1.0):
        self.name_or_path = name_or_path or minilm_path()
        self.device = device  # None: CUDA when available, else CPU (decided on first use)
        self.max_length = max_length
        # LoRA deltas merged into the weights at load: {"<module path>.lora_A": [r, in], ".lora_B": [out, r]}
        self.lora = lora
        self.lora_scale = lora_scale
        self._model = None
        self._tok = None

    def load(self):
        """The model and tokenizer (loaded once, LoRA merged): `(model, tokenizer)`."""
        if self._model is None:
            import torch
            from transformers import AutoModel, AutoTokenizer

            if self.device is None:
                self.device = "cuda" if torch.cuda.is_available() else "cpu"
            self._tok = AutoTokenizer.from_pretrained(self.name_or_path)
            model = AutoModel.from_pretrained(self.name_or_path, dtype=torch.float32)
            if self.lora:
                merge_lora(model, self.lora, self.lora_scale)
            self._model = model.to(self.device).eval()
        return self._model, self._tok

    def encode(self, texts: list[str], batch_size: int = 64, max_length: int | None = None) -> np.ndarray:
        import torch

        model, tok = self.load()
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        max_length = max_length or self.max_length
        # Length-sorted batches: far less padding, same results in the original order.
        order = np.argsort([len(t) for t in texts])
        out = np.zeros((len(texts), model.config.hidden_size), dtype=np.float32)
        with torch.inference_mode():
            for i in range(0, len(texts), batch_size):
                idx = order[i : i + batch_size]
                enc = tok([texts[j] for j in idx], padding=True, truncation=True, max_length=max_length, return_tensors="pt").to(self.device)
                h = model(**enc).last_hidden_state
                m = enc["attention_mask"].unsqueeze(-1).to(h.dtype)
                v = (h * m).sum(1) / m.sum(1).clamp(min=1)
                v = torch.nn.functional.normalize(v, dim=-1)
                out[idx] = v.float().cpu().numpy()
        return out


def merge_lora(model, lora: dict[str, np.ndarray], scale: float) -> None:
    """W += scale * B @ A for every `<module>.lora_A` / `<module>.lora_B` pair (plain tensors, no peft)."""
    import torch

    from newsml.errors import ModelLoadError

    with torch.no_grad():
        for key in sorted(k for k in lora if k.endswith(".lora_A")):
            name = key[: -len(".lora_A")]
            try:
                layer = model.get_submodule(name)
            except AttributeError:
                raise ModelLoadError(f"LoRA weights name a module the encoder does not have: {name!r}") from None
            delta = torch.from_numpy(lora[name + ".lora_B"] @ lora[key]).float() * scale
            layer.weight += delta


def lora_arrays(peft_model) -> dict[str, np.ndarray]:
    """A peft model's LoRA matrices as `merge_lora` reads them: {"<module>.lora_A": [r, in], ".lora_B": [out, r]}."""
    lora = {}
    for name, mod in peft_model.named_modules():
        if hasattr(mod, "lora_A") and "default" in getattr(mod, "lora_A", {}):
            path = name.removeprefix("base_model.model.")
            lora[path + ".lora_A"] = mod.lora_A["default"].weight.detach().cpu().numpy().copy()
            lora[path + ".lora_B"] = mod.lora_B["default"].weight.detach().cpu().numpy().copy()
    return lora
