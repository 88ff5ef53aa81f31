"""make_windows and Windows: alignment, groups, time, gaps, copies, accounting, errors."""

import tracemalloc

import numpy as np
import pandas as pd
import pytest

import seqprep
import seqprep._memory
from seqprep import (
    ArgumentError,
    ArgumentTypeError,
    ColumnError,
    DataError,
    GapError,
    MemoryBudgetError,
    OrderError,
    ShapeError,
    WindowArray,
)


def rows_read(w) -> set:
    """Rows some sample reads, for data whose values are their own row numbers."""
    read = set(np.asarray(w.X).ravel().tolist())
    if w.y is not None:
        read |= set(w.y.ravel().tolist())
    return read


def ids(n: int, width: int = 1) -> np.ndarray:
    """Row numbers as data: every column of row ``i`` holds ``i``."""
    return np.repeat(np.arange(n, dtype=np.float64)[:, None], width, axis=1)


# ------------------------------------------------------------------- alignment


def test_next_step_default_alignment():
    w = seqprep.make_windows(np.arange(10.0), 3, targets=0)
    assert w.X.shape == (7, 3, 1) and w.y.shape == (7, 1)
    for i in range(7):
        np.testing.assert_array_equal(w.X[i, :, 0], [i, i + 1, i + 2])
        assert w.y[i, 0] == i + 3
    assert w.input_shape == (3, 1) and w.output_units == 1 and len(w) == 7
    assert w.X.dtype == np.float32 and w.y.dtype == np.float32


def test_horizon_gap_stride_sampling_rate():
    w = seqprep.make_windows(np.arange(40.0), 3, horizon=2, gap=1, stride=4, sampling_rate=2,
                             targets=0)
    # span = (3 - 1) * 2 + 1 = 5, need = 5 + 1 + 2 = 8, count = (40 - 8) // 4 + 1 = 9
    assert len(w) == 9
    np.testing.assert_array_equal(w.X[1, :, 0], [4, 6, 8])
    np.testing.assert_array_equal(w.y[1], [10, 11])
    np.testing.assert_array_equal(w.index.loc[1, ["first_row", "last_row", "target_row"]],
                                  [4, 8, 10])


def test_multi_target_y_is_step_major_and_fits_a_dense_head():
    two = np.arange(30.0).reshape(15, 2)
    w = seqprep.make_windows(two, 4, horizon=3, targets=[1, 0])
    assert w.y.shape == (9, 6) and w.output_units == 6
    # y[:, h * n_targets + j] is target j at step h + 1
    np.testing.assert_array_equal(w.y[0], [9, 8, 11, 10, 13, 12])
    assert w.y_steps.shape == (9, 3, 2)
    np.testing.assert_array_equal(w.y_steps[0, 2], [13, 12])
    assert w.target_names == (1, 0) and w.feature_names == (0, 1)


def test_features_subset_and_no_targets():
    data = np.arange(20.0).reshape(10, 2)
    w = seqprep.make_windows(data, 4, features=[1])
    assert w.y is None and w.output_units is None and w.y_steps is None
    assert len(w) == 7  # no targets: need = span = 4
    np.testing.assert_array_equal(w.X[0, :, 0], [1, 3, 5, 7])


def test_dataframe_columns_by_name():
    df = pd.DataFrame({"load": np.arange(6.0), "temp": np.arange(6.0) * 10, "txt": list("abcdef")})
    w = seqprep.make_windows(df, 2, features=["load", "temp"], targets="load")
    assert w.feature_names == ("load", "temp") and w.target_names == ("load",)
    np.testing.assert_array_equal(w.X[0], [[0, 0], [1, 10]])
    np.testing.assert_array_equal(w.y[:, 0], [2, 3, 4, 5])


def test_series_input():
    w = seqprep.make_windows(pd.Series(np.arange(5.0), name="v"), 2, targets="v")
    assert w.feature_names == ("v",) and len(w) == 3


@pytest.mark.parametrize("dtype", [np.float64, np.float16, np.int32])
def test_dtype(dtype):
    w = seqprep.make_windows(np.arange(10), 3, targets=0, dtype=dtype)
    assert w.X.dtype == dtype and w.y.dtype == dtype


# ------------------------------------------------------------------------ groups


