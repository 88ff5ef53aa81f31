"""Scale columns with statistics from the training rows only: ``Scaler``.

The three methods, per column (and per group with ``by``), with ``x' = (x - center) / scale``:

- ``"standard"``: center the mean, scale the standard deviation (``ddof=0``);
- ``"minmax"``: center the minimum, scale ``max - min`` (training rows land in ``[0, 1]``);
- ``"robust"``: center the median, scale the interquartile range ``q75 - q25``.

A column that is constant in the training rows (of a group) gets ``scale = 1``, as does a
robust column whose quartiles coincide, so nothing is divided by zero. Missing values are
ignored by ``fit`` and stay missing. Infinite training values are refused (or, with
``nonfinite="ignore"``, left out like missing ones): one of them would make every
statistic of its column inf or NaN. Statistics of huge values (near ``1e308``) are
computed on the values divided by a power of two, exactly, so sums and squares never
overflow.
"""

from __future__ import annotations

import sys
from collections.abc import Hashable
from typing import Any

import numpy as np
import pandas as pd

from ._args import choice, plural, require, show
from ._errors import (
    ArgumentError,
    ArgumentTypeError,
    ColumnError,
    DataError,
    NotFittedError,
    ShapeError,
)
from ._columns import as_positions, cast, listed, no_duplicate_columns, numeric_block
from ._tables import as_pandas
from ._windows import Windows

__all__ = ["Scaler"]

_METHODS = ("standard", "minmax", "robust")
_NONFINITE = ("error", "ignore")
_PARAMS = ("method", "by", "columns", "nonfinite")
_OUTPUTS = ("default", "pandas", "polars")
# Groups and columns whose largest |value| reaches this (or stays below its inverse) are
# divided by a power of two (exact) before their statistics: a sum of up to 2**63 values
# or a square then cannot overflow (or underflow to zero).
_HUGE = 2.0**500
_STATE_VERSION = 1
# Notes a transformed Windows carries; windows_to_frame reads the last one.
SCALED_NOTE = "scaled by "
UNSCALED_NOTE = "unscaled by "


def windows_are_scaled(windows: Windows) -> bool:
    """Whether the last Scaler applied to ``windows`` scaled (not unscaled) them."""
    for note in reversed(windows.notes):
        if note.startswith(SCALED_NOTE):
            return True
        if note.startswith(UNSCALED_NOTE):
            return False
    return False


