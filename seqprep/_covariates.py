"""Static and known-future covariates: more sources on the same plan as ``X`` and ``y``.

A forecasting model often reads, besides the past window ``X``, attributes of the entity
that never change (a store's size, a patient's age: *static* covariates) and values known
in advance for the steps it forecasts (the calendar, holidays, planned promotions:
*known-future* covariates). :func:`make_windows` takes them as ``static=`` and
``known_future=`` columns; they are resolved and cast like the features, put in window
order by the same :class:`~seqprep._plan.Plan`, and read at the same window starts:

- ``static[i]`` is the static row of sample ``i``'s first input row (the same for every
  row of its group: a column that varies within a group is refused);
- ``future[i]`` is the known-future rows at sample ``i``'s ``horizon`` target steps.

So a sample never reads a value of a row after its target time except the known-future
columns at its own target steps (the tests check it against windows built by hand).

The names of the model inputs are :data:`INPUT_NAMES`: ``"past"`` (``X``), ``"static"``
and ``"future"``; ``Windows.inputs`` and ``Windows.input_shapes`` are keyed by them, so
``keras.Input(shape=w.input_shapes[k], name=k)`` builds inputs a dict of arrays feeds.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from ._args import plural, show
from ._columns import as_names, as_positions, cast, is_label, numeric_block, take_columns
from ._errors import ArgumentError, ColumnError, DataError

__all__ = ["INPUT_NAMES", "Covariates", "build_covariates", "covariate_columns",
           "covariate_frame_columns", "covariates_of", "input_shapes", "model_inputs",
           "take_inputs"]

#: Keys of ``Windows.inputs`` / ``Windows.input_shapes``: name your ``keras.Input`` s so.
INPUT_NAMES = ("past", "static", "future")


@dataclass(frozen=True)
class Covariates:
    """The covariate rows of a :class:`Windows`, in window order (one row per source row).

    ``static`` is ``(rows, n_static)``, ``future`` ``(rows, n_known)``; either may be None.
    Shared (not copied) by every Windows derived from the same :func:`make_windows` call.
    """

    static_names: tuple = ()
    static: np.ndarray | None = None
    future_names: tuple = ()
    future: np.ndarray | None = None

    def sources(self) -> dict[str, tuple[tuple, np.ndarray]]:
        """``{role: (column names, rows)}`` for ``"static"`` and ``"future"`` (those present)."""
        out = {}
        if self.static is not None:
            out["static"] = (self.static_names, self.static)
        if self.future is not None:
            out["future"] = (self.future_names, self.future)
        return out

    def with_sources(self, **rows: Any) -> Covariates:
        """The same covariates over new row arrays of the same shape (``static=``, ``future=``)."""
        for role, arr in rows.items():
            old = getattr(self, role)
            if old is None or np.shape(arr) != old.shape:
                raise ArgumentError(
                    f"`{role}` must replace the {role} rows with an array of the same shape "
                    f"{None if old is None else old.shape}. Received: {show(arr)}."
                )
        return replace(self, **rows)

    def at(self, starts: np.ndarray, target_offset: int, horizon: int) -> dict[str, np.ndarray]:
        """The covariates of the samples starting at ``starts``: new arrays by role."""
        starts = np.asarray(starts, dtype=np.int64)
        out = {}
        if self.static is not None:
            out["static"] = self.static[starts]
        if self.future is not None:
            rows = starts[:, None] + target_offset + np.arange(horizon)[None, :]
            out["future"] = self.future[rows]
        return out

    def shapes(self, horizon: int) -> dict[str, tuple[int, ...]]:
        """Per-sample shape of each covariate input."""
        out: dict[str, tuple[int, ...]] = {}
        if self.static is not None:
            out["static"] = (len(self.static_names),)
        if self.future is not None:
            out["future"] = (horizon, len(self.future_names))
        return out


# ------------------------------------------------------------------- resolving columns


def _names(data: Any, role: str, value: Any) -> list | None:
    if value is None:
        return None
    if isinstance(data, pd.DataFrame):
        return as_names(role, value, data.columns)
    width = np.shape(data)[1] if np.ndim(data) == 2 else 1
    return as_positions(role, value, width)


def covariate_columns(data: Any, static: Any, known_future: Any, *, targets: Any,
                      group: Any, time: Any) -> tuple[list | None, list | None]:
    """``(static columns, known-future columns)`` of ``data`` (names or positions), checked.

    Refused: a column in both, a target column (a target is not known in advance), the
    ``group`` or ``time`` column, and known-future columns without targets (they are read
    at the target steps).
    """
    s_cols = _names(data, "static", static)
    f_cols = _names(data, "known_future", known_future)
    if f_cols is not None and targets is None:
        raise ArgumentError(
            f"`known_future` needs `targets`: known-future columns are read at each window's "
            f"target steps. Received: known_future={show(known_future)} with targets=None. "
            "Pass targets=; to forecast past the end of the data, append the future rows "
            "(known-future values filled, targets missing) and window those."
        )
    both = [c for c in (s_cols or []) if c in (f_cols or [])]
    if both:
        raise ColumnError(
            f"`static` and `known_future` must not share a column. Received: {show(both)} in "
            "both. A column constant within each group is static; one known for the target "
            "steps is known-future: pick one role."
        )
    target_cols = _names(data, "targets", targets) or []
    reserved = {c for c in (group, time) if is_label(c)} if isinstance(data, pd.DataFrame) \
        else set()
    for role, cols in (("static", s_cols), ("known_future", f_cols)):
        leak = [c for c in (cols or []) if c in target_cols]
        if leak:
            raise ColumnError(
                f"`{role}` must not include a target column: a target is what the model "
                f"forecasts, never known in advance. Received: {show(leak)}. Leave it out of "
                f"`{role}` (past target values are in `X` already)."
            )
        clash = [c for c in (cols or []) if c in reserved]
        if clash:
            raise ColumnError(
                f"`{role}` must not include the group or time column. Received: {show(clash)}. "
                "Derive numbers from it first, e.g. seqprep.calendar_features(times)."
            )
    return s_cols, f_cols


def _block(data: Any, cols: list, role: str, dtype: np.dtype) -> np.ndarray:
    """The columns as a new ``(rows, len(cols))`` array of ``dtype`` (input order)."""
    if isinstance(data, pd.DataFrame):
        return numeric_block(data, cols, role, dtype)
    arr = np.asarray(data)
    arr = arr[:, None] if arr.ndim == 1 else arr
    return np.array(cast(take_columns(arr, cols), dtype, role=role))


# ------------------------------------------------------------------- window order


def _check_static(values: np.ndarray, names: tuple, bounds: np.ndarray,
                  group_sorted: np.ndarray | None, position: Any) -> None:
    """Refuse a static column that varies within a group (rows in window order)."""
    ref = np.repeat(values[bounds[:-1]], np.diff(bounds), axis=0)
    same = values == ref
    if np.issubdtype(values.dtype, np.floating):
        same |= np.isnan(values) & np.isnan(ref)
    if same.all():
        return
    rows, cols = np.nonzero(~same)
    r, j = int(rows[0]), int(cols[0])
    g = int(np.searchsorted(bounds, r, side="right") - 1)
    first = int(bounds[g])
    where = (f"group {_plain(group_sorted[r])!r}" if group_sorted is not None
             else "the series (no groups)")
    n_groups = len(np.unique(np.searchsorted(bounds, rows, side="right")))
    raise DataError(
        f"`static` column {show(names[j])} must be constant within each group (a static "
        f"covariate is one value per entity). Received: {where} has {_plain(ref[r, j])!r} at "
        f"row {int(position(np.array([first]))[0])} and {_plain(values[r, j])!r} at row "
        f"{int(position(np.array([r]))[0])} (values differ in {plural(n_groups, 'group')}). "
        "Move a changing column to `features` or `known_future`, or fix the data."
    )


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python scalar it holds (for messages)."""
    return value.item() if isinstance(value, np.generic) else value


