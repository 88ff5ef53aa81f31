"""Category and string feature columns: left out, refused, or encoded in a stable order.

The rule ``make_windows(..., categorical=, categories=)`` follows for the feature columns
of a DataFrame that are not numbers (pandas ``category``, strings, Python objects):

- ``categorical=None`` (the default): with the default features (``features=None``)
  they are left out, and a note in ``Windows.notes`` names them; named in ``features=``
  they are refused with :class:`ArgumentTypeError` that says how to encode them.
- ``"error"``: refused wherever they are, default features included.
- ``"codes"``: one column of category codes ``0 .. k-1`` (as the window dtype).
- ``"onehot"``: one 0/1 column per category, named ``"column=category"``.

The category order is the column's own for a pandas ``category`` (its
``cat.categories``, as declared), else the sorted distinct values; it is recorded in
``Windows.categories`` (``{column: (category, ...)}``) and, for one-hot columns, in
``Windows.feature_names``. Passing ``categories=`` (a mapping, or the training Windows
itself) reuses an order, so test windows get the training columns in the training order
even when a category is absent from them. A value outside the given categories is
refused with :class:`DataError` (never silently dropped or zeroed); a missing value
encodes as NaN (codes) or NaN in every one-hot column of that feature, which
``Windows.report()`` counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ._args import choice, plural, show
from ._columns import cast, numeric_block
from ._errors import ArgumentError, ArgumentTypeError, ColumnError, DataError

__all__ = ["MODES", "Encoded", "check_categories", "check_mode", "feature_block",
           "is_categorical", "left_out"]

#: The values of ``make_windows(..., categorical=)``.
MODES = (None, "codes", "onehot", "error")


def is_categorical(col: pd.Series) -> bool:
    """Whether a column holds categories or text rather than numbers."""
    dtype = col.dtype
    return (isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(dtype)
            or (isinstance(dtype, np.dtype) and dtype.kind == "O"))


def check_mode(categorical: Any) -> str | None:
    """``categorical`` if it is one of :data:`MODES`, else :class:`ArgumentError`."""
    return choice("categorical", categorical, MODES)


def check_categories(categories: Any, mode: str | None) -> dict:
    """``categories`` (None, a mapping ``{column: categories}`` or a Windows that has
    ``.categories``) as ``{column: tuple}``; every order non-empty, without repeats."""
    if categories is None:
        return {}
    if not isinstance(categories, Mapping):
        categories = getattr(categories, "categories", categories)
    if not isinstance(categories, Mapping):
        raise ArgumentTypeError(
            f"`categories` must map columns to their categories, e.g. {{'color': ['red', "
            f"'blue']}}, or be the training Windows. Received: categories={show(categories)}."
        )
    if categories and mode not in ("codes", "onehot"):
        raise ArgumentError(
            f"`categories` needs `categorical` to say how to encode: 'codes' or 'onehot'. "
            f"Received: categorical={mode!r} with categories for "
            f"{', '.join(show(c) for c in list(categories)[:10])}."
        )
    out = {}
    for col, values in categories.items():
        order = (values,) if isinstance(values, (str, bytes)) else tuple(values)
        if not order or len(set(order)) != len(order):
            raise ArgumentError(
                f"`categories` must give each column at least one category, each once. "
                f"Received: {show(col)}: {show(values)}."
            )
        out[col] = order
    return out


def _count(n: int) -> str:
    return f"{n:,} categor{'y' if n == 1 else 'ies'}"


def _order(col: pd.Series) -> tuple:
    """The category order of a column: its declared categories, else its sorted values."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        return tuple(col.cat.categories)
    values = pd.unique(col.dropna())
    try:
        return tuple(sorted(values))
    except TypeError:  # mixed types: sorted by type name, then text
        return tuple(sorted(values, key=lambda v: (type(v).__name__, str(v))))