def test_windows_never_cross_groups_and_short_groups_are_reported():
    df = pd.DataFrame({"id": ["a"] * 5 + ["b"] * 2 + ["c"] * 4, "v": np.arange(11.0)})
    w = seqprep.make_windows(df, 2, targets="v", group="id")
    assert w.index["group"].tolist() == ["a", "a", "a", "c", "c"]
    for x, y, g in zip(w.X[:, :, 0], w.y[:, 0], w.index["group"]):
        assert set(df.loc[list(x.astype(int)) + [int(y)], "id"]) == {g}
    short = w.dropped[w.dropped.reason == "short_group"]
    assert short[["group", "rows", "first", "last"]].values.tolist() == [["b", 2, 5, 6]]
    assert "short_group: 2 rows" in w.report()


def test_interleaved_groups_are_regrouped_and_traced_to_input_rows():
    df = pd.DataFrame({"id": list("ababab"), "v": np.arange(6.0)})
    w = seqprep.make_windows(df, 2, targets="v", group="id")
    np.testing.assert_array_equal(w.X[:, :, 0], [[0, 2], [1, 3]])
    np.testing.assert_array_equal(w.y[:, 0], [4, 5])
    assert w.index[["first_row", "last_row", "target_row"]].values.tolist() == [[0, 2, 4], [1, 3, 5]]
    assert any("regrouped" in n for n in w.notes)


def test_group_as_array_and_as_index_level():
    data = np.arange(8.0)
    w = seqprep.make_windows(data, 2, targets=0, group=np.repeat([7, 9], 4))
    assert w.index["group"].tolist() == [7, 7, 9, 9]
    df = pd.DataFrame({"v": data}, index=pd.MultiIndex.from_product(
        [["x", "y"], range(4)], names=["id", "step"]))
    w2 = seqprep.make_windows(df, 2, targets="v", group="id", time="step")
    np.testing.assert_array_equal(w2.X, w.X)
    assert w2.index["group"].tolist() == ["x", "x", "y", "y"]


def test_missing_group_labels_are_refused():
    with pytest.raises(DataError, match=r"^`group` must have no missing values\. Received: 1 "):
        seqprep.make_windows(pd.DataFrame({"g": ["a", None, "a"], "v": [1.0, 2, 3]}), 1, group="g")


# -------------------------------------------------------------------------- time


def test_unsorted_time_is_sorted_and_said():
    df = pd.DataFrame({"t": [3, 1, 2, 0], "v": [3.0, 1, 2, 0]})
    w = seqprep.make_windows(df, 2, targets="v", time="t")
    np.testing.assert_array_equal(w.X[:, :, 0], [[0, 1], [1, 2]])
    np.testing.assert_array_equal(w.y[:, 0], [2, 3])
    assert w.index["first_row"].tolist() == [3, 1]  # positions in the input as given
    assert w.notes[0] == "sorted by time within groups: 2 rows moved"  # rows 1 and 2 stay


def test_unsorted_time_is_refused_with_sort_false():
    df = pd.DataFrame({"t": [0, 2, 1], "v": [1.0, 2, 3]})
    with pytest.raises(OrderError, match=r"^`time` must increase within each group when "
                                         r"sort=False\. Received: 1 step back in time, the "
                                         r"first at row 2"):
        seqprep.make_windows(df, 1, time="t", sort=False)


def test_unsorted_time_in_interleaved_groups_is_refused_with_sort_false():
    # rows of a and b alternate; a goes back in time (5 then 3) without adjacent rows showing it
    df = pd.DataFrame({"g": list("abab"), "t": [5, 1, 3, 2], "v": np.arange(4.0)})
    with pytest.raises(OrderError, match=r"^`time` must increase .* first at row 2 in group 'a'"):
        seqprep.make_windows(df, 1, group="g", time="t", sort=False, on_gap="ignore")
    w = seqprep.make_windows(df, 1, group="g", time="t", on_gap="ignore")
    assert w.notes[0].startswith("sorted by time within groups")


def test_interleaved_but_sorted_groups_pass_with_sort_false():
    df = pd.DataFrame({"g": list("abab"), "t": [0, 0, 1, 1], "v": np.arange(4.0)})
    w = seqprep.make_windows(df, 1, targets="v", group="g", time="t", sort=False)
    np.testing.assert_array_equal(w.y[:, 0], [2, 3])