def build_covariates(data: Any, columns: tuple[list | None, list | None], *, plan: Any,
                     dtype: np.dtype) -> Covariates | None:
    """The :class:`Covariates` of ``data`` for ``columns`` (from :func:`covariate_columns`),
    in the window order of ``plan`` (a ``seqprep._plan.Plan``); None without covariates."""
    s_cols, f_cols = columns
    if s_cols is None and f_cols is None:
        return None
    blocks: dict[str, Any] = {}
    for role, cols, arg in (("static", s_cols, "static"), ("future", f_cols, "known_future")):
        if cols is not None:
            block = _block(data, cols, arg, dtype)
            blocks[role] = block if plan.order is None else block[plan.order]
    if s_cols is not None:
        _check_static(blocks["static"], tuple(s_cols), plan.group_bounds, plan.group_sorted,
                      plan.position)
    return Covariates(static_names=tuple(s_cols or ()), static=blocks.get("static"),
                      future_names=tuple(f_cols or ()), future=blocks.get("future"))


# ------------------------------------------------------------------- windows-level readers


def covariates_of(windows: Any) -> Covariates | None:
    """The covariates of any windows object (None for those without, e.g. from files)."""
    return getattr(windows, "covariates", None)


def model_inputs(windows: Any) -> dict[str, Any]:
    """``{"past": X, "static": ..., "future": ...}`` for all samples (``Windows.inputs``)."""
    out: dict[str, Any] = {"past": windows.X}
    cov = covariates_of(windows)
    if cov is not None:
        out.update(cov.at(windows.starts, windows.target_offset, windows.horizon))
    return out


def input_shapes(windows: Any) -> dict[str, tuple[int, ...]]:
    """Per-sample shape of each model input, keyed like :func:`model_inputs`."""
    out: dict[str, tuple[int, ...]] = {"past": tuple(windows.input_shape)}
    cov = covariates_of(windows)
    if cov is not None:
        out.update(cov.shapes(windows.horizon))
    return out


def take_inputs(windows: Any, indices: Any) -> tuple[Any, np.ndarray | None]:
    """The samples at ``indices`` as ``(x, y)``: ``x`` is ``X`` for windows without
    covariates, else the dict of :func:`model_inputs` (new arrays either way)."""
    X, y = windows.take(indices)
    cov = covariates_of(windows)
    if cov is None:
        return X, y
    starts = windows.starts[np.asarray(indices, dtype=np.int64)]
    return {"past": X, **cov.at(starts, windows.target_offset, windows.horizon)}, y


def covariate_frame_columns(windows: Any, rows: np.ndarray, repeat: int,
                            taken: Any) -> dict[Any, np.ndarray]:
    """``to_frame`` columns: each static column per sample, each known-future column at the
    target rows ``rows`` ``(samples, horizon)``, each value repeated ``repeat`` times (once
    per target). A name already in ``taken`` gets its role as a prefix (``future_time``)."""
    cov = covariates_of(windows)
    if cov is None:
        return {}
    out: dict[Any, np.ndarray] = {}  # column names: labels or positions
    horizon = rows.shape[1]
    starts = windows.starts
    for role, (names, src) in cov.sources().items():
        for j, name in enumerate(names):
            key = name if name not in taken and name not in out else f"{role}_{name}"
            values = src[starts, j] if role == "static" else src[rows, j]
            per_step = np.repeat(values, horizon) if role == "static" else values.ravel()
            out[key] = np.repeat(per_step, repeat)
    return out
