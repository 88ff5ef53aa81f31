"""The one conversion layer: Arrow, polars and other dataframe libraries in, pandas out.

seqprep's entry points (``make_windows``, ``to_supervised``, ``SeriesSchema.validate``,
``infer_schema``, ``split_by_time``, ``Scaler``) work on pandas DataFrames and numpy
arrays. Everything else comes in through :func:`as_pandas`, once, at the top of each
entry point, by one route rather than a branch per library: the **Arrow PyCapsule
interface** (``__arrow_c_stream__``/``__arrow_c_array__``, the Arrow C data interface).
A ``pyarrow.Table`` or ``RecordBatch``, a ``polars.DataFrame`` (a ``LazyFrame`` is
collected first), a DuckDB relation or any other object exporting an Arrow stream becomes
a ``pyarrow.Table`` without copying, then a pandas DataFrame with one block per column
(``to_pandas(split_blocks=True)``): a numeric column without missing values, in one chunk,
stays in the Arrow buffer it was in (zero-copy), so ``make_windows(..., copy=False)``
windows it in place when its dtype is the one asked for. Columns with missing values,
several chunks, strings and dictionaries (categories) are converted (a copy).

Types: Arrow timestamps keep their unit and time zone, dates become ``datetime64``,
dictionary columns (polars ``Categorical``/``Enum``) become pandas ``Categorical`` with
their category order, integers with missing values become float64 with NaN (pandas'
rule; the casting rule of :mod:`seqprep._columns` then refuses them where an integer is
needed).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ._args import require, show
from ._errors import ArgumentError, ArgumentTypeError

__all__ = ["as_frame", "as_pandas", "collected", "is_lazy", "is_polars_frame", "is_table"]


def _module(obj: Any) -> str:
    return type(obj).__module__.split(".")[0]


def is_lazy(data: Any) -> bool:
    """Whether ``data`` is a polars ``LazyFrame`` (a query, collected before use)."""
    return _module(data) == "polars" and type(data).__name__ == "LazyFrame"


def is_polars_frame(data: Any) -> bool:
    """Whether ``data`` is a polars ``DataFrame`` or ``LazyFrame``."""
    return _module(data) == "polars" and type(data).__name__ in ("DataFrame", "LazyFrame")


def is_table(data: Any) -> bool:
    """Whether :func:`as_pandas` converts ``data``: an Arrow-exporting object that is not
    pandas or numpy, or a polars ``LazyFrame``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> is_table(pd.DataFrame({"x": [1.0]})), is_table(np.zeros(3))
    (False, False)
    """
    if isinstance(data, (pd.DataFrame, pd.Series, pd.Index, np.ndarray)):
        return False
    kind = type(data)
    return is_lazy(data) or hasattr(kind, "__arrow_c_stream__") or \
        hasattr(kind, "__arrow_c_array__")


def collected(data: Any, name: str = "data") -> Any:
    """A polars ``LazyFrame`` collected (its query run), anything else as it is; a query
    that fails is an :class:`ArgumentError` naming ``name`` (the polars error chained)."""
    if not is_lazy(data):
        return data
    try:
        return data.collect()
    except Exception as exc:  # the query itself failed (a missing file, a bad cast)
        raise ArgumentError(
            f"`{name}` is a polars LazyFrame whose query fails when collected: "
            f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}. "
            "Run `.collect()` on it yourself to see the whole error, and fix the query."
        ) from exc


def _arrow(data: Any, name: str) -> Any:
    """``data`` as a ``pyarrow.Table`` (or ``ChunkedArray`` for one column), zero-copy."""
    pa = require("pyarrow", "polars", f"`{name}` of type {type(data).__name__}")
    data = collected(data, name)
    if isinstance(data, (pa.Table, pa.ChunkedArray)):
        return data
    if isinstance(data, pa.RecordBatch):
        return pa.Table.from_batches([data])
    if isinstance(data, pa.Array):
        return pa.chunked_array([data])
    try:
        return pa.table(data)
    except (TypeError, ValueError, pa.ArrowException) as exc:
        table_error = exc
    try:  # a one-column object (a polars Series): a stream of arrays, not of records
        return pa.chunked_array(data)
    except (TypeError, ValueError, pa.ArrowException):
        pass
    raise ArgumentTypeError(
        f"`{name}` must be a table pandas, numpy or Arrow can read. Received: "
        f"{show(data)} of type {type(data).__name__}, whose Arrow export failed "
        f"({table_error}). Convert it to a pandas DataFrame first."
    ) from None


def as_frame(data: Any, name: str = "data") -> pd.DataFrame:
    """``data`` as a pandas DataFrame (:func:`as_pandas`), or :class:`ArgumentTypeError`.

    Examples
    --------
    >>> as_frame([1, 2], "df")
    Traceback (most recent call last):
    ...
    seqprep.ArgumentTypeError: `df` must be a pandas DataFrame, or a polars or Arrow table. ...
    """
    out = as_pandas(data, name)
    if not isinstance(out, pd.DataFrame):
        raise ArgumentTypeError(
            f"`{name}` must be a pandas DataFrame, or a polars or Arrow table. Received: "
            f"{show(data)} of type {type(data).__name__}. Build one first, e.g. "
            "`pd.DataFrame(array, columns=[...])`."
        )
    return out


def as_pandas(data: Any, name: str = "data") -> Any:
    """``data`` as pandas when it is an Arrow or polars table, else ``data`` unchanged.

    A table becomes a ``pandas.DataFrame``; a one-column object (``pyarrow.Array``,
    ``ChunkedArray``, ``polars.Series``) a ``pandas.Series`` named as it is. pandas
    objects, numpy arrays, lists and everything else pass through untouched, so the
    caller's own checks word the errors for them. ``name`` names the argument in messages.

    Raises
    ------
    MissingDependencyError
        If ``data`` needs pyarrow to be read and pyarrow is not installed.
    ArgumentTypeError
        If ``data`` claims to export Arrow data but the export fails.

    Examples
    --------
    >>> import numpy as np, pyarrow as pa
    >>> t = pa.table({"x": np.arange(3.0), "s": ["a", "b", "a"]})
    >>> df = as_pandas(t)
    >>> df.dtypes.astype(str).tolist(), np.shares_memory(df["x"].to_numpy(),
    ...                                                  t["x"].chunk(0).to_numpy())
    (['float64', 'str'], True)
    """
    if not is_table(data):
        return data
    table = _arrow(data, name)
    pa = require("pyarrow", "polars", f"`{name}`")
    if isinstance(table, pa.ChunkedArray):
        out = table.to_pandas(date_as_object=False)
        label = getattr(data, "name", None)
        return out.rename(label if isinstance(label, str) and label else None)
    return table.to_pandas(split_blocks=True, date_as_object=False)
