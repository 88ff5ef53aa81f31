"""Columns: resolving feature/target/group/time columns, numeric blocks, and the casting rule.

The one casting rule (decision D5), used by every entry point that turns data into numbers
of a chosen dtype (``make_windows``, ``to_supervised``, ``open_windows``, ``Scaler``):

- a cast to an integer dtype must keep every value: missing values, fractions and values
  outside the dtype's range are refused with :class:`ArgumentTypeError`;
- a cast to a float dtype must keep every finite value finite: a value that would overflow
  to ``inf`` (``1e300`` as ``float32``) is refused with :class:`ArgumentTypeError`;
  rounding to the nearest representable float is allowed (that is what a float dtype is).
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import numpy as np
import pandas as pd

from ._args import plural, show
from ._errors import ArgumentError, ArgumentTypeError, ColumnError, DataError, ShapeError

__all__ = ["as_names", "as_positions", "cast", "check_dtype", "group_codes", "is_label",
           "listed", "native_order", "no_duplicate_columns", "numeric_block", "resolve_axis",
           "take_columns"]


# ------------------------------------------------------------------- names and positions


def no_repeats(name: str, items: list, value: Any) -> None:
    """Refuse a list of columns that names one twice."""
    seen: set = set()
    repeated = []
    for c in items:
        if c in seen:
            repeated.append(c)
        seen.add(c)
    if repeated:
        raise ArgumentError(
            f"`{name}` must name each column once. Received: {name}={show(value)}, which "
            f"repeats {', '.join(map(repr, dict.fromkeys(repeated)))}. Name each column once."
        )


def listed(name: str, value: Any, what: str, example: str) -> list:
    """``list(value)``, or an :class:`ArgumentTypeError` naming ``name`` for a non-iterable."""
    try:
        return list(value)
    except TypeError:
        raise ArgumentTypeError(
            f"`{name}` must be {what}. Received: {name}={show(value)} of type "
            f"{type(value).__name__}. Pass e.g. {name}={example}."
        ) from None


def as_positions(name: str, value: Any, n_cols: int) -> list[int] | None:
    """``value`` (one column position or several) as a list of positions in ``0..n_cols-1``."""
    if value is None:
        return None
    items = [value] if np.isscalar(value) else listed(name, value, "column positions", "[0, 1]")
    out = []
    for v in items:
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
            raise ArgumentTypeError(
                f"`{name}` must be column positions (integers) for array data. Received: "
                f"{name}={show(value)}. Pass a DataFrame to select columns by name."
            )
        if not -n_cols <= int(v) < n_cols:
            where = f"(positions 0..{n_cols - 1})" if n_cols else "(no positions at all)"
            raise ColumnError(
                f"`{name}` names column {int(v)}, but the data has {plural(n_cols, 'column')} "
                f"{where}. Received: {name}={show(value)}."
            )
        out.append(int(v) % n_cols)
    if not out:
        raise ArgumentError(f"`{name}` must name at least one column. Received: {name}={show(value)}.")
    no_repeats(name, out, value)
    return out


def take_columns(arr: np.ndarray, pos: list[int]) -> np.ndarray:
    """``arr[:, pos]``, as a view (basic slicing) when the positions are evenly spaced."""
    if len(pos) == 1:
        return arr[:, pos[0] : pos[0] + 1]
    stride = pos[1] - pos[0]
    if stride > 0 and all(b - a == stride for a, b in zip(pos, pos[1:])):
        return arr[:, pos[0] : pos[-1] + 1 : stride]
    return arr[:, pos]


def as_names(name: str, value: Any, columns: pd.Index | list,
             where: str = "the data") -> list[Hashable] | None:
    """``value`` (one column name or several) as a list; every name must be in ``columns``.

    ``where`` names the data in the message for a missing column.
    """
    if value is None:
        return None
    items = ([value] if isinstance(value, (str, bytes)) or np.isscalar(value)
             else listed(name, value, "a column name or a list of them",
                      "['a', 'b']"))
    if not items:
        raise ArgumentError(f"`{name}` must name at least one column. Received: {name}={show(value)}.")
    no_repeats(name, items, value)
    missing = [c for c in items if c not in columns]
    if missing:
        raise ColumnError(
            f"`{name}` names {plural(len(missing), 'column')} not in {where}: "
            f"{', '.join(show(c) for c in missing[:20])}. Available columns: "
            f"{', '.join(show(c) for c in list(columns)[:20])}"
            f"{' ...' if len(columns) > 20 else ''}."
        )
    return items


def no_duplicate_columns(frame: pd.DataFrame, what: str = "data") -> None:
    """Refuse a DataFrame whose column names repeat (a name would select several columns)."""
    cols = frame.columns
    if cols.is_unique:
        return
    dup = list(dict.fromkeys(cols[cols.duplicated()].tolist()))
    raise ColumnError(
        f"`{what}` must have unique column names. Received: {plural(len(dup), 'name')} used "
        f"more than once: {', '.join(show(c) for c in dup[:10])}{' ...' if len(dup) > 10 else ''}. "
        "Rename or drop the repeated columns first, e.g. "
        "`df.loc[:, ~df.columns.duplicated()]`."
    )


def is_label(value: Any) -> bool:
    """Whether ``value`` can name a column (hashable and not a sequence of values)."""
    if isinstance(value, (tuple, list, np.ndarray, pd.Series, pd.Index)):
        return False
    try:
        hash(value)
    except TypeError:
        return False
    return True


def resolve_axis(name: str, value: Any, frame: pd.DataFrame | None,
                 n: int) -> tuple[Any, Hashable | None]:
    """Resolve ``group``/``time``: a column or index level of ``frame``, or ``n`` values.

    Returns the values and, for a column, its name (``None`` otherwise).
    """
    if value is None:
        return None, None
    if frame is not None and is_label(value):
        if value in frame.columns:
            col = frame[value]
            if isinstance(col, pd.DataFrame):
                raise ColumnError(
                    f"`{name}` must name one column. Received: {name}={show(value)}, a label "
                    f"that {len(col.columns)} columns share. Rename them first."
                )
            if isinstance(col.dtype, pd.DatetimeTZDtype):
                return pd.DatetimeIndex(col), value  # keep the time zone
            return col.to_numpy(), value
        if value in [lv for lv in frame.index.names if lv is not None]:
            return frame.index.get_level_values(value), None
        if isinstance(value, (str, int, np.integer)):
            as_names(name, value, frame.columns)  # raises ColumnError
    arr: Any
    if isinstance(value, pd.Index):
        arr = value
    elif isinstance(getattr(value, "dtype", None), pd.DatetimeTZDtype):
        arr = pd.DatetimeIndex(value)  # keep the time zone
    else:
        arr = np.asarray(value)
    if arr.ndim != 1 or len(arr) != n:
        raise ShapeError(
            f"`{name}` must be a column name or a 1D array with one value per row. "
            f"Received: {name}={show(value)} for data of {plural(n, 'row')}."
        )
    return arr, None


def native_order(values: Any) -> Any:
    """A big-endian (non-native) numpy array or Series in native byte order, same values:
    pandas' hashing and row taking do not accept the other order."""
    dtype = getattr(values, "dtype", None)
    if isinstance(dtype, np.dtype) and not dtype.isnative:
        return values.astype(dtype.newbyteorder("="))
    return values


