"""to_supervised against the DataFrame.shift recipe it replaces, plus groups, gaps and errors."""

import numpy as np
import pandas as pd
import pytest

import seqprep
from seqprep import ArgumentError, ArgumentTypeError, ColumnError, GapError, ShapeError


def series_to_supervised(data, n_in=1, n_out=1, dropnan=True):
    """The well-known recipe (J. Brownlee), verbatim but for the deprecated inplace=True."""
    n_vars = 1 if type(data) is list else data.shape[1]
    df = pd.DataFrame(data)
    cols, names = list(), list()
    # input sequence (t-n, ... t-1)
    for i in range(n_in, 0, -1):
        cols.append(df.shift(i))
        names += [("var%d(t-%d)" % (j + 1, i)) for j in range(n_vars)]
    # forecast sequence (t, t+1, ... t+n)
    for i in range(0, n_out):
        cols.append(df.shift(-i))
        if i == 0:
            names += [("var%d(t)" % (j + 1)) for j in range(n_vars)]
        else:
            names += [("var%d(t+%d)" % (j + 1, i)) for j in range(n_vars)]
    # put it all together
    agg = pd.concat(cols, axis=1)
    agg.columns = names
    # drop rows with NaN values
    if dropnan:
        agg = agg.dropna()
    return agg


def named(recipe: pd.DataFrame, columns) -> pd.DataFrame:
    """The recipe's var1, var2 ... renamed after ``columns``, as forks of it do."""
    out = recipe.copy()
    out.columns = [c.replace(f"var{j + 1}(", f"{name}(", 1)
                   for c in recipe.columns for j, name in enumerate(columns)
                   if c.startswith(f"var{j + 1}(")]
    return out


# ------------------------------------------------------------ agreement with the recipe


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n_in, n_out", [(1, 1), (3, 1), (2, 3), (0, 1), (0, 4), (3, 0), (5, 5)])
@pytest.mark.parametrize("copy", [True, False])
def test_one_series_agrees_exactly_with_the_shift_recipe(dtype, n_in, n_out, copy):
    data = np.random.default_rng(n_in * 10 + n_out).normal(size=(25, 3)).astype(dtype)
    expected = series_to_supervised(data, n_in, n_out)
    got = seqprep.to_supervised(data, n_in, n_out, copy=copy)
    pd.testing.assert_frame_equal(got.frame, expected)  # values, names, order, index, dtype
    assert len(got.frame) + got.n_dropped == 25


def test_one_column_and_1d_input_agree_with_the_recipe():
    data = np.arange(12.0)
    pd.testing.assert_frame_equal(seqprep.to_supervised(data, 3, 2).frame,
                                  series_to_supervised(data.reshape(-1, 1), 3, 2))
    pd.testing.assert_frame_equal(seqprep.to_supervised(data.tolist(), 1, 1).frame,
                                  series_to_supervised(data.tolist(), 1, 1))


def test_integer_data_agrees_in_value_and_becomes_float64():
    data = np.arange(30).reshape(10, 3)
    got = seqprep.to_supervised(data, 2, 2).frame
    expected = series_to_supervised(data, 2, 2)
    # the recipe leaves the shift(0) columns int64 and makes every other column float64;
    # seqprep makes them all float64, one dtype for the whole table
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    assert set(got.dtypes) == {np.dtype(np.float64)}


def test_dataframe_keeps_column_names_and_index_labels():
    idx = pd.date_range("2024-01-01", periods=15, freq="h")
    df = pd.DataFrame({"load": np.arange(15.0), "temp": np.arange(15.0) / 10}, index=idx)
    got = seqprep.to_supervised(df, 3, 2)
    pd.testing.assert_frame_equal(got.frame, named(series_to_supervised(df, 3, 2), df.columns))
    assert got.lag_columns == ["load(t-3)", "temp(t-3)", "load(t-2)", "temp(t-2)",
                               "load(t-1)", "temp(t-1)"]
    assert got.lead_columns == ["load(t)", "temp(t)", "load(t+1)", "temp(t+1)"]
    assert got.frame.index[0] == idx[3]


def test_features_and_targets_select_lag_and_lead_columns():
    df = pd.DataFrame({"a": np.arange(10.0), "b": np.arange(10.0) * 2, "c": np.arange(10.0) * 3})
    got = seqprep.to_supervised(df, 2, 2, features=["a", "c"], targets="b")
    full = named(series_to_supervised(df, 2, 2), df.columns)
    keep = ["a(t-2)", "c(t-2)", "a(t-1)", "c(t-1)", "b(t)", "b(t+1)"]
    pd.testing.assert_frame_equal(got.frame, full[keep])
    # the usual split, and the reshape a recurrent layer needs
    X = got.frame[got.lag_columns].to_numpy().reshape(len(got.frame), 2, 2)
    np.testing.assert_array_equal(X[0], [[0, 0], [1, 3]])