def covered_rows(windows: Windows) -> np.ndarray:
    """Boolean mask over the windows' source rows: the rows any sample reads, inputs or targets."""
    n = len(windows.source)
    s = windows.starts
    hit = np.zeros(n + 1, dtype=np.int64)
    if windows.sampling_rate == 1:
        hit += np.bincount(s, minlength=n + 1)
        hit -= np.bincount(s + windows.span, minlength=n + 1)
        mask = np.cumsum(hit)[:n] > 0
    else:
        mask = np.zeros(n, dtype=bool)
        for k in range(windows.timesteps):
            mask[s + k * windows.sampling_rate] = True
    if windows.has_targets:
        t = s + windows.target_offset
        steps = np.bincount(t, minlength=n + 1) - np.bincount(t + windows.horizon, minlength=n + 1)
        mask |= np.cumsum(steps)[:n] > 0
    return mask


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python scalar JSON understands."""
    return value.item() if isinstance(value, np.generic) else value


class Scaler:
    """Standard, min-max or robust scaling, fitted on training rows, optionally per group.

    Follows scikit-learn's estimator protocol without depending on it: ``__init__`` only
    stores its arguments (they are checked by ``fit``), ``fit`` returns the scaler, fitted
    attributes end in ``_``, ``fit_transform``, ``get_params`` / ``set_params``,
    ``n_features_in_``, ``feature_names_in_``, ``get_feature_names_out``, ``set_output``
    and ``__sklearn_tags__``; using it before ``fit`` raises :class:`NotFittedError` (and
    scikit-learn's ``check_is_fitted`` raises its own ``NotFittedError``). It works in
    ``make_pipeline`` and ``ColumnTransformer`` (also with ``set_output(transform="pandas")``).

    Parameters
    ----------
    method : {"standard", "minmax", "robust"}
        ``(x - mean) / std``, ``(x - min) / (max - min)`` or ``(x - median) / IQR``.
        Defaults to ``"standard"``.
    by : column name, optional
        Keep statistics per group: the group column of a DataFrame. For :class:`Windows`
        their own groups are used, for arrays the ``groups=`` passed to each call. Data of
        a group not seen by ``fit`` raises :class:`DataError`. Defaults to ``None``: one set
        of statistics for all rows.
    columns : list, optional
        Columns to scale: names for DataFrames and Windows (features or targets), positions
        for arrays. Defaults to every numeric column but ``by`` (every column of an array,
        every feature and target of a Windows); a numeric time column is numeric too, so
        name the columns to leave it alone. Other columns pass through unchanged.
    nonfinite : {"error", "ignore"}
        What ``fit`` does with ``inf`` or ``-inf`` in the training values: ``"error"``
        refuses them with a :class:`DataError` naming each column (and group) and how many;
        ``"ignore"`` leaves them out of the statistics, like missing values (they are still
        transformed, to ``inf``). Defaults to ``"error"``.

    Attributes
    ----------
    columns_ : tuple
        The scaled columns, in the order of ``center_`` and ``scale_``'s last axis.
    targets_ : tuple or None
        The target names of the Windows fitted on (``None`` for DataFrames and arrays); the
        default columns of :meth:`inverse_transform_targets`.
    groups_ : tuple or None
        The group labels, in the order of the first axis of ``center_`` and ``scale_``.
    center_, scale_ : numpy.ndarray of shape ``(n_columns,)``, or ``(n_groups, n_columns)``
        with ``by``.
    n_rows_seen_ : int
        Rows the statistics were computed on (each once).
    n_nonfinite_ignored_ : int
        Infinite training values left out (``nonfinite="ignore"``; ``0`` otherwise).
    n_features_in_ : int
        Columns of the data fitted on (a DataFrame's columns, an array's width, a Windows'
        features).
    feature_names_in_ : numpy.ndarray of str
        Their names, when they are all strings (only then, as in scikit-learn).

    See Also
    --------
    split_by_time : make the training rows first.
    Windows.to_frame : predictions back in the original units, given the scaler.

    Notes
    -----
    Fitting on a :class:`Windows` uses the rows its samples read (input and target rows),
    each row once however many windows contain it, so statistics equal those of the
    training rows themselves. A column that is both a feature and a target is fitted once
    and scaled the same way in both roles.

    Transforming a :class:`Windows` scales its source rows (a copy) and returns a new
    Windows with the same samples and index; its ``notes`` record it. Static and
    known-future covariates (``make_windows(static=, known_future=)``) are columns like
    the others: fitted on the rows the training samples read (each once; a static value
    counts once per row of its group read) and scaled wherever they appear. A static
    column is constant within a group, so with ``by`` it scales to 0: fit such columns
    with ``by=None`` (or leave them out with ``columns=``). Source rows that no
    sample reads are left as they are, or missing if their group was never fitted.

    Examples
    --------
    >>> import numpy as np, pandas as pd, seqprep
    >>> df = pd.DataFrame({"id": ["a", "a", "b", "b"], "x": [1.0, 3.0, 10.0, 30.0]})
    >>> sc = seqprep.Scaler("minmax", by="id").fit(df)
    >>> sc.transform(df)["x"].tolist()
    [0.0, 1.0, 0.0, 1.0]
    >>> sc.center_, sc.scale_
    (array([[ 1.], [10.]]), array([[ 2.], [20.]]))

    Predictions of scaled targets back in the original units, per group:

    >>> sc.inverse_transform_targets(np.array([[0.5], [0.5]]), groups=["a", "b"],
    ...                              targets=["x"])
    array([[ 2.], [20.]])
    """

    def __init__(self, method: str = "standard", *, by: Any = None, columns: Any = None,
                 nonfinite: str = "error") -> None:
        self.method = method
        self.by = by
        self.columns = columns
        self.nonfinite = nonfinite

    # ------------------------------------------------------------ scikit-learn style

    def get_params(self, deep: bool = True) -> dict:
        """The constructor arguments, as scikit-learn's ``get_params``."""
        return {k: getattr(self, k) for k in _PARAMS}

    def set_params(self, **params: Any) -> Scaler:
        """Set constructor arguments; returns the scaler. They are checked by the next ``fit``."""
        unknown = sorted(set(params) - set(_PARAMS), key=str)
        if unknown:
            raise ArgumentError(
                f"`set_params` got unknown parameters {show(unknown)}. Scaler takes "
                f"{', '.join(f'`{k}`' for k in _PARAMS)}."
            )
        for k, v in params.items():
            setattr(self, k, v)
        return self

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "center_")

    def __sklearn_tags__(self) -> Any:
        """scikit-learn's tags (called by scikit-learn only, so it is installed then)."""
        from sklearn.utils import InputTags, Tags, TargetTags, TransformerTags

        return Tags(estimator_type=None, target_tags=TargetTags(required=False),
                    transformer_tags=TransformerTags(preserves_dtype=["float64", "float32"]),
                    input_tags=InputTags(allow_nan=True))

    def __repr__(self) -> str:
        args = [show(self.method)] if self.method != "standard" else []
        args += [f"{k}={show(getattr(self, k))}" for k in ("by", "columns")
                 if getattr(self, k) is not None]
        if self.nonfinite != "error":
            args.append(f"nonfinite={show(self.nonfinite)}")
        return f"Scaler({', '.join(args)})"

    # -------------------------------------------------------------------------- fit

    def fit(self, data: Any, y: Any = None, *, groups: Any = None) -> Scaler:
        """Compute the statistics on ``data``, the training rows; returns the scaler.

        Parameters
        ----------
        data : DataFrame or Series, 2D numpy.ndarray of shape ``(rows, columns)``, or Windows
            The training rows, or the training windows (each source row they read counts
            once). A Series is one column (named ``0`` when unnamed), as in
            ``make_windows``; masked columns (``Int64``, ``Float64``) count their ``<NA>``
            as missing. An Arrow or polars table is read as a pandas DataFrame.
        y : ignored
            For scikit-learn compatibility.
        groups : array-like of length ``rows``, optional
            Arrays only, with ``by``: the group of each row.

        Returns
        -------
        Scaler
            ``self``, fitted.

        Raises
        ------
        ArgumentTypeError
            A non-numeric column named in ``columns`` or an array that is not numeric.
        ColumnError, ShapeError, ArgumentError
            A missing or repeated column name, a wrongly shaped array (no columns) or
            ``groups``, a bad constructor argument (checked here, not in ``__init__``).
        DataError
            An all-missing column; an infinite training value (with ``nonfinite="error"``),
            naming column, group and count; a column whose spread float64 cannot hold.

        Examples
        --------
        >>> import numpy as np, seqprep
        >>> seqprep.Scaler().fit(np.array([[1.0], [np.inf]]))
        Traceback (most recent call last):
        ...
        seqprep.DataError: `data` must have finite training values: ... Received: 1 infinite value in 2 training rows; column 0: 1 value. ...
        >>> seqprep.Scaler(nonfinite="ignore").fit(np.array([[1.0], [np.inf], [3.0]])).center_
        array([2.])
        """
        _check_params(self.method, self.by, self.columns, self.nonfinite)
        data = _frame_if_series(as_pandas(data))  # Arrow, polars: seqprep._tables
        if isinstance(data, Windows):
            values, labels, columns, kind, width = self._fit_windows(data, groups)
            targets = tuple(data.target_names) if data.has_targets else None
            names_in = list(data.feature_names)
        elif isinstance(data, pd.DataFrame):
            values, labels, columns, kind, width = self._fit_frame(data, groups)
            targets, names_in = None, list(data.columns)
        else:
            values, labels, columns, kind, width = self._fit_array(data, groups)
            targets, names_in = None, None
        if len(values) == 0:
            raise ShapeError(
                "`data` must have at least one row to fit on. Received: 0 rows. Fit on the "
                "training rows (e.g. `split_by_time(...).train`)."
            )
        codes, group_labels = _group_codes(labels, len(values))
        values, ignored = self._finite_values(values, codes, columns, group_labels)
        center, scale = _statistics(values, codes, len(group_labels or (0,)), self.method)
        _check_statistics(center, scale, values, codes, columns, group_labels, self.method)
        self.columns_ = tuple(columns)
        self.targets_ = targets
        self.groups_ = group_labels
        self.center_ = center if group_labels is not None else center[0]
        self.scale_ = scale if group_labels is not None else scale[0]
        self.n_rows_seen_ = int(len(values))
        self.n_nonfinite_ignored_ = ignored
        self._kind = kind
        self._width = width
        self._set_features_in(names_in, width)
        return self

    def _set_features_in(self, names: list | None, width: int | None) -> None:
        """``n_features_in_`` and, when every name is a string, ``feature_names_in_``."""
        if names is not None:
            self.n_features_in_ = len(names)
        elif width is not None:
            self.n_features_in_ = int(width)
        else:  # only a stored state can lack both (from_dict reports it as unreadable)
            raise TypeError("a Scaler state needs feature names or a width")
        self.__dict__.pop("feature_names_in_", None)
        if names is not None and all(isinstance(c, str) for c in names):
            self.feature_names_in_ = np.asarray(names, dtype=object)

    def _finite_values(self, values: np.ndarray, codes: np.ndarray, columns: list,
                       group_labels: tuple | None) -> tuple[np.ndarray, int]:
        """Refuse infinite training values, or (``nonfinite="ignore"``) make them missing."""
        inf = np.isinf(values)
        n_inf = int(inf.sum())
        if not n_inf:
            return values, 0
        if self.nonfinite == "ignore":
            return np.where(inf, np.nan, values), n_inf
        per_column = inf.sum(axis=0)
        parts = []
        for c in np.flatnonzero(per_column)[:5]:
            where = ""
            if group_labels is not None:
                hit = pd.unique(codes[inf[:, c]])
                shown = ", ".join(show(group_labels[g]) for g in hit[:3])
                etc = ", ..." if len(hit) > 3 else ""
                where = f" in {plural(len(hit), 'group')} ({shown}{etc})"
            count = plural(int(per_column[c]), "value")
            parts.append(f"column {show(columns[c])}: {count}{where}")
        more = int(np.count_nonzero(per_column)) - len(parts)
        tail = f"; and {plural(more, 'more column')}" if more else ""
        raise DataError(
            f"`data` must have finite training values: an infinite value makes its column's "
            f"statistics inf or NaN and every scaled value NaN. Received: "
            f"{plural(n_inf, 'infinite value')} in {plural(len(values), 'training row')}; "
            f"{'; '.join(parts)}{tail}. "
            "Fix or drop those rows, or pass nonfinite='ignore' to fit on the finite values "
            "only (they stay infinite when transformed)."
        )

    def fit_transform(self, data: Any, y: Any = None, *, groups: Any = None) -> Any:
        """``fit(data)`` then ``transform(data)``."""
        return self.fit(data, groups=groups).transform(data, groups=groups)

    def _columns_arg(self) -> list | None:
        if self.columns is None:
            return None
        if isinstance(self.columns, (str, bytes)) or np.isscalar(self.columns):
            return [self.columns]
        return list(self.columns)

    def _fit_frame(self, data: pd.DataFrame, groups: Any):
        if groups is not None:
            raise ArgumentError(
                f"`groups` must be None for a DataFrame: groups come from the column "
                f"by={show(self.by)}. Received: groups={show(groups)}."
            )
        no_duplicate_columns(data)
        if self.by is not None and self.by not in data.columns:
            raise ColumnError(
                f"`by` names a column not in the data: {show(self.by)}. Available columns: "
                f"{_listed(data.columns)}."
            )
        wanted = self._columns_arg()
        if wanted is None:
            columns = [c for c in data.columns if c != self.by and _numeric(data[c])]
            if not columns:
                raise ArgumentTypeError(
                    f"`data` has no numeric columns to scale. Received columns: "
                    f"{', '.join(f'{show(c)} ({data[c].dtype})' for c in data.columns[:20])}"
                    f"{' ...' if len(data.columns) > 20 else ''}. Encode them as numbers first."
                )
        else:
            columns = _frame_columns(data, wanted, self.by)
        labels = data[self.by].to_numpy() if self.by is not None else None
        return _float_columns(data, columns), labels, columns, "frame", None

    def _fit_array(self, data: Any, groups: Any):
        arr = _array2d("data", data)
        if arr.shape[1] == 0:
            raise ShapeError(
                f"`data` must have at least one column to scale. Received: 0 feature(s) "
                f"(shape={arr.shape}) while a minimum of 1 is required. Pass the rows with "
                "their columns, e.g. `x.reshape(-1, 1)`."
            )
        wanted = self._columns_arg()
        columns = list(range(arr.shape[1])) if wanted is None else \
            as_positions("columns", wanted, arr.shape[1])
        labels = self._array_groups(groups, len(arr), "rows")
        return arr[:, columns].astype(np.float64), labels, columns, "array", arr.shape[1]

    def _fit_windows(self, w: Windows, groups: Any):
        _no_groups_argument(groups)
        if self.by is not None and w.rows.groups is None:
            raise ArgumentError(
                f"`by` asks for per-group statistics, but the Windows have no groups. Received: "
                f"by={show(self.by)}. Pass group= to `make_windows`, or use by=None."
            )
        names = list(w.feature_names)
        if w.has_targets:
            names += [t for t in w.target_names if t not in names]
        covariates = {} if w.covariates is None else w.covariates.sources()
        for cov_names, _ in covariates.values():  # static and known-future columns
            names += [c for c in cov_names if c not in names]
        wanted = self._columns_arg()
        columns = names if wanted is None else wanted
        missing = [c for c in columns if c not in names]
        if missing:
            raise ColumnError(
                f"`columns` names {plural(len(missing), 'column')} that are neither features "
                f"nor targets of the Windows: {_listed(missing)}. Available: "
                f"{_listed(names)}."
            )
        mask = covered_rows(w)
        blocks = []
        target_source = w.target_source  # None without targets
        for c in columns:
            if c in w.feature_names:
                blocks.append(w.source[mask, w.feature_names.index(c)])
            elif target_source is not None and c in w.target_names:
                blocks.append(target_source[mask, w.target_names.index(c)])
            else:
                cov_names, src = next(v for v in covariates.values() if c in v[0])
                blocks.append(src[mask, cov_names.index(c)])
        values = np.column_stack(blocks).astype(np.float64)
        row_groups = w.rows.groups  # not None when by is not (refused above)
        labels = row_groups[mask] if self.by is not None and row_groups is not None else None
        return values, labels, columns, "windows", None

    def _array_groups(self, groups: Any, n: int, what: str) -> np.ndarray | None:
        if self.by is None:
            if groups is not None:
                raise ArgumentError(
                    f"`groups` is only used with per-group statistics, and this Scaler has "
                    f"by=None. Received: groups={show(groups)}. Drop `groups`, or create the "
                    "Scaler with `by`."
                )
            return None
        if groups is None:
            raise ArgumentError(
                f"`groups` is required for arrays: the Scaler keeps per-group statistics "
                f"(by={show(self.by)}). Received: groups=None for {plural(n, what[:-1])}. "
                "Pass the "
                f"group of each of the {what}, e.g. groups=windows.index['group']."
            )
        labels = np.asarray(groups)
        if labels.ndim != 1 or len(labels) != n:
            raise ShapeError(
                f"`groups` must hold one label per {what[:-1]}: shape ({n},). Received: "
                f"{show(groups)} of shape {labels.shape}."
            )
        return labels

    # -------------------------------------------------------------------- transform

    def _check_fitted(self, method: str) -> None:
        if not hasattr(self, "center_"):
            raise NotFittedError(
                f"`Scaler.{method}` needs a fitted Scaler. Received: {self!r}, never fitted. "
                "Call `.fit(train)` on the training rows first, or `.fit_transform(train)`."
            )

    def _codes(self, labels: np.ndarray | None, where: str) -> np.ndarray | None:
        """Row codes into ``groups_``; raise for labels never fitted."""
        if self.groups_ is None:
            return None
        codes = self._lookup(labels)
        if (codes < 0).any():
            unseen = pd.unique(pd.Series(np.asarray(labels, dtype=object)[codes < 0]))
            shown = ", ".join(map(show, unseen[:10])) + (" ..." if len(unseen) > 10 else "")
            fitted = ", ".join(map(show, self.groups_[:10])) + \
                (" ..." if len(self.groups_) > 10 else "")
            raise DataError(
                f"`{where}` has {plural(len(unseen), 'group')} the Scaler never saw in `fit` "
                f"(by={show(self.by)}): {shown}. Statistics exist only for the "
                f"{plural(len(self.groups_), 'group')} fitted: {fitted}. Fit on training rows "
                "of every group, drop these groups, or use by=None."
            )
        return codes

    def _lookup(self, labels: Any) -> np.ndarray:
        """Index of each label in ``groups_``, -1 for labels never fitted."""
        codes, uniq = pd.factorize(pd.Series(np.asarray(labels, dtype=object)), sort=False)
        return pd.Index(self.groups_).get_indexer(uniq)[codes] if len(uniq) else codes

    def _stats(self, col_idx: list[int], codes: np.ndarray | None):
        center = np.atleast_2d(self.center_)[:, col_idx]
        scale = np.atleast_2d(self.scale_)[:, col_idx]
        if codes is None:
            return center[0], scale[0]
        return center[codes], scale[codes]

    def transform(self, data: Any, *, groups: Any = None) -> Any:
        """Scale ``data`` with the fitted statistics: ``(x - center_) / scale_``.

        Parameters
        ----------
        data : pandas.DataFrame or Series, 2D numpy.ndarray, or Windows
            A DataFrame must hold every column in ``columns_`` (others pass through). A 2D
            array has either the width of the array fitted on (columns are positions) or
            one column per entry of ``columns_``, in that order. A Windows has its features
            and targets scaled (those in ``columns_``). An Arrow or polars table is read as
            a pandas DataFrame, and comes back as one (``set_output(transform="polars")``
            for polars).
        groups : array-like, optional
            Arrays only, with ``by``: the group of each row.

        Returns
        -------
        Same type as ``data``
            A new DataFrame (same index and columns; float columns keep their dtype, masked
            ``Int64``/``Float64`` ones become ``Float64`` with ``<NA>`` kept, others
            float64), Series, array (float) or Windows (same samples and index, a scaled
            copy of its source). With :meth:`set_output`, arrays come back as DataFrames.
        """
        self._check_fitted("transform")
        return self._apply(data, groups, inverse=False)

    def inverse_transform(self, data: Any, *, groups: Any = None) -> Any:
        """Undo :meth:`transform`: ``x * scale_ + center_``. Takes what ``transform`` takes."""
        self._check_fitted("inverse_transform")
        return self._apply(data, groups, inverse=True)

    def _apply(self, data: Any, groups: Any, *, inverse: bool) -> Any:
        data = as_pandas(data)  # Arrow, polars: seqprep._tables (pandas comes back)
        if isinstance(data, Windows):
            return self._apply_windows(data, groups, inverse)
        if isinstance(data, pd.Series):
            return self._apply_frame(_frame_if_series(data), groups, inverse).iloc[:, 0]
        if isinstance(data, pd.DataFrame):
            return self._wrap(self._apply_frame(data, groups, inverse), None)
        out = self._apply_array(data, groups, inverse)
        return self._wrap(out, getattr(data, "index", None))

    # ------------------------------------------------------------ scikit-learn output

    def set_output(self, *, transform: str | None = None) -> Scaler:
        """Choose the container ``transform`` returns for arrays, as scikit-learn's ``set_output``.

        Parameters
        ----------
        transform : {"default", "pandas", "polars"} or None
            ``"pandas"``: arrays come back as DataFrames with columns
            :meth:`get_feature_names_out` (DataFrames already do); ``"polars"``: as polars
            DataFrames; ``"default"``: as given (arrays stay arrays), following
            scikit-learn's global ``transform_output`` when scikit-learn is in use;
            ``None``: unchanged. Windows always stay Windows.

        Returns
        -------
        Scaler
            ``self``.
        """
        if transform is not None:
            self._sklearn_output_config = {"transform": choice("transform", transform, _OUTPUTS)}
        return self

    def _output(self) -> str:
        kind = getattr(self, "_sklearn_output_config", {}).get("transform", "default")
        if kind == "default" and "sklearn" in sys.modules:  # scikit-learn's global setting
            kind = sys.modules["sklearn"].get_config().get("transform_output", "default")
        return kind

    def _wrap(self, out: Any, index: Any) -> Any:
        """``out`` in the container :meth:`set_output` asked for."""
        kind = self._output()
        if kind == "default":
            return out
        if not isinstance(out, pd.DataFrame):
            names = self.get_feature_names_out()
            index = index if isinstance(index, pd.Index) and len(index) == len(out) else None
            out = pd.DataFrame(out, columns=names if len(names) == out.shape[1] else None,
                               index=index)
        if kind == "polars":
            pl = require("polars", "polars", "set_output(transform='polars')")
            return pl.from_pandas(out.rename(columns=str))
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the columns ``transform`` returns: the input's (scaling keeps columns).

        Parameters
        ----------
        input_features : array-like of str, optional
            Must match ``feature_names_in_`` when it exists, or have ``n_features_in_``
            names. Defaults to ``feature_names_in_``, or ``x0, x1, ...``.

        Returns
        -------
        numpy.ndarray of str (object dtype)
        """
        self._check_fitted("get_feature_names_out")
        fitted = getattr(self, "feature_names_in_", None)
        if input_features is None:
            if fitted is not None:
                return fitted.copy()
            return np.asarray([f"x{i}" for i in range(self.n_features_in_)], dtype=object)
        names = np.asarray(list(input_features), dtype=object)
        if fitted is not None and (len(names) != len(fitted) or (names != fitted).any()):
            raise ArgumentError(
                f"`input_features` is not equal to feature_names_in_: the Scaler was fitted on "
                f"{show(list(fitted))}. Received: input_features={show(list(names))}. Pass "
                "None, or the names fitted on."
            )
        if len(names) != self.n_features_in_:
            raise ArgumentError(
                f"`input_features` should have length equal to the number of features "
                f"({self.n_features_in_}). Received: {len(names)} names."
            )
        return names

    def _apply_frame(self, data: pd.DataFrame, groups: Any, inverse: bool) -> pd.DataFrame:
        if groups is not None:
            raise ArgumentError(
                f"`groups` must be None for a DataFrame: groups come from the column "
                f"by={show(self.by)}. Received: groups={show(groups)}."
            )
        if self._kind == "array":
            raise ArgumentTypeError(
                "`data` must be a 2D array: this Scaler was fitted on an array, so its columns "
                f"are positions {list(self.columns_)}. Received: a DataFrame. Pass "
                "`df.to_numpy()`, or fit on a DataFrame."
            )
        no_duplicate_columns(data)
        missing = [c for c in self.columns_ if c not in data.columns]
        if missing:
            raise ColumnError(
                f"`data` lacks {plural(len(missing), 'column')} the Scaler was fitted on: "
                f"{_listed(missing)}. Received columns: {_listed(data.columns)}."
            )
        _frame_columns(data, list(self.columns_), None)  # numeric check
        labels = None
        if self.groups_ is not None:
            if self.by not in data.columns:
                raise ColumnError(
                    f"`data` lacks the group column by={show(self.by)} the Scaler needs for its "
                    f"per-group statistics. Received columns: {_listed(data.columns)}."
                )
            labels = data[self.by].to_numpy()
        codes = self._codes(labels, "data")
        cols = list(self.columns_)
        center, scale = self._stats(list(range(len(cols))), codes)
        new = _affine(_float_columns(data, cols), center, scale, inverse, cols)
        out = data.copy()
        for j, c in enumerate(cols):
            out[c] = _like(new[:, j], data[c].dtype, _scaled(c, inverse))
        return out

    def _apply_array(self, data: Any, groups: Any, inverse: bool) -> np.ndarray:
        arr = _array2d("data", data)
        if self._kind == "array" and arr.shape[1] == self._width:
            col_pos = list(self.columns_)
        elif arr.shape[1] == len(self.columns_):
            col_pos = list(range(len(self.columns_)))
        else:
            widths = [len(self.columns_)]
            if self._kind == "array" and self._width != len(self.columns_):
                widths.insert(0, self._width)
            raise ShapeError(
                f"`data` must have {' or '.join(map(str, widths))} columns: "
                + ("the width of the array fitted on, or " if len(widths) > 1 else "")
                + f"one per scaled column {list(self.columns_)}. Received: array of shape "
                f"{arr.shape} (X has {arr.shape[1]} features, but Scaler is expecting "
                f"{widths[0]} features as input). Select those columns first."
            )
        codes = self._codes(self._array_groups(groups, len(arr), "rows"), "groups")
        center, scale = self._stats(list(range(len(self.columns_))), codes)
        out = arr.astype(arr.dtype if np.issubdtype(arr.dtype, np.floating) else np.float64,
                         copy=True)
        names = list(self.columns_)  # the k-th of col_pos is scaled column k
        new = _affine(out[:, col_pos].astype(np.float64), center, scale, inverse, names)
        _put(out, col_pos, new, [_scaled(c, inverse) for c in names])
        return out

    def _apply_windows(self, w: Windows, groups: Any, inverse: bool) -> Windows:
        _no_groups_argument(groups)
        if self.groups_ is not None and w.rows.groups is None:
            raise ArgumentError(
                f"`data` must have groups: the Scaler keeps per-group statistics "
                f"(by={show(self.by)}) and the Windows have none. Pass group= to `make_windows`."
            )
        feats = [(j, self.columns_.index(c)) for j, c in enumerate(w.feature_names)
                 if c in self.columns_]
        targs = [] if not w.has_targets else [
            (j, self.columns_.index(c)) for j, c in enumerate(w.target_names)
            if c in self.columns_]
        covariates = {} if w.covariates is None else w.covariates.sources()
        cov_pairs = {role: [(j, self.columns_.index(c)) for j, c in enumerate(cov_names)
                            if c in self.columns_] for role, (cov_names, _) in covariates.items()}
        if not feats and not targs and not any(cov_pairs.values()):
            raise ColumnError(
                f"`data`: none of the Windows' features {list(w.feature_names)} or targets "
                f"{list(w.target_names)} is a column the Scaler was fitted on "
                f"({list(self.columns_)}). Fit the Scaler on data with the same column names."
            )
        codes = None
        row_groups = w.rows.groups  # not None when groups_ is not (refused above)
        if self.groups_ is not None and row_groups is not None:
            codes = self._lookup(row_groups)
            read = covered_rows(w) & (codes < 0)
            if read.any():
                self._codes(row_groups[read], "data")  # raises, naming the unseen groups

        def apply(src: np.ndarray, pairs: list) -> np.ndarray:
            dtype = src.dtype if np.issubdtype(src.dtype, np.floating) else np.float64
            out = src.astype(dtype, copy=True)
            if not pairs:
                return out
            dst, idx = [p[0] for p in pairs], [p[1] for p in pairs]
            if codes is None:
                center, scale = self._stats(idx, None)
            else:  # rows of groups never fitted are read by no sample: leave them missing
                known = codes >= 0
                center = np.full((len(src), len(idx)), np.nan)
                scale = np.ones((len(src), len(idx)))
                center[known], scale[known] = self._stats(idx, codes[known])
            names = [self.columns_[i] for i in idx]
            new = _affine(src[:, dst].astype(np.float64), center, scale, inverse, names)
            _put(out, dst, new, [_scaled(c, inverse) for c in names])
            return out

        source = apply(w.source, feats)
        target_source = None if w.target_source is None else apply(w.target_source, targs)
        new_covariates = None if w.covariates is None else w.covariates.with_sources(
            **{role: apply(src, cov_pairs[role]) for role, (_, src) in covariates.items()})
        note = (UNSCALED_NOTE if inverse else SCALED_NOTE) + repr(self)
        return w.derive(source=source, target_source=target_source, note=note,
                        scaled=not inverse, covariates=new_covariates)

    # ---------------------------------------------------------------------- targets

    def _target_columns(self, targets: Any) -> list[int]:
        names = self.targets_ if targets is None else (
            [targets] if isinstance(targets, (str, bytes)) or np.isscalar(targets)
            else list(targets))
        if names is None:
            raise ArgumentError(
                "`targets` is required: this Scaler was not fitted on Windows, so it does not "
                f"know which of its columns {list(self.columns_)} are the targets. Received: "
                "targets=None. Pass them in the order of the model's outputs, e.g. "
                "targets=windows.target_names."
            )
        missing = [t for t in names if t not in self.columns_]
        if missing:
            raise ColumnError(
                f"`targets` names {plural(len(missing), 'column')} the Scaler was not fitted "
                f"on: {_listed(missing)}. Fitted columns: "
                f"{_listed(self.columns_)}."
            )
        return [self.columns_.index(t) for t in names]

    def transform_targets(self, y: Any, *, groups: Any = None, targets: Any = None) -> np.ndarray:
        """Scale target values shaped like ``Windows.y``: see :meth:`inverse_transform_targets`."""
        self._check_fitted("transform_targets")
        return self._apply_targets(y, groups, targets, inverse=False)

    def inverse_transform_targets(self, y: Any, *, groups: Any = None,
                                  targets: Any = None) -> np.ndarray:
        """Predictions of scaled targets back in the original units.

        Parameters
        ----------
        y : array-like of shape ``(samples, horizon * n_targets)``, ``(samples, horizon,
            n_targets)`` or ``(samples,)`` (one target, one step)
            Laid out like ``Windows.y`` (step-major: column ``h * n_targets + j`` is target
            ``j`` at step ``h + 1``) or ``Windows.y_steps``; what ``model.predict`` returns.
        groups : array-like of length ``samples``, optional
            With per-group statistics: the group of each sample, e.g.
            ``windows.index["group"]``.
        targets : list, optional
            The target columns, in output order. Defaults to ``targets_`` (the Windows
            fitted on).

        Returns
        -------
        numpy.ndarray
            Same shape as ``y``, ``float64``.
        """
        self._check_fitted("inverse_transform_targets")
        return self._apply_targets(y, groups, targets, inverse=True)

    def _apply_targets(self, y: Any, groups: Any, targets: Any, inverse: bool) -> np.ndarray:
        idx = self._target_columns(targets)
        arr = _numeric_array("y", y).astype(np.float64)
        nt = len(idx)
        if arr.ndim == 1 and nt == 1:
            steps = arr[:, None, None]
        elif arr.ndim == 2 and arr.shape[1] % nt == 0:
            steps = arr.reshape(len(arr), -1, nt)
        elif arr.ndim == 3 and arr.shape[2] == nt:
            steps = arr
        else:
            raise ShapeError(
                f"`y` must be (samples, horizon * n_targets) or (samples, horizon, n_targets) "
                f"with n_targets={nt} ({', '.join(map(repr, (self.columns_[i] for i in idx)))}). "
                f"Received: array of shape {arr.shape}. Pass `targets=` to name the columns "
                "the model predicts."
            )
        codes = self._codes(self._array_groups(groups, len(arr), "samples"), "groups")
        center, scale = self._stats(idx, codes)
        if codes is not None:
            center, scale = center[:, None, :], scale[:, None, :]
        names = [self.columns_[i] for i in idx]
        return _affine(steps, center, scale, inverse, names).reshape(arr.shape)

    # ---------------------------------------------------------------- persistence

    def to_dict(self) -> dict:
        """The parameters and fitted statistics as plain JSON-able values.

        Returns
        -------
        dict
            ``json.dumps`` it to store it next to a model; :meth:`from_dict` reads it back.

        Examples
        --------
        >>> import json, numpy as np, seqprep
        >>> sc = seqprep.Scaler("robust").fit(np.array([[1.0], [2.0], [4.0]]))
        >>> back = seqprep.Scaler.from_dict(json.loads(json.dumps(sc.to_dict())))
        >>> back, back.center_, back.scale_
        (Scaler('robust'), array([2.]), array([1.5]))
        """
        self._check_fitted("to_dict")

        def plain(name: str, values: Any) -> list | None:
            if values is None:
                return None
            out = [_plain(v) for v in values]
            bad = [v for v in out if not isinstance(v, (str, int, float, bool))]
            if bad:
                raise ArgumentTypeError(
                    f"`to_dict` needs {name} that JSON can hold (str, int, float or bool). "
                    f"Received: {show(bad[0])} of type {type(bad[0]).__name__}. Rename them "
                    "before fitting, e.g. with `df.rename(columns=str)`."
                )
            return out

        by = plain("`by`", None if self.by is None else [self.by])
        return {
            "class": "seqprep.Scaler",
            "version": _STATE_VERSION,
            "params": {
                "method": self.method,
                "by": None if by is None else by[0],
                "columns": plain("`columns`", self._columns_arg()),
                "nonfinite": self.nonfinite,
            },
            "fitted": {
                "kind": self._kind,
                "width": self._width,
                "columns": plain("column names", self.columns_),
                "targets": plain("target names", self.targets_),
                "groups": plain("group labels", self.groups_),
                "center": np.asarray(self.center_).tolist(),
                "scale": np.asarray(self.scale_).tolist(),
                "n_rows_seen": self.n_rows_seen_,
                "n_nonfinite_ignored": self.n_nonfinite_ignored_,
                "features_in": plain("feature names", getattr(self, "feature_names_in_", None)),
                "n_features_in": self.n_features_in_,
            },
        }

    @classmethod
    def from_dict(cls, state: dict) -> Scaler:
        """A fitted Scaler from :meth:`to_dict`'s output."""
        if not isinstance(state, dict) or state.get("class") != "seqprep.Scaler":
            raise ArgumentError(
                f"`state` must be a dict made by `Scaler.to_dict()`. Received: {show(state)}."
            )
        if state.get("version") != _STATE_VERSION:
            raise ArgumentError(
                f"`state` has version {show(state.get('version'))}; this seqprep reads version "
                f"{_STATE_VERSION}. Refit the Scaler and store it again."
            )
        try:
            params, fitted = state["params"], state["fitted"]
            sc = cls(params["method"], by=params["by"], columns=params["columns"],
                     nonfinite=params.get("nonfinite", "error"))
            _check_params(sc.method, sc.by, sc.columns, sc.nonfinite)
            columns = tuple(fitted["columns"])
            groups = None if fitted["groups"] is None else tuple(fitted["groups"])
            center = np.asarray(fitted["center"], dtype=np.float64)
            scale = np.asarray(fitted["scale"], dtype=np.float64)
            shape = (len(columns),) if groups is None else (len(groups), len(columns))
            if center.shape != shape or scale.shape != shape:
                raise ValueError(f"center {center.shape} and scale {scale.shape}, not {shape}")
            if not (np.isfinite(center).all() and np.isfinite(scale).all() and (scale > 0).all()):
                raise ValueError("center and scale must be finite, and scale > 0")
            sc.columns_ = columns
            sc.targets_ = None if fitted["targets"] is None else tuple(fitted["targets"])
            sc.groups_ = groups
            sc.center_, sc.scale_ = center, scale
            sc.n_rows_seen_ = int(fitted["n_rows_seen"])
            sc.n_nonfinite_ignored_ = int(fitted.get("n_nonfinite_ignored", 0))
            sc._kind, sc._width = fitted["kind"], fitted["width"]
            sc._set_features_in(fitted.get("features_in"),
                                fitted.get("n_features_in", sc._width or len(columns)))
        except (KeyError, TypeError, ValueError) as exc:
            raise ArgumentError(
                f"`state` is not a readable Scaler state: {type(exc).__name__}: {exc}. "
                "Store it with `Scaler.to_dict()` and pass it back unchanged."
            ) from None
        return sc


