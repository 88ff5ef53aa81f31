"""Hypothesis strategies for panel time series: sound ones, and ones with named faults.

Use them to test your own pipeline the way seqprep tests its schemas::

    from hypothesis import given
    from seqprep.testing import broken_panels, panel_schema

    @given(broken_panels(fault="gap"))
    def test_my_pipeline_rejects_gaps(broken):
        ...  # broken.frame has one gap; broken.faults[0].rows is the row after it

:func:`panels` draws long tables of one or more groups, each with a regular time axis
(its own start, the same ``freq``) and float features. :func:`broken_panels` draws the
same tables with named faults injected and says where each one is, so a test can assert
that a validator reports exactly those cases. :func:`panel_schema` is the
:class:`~seqprep.SeriesSchema` the sound tables satisfy. All three take the same keyword
arguments. Needs ``hypothesis``: ``pip install 'seqprep[testing]'``.

Faults (:data:`FAULTS` maps each to the check that must report it):

| fault | check | what is injected |
|---|---|---|
| ``duplicate_time`` | ``unique_time`` | a row repeated right after itself |
| ``gap`` | ``regular_freq`` | 1-3 consecutive rows removed inside a group |
| ``nan`` | ``not_null`` | one feature value set to NaN |
| ``infinity`` | ``finite`` | one feature value set to +inf or -inf |
| ``unsorted`` | ``increasing_time`` | the times of two neighbouring rows swapped |
| ``short_group`` | ``min_length`` | one group shorter than ``length[0]`` rows |
| ``wrong_dtype`` | ``dtype`` | one feature column turned into strings |
| ``missing_column`` | ``column_present`` | one feature column dropped |
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from ._args import require, show
from ._errors import ArgumentError
from ._schema import SeriesSchema

require("hypothesis", "testing", "seqprep.testing")
from hypothesis import strategies as st  # noqa: E402

__all__ = ["FAULTS", "BrokenPanel", "Fault", "broken_panels", "panel_schema", "panels"]

#: Each fault :func:`broken_panels` can inject -> the check of ``SeriesSchema`` that reports it.
FAULTS: dict[str, str] = {
    "duplicate_time": "unique_time",
    "gap": "regular_freq",
    "nan": "not_null",
    "infinity": "finite",
    "unsorted": "increasing_time",
    "short_group": "min_length",
    "wrong_dtype": "dtype",
    "missing_column": "column_present",
}
_IN_GROUP = ("duplicate_time", "gap", "unsorted", "short_group")  # one group each
_IN_COLUMN = ("wrong_dtype", "missing_column")                     # one feature each
_IN_CELL = ("nan", "infinity")


class Fault(NamedTuple):
    """One injected fault and where a validator must report it."""

    name: str
    """The fault, a key of :data:`FAULTS`."""
    check: str
    """The :class:`~seqprep.SeriesSchema` check that reports it."""
    column: Hashable | None
    """The column it is in (the time column for time faults)."""
    group: Any
    """The group it is in (None for column faults and for a table without groups)."""
    rows: tuple[int, ...]
    """Rows (0-based positions in ``frame``) the check must report; ``()`` when it reports
    a whole column or group."""


class BrokenPanel(NamedTuple):
    """A table drawn by :func:`broken_panels`, with the faults injected into it."""

    frame: pd.DataFrame
    faults: tuple[Fault, ...]

    @property
    def fault(self) -> str:
        """The fault names, joined by ``+`` (just the name for one fault)."""
        return "+".join(f.name for f in self.faults)


def _bounds(name: str, value: Any, minimum: int) -> tuple[int, int]:
    pair = (value, value) if isinstance(value, (int, np.integer)) else value
    if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
        pair = (None, None)
    lo, hi = pair
    if not (isinstance(lo, (int, np.integer)) and isinstance(hi, (int, np.integer))) \
            or lo < minimum or hi < lo:
        raise ArgumentError(f"`{name}` must be an integer >= {minimum} or a (min, max) pair "
                            f"of them with min <= max. Received: {name}={show(value)}.")
    return int(lo), int(hi)


def panel_schema(*, n_groups: int | tuple[int, int] = (1, 4),
                 length: int | tuple[int, int] = (4, 24),
                 features: Sequence[str] = ("x0", "x1", "x2"), targets: Sequence[str] = (),
                 time: str = "time", group: str | None = "group", freq: str | int = "h",
                 interleave: bool | None = None) -> SeriesSchema:
    """The :class:`~seqprep.SeriesSchema` that :func:`panels` tables satisfy.

    Takes the same arguments as :func:`panels`; ``min_length`` is ``length[0]``.

    Examples
    --------
    >>> from seqprep.testing import panel_schema
    >>> panel_schema(freq="D", length=(5, 10))
    SeriesSchema('time', group='group', features=('x0', 'x1', 'x2'), freq='D', min_length=5)
    """
    lo, _ = _bounds("length", length, 1)
    return SeriesSchema(time, group, tuple(features), tuple(targets), freq=freq,
                        min_length=lo)


def panels(*, n_groups: int | tuple[int, int] = (1, 4),
           length: int | tuple[int, int] = (4, 24),
           features: Sequence[str] = ("x0", "x1", "x2"), targets: Sequence[str] = (),
           time: str = "time", group: str | None = "group", freq: str | int = "h",
           interleave: bool | None = None) -> st.SearchStrategy[pd.DataFrame]:
    """Draw sound long tables of panel series.

    Parameters
    ----------
    n_groups : int or (min, max)
        Groups per table. Defaults to ``(1, 4)``. Ignored (one series) if ``group=None``.
    length : int or (min, max)
        Rows per group. Defaults to ``(4, 24)``.
    features, targets : list of str
        Float columns (finite values in [-1000, 1000]). Defaults to ``("x0", "x1", "x2")``
        and ``()``.
    time : str
        The time column. Defaults to ``"time"``.
    group : str or None
        The group column (labels ``"g0"``, ``"g1"``, ...). Defaults to ``"group"``.
    freq : str or int
        A pandas frequency (datetimes) or a positive integer (integer times). Each group
        starts at its own time on that grid. Defaults to ``"h"``.
    interleave : bool or None
        Lay rows out group after group (False), time step after time step across groups
        (True), or draw either (None, the default).

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from seqprep.testing import panels, panel_schema
    >>> @settings(max_examples=10, deadline=None)
    ... @given(panels(freq="15min"))
    ... def test_valid(df):
    ...     panel_schema(freq="15min").validate(df)
    >>> test_valid()
    """
    return _panel(faults=(), n_groups=n_groups, length=length, features=features,
                  targets=targets, time=time, group=group, freq=freq,
                  interleave=interleave).map(lambda b: b.frame)


def broken_panels(fault: str | Sequence[str] | None = None,
                  **kwargs: Any) -> st.SearchStrategy[BrokenPanel]:
    """Draw tables like :func:`panels` with named faults injected: a :class:`BrokenPanel`.

    Parameters
    ----------
    fault : str, list of str, or None
        The fault to inject (a key of :data:`FAULTS`), several to inject together (each
        in its own group or column, so they do not mask each other), or None to draw one
        at random. Several group faults need as many groups; column faults need a spare
        feature each (plus one for ``nan``/``infinity``).
    **kwargs
        As for :func:`panels`.

    Returns
    -------
    SearchStrategy of BrokenPanel
        ``.frame`` and ``.faults``: for each, its ``name``, the ``check`` that must report
        it, and its ``column``, ``group`` and ``rows``.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from seqprep.testing import broken_panels, panel_schema
    >>> import seqprep
    >>> @settings(max_examples=10, deadline=None)
    ... @given(broken_panels(fault=["gap", "nan"]))
    ... def test_caught(broken):
    ...     try:
    ...         panel_schema().validate(broken.frame)
    ...     except seqprep.ValidationError as err:
    ...         assert set(err.failures["check"]) == {"regular_freq", "not_null"}
    ...     else:
    ...         raise AssertionError("not caught")
    >>> test_caught()
    """
    if fault is None:
        return st.sampled_from(sorted(FAULTS)).flatmap(
            lambda name: _panel(faults=(name,), **kwargs))
    names = (fault,) if isinstance(fault, str) else tuple(fault)
    bad = [f for f in names if f not in FAULTS]
    if bad or not names or len(set(names)) != len(names):
        raise ArgumentError(
            f"`fault` must be one of {', '.join(sorted(FAULTS))}, a list of distinct ones, or "
            f"None. Received: fault={show(fault)}."
        )
    return _panel(faults=names, **kwargs)


class _Spec(NamedTuple):
    """What :func:`_panel` draws: checked arguments, shared by the drawing steps."""

    faults: tuple
    in_group: list
    g_lo: int
    g_hi: int
    lo: int
    hi: int
    features: tuple
    targets: tuple
    time: str
    group: str | None
    kind: str
    offset: Any
    interleave: bool | None


def _panel(*, faults: tuple, n_groups: Any = (1, 4), length: Any = (4, 24),
           features: Sequence[str] = ("x0", "x1", "x2"), targets: Sequence[str] = (),
           time: str = "time", group: str | None = "group", freq: str | int = "h",
           interleave: bool | None = None) -> st.SearchStrategy[BrokenPanel]:
    g_lo, g_hi = _bounds("n_groups", n_groups, 1)
    lo, hi = _bounds("length", length, 1)
    features, targets = tuple(features), tuple(targets)
    schema = SeriesSchema(time, group, features, targets, freq=freq, min_length=lo)
    in_group = [f for f in faults if f in _IN_GROUP]
    in_column = [f for f in faults if f in _IN_COLUMN]
    in_cell = [f for f in faults if f in _IN_CELL]
    if group is None:
        g_lo = g_hi = 1
    if len(in_group) > g_hi:
        raise ArgumentError(
            f"`fault` must not name more group faults than groups. Received: fault={faults!r} "
            f"with up to {g_hi} group{'s' if g_hi > 1 else ''}. Raise `n_groups`."
        )
    g_lo = max(g_lo, len(in_group))
    if len(in_column) + (1 if in_cell else 0) > len(features):
        raise ArgumentError(
            f"`features` must have a column for each column fault (and one more for "
            f"nan/infinity). Received: features={show(features)} for fault={faults!r}."
        )
    if ("short_group" in faults and lo < 2) or ("unsorted" in faults and lo < 2):
        raise ArgumentError(f"`length` must allow at least 2 rows per group for "
                            f"{faults!r}. Received: length={show(length)}.")
    if isinstance(freq, (int, np.integer)) and not isinstance(freq, bool):
        kind, offset = "integer", int(freq)
    else:
        kind, offset = "datetime", pd.tseries.frequencies.to_offset(schema.freq)
    spec = _Spec(faults, in_group, g_lo, g_hi, lo, hi, features, targets, time, group, kind,
                 offset, interleave)
    return _draw_panel(spec)


@st.composite
def _draw_panel(draw, spec: _Spec) -> BrokenPanel:
    n = draw(st.integers(spec.g_lo, spec.g_hi))
    labels = [f"g{i}" for i in range(n)]
    hosts = draw(st.permutations(range(n)))[: len(spec.in_group)]
    host_of = dict(zip(spec.in_group, hosts))
    parts = [_draw_group(draw, spec, label, host_of, i) for i, label in enumerate(labels)]
    for k, name in enumerate(spec.faults):
        if name in host_of:
            i = host_of[name]
            parts[i] = _group_fault(draw, spec, parts[i], name, k)
    for i, part in enumerate(parts):
        part["__group__"] = i
    frame = pd.concat(parts, ignore_index=True)
    inter = draw(st.booleans()) if spec.interleave is None else spec.interleave
    if inter:
        frame = frame.sort_values(["__pos__", "__group__"], kind="stable")
        frame = frame.reset_index(drop=True)
    results = _cell_and_column_faults(draw, spec, frame)
    out = _fault_records(spec, frame, labels, host_of, results)
    for k, name in enumerate(spec.faults):
        if name == "wrong_dtype":
            col = results[k][0]
            frame[col] = frame[col].map(lambda v: f"{v:.3f}").astype(object)
        elif name == "missing_column":
            frame = frame.drop(columns=[results[k][0]])
    lead = [c for c in (spec.group, spec.time) if c is not None]
    rest = [c for c in spec.features + spec.targets if c in frame.columns]
    frame = frame[lead + rest].reset_index(drop=True)
    return BrokenPanel(frame, tuple(out))


def _draw_group(draw, spec: _Spec, label: str, host_of: dict, i: int) -> pd.DataFrame:
    """One sound group (its size already fitted to the group fault it will host)."""
    lo, hi = spec.lo, spec.hi
    if host_of.get("short_group") == i:
        size = draw(st.integers(1, lo - 1))
    elif host_of.get("gap") == i:
        size = draw(st.integers(lo + 3, hi + 3))
    else:
        size = draw(st.integers(lo, hi))
    shift = draw(st.integers(-500, 500))
    if spec.kind == "integer":
        times = np.arange(size, dtype=np.int64) * spec.offset + shift * spec.offset
    else:
        start = pd.Timestamp("2020-01-01") + shift * spec.offset
        times = pd.date_range(start, periods=size, freq=spec.offset).to_numpy()
    cols = {"__pos__": np.arange(size, dtype=np.float64), "__mark__": np.full(size, -1),
            spec.time: times}
    if spec.group is not None:
        cols[spec.group] = np.array([label] * size, dtype=object)
    for c in spec.features + spec.targets:
        cols[c] = np.array(draw(st.lists(
            st.floats(-1000, 1000, allow_nan=False, allow_infinity=False),
            min_size=size, max_size=size)), dtype=np.float64)
    return pd.DataFrame(cols)


def _group_fault(draw, spec: _Spec, part: pd.DataFrame, name: str, k: int) -> pd.DataFrame:
    """``part`` with the group fault ``name`` (number ``k``) injected and its rows marked."""
    size = len(part)
    if name == "gap":
        k_missing = draw(st.integers(1, 3))
        at = draw(st.integers(1, size - k_missing - 1))
        part = part.drop(index=range(at, at + k_missing)).reset_index(drop=True)
        part.loc[at, "__mark__"] = k
    elif name == "duplicate_time":
        at = draw(st.integers(0, size - 1))
        copy = part.iloc[[at]].copy()
        copy["__pos__"] += 0.5
        copy["__mark__"] = k
        part = pd.concat([part.iloc[: at + 1], copy, part.iloc[at + 1:]], ignore_index=True)
    elif name == "unsorted":
        at = draw(st.integers(0, size - 2))
        t = part[spec.time].to_numpy().copy()
        t[at], t[at + 1] = t[at + 1], t[at]
        part[spec.time] = t
        part.loc[at + 1, "__mark__"] = k
    return part


def _cell_and_column_faults(draw, spec: _Spec, frame: pd.DataFrame) -> dict:
    """Inject cell faults (marking their row) and pick columns for column faults, on
    distinct feature columns; ``{fault number: (column, row or None)}``."""
    spare = list(draw(st.permutations(spec.features)))
    results: dict[int, tuple[Any, int | None]] = {}
    for k, name in enumerate(spec.faults):
        if name in _IN_CELL:
            col = spare[-1]
            free = np.flatnonzero(frame["__mark__"].to_numpy() == -1)
            row = int(free[draw(st.integers(0, len(free) - 1))])
            value = np.nan if name == "nan" else draw(st.sampled_from([np.inf, -np.inf]))
            frame.loc[row, col] = value
            frame.loc[row, "__mark__"] = k
            results[k] = (col, row)
        elif name in _IN_COLUMN:
            col = spare.pop(0)
            results[k] = (col, None)
    return results


def _fault_records(spec: _Spec, frame: pd.DataFrame, labels: list, host_of: dict,
                   results: dict) -> list[Fault]:
    """Where each injected fault must be reported."""
    marks = frame["__mark__"].to_numpy()
    out = []
    for k, name in enumerate(spec.faults):
        check = FAULTS[name]
        if name in host_of:
            label = labels[host_of[name]] if spec.group is not None else None
            rows = tuple(int(r) for r in np.flatnonzero(marks == k))
            column = spec.time if name != "short_group" else spec.group
            out.append(Fault(name, check, column, label, rows))
        elif name in _IN_CELL:
            col, row = results[k]
            gl = frame[spec.group].iloc[row] if spec.group is not None else None
            out.append(Fault(name, check, col, gl, (row,)))
        else:
            out.append(Fault(name, check, results[k][0], None, ()))
    return out
