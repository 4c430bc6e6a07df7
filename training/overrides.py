"""`--set key=value` overrides for the training configs (dataclasses), shared by the training scripts."""

from __future__ import annotations


def apply_overrides(cfg, items: list[str]):
    """Set each `key=value` on `cfg`, converting the value to the field's current type."""
    for kv in items:
        if "=" not in kv:
            raise SystemExit(f"--set expects key=value, got {kv!r}")
        k, v = kv.split("=", 1)
        if not hasattr(cfg, k):
            raise SystemExit(f"--set: unknown config field {k!r}")
        old = getattr(cfg, k)
        setattr(cfg, k, v.lower() in ("1", "true") if isinstance(old, bool) else type(old)(v))
    return cfg