# ---------------------------------------------------------------------- helpers


def _check_params(method: Any, by: Any, columns: Any, nonfinite: Any) -> None:
    """The constructor arguments, checked by ``fit`` (``__init__`` only stores them)."""
    choice("method", method, _METHODS)
    choice("nonfinite", nonfinite, _NONFINITE)
    if by is not None and (not isinstance(by, Hashable) or isinstance(by, tuple)):
        raise ArgumentTypeError(
            f"`by` must be one column name. Received: by={show(by)}. Group by one column; "
            "combine several into one first, e.g. `df['key'] = df['a'] + '/' + df['b']`."
        )
    if columns is not None and not (isinstance(columns, (str, bytes)) or np.isscalar(columns)):
        items = listed("columns", columns, "a column name or a list of them", "['a', 'b']")
        if not items:
            raise ArgumentError(
                f"`columns` must name at least one column, or be None for all. Received: "
                f"columns={show(columns)}."
            )
        if by is not None and by in items:
            raise ArgumentError(
                f"`columns` must not include the group column by={show(by)}: group labels are "
                f"not scaled. Received: columns={show(columns)}."
            )


def _listed(names: Any, most: int = 20) -> str:
    """The first ``most`` names, shortened, for a message."""
    shown = ", ".join(show(c, 40) for c in list(names[:most]))
    return shown + (f", ... ({len(names):,} in all)" if len(names) > most else "")


