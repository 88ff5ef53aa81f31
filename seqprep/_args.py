"""Argument checks and message formatting shared by every public function.

Each check names the argument, states the rule, shows the value received and, where
the fix is not obvious, says it. Public functions normalise first, then check.
"""

from __future__ import annotations

import itertools
import math
import numbers
import reprlib
from collections.abc import Sequence
from typing import Any, cast

import numpy as np

from ._errors import ArgumentError, ArgumentTypeError, MissingDependencyError
from ._memory import check_array_fits  # noqa: F401  (the allocation bound, for keras_ext: D1)


# Limits for shortening values in messages: nothing a caller passes is ever turned into
# its full ``repr`` first (a 10**8-element list, a deeply nested object, a huge integer).
_SHOW_LIMITS = {"maxlevel": 3, "maxlist": 6, "maxtuple": 6, "maxdict": 4, "maxset": 6,
                "maxfrozenset": 6, "maxdeque": 6, "maxarray": 6, "maxstring": 60,
                "maxlong": 40, "maxother": 60}
_INT64_MAX = 2**63 - 1


class _Short(reprlib.Repr):
    """``reprlib.Repr`` that never sorts or copies a whole dict or set to show its head."""

    def __init__(self) -> None:
        super().__init__()
        for key, val in _SHOW_LIMITS.items():
            setattr(self, key, val)

    def repr_dict(self, x: dict, level: int) -> str:
        if not x:
            return "{}"
        if level <= 0:
            return "{...}"
        items = [f"{self.repr1(k, level - 1)}: {self.repr1(v, level - 1)}"
                 for k, v in itertools.islice(x.items(), self.maxdict)]
        return "{" + ", ".join(items) + (", ..." if len(x) > self.maxdict else "") + "}"

    def _repr_unordered(self, x: Any, level: int, left: str, right: str, most: int) -> str:
        if level <= 0:
            return left + "..." + right
        items = [self.repr1(v, level - 1) for v in itertools.islice(x, most)]
        return left + ", ".join(items) + (", ..." if len(x) > most else "") + right

    def repr_set(self, x: set, level: int) -> str:
        return self._repr_unordered(x, level, "{", "}", self.maxset) if x else "set()"

    def repr_frozenset(self, x: frozenset, level: int) -> str:
        if not x:
            return "frozenset()"
        return "frozenset(" + self._repr_unordered(x, level, "{", "}", self.maxfrozenset) + ")"

    def repr_int(self, x: int, level: int) -> str:
        if x.bit_length() > 128:  # str() of a huge int is slow, and refused past 4300 digits
            return f"<a{' negative' if x < 0 else 'n'} integer of {x.bit_length():,} bits>"
        return repr(x)

    def repr_instance(self, x: Any, level: int) -> str:
        described = _described(x)
        if described is not None:
            return described
        fields = getattr(x, "_fields", None)
        if isinstance(x, tuple) and isinstance(fields, tuple) and level > 0:  # a namedtuple
            items = ", ".join(f"{f}={self.repr1(v, level - 1)}"
                              for f, v in zip(fields[: self.maxtuple], x))
            return f"{type(x).__name__}({items}{', ...' if len(x) > self.maxtuple else ''})"
        if isinstance(x, (str, bytes, bytearray)):  # bytes, np.str_: cut before repr
            cut = x[: self.maxstring + 1]
            # a str subclass (its own str is shown by repr_str) has a class as its base
            text = repr(cast(type, type(x).__base__)(cut) if isinstance(cut, str) else bytes(cut))
            return text if len(x) <= self.maxstring else text[:-1] + "..." + text[-1]
        for kind in (list, tuple, dict, set, frozenset):  # subclasses: shown like their base
            if isinstance(x, kind):
                return getattr(self, f"repr_{kind.__name__}")(x, level)
        try:  # objects other than builtin containers: their own repr, cut
            text = repr(x)
        except Exception:  # a broken __repr__ must not hide the real error
            return f"<{type(x).__name__} object>"
        return text if len(text) <= self.maxother else text[: self.maxother - 3] + "..."


_SHORT = _Short()


def _described(value: Any) -> str | None:
    """Arrays, frames and tensors by type, shape (and dtype), never by their values."""
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape} and dtype {value.dtype}"
    try:
        shape = getattr(value, "shape", None)
        if not isinstance(shape, tuple) or len(shape) == 0:
            return None
        dtype = getattr(value, "dtype", None)
    except Exception:  # a property that raises: not an array-like
        return None
    tail = f" and dtype {dtype}" if dtype is not None else ""
    return f"{type(value).__name__} of shape {shape}{tail}"


