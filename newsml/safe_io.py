"""Saving and loading model folders safely: safetensors + JSON only, SHA-256 manifest verified on load.

A folder holds `config.json`, `weights.safetensors`, optional extra JSON files, and `manifest.json`
(the SHA-256 of every other file). Loading never unpickles and never runs code from the folder.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from newsml._version import __version__
from newsml.errors import ModelLoadError

WEIGHTS = "weights.safetensors"
MANIFEST = "manifest.json"


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_manifest(folder: Path) -> None:
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.name != MANIFEST and not p.name.startswith("."))
    man = {"files": {p.name: sha256(p) for p in files}}
    (folder / MANIFEST).write_text(json.dumps(man, indent=2) + "\n")


def verify_manifest(folder: Path) -> None:
    """Raise `ModelLoadError` naming the file if any listed file is missing or its hash differs."""
    mp = folder / MANIFEST
    if not mp.exists():
        raise ModelLoadError(f"{folder}: no {MANIFEST}; newsml only loads model folders with a SHA-256 manifest")
    try:
        files = json.loads(mp.read_text())["files"]
    except (ValueError, KeyError) as e:
        raise ModelLoadError(f"{mp}: unreadable manifest ({e})") from None
    for name, digest in files.items():
        p = folder / name
        if "/" in name or "\\" in name or name.startswith("."):
            raise ModelLoadError(f"{mp}: refusing file name {name!r} outside the folder")
        if not p.exists():
            raise ModelLoadError(f"{folder}: file {name} listed in the manifest is missing")
        if sha256(p) != digest:
            raise ModelLoadError(f"{p}: SHA-256 does not match the manifest (file changed or corrupted)")


def save_folder(folder: Path, config: dict, tensors: dict[str, np.ndarray], extra_json: dict | None = None) -> None:
    from safetensors.numpy import save_file

    folder.mkdir(parents=True, exist_ok=True)
    config = {**config, "newsml_version": config.get("newsml_version", __version__)}
    (folder / "config.json").write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
    if tensors:  # a model made only of JSON (the summarizer's folder) gets no empty weights file
        save_file({k: np.ascontiguousarray(v) for k, v in tensors.items()}, str(folder / WEIGHTS))
    for name, obj in (extra_json or {}).items():
        (folder / name).write_text(json.dumps(obj, ensure_ascii=False))
    write_manifest(folder)


def load_folder(folder: Path, architecture: str, extra_json: list[str] = ()) -> tuple[dict, dict, dict]:
    """(config, tensors, {extra name: parsed JSON}) after checking manifest and architecture."""
    from safetensors.numpy import load_file

    folder = Path(folder)
    if not folder.is_dir():
        raise ModelLoadError(f"model folder {folder} does not exist (pass a folder saved by save_pretrained)")
    verify_manifest(folder)
    config = json.loads((folder / "config.json").read_text())
    if config.get("architecture") != architecture:
        raise ModelLoadError(
            f"{folder}: architecture {config.get('architecture')!r} is not {architecture!r}; wrong model folder?"
        )
    tensors = load_file(str(folder / WEIGHTS)) if (folder / WEIGHTS).exists() else {}
    extra = {n: json.loads((folder / n).read_text()) for n in extra_json}
    return config, tensors, extra
