"""seqprep.testing: the strategies draw what they say, and refuse impossible requests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

import seqprep
from seqprep.testing import FAULTS, BrokenPanel, Fault, broken_panels, panel_schema, panels

FAST = settings(max_examples=25, deadline=None)


def test_fault_names_map_to_schema_checks():
    assert sorted(FAULTS) == ["duplicate_time", "gap", "infinity", "missing_column", "nan",
                              "short_group", "unsorted", "wrong_dtype"]
    from seqprep._checks import CHECKS
    assert set(FAULTS.values()) <= set(CHECKS)


@FAST
@given(panels(n_groups=(2, 3), length=(5, 9), features=("a", "b"), targets=("y",),
              freq="15min"))
def test_panels_have_the_promised_shape(df):
    assert list(df.columns) == ["group", "time", "a", "b", "y"]
    sizes = df.groupby("group").size()
    assert 2 <= len(sizes) <= 3 and sizes.between(5, 9).all()
    assert pd.api.types.is_datetime64_any_dtype(df["time"])
    for _, g in df.groupby("group"):
        steps = g["time"].diff().dropna()
        assert (steps == pd.Timedelta("15min")).all()
    assert np.isfinite(df[["a", "b", "y"]].to_numpy()).all()


@FAST
@given(panels(group=None, freq=7, length=(3, 6), interleave=False))
def test_one_integer_series(df):
    assert list(df.columns) == ["time", "x0", "x1", "x2"]
    assert df["time"].dtype.kind == "i" and (np.diff(df["time"]) == 7).all()
    panel_schema(group=None, freq=7, length=(3, 6)).validate(df)


@FAST
@given(panels(interleave=True, n_groups=3, length=4))
def test_interleaved_layout(df):
    assert df["group"].tolist()[:3] == ["g0", "g1", "g2"]


@FAST
@given(broken_panels(fault=["gap", "short_group", "nan", "missing_column"], n_groups=(2, 4)))
def test_broken_panel_says_where_each_fault_is(b):
    assert isinstance(b, BrokenPanel) and b.fault == "gap+short_group+nan+missing_column"
    assert all(isinstance(f, Fault) for f in b.faults)
    gap, short, nan, missing = b.faults
    assert gap.check == "regular_freq" and gap.column == "time" and len(gap.rows) == 1
    assert short.check == "min_length" and short.rows == () and short.group != gap.group
    assert (b.frame["group"] == short.group).sum() < 4
    assert np.isnan(b.frame.loc[nan.rows[0], nan.column])
    assert missing.column not in b.frame.columns and missing.column != nan.column


@FAST
@given(broken_panels())
def test_one_fault_at_random(b):
    assert len(b.faults) == 1 and b.fault in FAULTS


def test_panel_schema_matches_the_arguments():
    s = panel_schema(length=(6, 9), freq="D", group=None, features=["p"], targets=["q"])
    assert s == seqprep.SeriesSchema("time", None, ["p"], ["q"], freq="D", min_length=6)


@pytest.mark.parametrize("kwargs, start", [
    (dict(fault="typo"), r"^`fault` must be one of duplicate_time, gap"),
    (dict(fault=["gap", "gap"]), r"^`fault` must be one of"),
    (dict(fault=["gap", "unsorted", "duplicate_time"], n_groups=2),
     r"^`fault` must not name more group faults than groups"),
    (dict(fault=["wrong_dtype", "missing_column", "nan"], features=["a", "b"]),
     r"^`features` must have a column for each column fault"),
    (dict(fault="short_group", length=1), r"^`length` must allow at least 2 rows"),
    (dict(length=(5, 3)), r"^`length` must be an integer >= 1 or a \(min, max\) pair"),
    (dict(n_groups=0), r"^`n_groups` must be an integer >= 1"),
])
def test_impossible_requests_are_argument_errors(kwargs, start):
    with pytest.raises(seqprep.ArgumentError, match=start):
        broken_panels(**kwargs).example() if "fault" in kwargs else panels(**kwargs).example()