def group_codes(values: Any) -> tuple[np.ndarray, pd.Index]:
    """Group labels as codes in order of first appearance, and the labels; no missing labels."""
    values = native_order(values)
    try:
        codes, labels = pd.factorize(pd.Series(values), sort=False, use_na_sentinel=True)
    except TypeError:
        raise ArgumentTypeError(
            f"`group` must hold hashable labels (strings, numbers, ...). Received: "
            f"{show(values)} with unhashable values. Convert them first, e.g. to strings."
        ) from None
    if (codes < 0).any():
        raise DataError(
            f"`group` must have no missing values. Received: "
            f"{plural(int((codes < 0).sum()), 'missing group label')}. Drop or label those rows."
        )
    return codes, pd.Index(labels)


# ------------------------------------------------------------------- dtypes and casts


def check_dtype(dtype: Any) -> np.dtype:
    """``dtype`` as a numpy float or integer dtype, or an error naming ``dtype``."""
    try:
        out = np.dtype(dtype)
    except TypeError:
        raise ArgumentTypeError(f"`dtype` must be a numpy dtype. Received: dtype={show(dtype)}.") from None
    if not (np.issubdtype(out, np.floating) or np.issubdtype(out, np.integer)):
        raise ArgumentTypeError(
            f"`dtype` must be a float or integer dtype. Received: dtype={out}. "
            "Keras computes in float32, the default."
        )
    return out


def _changed(role: str, dtype: np.dtype, n: int, first: Any, row: int, becomes: str,
             fix: str) -> ArgumentTypeError:
    return ArgumentTypeError(
        f"`dtype` must hold every value of `{role}`. Received: dtype={dtype}, which changes "
        f"{plural(n, 'value')} (the first, {show(first)} at row {row}, {becomes}). {fix}"
    )


def _to_integer(src: np.ndarray, dtype: np.dtype, role: str) -> np.ndarray:
    info = np.iinfo(dtype)
    fix = "Use a float dtype (the default float32) or a wider integer dtype."
    if src.dtype.kind == "f":
        nan = np.isnan(src)
        if nan.any():
            at = tuple(np.argwhere(nan)[0])
            raise _changed(role, dtype, int(nan.sum()), np.nan, int(at[0]), "is missing",
                           "Use a float dtype, or fill the missing values first.")
        with np.errstate(invalid="ignore"):
            bad = (np.floor(src) != src) | (src < info.min) | (src > info.max)
    elif src.dtype.kind in "iu":
        bad = (src < info.min) | (src > info.max) if src.size else np.zeros(src.shape, bool)
    else:  # booleans
        return src.astype(dtype)
    if bad.any():
        at = tuple(np.argwhere(bad)[0])
        first = src[at].item()
        fraction = src.dtype.kind == "f" and np.floor(first) != first
        becomes = ("is not a whole number" if fraction else
                   f"is outside {dtype}'s range {info.min}..{info.max}")
        raise _changed(role, dtype, int(bad.sum()), first, int(at[0]), becomes, fix)
    return src.astype(dtype)


