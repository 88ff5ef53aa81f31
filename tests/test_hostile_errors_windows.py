"""Issue 15, class 7 (the window side): non-library errors.

Duplicate column names, integer arguments beyond int64, zero-column arrays, out-of-range
split times, big-endian columns and corrupt ``.npy`` files each get seqprep's own error
naming the argument, the rule, the value and the fix (or simply work).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import seqprep

DUP = pd.DataFrame([[0, 1.0, 2.0], [1, 3.0, 4.0], [2, 5.0, 6.0], [3, 7.0, 8.0]],
                   columns=["t", "x", "x"])


@pytest.mark.parametrize("call", [
    lambda: seqprep.make_windows(DUP, 2, time="t"),
    lambda: seqprep.make_windows(DUP, 2, features=["t"]),
    lambda: seqprep.to_supervised(DUP, 1, 1, time="t"),
    lambda: seqprep.to_supervised(DUP, 1, 1, features=["t"]),
])
def test_duplicate_column_names_are_a_column_error(call):
    with pytest.raises(seqprep.ColumnError, match=r"^`data` must have unique column names\. "
                                                  r"Received: 1 name used more than once: 'x'"):
        call()


def test_duplicate_column_names_in_parquet(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_arrays([pa.array([0, 1, 2, 3]), pa.array([1.0, 2, 3, 4]),
                                  pa.array([5.0, 6, 7, 8])], names=["t", "x", "x"])
    pq.write_table(table, tmp_path / "dup.parquet")
    with pytest.raises(seqprep.ColumnError, match=r"must have unique column names"):
        seqprep.open_windows(tmp_path / "dup.parquet", 2, time="t")


@pytest.mark.parametrize("name, kwargs", [
    ("timesteps", {"timesteps": 2**64}),
    ("stride", {"timesteps": 2, "stride": 2**64}),
    ("horizon", {"timesteps": 2, "horizon": 10**30, "targets": 0}),
    ("sampling_rate", {"timesteps": 2, "sampling_rate": -2**70}),
    ("gap", {"timesteps": 2, "gap": 2**80, "targets": 0}),
])
def test_integer_arguments_beyond_int64(tmp_path, name, kwargs):
    with pytest.raises(seqprep.ArgumentError, match=rf"^`{name}` must be "):
        seqprep.make_windows(np.arange(10.0), **kwargs)
    pd.DataFrame({"x": np.arange(10.0)}).to_parquet(tmp_path / "x.parquet")
    kwargs = {k: v for k, v in kwargs.items() if k != "targets"}
    with pytest.raises(seqprep.ArgumentError, match=rf"^`{name}` must be "):
        seqprep.open_windows(tmp_path / "x.parquet", targets="x", **kwargs)


def test_split_purge_beyond_int64():
    frame = pd.DataFrame({"t": range(20), "x": np.arange(20.0)})
    with pytest.raises(seqprep.ArgumentError, match=r"^`purge` must be an integer <= "):
        seqprep.split_by_time(frame, test=0.3, time="t", purge=2**70)
    with pytest.raises(seqprep.DataError, match=r"^`test` leaves the train part empty"):
        seqprep.split_by_time(frame, test=0.3, time="t", purge=2**63 - 1)


def test_sizes_whose_product_overflows_int64_mean_no_window():
    with pytest.raises(seqprep.ShapeError, match=r"^`timesteps` is too long for the data"):
        seqprep.make_windows(np.arange(10.0), 2**62, sampling_rate=2**62)
    with pytest.raises(seqprep.ArgumentError, match=r"^`n_in` must be "):
        seqprep.to_supervised(np.arange(10.0), 2**64)


@pytest.mark.parametrize("call", [
    lambda: seqprep.make_windows(np.ones((5, 0)), 2),
    lambda: seqprep.to_supervised(np.ones((5, 0)), 1, 1),
    lambda: seqprep.make_windows(np.ones((0, 0)), 2),
])
def test_zero_column_arrays(call):
    with pytest.raises(seqprep.ShapeError, match=r"^`data` must have at least one (column|row)"):
        call()


def test_out_of_range_split_times():
    frame = pd.DataFrame({"t": pd.date_range("2024-01-01", periods=10), "x": np.arange(10.0)})
    for cut in ("9999-12-31", "0001-01-01", np.datetime64("3000-01-01", "D")):
        with pytest.raises(seqprep.ArgumentError, match=r"^`test` must be a fraction .* beyond "):
            seqprep.split_by_time(frame, test=cut, time="t")
    with pytest.raises(seqprep.ArgumentError, match=r"^`validation` must be a fraction .* beyond"):
        seqprep.split_by_time(frame, test="2024-01-08", validation="1200-01-01", time="t")


def test_big_endian_columns_split_and_window():
    n = 20
    frame = pd.DataFrame({"t": np.arange(n, dtype=">i8"), "x": np.arange(n, dtype=">f8"),
                          "g": np.repeat([0, 1], 10).astype(">i4")})
    native = frame.astype({"t": "i8", "x": "f8", "g": "i4"})
    for kw in ({"time": "t"}, {"time": "t", "group": "g"}):
        got, ref = seqprep.split_by_time(frame, test=0.3, **kw), seqprep.split_by_time(native, test=0.3, **kw)
        pd.testing.assert_frame_equal(got.test, ref.test)
        pd.testing.assert_frame_equal(got.train, ref.train)
    w = seqprep.make_windows(frame, 2, targets="x", time="t", group="g")
    ref_w = seqprep.make_windows(native, 2, targets="x", time="t", group="g")
    np.testing.assert_array_equal(w.X, ref_w.X)
    assert len(seqprep.split_by_time(w, test=0.3).test) == len(seqprep.split_by_time(ref_w, test=0.3).test)


@pytest.mark.parametrize("content", [b"", b"not a numpy file at all", b"\x93NUMPY\x01\x00garbage",
                                     None])
def test_corrupt_npy_files(tmp_path, content):
    path = tmp_path / "x.npy"
    if content is None:  # an object array needs pickle: refused, not executed
        np.save(path, np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
    else:
        path.write_bytes(content)
    with pytest.raises(seqprep.DataError, match=r"^`path` must be a readable \.npy file of "
                                                r"numbers\. Received: path="):
        seqprep.open_windows(path, 2)


def test_sample_positions_are_checked_never_cast(tmp_path):
    w = seqprep.make_windows(np.arange(10.0), 2, targets=0)
    pd.DataFrame({"x": np.arange(10.0)}).to_parquet(tmp_path / "x.parquet")
    lazy = seqprep.open_windows(tmp_path / "x.parquet", 2, targets="x")
    for windows in (w, lazy):
        with pytest.raises(seqprep.ArgumentTypeError, match=r"^`indices` must be integer sample"):
            windows.take([0.5])  # was silently sample 0
        with pytest.raises(seqprep.SampleIndexError, match=r"^`indices` must be positions of the 8 "
                                                        r"samples \(-8\.\.7\)\. Received: 100"):
            windows.take([1, 100])
        with pytest.raises(seqprep.ArgumentError, match=r"Received: 18446744073709551615"):
            windows.subset(np.array([2**64 - 1], dtype=np.uint64))
        with pytest.raises(seqprep.ShapeError, match=r"^`indices` as a boolean mask"):
            windows.take([True, False])
        X, _ = windows.take(np.arange(8) % 2 == 0)  # a full-length mask selects
        np.testing.assert_array_equal(X, w.take([0, 2, 4, 6])[0])
        np.testing.assert_array_equal(windows.take([-1])[0], w.take([7])[0])


def test_other_values_that_used_to_escape_as_python_errors():
    with pytest.raises(seqprep.ArgumentTypeError, match=r"^`schema` must be a seqprep.SeriesSchema"):
        seqprep.make_windows(np.arange(10.0), 2, schema=3)
    with pytest.raises(seqprep.ArgumentTypeError, match=r"^`group` must hold hashable labels"):
        seqprep.make_windows(pd.DataFrame({"g": [[1], [2]], "x": [1.0, 2.0]}), 1, group="g")
    huge = pd.DataFrame({"t": np.array([2**63, 2**63 + 1], dtype=np.uint64), "x": [1.0, 2.0]})
    with pytest.raises(seqprep.DataError, match=r"^`time` must hold numbers that fit in int64"):
        seqprep.make_windows(huge, 1, time="t")  # was wrapped round to negative times


@pytest.mark.parametrize("call", [
    lambda: seqprep.make_windows(pd.DataFrame({"x": [1.0, 2, 3]}), 1, features=object()),
    lambda: seqprep.make_windows(pd.DataFrame({"x": [1.0, 2, 3]}), 1, targets=Exception),
    lambda: seqprep.make_windows(np.ones((3, 2)), 1, features=object()),
    lambda: seqprep.to_supervised(pd.DataFrame({"x": [1.0, 2, 3]}), features=object()),
])
def test_a_non_iterable_column_argument(call):  # DEFECTS.md D3
    with pytest.raises(seqprep.ArgumentTypeError, match=r"^`(features|targets)` must be "
                                                        r"(a column name or a list|column positions)"):
        call()


def test_the_no_window_error_names_the_argument_that_makes_windows_long():
    data = pd.DataFrame({"y": np.arange(10.0)})
    with pytest.raises(seqprep.ShapeError, match=r"^`timesteps` is too long for the data \(`horizon` makes the window longest\)"):
        seqprep.make_windows(data, 2, targets="y", horizon=2**40)
    with pytest.raises(seqprep.ShapeError, match=r"^`timesteps` is too long for the data \(`gap` makes the window longest\)"):
        seqprep.make_windows(data, 2, targets="y", gap=50)
    with pytest.raises(seqprep.ShapeError, match=r"^`timesteps` is too long for the data"):
        seqprep.make_windows(data, 20, targets="y", horizon=3)
