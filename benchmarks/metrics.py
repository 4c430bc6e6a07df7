"""Moved to `evaluation.metrics` (shared by training and benchmarks, which never import each other). Kept only
for `training/train_stance.py`, which is being rebuilt; new code imports `evaluation.metrics`."""

from evaluation.metrics import compute_fnc  # noqa: F401
