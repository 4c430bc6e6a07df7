"""Earlier shipped model folders, read back out of git, so a benchmark or training run can measure the new model
beside the one it replaces in the same run (same machine, same load)."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# component -> (commit that last shipped the earlier version, its folder, the files of that folder)
EARLIER = {
    "stance": ("5dfca96", "newsml/models/stance", ("config.json", "weights.safetensors", "manifest.json")),
    "nli": ("97799bf", "newsml/models/nli", ("config.json", "weights.safetensors", "manifest.json")),  # NLI 1.0
}


def earlier_folder(component: str, cache: Path) -> Path:
    """The earlier version's folder, written once into `cache` from git (e.g. stance 1.0 from 5dfca96)."""
    commit, folder, files = EARLIER[component]
    out = Path(cache) / f"{component}@{commit}"
    if not (out / "manifest.json").exists():
        out.mkdir(parents=True, exist_ok=True)
        for name in files:
            blob = subprocess.run(["git", "show", f"{commit}:{folder}/{name}"], cwd=ROOT, capture_output=True, check=True).stdout
            (out / name).write_bytes(blob)
    return out