def _frame_if_series(data: Any) -> Any:
    """A pandas Series as a one-column DataFrame (named 0 when unnamed), as make_windows does."""
    if isinstance(data, pd.Series):
        return data.to_frame(name=data.name if data.name is not None else 0)
    return data


def _float_columns(data: pd.DataFrame, columns: list) -> np.ndarray:
    """A DataFrame's numeric columns as float64 for scaling, under the one casting rule
    (``seqprep._columns``): masked columns (``Int64``/``Float64``) give NaN for ``<NA>``."""
    return numeric_block(data, list(columns), "columns", np.dtype(np.float64))


def _like(values: np.ndarray, dtype: Any, role: str) -> Any:
    """Scaled float64 values in the dtype of their column: float stays float (same width,
    under the casting rule: a value that overflows it is refused, naming ``role``),
    masked (``Int64``/``Float64``) becomes ``Float64`` with ``<NA>`` kept, others float64."""
    if isinstance(dtype, pd.api.extensions.ExtensionDtype):
        return pd.array(values, dtype="Float64")  # NaN -> <NA>
    if np.issubdtype(dtype, np.floating):
        return cast(values, dtype, role=role)
    return values


def _scaled(name: Any, inverse: bool) -> str:
    """How a scaled column is named in a casting refusal: ``x scaled``/``x unscaled``."""
    return f"{name} {'unscaled' if inverse else 'scaled'}"


