"""Arrow and polars tables in, through the one conversion layer (seqprep._tables).

Every entry point gives the same result for a pyarrow Table/RecordBatch and a polars
DataFrame/LazyFrame as for the pandas frame they hold; numeric columns reach the window
engine without a copy where they can.
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import seqprep
from seqprep._tables import as_frame, as_pandas, is_table

pa = pytest.importorskip("pyarrow")


def panel(n: int = 12) -> pd.DataFrame:
    """Two groups of ``n`` hourly rows, a float32 and a float64 column."""
    t = pd.date_range("2024-03-01", periods=n, freq="h", tz="Europe/Paris")
    return pd.DataFrame({
        "id": np.repeat(["a", "b"], n),
        "t": np.tile(t, 2),
        "x": np.arange(2 * n, dtype=np.float32),
        "y": np.arange(2 * n, dtype=np.float64) * 10,
    })


def arrow_kinds(df: pd.DataFrame) -> dict:
    table = pa.Table.from_pandas(df, preserve_index=False)
    return {"Table": table, "RecordBatch": table.combine_chunks().to_batches()[0]}


def polars_kinds(df: pd.DataFrame) -> dict:
    pl = pytest.importorskip("polars")
    frame = pl.from_pandas(df)
    return {"polars.DataFrame": frame, "polars.LazyFrame": frame.lazy()}


@pytest.fixture(params=["Table", "RecordBatch", "polars.DataFrame", "polars.LazyFrame"])
def kind(request):
    return request.param


def convert(df: pd.DataFrame, kind: str):
    kinds = arrow_kinds(df) if not kind.startswith("polars") else polars_kinds(df)
    return kinds[kind]


# ---------------------------------------------------------------- the layer itself


def test_pandas_and_numpy_pass_through_untouched():
    df, arr = panel(), np.zeros((3, 2))
    assert as_pandas(df) is df and as_pandas(arr) is arr
    assert as_pandas(df["x"]) is not None and not is_table(df) and not is_table([1.0])


def test_types_survive_the_conversion(kind):
    out = as_pandas(convert(panel(), kind))
    assert isinstance(out, pd.DataFrame)
    pd.testing.assert_frame_equal(out.astype({"id": object}),
                                  panel().astype({"id": object}), check_dtype=True)
    assert str(out["t"].dt.tz) == "Europe/Paris"


def test_one_column_objects_become_a_series():
    pl = pytest.importorskip("polars")
    s = as_pandas(pl.Series("load", [1.0, 2.0]))
    assert isinstance(s, pd.Series) and s.name == "load" and s.tolist() == [1.0, 2.0]
    assert as_pandas(pa.array([1, 2])).tolist() == [1, 2]


def test_missing_pyarrow_names_the_extra(monkeypatch):
    class Stream:
        def __arrow_c_stream__(self, requested_schema=None):  # pragma: no cover - not read
            raise AssertionError

    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(seqprep.MissingDependencyError, match=r"pip install 'seqprep\[polars\]'"):
        seqprep.make_windows(Stream(), 2)


def test_a_failing_export_is_a_type_error():
    class Broken:
        def __arrow_c_stream__(self, requested_schema=None):
            raise TypeError("no stream today")

    with pytest.raises(seqprep.ArgumentTypeError, match=r"^`data` must be a table .*no stream"):
        seqprep.make_windows(Broken(), 2)
    with pytest.raises(seqprep.ArgumentTypeError, match=r"^`df` must be a pandas DataFrame, or"):
        as_frame(np.zeros(3), "df")


def test_a_lazy_query_that_fails_names_the_argument(tmp_path):
    pl = pytest.importorskip("polars")
    lazy = pl.scan_parquet(tmp_path / "missing.parquet")
    with pytest.raises(seqprep.ArgumentError, match=r"^`data` is a polars LazyFrame whose query "
                       r"fails when collected: .*Run `.collect\(\)`"):
        seqprep.make_windows(lazy, 2)


# ---------------------------------------------------------------- zero copy


def test_a_contiguous_float_column_of_an_arrow_table_is_windowed_in_place():
    x = np.arange(50, dtype=np.float32)
    table = pa.table({"x": x, "y": np.arange(50.0)})
    buffer = table["x"].chunk(0).to_numpy(zero_copy_only=True)
    w = seqprep.make_windows(table, 5, features="x", targets="y", copy=False)
    assert np.shares_memory(w.source, buffer)
    assert np.shares_memory(w.X, buffer)
    np.testing.assert_array_equal(w.X[:, :, 0], np.lib.stride_tricks.sliding_window_view(
        x, 5)[:-1])
    # copy=True takes a snapshot: the windows never change with the table's buffer
    assert not np.shares_memory(seqprep.make_windows(table, 5, features="x").source, buffer)


def test_a_polars_float_column_is_windowed_in_place():
    pl = pytest.importorskip("polars")
    frame = pl.DataFrame({"x": np.arange(30, dtype=np.float32)})
    w = seqprep.make_windows(frame, 4, copy=False)
    assert np.shares_memory(w.source, frame["x"].to_numpy())


def test_columns_that_need_converting_are_copied_not_shared():
    table = pa.table({"x": pa.array([1.0, None, 3.0, 4.0], pa.float32())})
    w = seqprep.make_windows(table, 2, copy=False)
    assert np.isnan(w.source[1, 0]) and w.n_nan["features"] == 1
    f64 = pa.table({"x": np.arange(5.0)})  # float64 asked as float32: cast, so a copy
    assert not np.shares_memory(seqprep.make_windows(f64, 2, copy=False).source,
                                f64["x"].chunk(0).to_numpy())


# ---------------------------------------------------------------- every entry point


def test_make_windows_is_the_same_as_on_pandas(kind):
    df = panel()
    kw = dict(targets="y", group="id", time="t", horizon=2)
    want, got = seqprep.make_windows(df, 3, **kw), seqprep.make_windows(convert(df, kind), 3, **kw)
    np.testing.assert_array_equal(got.X, want.X)
    np.testing.assert_array_equal(got.y, want.y)
    pd.testing.assert_frame_equal(got.index.astype({"group": object}),
                                  want.index.astype({"group": object}))
    assert got.feature_names == want.feature_names == ("x", "y")


def test_to_supervised_is_the_same_as_on_pandas(kind):
    df = panel()
    kw = dict(features=["x"], targets="y", group="id", time="t")
    want, got = seqprep.to_supervised(df, 2, 1, **kw), seqprep.to_supervised(
        convert(df, kind), 2, 1, **kw)
    pd.testing.assert_frame_equal(got.frame, want.frame)


def test_validate_reports_the_same_failures_and_returns_the_table(kind):
    df = panel()
    df.loc[[3, 4], "y"] = np.nan
    df = df.drop(index=7).reset_index(drop=True)  # a missing hour in group a
    schema = seqprep.SeriesSchema("t", group="id", features=["x", "y"], freq="h")
    with pytest.raises(seqprep.ValidationError) as want:
        schema.validate(df)
    with pytest.raises(seqprep.ValidationError) as got:
        schema.validate(convert(df, kind))
    cols = ["check", "column", "row", "value"]
    assert got.value.failures[cols].to_numpy().tolist() == \
        want.value.failures[cols].to_numpy().tolist()
    assert len(want.value.failures) == 3
    ok = convert(panel(), kind)
    assert schema.validate(ok) is ok


def test_a_polars_frame_reports_every_failure_not_a_sample():
    pl = pytest.importorskip("polars")
    n = 2500  # more than the polars engine's default cap of 1000 per check
    df = pd.DataFrame({"t": np.arange(n), "x": np.where(np.arange(n) % 2, np.nan, 1.0)})
    schema = seqprep.SeriesSchema("t", features="x", freq=1)
    with pytest.raises(seqprep.ValidationError) as err:
        schema.validate(pl.from_pandas(df))
    assert (err.value.failures["check"] == "not_null").sum() == n // 2


def test_infer_schema_and_split_by_time_read_tables(kind):
    df = panel()
    data = convert(df, kind)
    assert seqprep.infer_schema(data, time="t", group="id") == \
        seqprep.infer_schema(df, time="t", group="id")
    want = seqprep.split_by_time(df, test=0.25, time="t", group="id")
    got = seqprep.split_by_time(data, test=0.25, time="t", group="id")
    for part in ("train", "test"):
        pd.testing.assert_frame_equal(getattr(got, part).astype({"id": object}),
                                      getattr(want, part).astype({"id": object}))


def test_scaler_fits_and_transforms_tables(kind):
    df = panel()
    data = convert(df, kind)
    want = seqprep.Scaler(by="id", columns=["x", "y"]).fit(df)
    got = seqprep.Scaler(by="id", columns=["x", "y"]).fit(data)
    np.testing.assert_allclose(got.center_, want.center_)
    np.testing.assert_allclose(got.scale_, want.scale_)
    out = got.transform(data)
    assert isinstance(out, pd.DataFrame)  # tables come back as pandas (set_output for polars)
    np.testing.assert_allclose(out[["x", "y"]].to_numpy(dtype=float),
                               want.transform(df)[["x", "y"]].to_numpy(dtype=float))


# ---------------------------------------------------------------- property: pandas is the oracle


@st.composite
def frames(draw):
    """Numeric columns of several dtypes, some with missing values, and a text column."""
    n = draw(st.integers(4, 30))
    finite = st.floats(-1e6, 1e6, allow_nan=False, width=32)
    cols = {
        "f32": np.array(draw(st.lists(finite, min_size=n, max_size=n)), dtype=np.float32),
        "f64": np.array(draw(st.lists(st.none() | finite, min_size=n, max_size=n)),
                        dtype=np.float64),
        "i64": np.array(draw(st.lists(st.integers(-2**40, 2**40), min_size=n, max_size=n))),
        "txt": draw(st.lists(st.sampled_from(["a", "b", "c"]), min_size=n, max_size=n)),
    }
    return pd.DataFrame(cols)


@given(df=frames(), timesteps=st.integers(1, 3), dtype=st.sampled_from([np.float32, np.float64]),
       library=st.sampled_from(["arrow", "polars"]))
def test_windows_of_a_table_equal_windows_of_its_pandas_frame(df, timesteps, dtype, library):
    if library == "polars":
        pl = pytest.importorskip("polars")
        data = pl.from_pandas(df)
    else:
        data = pa.Table.from_pandas(df, preserve_index=False)
    kw = dict(targets="f32", dtype=dtype, copy=False, categorical="codes")
    want = seqprep.make_windows(df, timesteps, **kw)
    got = seqprep.make_windows(data, timesteps, **kw)
    np.testing.assert_array_equal(np.asarray(got.X), np.asarray(want.X))
    np.testing.assert_array_equal(got.y, want.y)
    assert got.feature_names == want.feature_names and got.categories == want.categories
    assert got.n_nan == want.n_nan


@pytest.mark.parametrize("tz", [None, "Europe/Paris"])
def test_validate_of_a_polars_frame_reports_what_the_pandas_path_reports(tz, kind):
    """Every kind of fault (the engine tests' panel): the same records, in the same order."""
    from _engine_panels import SCHEMA, as_set, pandas_failures, panel  # tests/ is on the path

    df = panel(unit="us", tz=tz)
    want = pandas_failures(SCHEMA, df)
    with pytest.raises(seqprep.ValidationError) as got:
        SCHEMA.validate(convert(df, kind))
    assert as_set(got.value.failures) == as_set(want)
    assert got.value.failures["row"].tolist() == want["row"].tolist()


def test_validate_of_a_failing_lazy_query_names_df(tmp_path):
    pl = pytest.importorskip("polars")
    schema = seqprep.SeriesSchema("t", features="x")
    with pytest.raises(seqprep.ArgumentError, match=r"^`df` is a polars LazyFrame whose query"):
        schema.validate(pl.scan_parquet(tmp_path / "missing.parquet"))
