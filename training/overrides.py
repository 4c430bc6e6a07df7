"""`--set key=value` overrides for the training configs (dataclasses), shared by the training scripts."""

from __future__ import annotations

import ast


def apply_overrides(cfg, items: list[str]):
    """Set each `key=value` on `cfg`, converting the value to the field's current type."""
    for kv in items:
        if "=" not in kv:
            raise SystemExit(f"--set expects key=value, got {kv!r}")
        k, v = kv.split("=", 1)
        if not hasattr(cfg, k):
            raise SystemExit(f"--set: unknown config field {k!r}")
        old = getattr(cfg, k)
        if v.lower() == "none":  # switches an optional setting off (e.g. format_gate_words=None)
            setattr(cfg, k, None)
        elif old is None:  # an optional setting that is off: the value as a Python literal (100, 0.5, 'x')
            try:
                setattr(cfg, k, ast.literal_eval(v))
            except (ValueError, SyntaxError):
                setattr(cfg, k, v)
        elif isinstance(old, (list, tuple)):  # comma-separated items, each of the type of the current first item
            item = type(old[0]) if old else str
            setattr(cfg, k, type(old)(item(x) for x in v.split(",") if x))
        else:
            setattr(cfg, k, v.lower() in ("1", "true") if isinstance(old, bool) else type(old)(v))
    return cfg