def _put(out: np.ndarray, dst: list, new: np.ndarray, roles: list[str]) -> None:
    """Write the float64 columns ``new`` into columns ``dst`` of ``out`` (its own dtype,
    e.g. the windows' float32) under the one casting rule (:func:`seqprep._columns.cast`):
    a finite value that would overflow to ``inf`` there is refused, naming its column."""
    for k, (j, role) in enumerate(zip(dst, roles)):
        out[:, j] = cast(new[:, k], out.dtype, role=role)


def _group_codes(labels: Any, n: int) -> tuple[np.ndarray, tuple | None]:
    """Sorted group codes of ``labels`` (zeros without groups); refuse missing labels."""
    if labels is None:
        return np.zeros(n, dtype=np.int64), None
    codes, uniq = pd.factorize(pd.Series(labels), sort=True, use_na_sentinel=True)
    if (codes < 0).any():
        raise DataError(
            f"`by` must have no missing group labels. Received: "
            f"{plural(int((codes < 0).sum()), 'row')} without a group. Drop or label "
            "those rows."
        )
    return codes, tuple(_plain(g) for g in uniq)


def _check_statistics(center: np.ndarray, scale: np.ndarray, values: np.ndarray,
                      codes: np.ndarray, columns: list, group_labels: tuple | None,
                      method: str) -> None:
    """Refuse a column without values, or whose spread overflows float64."""
    def where(g: int) -> str:
        return f" in group {show(group_labels[g])}" if group_labels is not None else ""

    bad = np.argwhere(np.isnan(center))
    if len(bad):
        g, c = bad[0]
        raise DataError(
            f"`data` column {show(columns[c])} has no values{where(g)} to fit on: every "
            f"training row is missing. Received: {plural(len(values), 'row')}. Fill or drop "
            "the column, or leave it out of `columns`."
        )
    bad = np.argwhere(~np.isfinite(scale))
    if len(bad):
        g, c = bad[0]
        col = values[codes == g, c]
        spread = "max - min" if method == "minmax" else "the interquartile range"
        raise DataError(
            f"`data` column {show(columns[c])}{where(g)} spreads wider than float64 can "
            f"hold: its {spread} exceeds {np.finfo(np.float64).max:.3g}. Received: values "
            f"from {np.nanmin(col):.6g} to {np.nanmax(col):.6g}. Divide the column by a power "
            "of ten first, or use method='standard'."
        )