def test_repeated_time_within_a_group_is_refused_but_not_across_groups():
    df = pd.DataFrame({"g": list("aabb"), "t": [0, 0, 0, 1], "v": np.arange(4.0)})
    with pytest.raises(OrderError, match=r"^`time` must not repeat within a group\. Received: "
                                         r"1 repeated time: 0 in group 'a'"):
        seqprep.make_windows(df, 1, group="g", time="t")
    ok = pd.DataFrame({"g": list("aabb"), "t": [0, 1, 0, 1], "v": np.arange(4.0)})
    assert len(seqprep.make_windows(ok, 1, group="g", time="t")) == 4


def test_datetime_index_is_the_time_axis():
    idx = pd.date_range("2024-01-01", periods=6, freq="D")
    df = pd.DataFrame({"v": np.arange(6.0)}, index=idx[::-1])
    df["v"] = np.arange(6.0)[::-1]
    w = seqprep.make_windows(df, 2, targets="v")
    np.testing.assert_array_equal(w.y[:, 0], [2, 3, 4, 5])
    assert w.freq == "D" and "freq D inferred" in w.notes[1]
    assert w.index["first_time"].iloc[0] == pd.Timestamp("2024-01-01")
    assert w.index["target_time"].iloc[-1] == pd.Timestamp("2024-01-06")


def test_time_zone_aware_times_keep_their_zone_and_cross_dst():
    # hourly through the autumn change (02:00 happens twice locally, never in UTC)
    hours = pd.date_range("2024-10-26 22:00", periods=10, freq="h", tz="Europe/Paris")
    df = pd.DataFrame({"t": hours, "v": np.arange(10.0)})
    w = seqprep.make_windows(df, 3, targets="v", time="t")
    assert len(w) == 7 and w.freq == "h"
    assert str(w.index["first_time"].dt.tz) == "Europe/Paris"
    assert w.index["target_time"].iloc[0] == hours[3]
    # daily through the spring change: 23 hours between two midnights is still one day
    days = pd.date_range("2024-03-28", periods=8, freq="D", tz="Europe/Paris")
    dd = pd.DataFrame({"v": np.arange(8.0)}, index=days)
    w = seqprep.make_windows(dd, 2, targets="v")
    assert len(w) == 6 and w.freq == "D"
    with pytest.raises(GapError, match=r"^`on_gap='error'`"):
        seqprep.make_windows(dd.drop(days[4]), 2, targets="v")


def test_time_zone_aware_time_as_an_array():
    hours = pd.Series(pd.date_range("2024-01-01", periods=5, freq="h", tz="UTC"))
    w = seqprep.make_windows(np.arange(5.0), 2, targets=0, time=hours)
    assert str(w.index["first_time"].dt.tz) == "UTC"


def test_float_time_steps_are_not_gaps():
    df = pd.DataFrame({"t": np.arange(20) * 0.1, "v": np.arange(20.0)})
    w = seqprep.make_windows(df, 2, targets="v", time="t")
    assert len(w) == 18 and w.freq == "0.1"
    with pytest.raises(GapError):
        seqprep.make_windows(df.drop(index=7), 2, targets="v", time="t")


def test_calendar_frequency_months():
    months = pd.date_range("2020-01-31", periods=12, freq="ME")
    df = pd.DataFrame({"t": months, "v": np.arange(12.0)})
    w = seqprep.make_windows(df, 2, targets="v", time="t")
    assert w.freq == "ME" and len(w) == 10
    with pytest.raises(GapError) as e:
        seqprep.make_windows(df.drop(index=5), 2, targets="v", time="t")
    assert e.value.gaps["missing"].tolist() == [1.0]


def test_missing_and_non_numeric_times_are_refused():
    with pytest.raises(DataError, match=r"^`time` must have no missing values\. Received: 1 "):
        seqprep.make_windows(pd.DataFrame({"t": [0.0, np.nan, 2.0], "v": [1.0, 2, 3]}), 1, time="t")
    with pytest.raises(ArgumentTypeError, match=r"^`time` must hold datetimes or numbers"):
        seqprep.make_windows(pd.DataFrame({"t": list("abc"), "v": [1.0, 2, 3]}), 1, time="t")
    far = pd.DataFrame({"v": np.arange(5.0)}, index=pd.date_range("2300", periods=5, freq="YS"))
    with pytest.raises(DataError, match=r"^`time` must lie between 1677-09-21 .* Received: times "
                                        r"from 2300-01-01"):
        seqprep.make_windows(far, 2)


# -------------------------------------------------------------------------- gaps


def gappy() -> pd.DataFrame:
    days = pd.date_range("2024-01-01", periods=10, freq="D").delete(4)
    return pd.DataFrame({"day": days, "load": np.arange(9.0)})