def test_genuine_missing_values_are_kept_only_the_edges_are_dropped():
    data = np.arange(40.0).reshape(20, 2)
    data[7, 1] = np.nan
    got = seqprep.to_supervised(data, 3, 2)
    # the recipe's dropna would also drop every row whose lags or leads touch row 7
    assert len(series_to_supervised(data, 3, 2)) == 16 - 5
    expected = series_to_supervised(data, 3, 2, dropnan=False).iloc[3 : 20 - 2 + 1]
    pd.testing.assert_frame_equal(got.frame, expected)
    assert got.frame.isna().any(axis=1).sum() == 5
    assert got.dropped[["reason", "rows", "first", "last"]].values.tolist() == [
        ["no_lags", 3, 0, 2], ["no_leads", 1, 19, 19]]


# ------------------------------------------------------------------ groups and gaps


def test_lags_never_cross_groups_and_agree_with_the_recipe_per_group():
    rng = np.random.default_rng(3)
    sizes = {"x": 9, "y": 2, "z": 6}
    df = pd.DataFrame({"id": np.repeat(list(sizes), list(sizes.values())),
                       "v": rng.normal(size=17), "w": rng.normal(size=17)})
    got = seqprep.to_supervised(df, 2, 2, group="id")
    parts = [named(series_to_supervised(part[["v", "w"]], 2, 2), ["v", "w"])
             for _, part in df.groupby("id", sort=False)]
    pd.testing.assert_frame_equal(got.frame, pd.concat(parts))
    assert got.origin["group"].tolist() == ["x"] * 6 + ["z"] * 3
    table = got.dropped.set_index(["group", "reason"])["rows"].to_dict()
    assert table == {("x", "no_lags"): 2, ("x", "no_leads"): 1, ("y", "short_group"): 2,
                     ("z", "no_lags"): 2, ("z", "no_leads"): 1}
    assert len(got.frame) + got.n_dropped == 17


def test_long_table_out_of_order_is_sorted_within_groups():
    df = pd.DataFrame({"id": list("aaaabbbb"), "t": [3, 0, 2, 1, 1, 0, 3, 2],
                       "v": [3.0, 0, 2, 1, 11, 10, 13, 12]})
    got = seqprep.to_supervised(df, 1, 1, group="id", time="t")
    assert got.frame.values.tolist() == [[0, 1], [1, 2], [2, 3], [10, 11], [11, 12], [12, 13]]
    assert got.frame.index.tolist() == [3, 2, 0, 4, 7, 6]  # the input's labels of row t
    assert got.origin["time"].tolist() == [1, 2, 3, 1, 2, 3]
    assert got.notes[0].startswith("sorted by time within groups")


def test_gaps_are_errors_or_split():
    days = pd.date_range("2024-01-01", periods=10, freq="D").delete(4)
    df = pd.DataFrame({"day": days, "v": np.arange(9.0)})
    with pytest.raises(GapError, match=r"^`on_gap='error'`"):
        seqprep.to_supervised(df, 2, 1, time="day")
    got = seqprep.to_supervised(df, 2, 1, time="day", on_gap="split")
    assert got.frame.values.tolist() == [[0, 1, 2], [1, 2, 3], [4, 5, 6], [5, 6, 7], [6, 7, 8]]
    assert got.dropped["reason"].tolist() == ["no_lags", "no_lags"]
    assert got.dropped["segment"].tolist() == [0, 1]


# ------------------------------------------------------------------------ copies


def test_copy_false_is_a_zero_copy_read_only_frame():
    data = np.arange(60, dtype=np.float32).reshape(20, 3)
    got = seqprep.to_supervised(data, 4, 2, copy=False)
    assert np.shares_memory(got.frame.to_numpy(), data) and got.notes == []
    pd.testing.assert_frame_equal(got.frame, seqprep.to_supervised(data, 4, 2).frame)
    with pytest.raises(ValueError, match="read-only"):
        got.frame.iloc[0, 0] = 1.0
    got.frame["extra"] = 1.0  # adding columns works
    assert data[0, 0] == 0.0


def test_copy_false_copies_and_says_so_when_no_view_is_possible():
    df = pd.DataFrame({"id": list("aaabbb"), "v": np.arange(6.0)})
    got = seqprep.to_supervised(df, 1, 1, group="id", copy=False)
    assert got.frame.values.tolist() == [[0, 1], [1, 2], [3, 4], [4, 5]]
    assert "copy=False: the table was copied" in got.notes[-1]