def _affine(values: np.ndarray, center: Any, scale: Any, inverse: bool,
            names: list) -> np.ndarray:
    """``(x - center) / scale``, or ``x * scale + center``, without overflow in between.

    Where the direct formula overflows for a finite ``x`` (``x - center`` past float64's
    range while the result is not), the result is computed by parts instead. A finite
    ``x`` whose result itself lies beyond float64 is refused (:class:`DataError` naming
    its column, from ``names`` along the last axis), never returned as ``inf``.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        out = values * scale + center if inverse else (values - center) / scale
        redo = ~np.isfinite(out) & np.isfinite(values)
        if redo.any():
            c = np.broadcast_to(center, out.shape)[redo]
            s = np.broadcast_to(scale, out.shape)[redo]
            x = values[redo]
            out[redo] = (x * (s / 2) + c / 2) * 2 if inverse else x / s - c / s
    grown = np.isinf(out) & np.isfinite(values)
    if grown.any():
        raise _overflow(values, center, scale, grown, names, inverse)
    return out


def _overflow(values: np.ndarray, center: Any, scale: Any, grown: np.ndarray, names: list,
              inverse: bool) -> DataError:
    """The error for finite values whose scaled value lies beyond float64 (see _affine)."""
    at = tuple(np.argwhere(grown)[0])
    c = np.broadcast_to(center, values.shape)[at]
    s = np.broadcast_to(scale, values.shape)[at]
    formula = "x * scale + center" if inverse else "(x - center) / scale"
    fix = ("Pass values in the scaled units the Scaler produces." if inverse else
           "Fit the Scaler on rows that span the values it transforms (this column's training "
           "spread is tiny next to them), or divide the column by a power of ten first.")
    return DataError(
        f"`data` column {show(names[at[-1]])} must stay within float64 once "
        f"{'unscaled' if inverse else 'scaled'}. Received: {plural(int(grown.sum()), 'value')} "
        f"whose result overflows to inf (the first, {show(values[at].item())} at row {at[0]}: {formula} "
        f"with center={c:.6g}, scale={s:.6g}). {fix}")


def _numeric(series: pd.Series) -> bool:
    return (pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
            and not pd.api.types.is_complex_dtype(series))


def _frame_columns(data: pd.DataFrame, wanted: list, by: Any) -> list:
    missing = [c for c in wanted if c not in data.columns]
    if missing:
        raise ColumnError(
            f"`columns` names {plural(len(missing), 'column')} not in the data: "
            f"{_listed(missing)}. Available columns: {_listed(data.columns)}."
        )
    bad = [c for c in wanted if not _numeric(data[c])]
    if bad:
        kinds = ", ".join(f"{show(c)} ({data[c].dtype})" for c in bad[:20])
        raise ArgumentTypeError(
            f"`columns` must be numeric (not bool) to be scaled. Received non-numeric: {kinds}. "
            "Encode them as numbers first, or leave them out of `columns`."
        )
    return list(wanted)


def _no_groups_argument(groups: Any) -> None:
    if groups is not None:
        raise ArgumentError(
            f"`groups` must be None for Windows: they carry their own groups. Received: "
            f"groups={show(groups)}."
        )


def _numeric_array(name: str, data: Any) -> np.ndarray:
    if not isinstance(data, Windows) and hasattr(data, "take") and hasattr(data, "input_shape"):
        raise ArgumentTypeError(
            f"`{name}` must be in memory to be scaled: a DataFrame, a numeric array or "
            f"Windows. Received: a {type(data).__name__}, read from disk batch by batch. Fit "
            "the Scaler on the training rows read into a DataFrame (pandas.read_parquet), "
            "or on in-memory Windows made with make_windows."
        )
    if hasattr(data, "tocsr") or hasattr(data, "todense"):  # scipy.sparse, without importing it
        raise ArgumentTypeError(
            f"`{name}` must be dense: sparse input is not supported (centering would fill it "
            f"in). Received: a {type(data).__name__} of shape {getattr(data, 'shape', '?')}. "
            "Pass `x.toarray()` if it fits in memory."
        )
    try:
        arr = np.asarray(data)
    except (ValueError, TypeError) as exc:
        raise ArgumentTypeError(
            f"`{name}` must be a DataFrame, a numeric array or Windows. Received: "
            f"{type(data).__name__} numpy cannot read ({exc})."
        ) from None
    if arr.dtype == object or not np.issubdtype(arr.dtype, np.number) \
            or np.issubdtype(arr.dtype, np.complexfloating):
        raise ArgumentTypeError(
            f"`{name}` must hold real numbers. Received: {show(arr)}"
            f"{'' if isinstance(data, np.ndarray) else f' (from {type(data).__name__})'}. Pass "
            "a DataFrame to scale its numeric columns next to text ones."
        )
    return arr


def _array2d(name: str, data: Any) -> np.ndarray:
    arr = _numeric_array(name, data)
    if arr.ndim != 2:
        raise ShapeError(
            f"`{name}` must be 2D (rows, columns). Received: {arr.ndim}D array of shape "
            f"{arr.shape}. Reshape your data: `x.reshape(-1, 1)` for one column, or pass "
            "the Windows for 3D windows."
        )
    return arr


def _statistics(values: np.ndarray, codes: np.ndarray, n_groups: int,
                method: str) -> tuple[np.ndarray, np.ndarray]:
    """``center``, ``scale`` of shape ``(n_groups, n_columns)``; ``scale`` never 0.

    A group's column whose largest ``|x|`` reaches ``2**500`` (or is below ``2**-500``) is
    first divided by a power of two (exact: the statistics of ordinary data are unchanged),
    so that sums and squares of values near ``1e308`` do not overflow (nor squares of
    values near ``1e-308`` underflow to zero); the statistics are multiplied back.
    """
    frame = pd.DataFrame(values)
    top = frame.abs().groupby(codes, sort=True).max().to_numpy()
    huge = (top >= _HUGE) | ((top > 0) & (top < 1 / _HUGE))
    power = np.ones_like(top)
    if huge.any():
        power[huge] = np.ldexp(1.0, np.frexp(top[huge])[1] - 1)  # top / power in [1, 2)
        frame = pd.DataFrame(values / power[codes])
    g = frame.groupby(codes, sort=True)
    lo, hi = g.min().to_numpy(), g.max().to_numpy()
    if method == "standard":
        center, scale = g.mean().to_numpy(), g.std(ddof=0).to_numpy()
    elif method == "minmax":
        center, scale = lo, hi - lo
    else:
        center = g.median().to_numpy()
        scale = g.quantile(0.75).to_numpy() - g.quantile(0.25).to_numpy()
    assert center.shape[0] == n_groups
    with np.errstate(over="ignore", under="ignore"):
        center, back = center * power, scale * power
    # constant, or a spread too small for float64 (it underflows to 0 once scaled back)
    constant = (hi == lo) | (scale == 0) | (back == 0)
    return center.astype(np.float64), np.where(constant, 1.0, back).astype(np.float64)
