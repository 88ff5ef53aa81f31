"""Issue 15, class 4: silent lossy casts.

One casting rule (``seqprep._columns.cast``, decision D5) for every entry point: a cast to
an integer dtype keeps every value or is refused; a cast to a float dtype keeps every
finite value finite or is refused. Checked through make_windows (arrays and DataFrames),
to_supervised and open_windows (Parquet and .npy), and against an independent oracle.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import seqprep
from seqprep._columns import cast

LOSSY = r"^.*`dtype` must hold every value of `(features|targets|data)`"


# ----------------------------------------------------------------- the rule itself


@pytest.mark.parametrize("values, dtype, why", [
    (np.array([2.0**40 + 3]), np.int32, "outside int32's range"),
    (np.array([0.5, 1.0]), np.int64, "not a whole number"),
    (np.array([1.0, np.nan]), np.int16, "is missing"),
    (np.array([-1], dtype=np.int64), np.uint8, "outside uint8's range"),
    (np.array([2**63], dtype=np.uint64), np.int64, "outside int64's range"),
    (np.array([1e300, 1.0]), np.float32, "overflows to inf"),
    (np.array([-1e39]), np.float32, "overflows to -inf"),
    (np.array([70000], dtype=np.int64), np.float16, "overflows to inf"),
])
def test_a_lossy_cast_is_refused_naming_the_value(values, dtype, why):
    with pytest.raises(seqprep.ArgumentTypeError, match=LOSSY) as info:
        cast(values, dtype, role="features")
    assert why in str(info.value) and "row" in str(info.value)


@pytest.mark.parametrize("values, dtype", [
    (np.array([1.0, 2.0, -3.0]), np.int8),
    (np.array([2**40], dtype=np.int64), np.float32),  # rounding to the nearest float is a float cast
    (np.array([np.inf, -np.inf, np.nan]), np.float32),  # non-finite stays what it was
    (np.array([True, False]), np.int8),
    (np.array([1e30]), np.float32),
])
def test_an_exact_or_float_rounding_cast_is_accepted(values, dtype):
    out = cast(values, dtype)
    assert out.dtype == dtype
    np.testing.assert_array_equal(np.isinf(out), np.isinf(values.astype(np.float64)))


@given(st.lists(st.one_of(st.integers(-2**70, 2**70), st.floats(allow_nan=False, width=64)),
                min_size=1, max_size=20),
       st.sampled_from([np.int8, np.int32, np.int64, np.uint16, np.float16, np.float32]))
def test_cast_never_changes_a_value_silently(items, dtype):
    """Oracle: Python's own numbers. A returned integer array equals the inputs exactly; a
    returned float array is finite wherever the input was."""
    exact = [float(v) if isinstance(v, float) else v for v in items]
    if any(isinstance(v, int) for v in exact) and any(isinstance(v, float) for v in exact):
        exact = [float(v) for v in exact]
    try:
        src = np.array(exact)
    except OverflowError:
        return
    if src.dtype == object:
        return
    try:
        out = cast(src, dtype)
    except seqprep.ArgumentTypeError:
        return
    if np.dtype(dtype).kind in "iu":
        assert [int(v) for v in out.tolist()] == [int(v) for v in src.tolist()]
    else:
        assert np.isfinite(out).all() or not np.isfinite(src).all()


# ----------------------------------------------------------------- every entry point


def test_make_windows_refuses_lossy_casts_for_arrays_and_frames():
    big = np.arange(6, dtype=np.int64) + 2**40
    with pytest.raises(seqprep.ArgumentTypeError, match=LOSSY):
        seqprep.make_windows(big, 2, dtype=np.int32)
    with pytest.raises(seqprep.ArgumentTypeError, match=LOSSY):
        seqprep.make_windows(pd.DataFrame({"x": big}), 2, dtype=np.int32)
    with pytest.raises(seqprep.ArgumentTypeError, match=LOSSY + r".*overflows to inf"):
        seqprep.make_windows(np.array([1.0, 1e300, 2.0, 3.0]), 2)  # the default float32
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [1.0, 1e300, 2.0]})
    with pytest.raises(seqprep.ArgumentTypeError, match=r"^`dtype` must hold every value of "
                                                        r"`targets`.*1e\+300 at row 1"):
        seqprep.make_windows(frame, 1, features="x", targets="y")
    nullable = pd.DataFrame({"x": pd.array([1, None, 3, 4], dtype="Int64")})
    with pytest.raises(seqprep.ArgumentTypeError, match=LOSSY + r".*is missing"):
        seqprep.make_windows(nullable, 2, dtype=np.int64)
    w = seqprep.make_windows(nullable, 2)  # to float: the missing value is NaN, said in report
    assert np.isnan(w.X[0, 1, 0]) and "NaN: 1 value" in w.report()
    assert seqprep.make_windows(np.array([1e300, 2.0]), 1, dtype=np.float64).X.max() == 1e300


def test_to_supervised_refuses_lossy_casts():
    with pytest.raises(seqprep.ArgumentTypeError, match=LOSSY + r".*overflows"):
        seqprep.to_supervised(np.array([1.0, 1e300, 2.0]), 1, 1, dtype=np.float32)
    ok = seqprep.to_supervised(np.array([1.0, 1e300, 2.0]), 1, 1)  # float64 keeps it
    assert ok.frame.to_numpy().max() == 1e300


def test_open_windows_refuses_lossy_casts_when_it_reads(tmp_path):
    pd.DataFrame({"x": np.arange(8, dtype=np.int64) + 2**40}).to_parquet(tmp_path / "big.parquet")
    w = seqprep.open_windows(tmp_path / "big.parquet", 2, dtype=np.int32)
    with pytest.raises(seqprep.ArgumentTypeError, match=r"^big.parquet, column 'x': `dtype` must "
                                                        r"hold every value of `features`"):
        w.take([0])
    pd.DataFrame({"x": [0.5, 1.0, 2.0, 3.0]}).to_parquet(tmp_path / "half.parquet")
    with pytest.raises(seqprep.ArgumentTypeError, match=r"not a whole number"):
        seqprep.open_windows(tmp_path / "half.parquet", 2, dtype=np.int64).take([0])
    pd.DataFrame({"x": [1.0, 1e300, 2.0, 3.0]}).to_parquet(tmp_path / "huge.parquet")
    with pytest.raises(seqprep.ArgumentTypeError, match=r"overflows to inf"):
        seqprep.open_windows(tmp_path / "huge.parquet", 2).take([0, 1])
    exact = seqprep.open_windows(tmp_path / "half.parquet", 2, dtype=np.float64)
    assert exact.take([0])[0][0, :, 0].tolist() == [0.5, 1.0]


def test_open_windows_of_npy_casts_by_the_same_rule(tmp_path):
    np.save(tmp_path / "big.npy", np.arange(8, dtype=np.int64) + 2**40)
    with pytest.raises(seqprep.ArgumentTypeError, match=LOSSY):
        seqprep.open_windows(tmp_path / "big.npy", 2, dtype=np.int32)
