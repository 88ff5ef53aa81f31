"""Hostile input, class 7, argument side (issue 15): the library's own errors, never a raw one.

Integer arguments past int64 used to raise ``OverflowError`` deep in numpy; pandas masked
columns (``Int64``/``Float64``) made ``Scaler.transform`` raise ``TypeError``; zero-column
arrays raised ``IndexError``; repeated column names ``AttributeError``. Each now gets a
seqprep error naming the argument, the rule, the value received and the fix.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import seqprep
from seqprep import ArgumentError, ColumnError, Scaler, ShapeError

INT64_MAX = 2**63 - 1
RULE = r"must be an integer <= 9,223,372,036,854,775,807 \(the int64 maximum\)"


# ------------------------------------------------------------- integers beyond int64


@pytest.mark.parametrize("arg", ["timesteps", "horizon", "gap", "stride", "sampling_rate"])
@pytest.mark.parametrize("value", [2**63, 2**64, 10**30, np.uint64(2**64 - 1)])
def test_make_windows_integer_arguments_beyond_int64(arg, value):
    kwargs = {"timesteps": 2, arg: value}
    with pytest.raises(ArgumentError, match=rf"^`{arg}` {RULE}\. Received: {arg}="
                                            rf"{int(value)}\."):
        seqprep.make_windows(np.arange(10.0)[:, None], **kwargs)


@pytest.mark.parametrize("arg", ["n_in", "n_out"])
def test_to_supervised_integer_arguments_beyond_int64(arg):
    with pytest.raises(ArgumentError, match=rf"^`{arg}` {RULE}\. Received: {arg}=2{'0' * 20}\."):
        seqprep.to_supervised(pd.DataFrame({"x": [1.0, 2.0, 3.0]}), **{arg: 2 * 10**20})


def test_batch_size_beyond_int64():
    with pytest.raises(ArgumentError, match=rf"^`batch_size` {RULE}\. Received: "
                                            r"batch_size=18446744073709551616\. Pass a smaller"):
        seqprep.batch_input_shape(np.zeros((4, 2, 1)), 2**64)


def test_int64_maximum_itself_is_accepted_and_checked_against_the_data():
    # the largest int64 is an integer like any other: refused by the data-size rule
    with pytest.raises(ShapeError, match=r"^`timesteps` is too long for the data"):
        seqprep.make_windows(np.arange(10.0)[:, None], INT64_MAX)


def test_a_huge_negative_integer_is_refused_with_a_short_message():
    with pytest.raises(ArgumentError, match=r"^`stride` must be a positive integer\. Received: "
                                            r"stride=<a negative integer of 33,220 bits>\.$"):
        seqprep.make_windows(np.arange(10.0)[:, None], 2, stride=-(10**10000))


def test_cli_chunk_rows_beyond_int64_is_a_usage_error_not_a_traceback(tmp_path):
    testing = pytest.importorskip("click.testing")
    from seqprep._cli import cli

    data = tmp_path / "d.csv"
    pd.DataFrame({"t": [0, 1, 2], "x": [1.0, 2.0, 3.0]}).to_csv(data, index=False)
    schema = tmp_path / "s.yaml"
    seqprep.SeriesSchema("t", features="x", freq=1).to_yaml(schema)
    for value in ("99999999999999999999", str(2**63)):
        result = testing.CliRunner().invoke(
            cli, ["validate", str(data), "--schema", str(schema), "--chunk-rows", value])
        assert result.exit_code == 2, result.output
        assert "--chunk-rows" in result.output and "Traceback" not in result.output
        assert not isinstance(result.exception, OverflowError)


# ------------------------------------------------------ Scaler: masked pandas columns


@pytest.mark.parametrize("method", ["standard", "minmax", "robust"])
def test_scaler_transforms_masked_columns(method):
    train = pd.DataFrame({"a": [1.0, 2.0, 4.0], "b": [10.0, 20.0, 40.0]})
    sc = Scaler(method).fit(train)
    masked = pd.DataFrame({"a": pd.array([1, None, 4], dtype="Int64"),
                           "b": pd.array([10.0, 20.0, None], dtype="Float64")})
    out = sc.transform(masked)
    expect = sc.transform(pd.DataFrame({"a": [1.0, np.nan, 4.0], "b": [10.0, 20.0, np.nan]}))
    assert out.dtypes.tolist() == [pd.Float64Dtype(), pd.Float64Dtype()]
    assert out["a"].isna().tolist() == [False, True, False]  # <NA> stays <NA>
    np.testing.assert_array_equal(out.to_numpy(dtype=float, na_value=np.nan),
                                  expect.to_numpy())
    back = sc.inverse_transform(out)
    assert back["a"].tolist()[0] == 1.0 and back["a"].isna().tolist() == [False, True, False]


def test_scaler_fits_on_masked_columns_and_ignores_na():
    df = pd.DataFrame({"id": ["a", "a", "b", "b"],
                       "x": pd.array([1, 3, None, 7], dtype="Int64"),
                       "y": pd.array([0.5, None, 2.0, 4.0], dtype="Float64")})
    sc = Scaler("minmax", by="id").fit(df)
    np.testing.assert_array_equal(sc.center_, [[1.0, 0.5], [7.0, 2.0]])
    np.testing.assert_array_equal(sc.scale_, [[2.0, 1.0], [1.0, 2.0]])
    assert sc.transform(df)["x"].tolist()[:2] == [0.0, 1.0]


def test_scaler_refuses_a_masked_boolean_column():
    df = pd.DataFrame({"x": [1.0, 2.0], "flag": pd.array([True, None], dtype="boolean")})
    with pytest.raises(seqprep.ArgumentTypeError, match=r"^`columns` must be numeric \(not "
                                                        r"bool\).*'flag' \(boolean\)"):
        Scaler(columns=["x", "flag"]).fit(df)


# ---------------------------------------------------------------- zero-column arrays


@pytest.mark.parametrize("shape", [(5, 0), (0, 0)])
def test_scaler_refuses_zero_column_arrays(shape):
    with pytest.raises(ShapeError, match=r"^`data` must have at least one column to scale\. "
                                         r"Received: 0 feature\(s\)"):
        Scaler().fit(np.zeros(shape))
    sc = Scaler().fit(np.ones((3, 2)))
    with pytest.raises(ShapeError, match=r"^`data` must have 2 columns"):
        sc.transform(np.zeros((5, 0)))


@pytest.mark.parametrize("func,shape,axis", [
    (seqprep.as_sequence, (5, 0), "features"),
    (seqprep.as_samples, (5, 0), "columns"),
    (seqprep.as_samples, (0, 3), "rows"),
])
def test_reshape_refuses_empty_axes(func, shape, axis):
    with pytest.raises(ShapeError, match=rf"^`data` must have at least one of its {axis} "):
        func(np.zeros(shape))


@pytest.mark.parametrize("shape,missing", [((4, 0, 2), "timesteps"), ((4, 3, 0), "features")])
def test_input_shapes_refuse_zero_timesteps_or_features(shape, missing):
    with pytest.raises(ShapeError, match=rf"^`X` must have at least one of each .*\(no {missing}\)"):
        seqprep.input_shape(np.zeros(shape))
    with pytest.raises(ShapeError, match=rf"\(no {missing}\)"):
        seqprep.batch_input_shape(np.zeros(shape), 2)
    with pytest.raises(ShapeError, match=r"\(no samples\)"):
        seqprep.batch_input_shape(np.zeros((0, 3, 2)), 2)
    assert seqprep.input_shape(np.zeros((0, 3, 2))) == (3, 2)  # samples do not matter here


# ------------------------------------------------------------ repeated column names


def test_scaler_refuses_repeated_column_names_in_fit_and_transform():
    dup = pd.DataFrame([[1.0, 2.0, 3.0]] * 3, columns=["x", "x", "y"])
    with pytest.raises(ColumnError, match=r"^`data` must have unique column names\. Received: "
                                          r"1 name used more than once: 'x'\."):
        Scaler().fit(dup)
    with pytest.raises(ColumnError, match=r"^`data` must have unique column names"):
        Scaler(columns=["y"]).fit(dup)
    sc = Scaler().fit(pd.DataFrame({"x": [1.0, 2.0], "y": [1.0, 3.0]}))
    with pytest.raises(ColumnError, match=r"^`data` must have unique column names"):
        sc.transform(dup)


def test_scaler_takes_a_series_as_make_windows_does():
    s = pd.Series([2.0, 4.0, 6.0])
    sc = Scaler("minmax").fit(s)
    assert sc.columns_ == (0,) and sc.transform(s).tolist() == [0.0, 0.5, 1.0]


def test_messages_stay_short_for_huge_arguments():
    df = pd.DataFrame({"x": [1.0, 2.0]})
    big = list(range(10**6))
    for call in (lambda: Scaler(method=big).fit(df),
                 lambda: Scaler(columns=big).fit(df),
                 lambda: Scaler().fit(df).transform(df, groups=big),
                 lambda: seqprep.make_windows(df, big)):
        with pytest.raises(seqprep.SeqprepError) as info:
            call()
        assert len(str(info.value)) < 600, str(info.value)[:200]
        assert "1,000,000" in str(info.value)  # the size is said, not the values


@pytest.mark.parametrize("value", [np.array(["timesteps", "features"]), np.array([1, 2]),
                                   True, ["timesteps"]])
def test_option_arguments_given_arrays_or_bools_get_the_library_error(value):
    # an array compared with an option used to raise numpy's "truth value is ambiguous"
    with pytest.raises(ArgumentError, match=r"^`columns` must be one of 'timesteps', "
                                            r"'features'\. Received: columns="):
        seqprep.as_samples(np.zeros((2, 2)), columns=value)
    assert seqprep.as_samples(np.zeros((2, 3)), columns=np.str_("features")).shape == (2, 1, 3)


# ----------------------------------------- a step longer than pandas' time range (D10)


@pytest.mark.parametrize("freq", ["200000D", "1000000D", "100000000000min", "400000MS",
                                  "1500YS"])
def test_a_freq_longer_than_the_time_range_is_refused_by_every_entry_point(tmp_path, freq):
    from click.testing import CliRunner

    from seqprep._cli import cli

    df = pd.DataFrame({"t": pd.date_range("2024-01-01", periods=10), "x": np.arange(10.0)})
    rule = r"^`freq` must be shorter than the time range pandas can hold"
    with pytest.raises(ArgumentError, match=rule):
        seqprep.make_windows(df, 3, time="t", freq=freq)
    with pytest.raises(ArgumentError, match=rule):
        seqprep.to_supervised(df, 3, time="t", freq=freq)
    with pytest.raises(seqprep.SchemaError, match=rule):
        seqprep.SeriesSchema("t", freq=freq)
    df.to_csv(tmp_path / "d.csv", index=False)
    (tmp_path / "s.yaml").write_text(f"seqprep_schema: 1\ntime: t\nfreq: {freq}\n")
    for args in (["validate", tmp_path / "d.csv", "--schema", tmp_path / "s.yaml"],
                 ["windows", tmp_path / "d.csv", "--timesteps", 3, "--time", "t", "--freq",
                  freq, "--out", tmp_path / "w.npz"]):
        r = CliRunner().invoke(cli, [str(a) for a in args])
        assert r.exit_code == 2 and "must be shorter than the time range" in r.stderr
        assert "unexpected" not in r.stderr and len(r.stderr.splitlines()) == 1


def test_the_longest_step_pandas_can_hold_is_checked_not_crashed():
    # 106751 days fits in int64 nanoseconds; a gap shorter than it is off the grid
    df = pd.DataFrame({"t": pd.date_range("2024-01-01", periods=10).delete([3, 4]),
                       "x": np.arange(8.0)})
    with pytest.raises(seqprep.ValidationError) as err:
        seqprep.SeriesSchema("t", freq="106751D").validate(df)
    assert set(err.value.failures["check"]) == {"regular_freq"}
    assert (err.value.failures["missing_steps"] == 0).all()


@pytest.mark.parametrize("columns", [object(), Exception, iter])
def test_scaler_columns_that_are_not_names_get_the_library_error(columns):
    # D3b: the one list rule of seqprep._columns (as make_windows' features= uses)
    df = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0]})
    for data in (df, df.to_numpy(), seqprep.make_windows(df, 2)):
        with pytest.raises(seqprep.ArgumentTypeError,
                           match=r"^`columns` must be a column name or a list of them\. "
                                 r"Received: columns=.* Pass e\.g\. columns=\['a', 'b'\]"):
            Scaler(columns=columns).fit(data)


@pytest.mark.parametrize("freq", ["100YS", "300YS", "583YS"])
def test_a_calendar_step_of_centuries_is_checked_not_crashed(tmp_path, freq):
    """D10b: the grid point after the last time may lie past 2262; gaps are still counted."""
    from click.testing import CliRunner

    from seqprep._cli import cli

    df = pd.DataFrame({"t": pd.date_range("2024-01-01", periods=10), "x": np.arange(10.0)})
    with pytest.raises(seqprep.GapError):
        seqprep.make_windows(df, 3, time="t", freq=freq)
    with pytest.raises(seqprep.ValidationError) as err:
        seqprep.SeriesSchema("t", freq=freq).validate(df)
    assert set(err.value.failures["check"]) == {"regular_freq"}
    df.to_csv(tmp_path / "d.csv", index=False)
    (tmp_path / "s.yaml").write_text(f"seqprep_schema: 1\ntime: t\nfreq: {freq}\n")
    r = CliRunner().invoke(cli, ["validate", str(tmp_path / "d.csv"), "--schema",
                                 str(tmp_path / "s.yaml")])
    assert r.exit_code == 1 and "unexpected" not in r.stderr
    years = pd.DataFrame({"t": pd.to_datetime(["2000-01-01", "2200-01-01"]), "x": [1.0, 2]})
    with pytest.raises(seqprep.ValidationError) as err:
        seqprep.SeriesSchema("t", freq="100YS").validate(years)
    [case] = err.value.failures.to_dict("records")
    assert case["missing_steps"] == 1 and case["missing_first"] == pd.Timestamp("2100-01-01")