def test_gap_is_an_error_naming_the_time_by_default():
    with pytest.raises(GapError, match=r"^`on_gap='error'`: time must advance by freq=D within "
                                       r"each group\. Received: 1 gap \(after 2024-01-04 "
                                       r"00:00:00 next is 2024-01-06 00:00:00\)") as e:
        seqprep.make_windows(gappy(), 3, targets="load", time="day")
    assert e.value.gaps.to_dict("records") == [
        {"group": None, "after": "2024-01-04 00:00:00", "before": "2024-01-06 00:00:00",
         "missing": 1.0}]


def test_gap_error_names_the_group():
    df = pd.DataFrame({"g": ["a"] * 4 + ["b"] * 4, "t": [0, 1, 2, 3, 0, 1, 5, 6],
                       "v": np.arange(8.0)})
    with pytest.raises(GapError, match=r"group 'b': after 1 next is 5"):
        seqprep.make_windows(df, 1, group="g", time="t")


def test_on_gap_split_never_crosses_a_gap():
    w = seqprep.make_windows(gappy(), 3, targets="load", time="day", on_gap="split")
    # rows 0..3 (4 days) give 1 window, rows 4..8 (5 days) give 2
    assert len(w) == 3 and w.index["segment"].tolist() == [0, 1, 1]
    np.testing.assert_array_equal(w.X[:, :, 0], [[0, 1, 2], [4, 5, 6], [5, 6, 7]])
    np.testing.assert_array_equal(w.y[:, 0], [3, 7, 8])
    assert "split at 1 gap" in w.notes
    assert isinstance(seqprep.make_windows(gappy(), 3, time="day", on_gap="split",
                                           copy=False).X, WindowArray)


def test_on_gap_split_reports_short_segments():
    w = seqprep.make_windows(gappy(), 4, targets="load", time="day", on_gap="split")
    short = w.dropped[w.dropped.reason == "short_segment"]
    assert short[["segment", "rows"]].values.tolist() == [[0, 4]]
    assert short["first"].iloc[0] == pd.Timestamp("2024-01-01")


def test_on_gap_ignore_windows_across_and_says_so():
    w = seqprep.make_windows(gappy(), 3, targets="load", time="day", on_gap="ignore")
    assert len(w) == 6 and "1 gap ignored: windows cross them" in w.notes


def test_explicit_freq_and_bad_freq():
    df = pd.DataFrame({"t": pd.date_range("2024-01-01", periods=6, freq="2h"), "v": np.arange(6.0)})
    assert seqprep.make_windows(df, 2, time="t", freq="2h").freq == "2h"
    with pytest.raises(GapError):
        seqprep.make_windows(df, 2, time="t", freq="h")
    with pytest.raises(ArgumentError, match=r"^`freq` must be a pandas frequency"):
        seqprep.make_windows(df, 2, time="t", freq="every tuesday")
    with pytest.raises(ArgumentError, match=r"^`freq` must be a positive number for a numeric"):
        seqprep.make_windows(pd.DataFrame({"t": [0, 1], "v": [1.0, 2]}), 1, time="t", freq="h")
    with pytest.raises(ArgumentError, match=r"^`freq` needs a time axis\. Received: freq='h'"):
        seqprep.make_windows(np.arange(5.0), 2, freq="h")


# ------------------------------------------------------------------------ copies


def test_copy_false_is_a_read_only_view_equal_to_the_copy():
    data = np.arange(60, dtype=np.float32).reshape(20, 3)
    view = seqprep.make_windows(data, 4, stride=2, sampling_rate=2, targets=0, copy=False)
    copied = seqprep.make_windows(data, 4, stride=2, sampling_rate=2, targets=0)
    assert isinstance(view.X, np.ndarray) and not view.X.flags.writeable
    assert np.shares_memory(view.X, data)
    assert copied.X.flags.c_contiguous and copied.X.flags.writeable
    assert not np.shares_memory(copied.X, data)
    np.testing.assert_array_equal(view.X, copied.X)
    np.testing.assert_array_equal(view.y, copied.y)
    with pytest.raises(ValueError):
        view.X[0, 0, 0] = 1.0


@pytest.mark.parametrize("horizon, targets, is_view", [
    (1, 0, True), (3, 2, True), (1, [0, 2], True), (2, [0, 2], False)])