def cast(values: Any, dtype: Any, *, role: str = "data") -> np.ndarray:
    """``values`` (a numeric array) as ``dtype`` under the one casting rule (see the module).

    Returns ``values`` itself when it already has ``dtype``, else a new array (for float
    targets possibly a view-free cast). ``role`` names the values in messages.

    Examples
    --------
    >>> cast(np.array([1.0, 2.0]), np.int32)
    array([1, 2], dtype=int32)
    >>> cast(np.array([0.5]), np.int64)
    Traceback (most recent call last):
    ...
    seqprep.ArgumentTypeError: `dtype` must hold every value of `data`. ...
    >>> cast(np.array([1e300]), np.float32)
    Traceback (most recent call last):
    ...
    seqprep.ArgumentTypeError: `dtype` must hold every value of `data`. ...
    """
    dtype = np.dtype(dtype)
    src = np.asarray(values)
    if src.dtype == dtype:
        return src
    if src.dtype.kind not in "biuf":
        raise ArgumentTypeError(f"`{role}` must hold real numbers. Received: {show(src)}.")
    if dtype.kind in "iu":
        return _to_integer(src, dtype, role)
    with np.errstate(over="ignore", invalid="ignore"):
        out = src.astype(dtype)
    if src.dtype.kind == "f" and np.finfo(src.dtype).max <= np.finfo(dtype).max:
        return out  # a widening float cast cannot overflow
    if src.dtype.kind in "iu" and dtype.itemsize >= 4:
        return out  # every int64 fits in float32's range
    grown = np.isinf(out)
    if grown.any():
        grown &= ~np.isinf(src) if src.dtype.kind == "f" else grown
        if grown.any():
            at = tuple(np.argwhere(grown)[0])
            raise _changed(role, dtype, int(grown.sum()), src[at].item(), int(at[0]),
                           f"overflows to {out[at].item()}",
                           "Use float64, or rescale the values first.")
    return out


def _column_values(col: pd.Series) -> np.ndarray:
    """A numeric column as a numpy array of its own dtype (float64 with NaN for nullable ones)."""
    if isinstance(col.dtype, np.dtype):
        return col.to_numpy()
    if col.hasnans or pd.api.types.is_float_dtype(col.dtype):
        return col.to_numpy(dtype=np.float64, na_value=np.nan)
    if pd.api.types.is_bool_dtype(col.dtype):
        return col.to_numpy(dtype=bool)
    target = np.uint64 if pd.api.types.is_unsigned_integer_dtype(col.dtype) else np.int64
    return col.to_numpy(dtype=target)


def require_numeric(frame: pd.DataFrame, cols: list, role: str) -> None:
    """Refuse the columns ``cols`` of ``frame`` that are not real numbers (the one rule for
    "numeric" inputs: complex and non-numeric dtypes are refused, naming each column)."""
    bad = [c for c in cols if not (pd.api.types.is_numeric_dtype(frame[c])
                                   and not pd.api.types.is_complex_dtype(frame[c]))]
    if bad:
        kinds = ", ".join(f"{show(c)} ({frame[c].dtype})" for c in bad)
        raise ArgumentTypeError(
            f"`{role}` must be numeric columns. Received non-numeric: {kinds}. Encode them "
            f"as numbers first, or leave them out of `{role}`."
        )


def numeric_block(frame: pd.DataFrame, cols: list, role: str, dtype: np.dtype, *,
                  view: bool = False) -> np.ndarray:
    """The columns ``cols`` of ``frame`` as one ``(rows, len(cols))`` array of ``dtype``,
    under the casting rule; non-numeric columns are refused. With ``view``, one column
    that already holds ``dtype`` is returned as a read-only view of its values (no copy:
    an Arrow buffer stays where it is); the caller must not write into it."""
    require_numeric(frame, cols, role)
    if view and len(cols) == 1:
        values = _column_values(frame[cols[0]])
        if values.dtype == dtype:
            out = values.reshape(-1, 1).view()
            out.flags.writeable = False
            return out
    if dtype.kind == "f":  # one pass in the common case; the rule is checked on its result
        try:
            fast: np.ndarray | None = frame[cols].to_numpy(dtype=dtype, na_value=np.nan)
        except (TypeError, ValueError, OverflowError):
            fast = None
        if fast is not None and (dtype.itemsize >= 8 or not np.isinf(fast).any()):
            return fast  # no value became inf (a float64 result cannot overflow)
    out = np.empty((len(frame), len(cols)), dtype=dtype)
    for j, c in enumerate(cols):  # column by column: exact checks, the first bad value named
        out[:, j] = cast(_column_values(frame[c]), dtype, role=role)
    return out
