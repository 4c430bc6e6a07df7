"""Moved to `evaluation.baselines` (one place for every baseline). Kept only for `training/train_stance.py`,
which is being rebuilt; new code imports `evaluation.baselines.features`."""

from evaluation.baselines import features  # noqa: F401