def test_copy_false_y_is_a_read_only_view_where_it_can_be(horizon, targets, is_view):
    data = np.arange(90, dtype=np.float32).reshape(30, 3)
    view = seqprep.make_windows(data, 4, horizon=horizon, stride=3, targets=targets, copy=False)
    copied = seqprep.make_windows(data, 4, horizon=horizon, stride=3, targets=targets)
    np.testing.assert_array_equal(view.y, copied.y)
    assert view.y.shape == copied.y.shape == (len(copied), view.output_units)
    assert np.shares_memory(view.y, data) == is_view
    assert not view.y.flags.writeable if is_view else view.y.flags.writeable
    assert copied.y.flags.writeable and not np.shares_memory(copied.y, data)


def test_copy_false_with_groups_is_a_lazy_window_array():
    data = ids(13, 2)
    groups = np.repeat([0, 1, 2], [4, 5, 4])  # windows start at rows 0, 4, 5, 9
    w = seqprep.make_windows(data, 3, group=groups, targets=0, copy=False, dtype=np.float64)
    X = w.X
    assert isinstance(X, WindowArray) and X.shape == (4, 3, 2) and len(X) == 4
    assert X.nbytes == 4 * 3 * 2 * 8 and X.ndim == 3 and X.dtype == np.float64
    full = np.asarray(X)
    expected = np.stack([data[0:3], data[4:7], data[5:8], data[9:12]])
    np.testing.assert_array_equal(full, expected)
    np.testing.assert_array_equal(X[1], expected[1])
    np.testing.assert_array_equal(X[-1], expected[-1])
    np.testing.assert_array_equal(X[[3, 0]], expected[[3, 0]])
    np.testing.assert_array_equal(X[1:, 0], expected[1:, 0])
    np.testing.assert_array_equal(X[..., 1], expected[..., 1])
    np.testing.assert_array_equal(X[0, ..., 1], expected[0, ..., 1])
    np.testing.assert_array_equal(X[np.array([True, False, True, False])], expected[[0, 2]])
    np.testing.assert_array_equal(X[:, None], expected[:, None])
    X[1][0, 0] = -1.0  # indexing returns copies, never a writable view of the source
    assert data[4, 0] == 4.0
    with pytest.raises(ValueError, match="cannot become an ndarray without copying"):
        np.asarray(X, copy=False)
    copied = seqprep.make_windows(data, 3, group=groups, targets=0, dtype=np.float64)
    np.testing.assert_array_equal(copied.X, full)


def test_copy_false_with_evenly_spaced_windows_across_groups_is_still_a_view():
    data = ids(12)
    w = seqprep.make_windows(data, 3, group=np.repeat([0, 1, 2], 4), targets=0, copy=False,
                             dtype=np.float64)
    assert isinstance(w.X, np.ndarray) and np.shares_memory(w.X, data)
    np.testing.assert_array_equal(w.X[:, :, 0], [[0, 1, 2], [4, 5, 6], [8, 9, 10]])


def test_copy_false_on_one_series_allocates_nothing_proportional_to_rows():
    data = np.zeros((1_000_000, 4), dtype=np.float32)
    tracemalloc.start()
    try:
        w = seqprep.make_windows(data, 64, targets=0, copy=False)
        X = w.X
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert X.shape == (999_936, 64, 4) and np.shares_memory(X, data)
    assert peak < 1_000_000, f"copy=False allocated {peak} bytes for a 16 MB input"


def test_take_and_subset_read_the_same_samples():
    data = ids(30, 2)
    w = seqprep.make_windows(data, 4, horizon=2, targets=[1], dtype=np.float64)
    X, y = w.take([5, 0, 9])
    np.testing.assert_array_equal(X, w.X[[5, 0, 9]])
    np.testing.assert_array_equal(y, w.y[[5, 0, 9]])
    sub = w.subset([5, 0, 9], note="picked")
    np.testing.assert_array_equal(sub.X, X)
    np.testing.assert_array_equal(sub.y, y)
    assert sub.index["first_row"].tolist() == [5, 0, 9] and sub.notes[-1] == "picked"
    assert len(sub) == 3 and sub.dropped.equals(w.dropped)


def test_batch_input_shape_of_windows():
    w = seqprep.make_windows(np.arange(13.0), 3, targets=0)  # 10 samples
    assert w.batch_input_shape(5) == (5, 3, 1)
    with pytest.raises(seqprep.BatchSizeError, match=r"^`batch_size` must divide"):
        w.batch_input_shape(4)


# -------------------------------------------------------------------- accounting