def test_copy_true_owns_its_values():
    data = np.arange(20.0).reshape(10, 2)
    got = seqprep.to_supervised(data, 2, 1)
    assert not np.shares_memory(got.frame.to_numpy(), data)
    got.frame.iloc[0, 0] = -1.0
    assert data[0, 0] == 0.0


def test_a_table_that_cannot_fit_is_refused(monkeypatch):
    import seqprep._memory

    monkeypatch.setattr(seqprep._memory, "available_memory", lambda: 1_000)
    data = np.zeros((100, 4), dtype=np.float32)
    with pytest.raises(seqprep.MemoryBudgetError, match=r"^The lag/lead table of shape \(90, 44\) "
                                                        r"\(float32\) would take 15\.5 KiB, more "
                                                        r"than the 1000 B of memory available\. "
                                                        r"Pass copy=False"):
        seqprep.to_supervised(data, 10, 1)
    assert seqprep.to_supervised(data, 10, 1, copy=False).frame.shape == (90, 44)


def test_dtype_argument():
    got = seqprep.to_supervised(np.arange(10), 2, 1, dtype=np.float32)
    assert set(got.frame.dtypes) == {np.dtype(np.float32)}


def test_report_and_repr():
    got = seqprep.to_supervised(np.arange(10.0), 3, 2)
    assert repr(got) == "Supervised(frame_shape=(6, 5), n_in=3, n_out=2, dropped_rows=4)"
    text = got.report()
    assert text.splitlines()[0] == ("10 rows in, 6 rows out (3 lags, 2 leads, 5 columns), "
                                    "4 rows left out")
    assert "no_lags: 3 rows" in text and "no_leads: 1 row " in text


# --------------------------------------------------------------------- bad input


@pytest.mark.parametrize("kw, error, start", [
    (dict(n_in=-1), ArgumentError, r"^`n_in` must be an integer >= 0\. Received: n_in=-1"),
    (dict(n_out=-2), ArgumentError, r"^`n_out` must be an integer >= 0\. Received: n_out=-2"),
    (dict(n_in=1.5), ArgumentTypeError, r"^`n_in` must be an integer >= 0"),
    (dict(n_in=0, n_out=0), ArgumentError, r"^`n_in` \+ `n_out` must be at least 1\. Received: "
                                           r"n_in=0, n_out=0"),
    (dict(n_out=0, targets=[0]), ArgumentError, r"^`targets` needs n_out >= 1"),
    (dict(copy=None), ArgumentTypeError, r"^`copy` must be True or False"),
    (dict(dtype=np.int32), ArgumentTypeError, r"^`dtype` must be a float dtype"),
    (dict(dtype="nonsense"), ArgumentTypeError, r"^`dtype` must be a numpy float dtype"),
    (dict(targets=[5]), ColumnError, r"^`targets` names column 5, but the data has 2 columns"),
    (dict(n_in=10), ShapeError, r"^`n_in` \+ `n_out` is too large for the data: each output row "
                                r"needs 11 rows .* the longest series has 10\. Received: "
                                r"n_in=10, n_out=1"),
])
def test_bad_arguments(kw, error, start):
    with pytest.raises(error, match=start):
        seqprep.to_supervised(np.zeros((10, 2)), **kw)


def test_bad_data():
    df = pd.DataFrame({"a": [1.0, 2, 3], "s": list("xyz")})
    with pytest.raises(ArgumentTypeError, match=r"^`features` must be numeric columns\. Received "
                                                r"non-numeric: 's'"):
        seqprep.to_supervised(df, features=["a", "s"])
    # issue 13: the default features leave a text column out, with a note
    assert seqprep.to_supervised(df).lag_columns == ["a(t-1)"]
    with pytest.raises(ArgumentTypeError, match=r"^`targets` must be numeric columns"):
        seqprep.to_supervised(df, features=["a"], targets="s")
    with pytest.raises(ColumnError, match=r"^`features` names 1 column not in the data: 'b'"):
        seqprep.to_supervised(df, features=["b"])
    with pytest.raises(ShapeError, match=r"^`data` must be 1D \(rows,\) or 2D"):
        seqprep.to_supervised(np.zeros((4, 3, 2)))
    with pytest.raises(ArgumentTypeError, match=r"^`data` must hold real numbers"):
        seqprep.to_supervised(np.array(list("abcd")))
    with pytest.raises(ShapeError, match=r"^`n_in` \+ `n_out` is too large .* longest group or "
                                         r"segment has 2"):
        seqprep.to_supervised(np.arange(4.0), 2, 1, group=[0, 0, 1, 1])