def _codes(col: pd.Series, order: tuple, name: Any) -> np.ndarray:
    """Codes ``0..k-1`` of the values in ``order`` (float64, NaN where missing)."""
    unseen = (col.notna() & ~col.isin(list(order))).to_numpy()
    if unseen.any():
        new = pd.unique(col[unseen])
        raise DataError(
            f"`categories` must hold every value of column {show(name)}. Received: "
            f"{plural(int(unseen.sum()), 'row')} with {plural(len(new), 'value')} outside "
            f"its {_count(len(order))}: {', '.join(show(v) for v in new[:10])}"
            f"{' ...' if len(new) > 10 else ''} (first at row {int(np.argmax(unseen))}). Add "
            "them to `categories`, or map them to a known category first."
        )
    codes = pd.Categorical(col, categories=list(order)).codes
    out = codes.astype(np.float64)
    out[codes < 0] = np.nan
    return out


@dataclass
class Encoded:
    """Feature columns as one block: its column names, the category orders used, notes."""

    block: np.ndarray
    names: tuple
    categories: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)


def left_out(frame: pd.DataFrame, cat_cols: list, fix: str) -> str:
    """The note for category and text columns left out of the default features."""
    kinds = ", ".join(f"{show(c)} ({frame[c].dtype})" for c in cat_cols[:10])
    more = f" and {len(cat_cols) - 10:,} more" if len(cat_cols) > 10 else ""
    return (f"left out {plural(len(cat_cols), 'non-numeric column')} of the default "
            f"features: {kinds}{more}; {fix}")


def _leave_out(frame: pd.DataFrame, cols: list, cat_cols: list) -> tuple[list, list]:
    kept = [c for c in cols if c not in cat_cols]
    if not kept:
        kinds = ", ".join(f"{show(c)} ({frame[c].dtype})" for c in cat_cols[:10])
        raise ColumnError(
            f"`features` must include a numeric column. Received: features=None, and every "
            f"column besides `group` and `time` holds categories or text: {kinds}. Pass "
            "categorical='codes' or 'onehot' to encode them."
        )
    return kept, [left_out(frame, cat_cols, "categorical='codes' or 'onehot' encodes them")]


def _encode(frame: pd.DataFrame, c: Any, mode: str, order: tuple) -> tuple[np.ndarray, list]:
    codes = _codes(frame[c], order, c)
    if mode == "codes":
        return codes[:, None], [c]
    onehot = (codes[:, None] == np.arange(len(order))[None, :]).astype(np.float64)
    onehot[np.isnan(codes)] = np.nan
    return onehot, [f"{c}={v}" for v in order]


def feature_block(frame: pd.DataFrame, cols: list, dtype: np.dtype, *, mode: str | None,
                  categories: dict, default: bool) -> Encoded:
    """The feature columns ``cols`` of ``frame`` as one block of ``dtype`` under the rule
    of this module; ``default`` says the columns are the default features."""
    cat_cols = [c for c in cols if is_categorical(frame[c])]
    notes: list = []
    if cat_cols and mode is None and default:
        cols, notes = _leave_out(frame, cols, cat_cols)
        cat_cols = []
    if cat_cols and mode in (None, "error"):
        kinds = ", ".join(f"{show(c)} ({frame[c].dtype})" for c in cat_cols[:10])
        raise ArgumentTypeError(
            f"`features` must be numeric columns. Received non-numeric: {kinds} with "
            f"categorical={mode!r}. Pass categorical='codes' (one column of category codes) "
            "or 'onehot' (one 0/1 column per category), or leave them out of `features`."
        )
    if not cat_cols:
        return Encoded(numeric_block(frame, cols, "features", dtype, view=True), tuple(cols),
                       notes=notes)
    assert mode is not None  # codes or onehot: None and 'error' refused above
    numeric = [c for c in cols if c not in cat_cols]
    num = numeric_block(frame, numeric, "features", dtype) if numeric \
        else np.empty((len(frame), 0), dtype=dtype)  # no numeric column: never read
    parts, names, used = [], [], {}
    for c in cols:
        if c in cat_cols:
            used[c] = categories.get(c) or _order(frame[c])
            block, new = _encode(frame, c, mode, used[c])
            parts.append(cast(block, dtype, role="features"))
            names += new
        else:
            parts.append(num[:, [numeric.index(c)]])
            names.append(c)
    shown = ", ".join(f"{show(c)} ({_count(len(o))})" for c, o in used.items())
    notes.append(f"categorical ({mode}): {shown}")
    return Encoded(np.hstack(parts), tuple(names), used, notes)