@pytest.mark.parametrize("kw, reasons", [
    (dict(timesteps=3, stride=4), {}),  # 3 windows of 4 rows cover the 12 rows
    (dict(timesteps=3, stride=3), {"tail": 2}),  # windows at 0, 3, 6 read rows 0..9
    (dict(timesteps=2, stride=5), {"between_strides": 2, "tail": 4}),  # read 0-2, 5-7
    (dict(timesteps=2, sampling_rate=2, stride=2), {"skipped": 1}),  # row 1 is never read
    (dict(timesteps=2, gap=2, stride=4), {"skipped": 4, "tail": 3}),  # read 0 1 4, 4 5 8
    (dict(timesteps=2, gap=2, stride=1), {}),
])
def test_every_row_is_read_or_accounted_for(kw, reasons):
    timesteps = kw.pop("timesteps")
    w = seqprep.make_windows(ids(12), timesteps, targets=0, dtype=np.float64, **kw)
    got = w.dropped.groupby("reason")["rows"].sum().to_dict()
    assert got == reasons
    assert len(rows_read(w)) + w.n_dropped == 12


def test_accounting_with_groups_gaps_and_sorting():
    df = pd.DataFrame({
        "g": ["a"] * 9 + ["b"] * 3 + ["c"] * 8,
        "t": [0, 1, 2, 3, 5, 6, 7, 8, 9] + [0, 1, 2] + [0, 1, 2, 3, 4, 5, 6, 7],
        "v": np.arange(20.0),
    }).sample(frac=1, random_state=1)
    w = seqprep.make_windows(df, 2, targets="v", stride=2, group="g", time="t", on_gap="split",
                             dtype=np.float64)
    assert len(rows_read(w)) + w.n_dropped == 20
    table = w.dropped.set_index(["group", "segment", "reason"])["rows"].to_dict()
    # a splits at its gap into 4 rows (one window, one row left) and 5 rows (two windows);
    # b's 3 rows are exactly one window; c's 8 rows give 3 windows and leave the last row
    assert table == {("a", 0, "tail"): 1, ("c", 0, "tail"): 1}
    assert w.index.groupby(["group", "segment"]).size().to_dict() == {
        ("a", 0): 1, ("a", 1): 2, ("b", 0): 1, ("c", 0): 3}


def test_report_and_repr():
    w = seqprep.make_windows(np.arange(10.0), 3, stride=4, targets=0)
    text = w.report()
    assert text.splitlines()[0] == "2 samples: X (2, 3, 1), y (2, 1)"
    assert "10 rows in, 2 rows in no sample" in text and "tail: 2 rows" in text
    assert repr(w) == "Windows(samples=2, input_shape=(3, 1), y_shape=(2, 1), dropped_rows=2)"


# ------------------------------------------------------------------------ memory


def test_a_copy_that_cannot_fit_is_refused(monkeypatch):
    monkeypatch.setattr(seqprep._memory, "available_memory", lambda: 1_000)
    data = np.zeros((100, 4), dtype=np.float32)
    with pytest.raises(MemoryBudgetError, match=r"^`copy=True`: X of shape \(90, 10, 4\) "
                                                r"\(float32\) and its y would take 14\.4 KiB, "
                                                r"more than the 1000 B of memory available\. "
                                                r"Pass copy=False"):
        seqprep.make_windows(data, 10, targets=0)
    w = seqprep.make_windows(data, 10, targets=0, copy=False)  # views need no room
    assert w.X.shape == (90, 10, 4)


def test_unknown_available_memory_does_not_refuse(monkeypatch):
    monkeypatch.setattr(seqprep._memory, "available_memory", lambda: None)
    assert seqprep.make_windows(np.zeros(10), 3).X.shape == (8, 3, 1)


# --------------------------------------------------------------------- bad input


