"""Argument checks and message formatting shared by every public function.

Each check names the argument, states the rule, shows the value received and, where
the fix is not obvious, says it. Public functions normalise first, then check.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from ._errors import ArgumentError, ArgumentTypeError, MissingDependencyError


def show(value: Any, limit: int = 80) -> str:
    """``repr`` of a value, shortened for messages."""
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape} and dtype {value.dtype}"
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def integer(name: str, value: Any, *, minimum: int = 1, fix: str = "") -> int:
    """Return ``value`` as an ``int`` at least ``minimum``, or raise."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise ArgumentTypeError(
            f"`{name}` must be an integer >= {minimum}. Received: {name}={show(value)} "
            f"of type {type(value).__name__}.{(' ' + fix) if fix else ''}"
        )
    value = int(value)
    if value < minimum:
        rule = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise ArgumentError(
            f"`{name}` must be {rule}. Received: {name}={value}.{(' ' + fix) if fix else ''}"
        )
    return value


def choice(name: str, value: Any, options: Sequence[Any]) -> Any:
    """Return ``value`` if it is one of ``options``, or raise listing them."""
    if value not in options:
        listed = ", ".join(repr(o) for o in options)
        raise ArgumentError(
            f"`{name}` must be one of {listed}. Received: {name}={show(value)}."
        )
    return value


def divisors_near(n: int, target: int, count: int = 4) -> list[int]:
    """The ``count`` divisors of ``n`` closest to ``target``, ascending."""
    if n <= 0:
        return []
    divs = set()
    i = 1
    while i * i <= n:
        if n % i == 0:
            divs.update((i, n // i))
        i += 1
    near = sorted(divs, key=lambda d: (abs(d - target), d))[:count]
    return sorted(near)


def require(module: str, extra: str, purpose: str):
    """Import an optional dependency, or raise with the exact install command."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependencyError(
            f"{purpose} needs the optional dependency `{module}`, which is not installed. "
            f"Install it with: pip install 'seqprep[{extra}]'"
        ) from exc


def plural(n: int, word: str) -> str:
    """``'1 row'``, ``'2 rows'``."""
    return f"{n:,} {word}{'' if n == 1 else 's'}"