def show(value: Any, limit: int = 80) -> str:
    """``repr`` of a value, shortened to ``limit`` characters for messages, without building
    the full ``repr`` of a builtin container, string, bytes or integer first.

    Containers show their first few items and nesting levels, a long one also its length;
    arrays and frames their shape and dtype; huge integers their size in bits. Other
    objects are shown by their own ``repr``, cut (or by their type if it raises).

    Examples
    --------
    >>> show(list(range(10**6)))
    'list of 1,000,000 items: [0, 1, 2, 3, 4, 5, ...]'
    >>> show("x" * 1000, limit=20)
    "'xxxxxxxxxxxxxxxx..."
    >>> show(10**5000)
    '<an integer of 16,610 bits>'
    """
    text = _described(value)
    if text is not None:
        return text
    text = _SHORT.repr(value)
    if isinstance(value, (list, tuple, dict, set, frozenset)) and len(value) > 6:
        text = f"{type(value).__name__} of {len(value):,} items: {text}"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def integer(name: str, value: Any, *, minimum: int = 1, maximum: int = _INT64_MAX,
            fix: str = "") -> int:
    """Return ``value`` as an ``int`` in ``[minimum, maximum]``, or raise.

    ``maximum`` defaults to the largest int64: every count, size and step seqprep takes
    ends up in numpy arithmetic, where a larger Python int would raise ``OverflowError``
    (or wrap around) far from the call. Callers whose argument decides an allocation pass
    a tighter ``maximum`` (see :func:`at_most`).

    Examples
    --------
    >>> integer("stride", 2**64)
    Traceback (most recent call last):
    ...
    seqprep.ArgumentError: `stride` must be an integer <= 9,223,372,036,854,775,807 (the int64 maximum). Received: stride=18446744073709551616. Pass a smaller value.
    """
    tail = f" {fix}" if fix else ""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise ArgumentTypeError(
            f"`{name}` must be an integer >= {minimum}. Received: {name}={show(value)} "
            f"of type {type(value).__name__}.{tail}"
        )
    value = int(value)
    if value < minimum:
        rule = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise ArgumentError(f"`{name}` must be {rule}. Received: {name}={show(value)}.{tail}")
    if value > maximum:
        what = " (the int64 maximum)" if maximum == _INT64_MAX else ""
        raise ArgumentError(
            f"`{name}` must be an integer <= {maximum:,}{what}. Received: {name}={show(value)}."
            f"{tail or ' Pass a smaller value.'}"
        )
    return value


def at_most(name: str, value: int, limit: int, what: str, fix: str = "") -> int:
    """Return ``value`` if it is at most ``limit``, else raise :class:`ArgumentError`.

    The shared bound for an argument that decides an allocation (a batch size, a count of
    slots, a number of rows): check it against the size of the data **before** allocating,
    so that ``f(data, 2**31)`` is refused at once instead of exhausting memory. ``what``
    says what ``limit`` is, e.g. ``"the number of samples"``.

    Examples
    --------
    >>> at_most("batch_size", 2**31, 100, "the number of samples")
    Traceback (most recent call last):
    ...
    seqprep.ArgumentError: `batch_size` must be at most the number of samples (100). Received: batch_size=2147483648.
    """
    if value > limit:
        raise ArgumentError(
            f"`{name}` must be at most {what} ({limit:,}). Received: {name}={show(value)}."
            f"{(' ' + fix) if fix else ''}"
        )
    return value


def choice(name: str, value: Any, options: Sequence[Any]) -> Any:
    """Return ``value`` if it is one of ``options``, or raise listing them."""
    if not any(_same(value, o) for o in options):
        listed = ", ".join(show(o) for o in options)
        raise ArgumentError(
            f"`{name}` must be one of {listed}. Received: {name}={show(value)}."
        )
    return value


def _same(value: Any, option: Any) -> bool:
    """``value == option`` as one truth value: an array (compared element-wise) or a bool
    standing for a number is no option."""
    if value is option:
        return True
    if isinstance(value, (bool, np.bool_)) != isinstance(option, (bool, np.bool_)):
        return False
    try:
        equal = value == option
    except Exception:  # a hostile __eq__
        return False
    return isinstance(equal, (bool, np.bool_)) and bool(equal)


# divisors_near tries at most about this many candidates, however large ``n`` is
_DIVISOR_WORK = 2**20


def divisors_near(n: int, target: int, count: int = 4) -> list[int]:
    """The ``count`` divisors of ``n`` closest to ``target``, ascending.

    Exact for ``n`` up to ``2**40`` (every divisor pair up to ``sqrt(n)`` is tried). For
    larger ``n`` -- a lazily read dataset, a broadcast array -- the search is bounded: 1,
    ``n``, and the divisors among the ``2**20`` integers nearest ``target`` and their
    cofactors, so a message never takes minutes to write.

    Examples
    --------
    >>> divisors_near(95, 10)
    [1, 5, 19, 95]
    >>> divisors_near(2**62, 1000)
    [128, 256, 512, 1024]
    """
    if n <= 0:
        return []
    divs = {1, n}
    if n <= _DIVISOR_WORK**2:
        candidates = range(1, math.isqrt(n) + 1)
    else:
        half = _DIVISOR_WORK // 2
        candidates = range(max(1, target - half), min(n, max(1, target - half) + 2 * half))
    for i in candidates:
        if n % i == 0:
            divs.update((i, n // i))
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