@pytest.mark.parametrize("kw, error, start", [
    (dict(timesteps=0), ArgumentError, r"^`timesteps` must be a positive integer\. Received: timesteps=0"),
    (dict(timesteps=-2), ArgumentError, r"^`timesteps` must be a positive integer\. Received: timesteps=-2"),
    (dict(timesteps=2.5), ArgumentTypeError, r"^`timesteps` must be an integer >= 1\. Received: timesteps=2\.5"),
    (dict(horizon=0), ArgumentError, r"^`horizon` must be a positive integer\. Received: horizon=0"),
    (dict(stride=0), ArgumentError, r"^`stride` must be a positive integer\. Received: stride=0"),
    (dict(stride=-1), ArgumentError, r"^`stride` must be a positive integer"),
    (dict(sampling_rate=0), ArgumentError, r"^`sampling_rate` must be a positive integer"),
    (dict(gap=-1), ArgumentError, r"^`gap` must be an integer >= 0\. Received: gap=-1"),
    (dict(on_gap="skip"), ArgumentError, r"^`on_gap` must be one of 'error', 'split', 'ignore'"),
    (dict(copy="yes"), ArgumentTypeError, r"^`copy` must be True or False"),
    (dict(sort=1), ArgumentTypeError, r"^`sort` must be True or False"),
    (dict(dtype="U3"), ArgumentTypeError, r"^`dtype` must be a float or integer dtype"),
    (dict(dtype="not a dtype"), ArgumentTypeError, r"^`dtype` must be a numpy dtype"),
])
def test_bad_arguments(kw, error, start):
    kw = {"timesteps": 2, **kw}
    with pytest.raises(error, match=start):
        seqprep.make_windows(np.arange(10.0), targets=0, **kw)


def test_windows_longer_than_the_data():
    with pytest.raises(ShapeError, match=r"^`timesteps` is too long for the data: each window "
                                         r"needs 11 rows .* the longest series has 10\. Received: "
                                         r"timesteps=10, .* for data of shape \(10, 1\)"):
        seqprep.make_windows(np.arange(10.0), 10, targets=0)
    with pytest.raises(ShapeError, match=r"^`timesteps` is too long .* longest group or segment "
                                         r"has 3"):
        seqprep.make_windows(np.arange(6.0), 3, targets=0, group=[0, 0, 0, 1, 1, 1])


def test_unknown_columns():
    df = pd.DataFrame({"a": [1.0, 2, 3], "b": [4.0, 5, 6]})
    with pytest.raises(ColumnError, match=r"^`targets` names 1 column not in the data: 'c'\. "
                                          r"Available columns: 'a', 'b'"):
        seqprep.make_windows(df, 1, targets="c")
    with pytest.raises(ColumnError, match=r"^`features` names 2 columns not in the data"):
        seqprep.make_windows(df, 1, features=["x", "y"])
    with pytest.raises(ColumnError, match=r"^`group` names 1 column not in the data: 'id'"):
        seqprep.make_windows(df, 1, group="id")
    with pytest.raises(ColumnError, match=r"^`targets` names column 2, but the data has 2 columns"):
        seqprep.make_windows(df.to_numpy(), 1, targets=2)
    with pytest.raises(ArgumentTypeError, match=r"^`features` must be column positions"):
        seqprep.make_windows(df.to_numpy(), 1, features=["a"])
    with pytest.raises(ColumnError, match=r"^`features` must not include the group or time column"):
        seqprep.make_windows(df, 1, features=["a", "b"], group="b")
    with pytest.raises(ArgumentError, match=r"^`features` must name at least one column"):
        seqprep.make_windows(df, 1, features=[])


def test_non_numeric_data():
    df = pd.DataFrame({"a": [1.0, 2, 3], "s": list("xyz")})
    with pytest.raises(ArgumentTypeError, match=r"^`features` must be numeric columns\. Received "
                                                r"non-numeric: 's'"):
        seqprep.make_windows(df, 1, categorical="error")
    # issue 13: by default a text column is left out of the default features, with a note
    assert seqprep.make_windows(df, 1).feature_names == ("a",)
    with pytest.raises(ArgumentTypeError, match=r"^`targets` must be numeric columns"):
        seqprep.make_windows(df, 1, features=["a"], targets="s")
    with pytest.raises(ArgumentTypeError, match=r"^`data` must hold real numbers"):
        seqprep.make_windows(np.array(list("abc")), 1)
    with pytest.raises(ArgumentTypeError, match=r"^`data` must hold real numbers"):
        seqprep.make_windows(np.ones(4, dtype=complex), 1)


def test_3d_input_and_bad_axes():
    with pytest.raises(ShapeError, match=r"^`data` must be 1D \(rows,\) or 2D \(rows, columns\)\. "
                                         r"Received: 3D array of shape \(4, 3, 2\)"):
        seqprep.make_windows(np.zeros((4, 3, 2)), 1)
    with pytest.raises(ShapeError, match=r"^`group` must be a column name or a 1D array with one "
                                         r"value per row\. Received: .* for data of 4 rows"):
        seqprep.make_windows(np.zeros(4), 1, group=[0, 1])
    with pytest.raises(ShapeError, match=r"^`data` must have at least one row"):
        seqprep.make_windows(np.zeros((0, 2)), 1)


