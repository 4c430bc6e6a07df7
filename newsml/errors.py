"""newsml's exceptions. Every error newsml raises on purpose is a `NewsmlError`.

`InputTypeError` is also a `TypeError` and `InputValueError` also a `ValueError`, so callers can catch
either the newsml base class or the builtin they expect.
"""

from __future__ import annotations


class NewsmlError(Exception):
    """Base class of every error newsml raises on purpose."""


class InputTypeError(NewsmlError, TypeError):
    """An argument has the wrong type."""


class InputValueError(NewsmlError, ValueError):
    """An argument has the right type but an unusable value (empty text, no article body, ...)."""


class NoArticleError(InputValueError):
    """The input holds no article body (empty, whitespace, or only site boilerplate)."""


class ModelLoadError(NewsmlError, OSError):
    """A model folder is missing, incomplete, tampered with, or not a newsml model."""


def type_error(arg: str, expected: str, got: object) -> InputTypeError:
    return InputTypeError(f"`{arg}` must be {expected}, got {type(got).__name__}: {_short(got)}")


def _short(x: object, n: int = 60) -> str:
    r = repr(x)
    return r if len(r) <= n else r[: n - 3] + "..."


def check_claims(claims) -> list[str]:
    """`claims` as a list of non-empty strings (one string is one claim); a precise error otherwise."""
    if isinstance(claims, str):
        claims = [claims]
    if not isinstance(claims, (list, tuple)):
        raise type_error("claims", "a list of strings (or one string)", claims)
    for i, c in enumerate(claims):
        if not isinstance(c, str):
            raise type_error(f"claims[{i}]", "a string", c)
        if not c.strip():
            raise InputValueError(f"`claims[{i}]` is empty: each claim must be a sentence to check")
    return list(claims)