# ----------------------------------------------------------- snapshots, NaN, dtypes


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_copy_true_is_a_snapshot_whatever_the_input_dtype(dtype):
    src = np.arange(20.0, dtype=dtype)
    w = seqprep.make_windows(src, 3, targets=0, dtype=dtype)
    src -= 100  # the caller changes its array after windowing
    np.testing.assert_array_equal(w.X[0, :, 0], [0, 1, 2])
    np.testing.assert_array_equal(w.y[0], [3])
    np.testing.assert_array_equal(w.take([1])[0][0, :, 0], [1, 2, 3])


def test_copy_false_shares_the_input_as_documented():
    src = np.arange(20.0, dtype="float32")
    w = seqprep.make_windows(src, 3, targets=0, copy=False)
    src -= 100
    assert w.X[0, 0, 0] == -100


def test_nan_is_kept_counted_and_reported():
    df = pd.DataFrame({"t": range(6), "v": [0, 1, np.nan, 3, 4, 5.0], "x": np.arange(6.0)})
    w = seqprep.make_windows(df, 2, targets="v", time="t")
    assert len(w) == 4 and np.isnan(w.X).any()  # nothing dropped or filled
    assert w.n_nan == {"features": 1, "targets": 1}
    assert "NaN: 1 value in features, 1 in targets of the rows windowed" in w.report()
    clean = seqprep.make_windows(df.fillna(2.0), 2, targets="v", time="t")
    assert clean.n_nan == {"features": 0, "targets": 0} and "NaN" not in clean.report()


@pytest.mark.parametrize("kwargs, start", [
    ({"targets": [0, 0]}, r"^`targets` must name each column once. Received: targets=\[0, 0\], which repeats 0"),
    ({"features": [1, 0, 1]}, r"^`features` must name each column once. Received: features=\[1, 0, 1\], which repeats 1"),
])
def test_repeated_columns_are_refused(kwargs, start):
    with pytest.raises(seqprep.ArgumentError, match=start):
        seqprep.make_windows(np.arange(12.0).reshape(6, 2), 2, **kwargs)
    df = pd.DataFrame({"a": np.arange(6.0), "b": np.arange(6.0)})
    with pytest.raises(seqprep.ArgumentError, match=r"^`targets` must name each column once.*repeats 'a'"):
        seqprep.make_windows(df, 2, targets=["a", "a"])


def test_an_integer_dtype_that_would_change_values_is_refused():
    data = np.array([1, 2, 3, 1e10, 5, 6.0])
    with pytest.raises(seqprep.ArgumentTypeError, match=r"^`dtype` must hold every value of `features`. Received: dtype=int8, which changes 1 value \(the first, 10000000000.0 at row 3"):
        seqprep.make_windows(data, 2, dtype="int8")
    with pytest.raises(seqprep.ArgumentTypeError, match=r"^`dtype` must hold every value of `features`"):
        seqprep.make_windows(np.array([1.0, np.nan, 3.0, 4.0]), 2, dtype="int32")
    w = seqprep.make_windows(np.arange(6), 2, targets=0, dtype="int16")  # exact: accepted
    assert w.X.dtype == np.int16 and w.y[0, 0] == 2


def test_target_inputs_false_leaves_the_targets_out_of_the_default_features():
    df = pd.DataFrame({"t": range(6), "a": np.arange(6.0), "y": np.arange(6.0) * 2})
    w = seqprep.make_windows(df, 2, targets="y", time="t", target_inputs=False)
    assert w.feature_names == ("a",) and w.X[0, :, 0].tolist() == [0.0, 1.0]
    assert seqprep.make_windows(df, 2, targets="y", time="t").feature_names == ("a", "y")
    arr = seqprep.make_windows(np.arange(18.0).reshape(6, 3), 2, targets=0, target_inputs=False)
    assert arr.feature_names == (1, 2)
    with pytest.raises(seqprep.ColumnError, match=r"^`features` must name at least one column"):
        seqprep.make_windows(df[["t", "y"]], 2, targets="y", time="t", target_inputs=False)
    with pytest.raises(seqprep.ArgumentTypeError, match=r"^`target_inputs` must be True or False"):
        seqprep.make_windows(df, 2, targets="y", time="t", target_inputs="no")
