"""Sources larger than memory: numpy memmaps and lazily read Parquet files."""

import mmap

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import seqprep
from seqprep import ArgumentError, ArgumentTypeError, ColumnError, GapError


def panel(lengths=(40, 25, 33), seed=0):
    rng = np.random.default_rng(seed)
    parts = []
    for g, n in enumerate(lengths):
        parts.append(pd.DataFrame({
            "id": f"g{g}",
            "t": pd.date_range("2024-01-01", periods=n, freq="h"),
            "a": rng.normal(size=n).astype(np.float32),
            "b": np.arange(n, dtype=np.int64) + 1000 * g,
            "y": rng.normal(size=n),
        }))
    return pd.concat(parts, ignore_index=True)


def assert_same_windows(lazy, eager, *, columns=("group", "segment", "first_time", "last_time")):
    assert len(lazy) == len(eager)
    X, y = lazy.take(np.arange(len(lazy)))
    np.testing.assert_array_equal(X, np.asarray(eager.X))
    if eager.y is not None:
        np.testing.assert_array_equal(y, eager.y)
        np.testing.assert_array_equal(lazy.y, eager.y)
    for col in columns:
        if col in eager.index.columns:
            assert lazy.index[col].tolist() == eager.index[col].tolist(), col


# ---------------------------------------------------------------- memmap


def test_make_windows_over_a_memmap_copies_nothing(tmp_path):
    data = np.random.default_rng(0).normal(size=(5000, 4)).astype(np.float32)
    mm = np.memmap(tmp_path / "x.f32", dtype=np.float32, mode="w+", shape=data.shape)
    mm[:] = data
    mm.flush()
    ro = np.memmap(tmp_path / "x.f32", dtype=np.float32, mode="r", shape=data.shape)
    w = seqprep.make_windows(ro, 16, copy=False)
    assert np.shares_memory(w._source, ro)  # the file mapping itself is the source
    assert np.shares_memory(w.X, ro)
    eager = seqprep.make_windows(data, 16)
    np.testing.assert_array_equal(np.asarray(w.X), eager.X)
    X, _ = w.take([0, 17, len(w) - 1])
    np.testing.assert_array_equal(X, eager.X[[0, 17, len(w) - 1]])
    # targets are copied into memory (rows x n_targets), the features stay mapped
    wt = seqprep.make_windows(ro, 16, targets=[1], copy=False)
    assert np.shares_memory(wt._source, ro) and not np.shares_memory(wt.y, ro)
    np.testing.assert_array_equal(wt.y[:, 0], data[16:, 1])


def test_open_windows_memory_maps_npy(tmp_path):
    data = np.random.default_rng(1).normal(size=(300, 3)).astype(np.float32)
    np.save(tmp_path / "x.npy", data)
    w = seqprep.open_windows(tmp_path / "x.npy", 8, targets=0, stride=2)
    assert isinstance(w, seqprep.Windows)
    base = w._source
    while getattr(base, "base", None) is not None:
        base = base.base
    assert isinstance(base, mmap.mmap)
    eager = seqprep.make_windows(data, 8, targets=0, stride=2)
    np.testing.assert_array_equal(np.asarray(w.X), eager.X)
    np.testing.assert_array_equal(w.y, eager.y)


# ---------------------------------------------------------------- Parquet


def test_parquet_split_across_files_equals_make_windows(tmp_path):
    df = panel()
    for g, part in df.groupby("id"):
        part.to_parquet(tmp_path / f"{g}.parquet", row_group_size=7)
    lazy = seqprep.open_windows(tmp_path, 5, targets="y", features=["a", "b"], group="id",
                                time="t", horizon=2)
    eager = seqprep.make_windows(df, 5, targets="y", features=["a", "b"], group="id", time="t",
                                 horizon=2)
    assert_same_windows(lazy, eager, columns=("group", "segment", "first_row", "last_row",
                                              "target_row", "first_time", "target_time"))
    assert lazy.files == ["g0.parquet", "g1.parquet", "g2.parquet"]
    assert lazy.index["file"].unique().tolist() == lazy.files
    assert lazy.input_shape == (5, 2) and lazy.output_units == 2
    assert lazy.n_rows == len(df) and lazy.n_dropped == eager.n_dropped
    assert lazy.dropped["rows"].sum() == eager.dropped["rows"].sum()
    assert "98 rows in 3 files" in lazy.report()
    assert repr(lazy).startswith("LazyWindows(samples=")
    X = lazy.X
    assert X.shape == (len(lazy), 5, 2) and X.dtype == np.float32
    np.testing.assert_array_equal(X[3], np.asarray(eager.X)[3])
    np.testing.assert_array_equal(X[2:6, :, 1], np.asarray(eager.X)[2:6, :, 1])


def test_unsorted_file_with_interleaved_groups(tmp_path):
    df = panel(seed=3).sample(frac=1, random_state=2)
    df.to_parquet(tmp_path / "all.parquet", row_group_size=10)
    lazy = seqprep.open_windows(tmp_path / "all.parquet", 4, targets=["y", "a"], group="id",
                                time="t", stride=3)
    eager = seqprep.make_windows(df, 4, targets=["y", "a"], group="id", time="t", stride=3)
    assert_same_windows(lazy, eager, columns=("group", "first_row", "target_row", "first_time"))
    assert any("sorted" in n or "regrouped" in n for n in lazy.notes)


def test_sorted_file_is_read_a_row_group_at_a_time(tmp_path):
    n = 10_000
    df = pd.DataFrame({"t": np.arange(n), "v": np.arange(n, dtype=np.float64)})
    df.to_parquet(tmp_path / "long.parquet", row_group_size=1000)
    w = seqprep.open_windows(tmp_path / "long.parquet", 50, targets="v", time="t",
                             cache_bytes=20_000)
    X, y = w.take([0, 10, 990])  # all in the first row group (990 + 50 spills into the second)
    assert w.blocks_read == 1
    assert X[2, :, 0].tolist() == list(range(990, 1040)) and y[2, 0] == 1040
    w.take([5000])
    assert w.blocks_read == 2
    w.take([1, 5001])  # the cache holds ~2 blocks of 1049 rows x 2 columns x 4 bytes
    assert w.blocks_read == 2
    w.take([9000, 8000, 7000])
    assert w.blocks_read == 5
    w.take([0])  # evicted by now
    assert w.blocks_read == 6
    X, _ = w.take(np.arange(0, len(w), 97))
    np.testing.assert_array_equal(X[:, 0, 0], np.arange(0, len(w), 97))


def test_a_group_split_by_time_over_files_restarts_in_each(tmp_path):
    df = panel(lengths=(30,))
    df.iloc[:18].to_parquet(tmp_path / "part-0.parquet")
    df.iloc[18:].to_parquet(tmp_path / "part-1.parquet")
    w = seqprep.open_windows(tmp_path, 4, targets="y", features=["a"], group="id", time="t")
    # 18 rows give 14 windows, 12 rows give 8: none spans the two files
    assert len(w) == 14 + 8
    assert w.index.groupby("file")["last_time"].max().tolist() == \
        [df["t"].iloc[16], df["t"].iloc[28]]
    assert (w.index["target_time"] <= df["t"].iloc[17]).sum() == 14
    assert w.n_dropped == 0  # every row is read by a window of its own file


def test_layout_and_batches_over_parquet(tmp_path):
    df = panel(lengths=(64, 40, 24))
    for g, part in df.groupby("id"):
        part.to_parquet(tmp_path / f"{g}.parquet", row_group_size=16)
    w = seqprep.open_windows(tmp_path, 4, stride=4, features=["b"], targets="y", group="id", time="t")
    lay = seqprep.stateful_layout(w, 3)
    assert type(lay).__name__ == "LazyWindows" and lay.n_batches * 3 == len(lay)
    X = np.asarray(lay.X).reshape(lay.n_batches, 3, 4)
    reset = lay.reset_mask
    pad = lay.index["pad"].to_numpy().reshape(lay.n_batches, 3)
    for k in range(1, lay.n_batches):
        for i in range(3):
            if not (reset[k, i] or pad[k, i]):
                assert X[k, i, 0] == X[k - 1, i, -1] + 1  # "b" counts rows within a group
    assert "stateful layout:" in lay.report()


def test_no_group_no_time_and_a_file_too_short(tmp_path):
    pd.DataFrame({"v": np.arange(20.0)}).to_parquet(tmp_path / "a.parquet")
    pd.DataFrame({"v": np.arange(3.0)}).to_parquet(tmp_path / "b.parquet")
    w = seqprep.open_windows(tmp_path, 5)
    assert len(w) == 16
    short = w.dropped[w.dropped["file"] == "b.parquet"]
    assert short["reason"].tolist() == ["short_group"] and short["rows"].tolist() == [3]
    assert w.n_rows == 23


def test_errors_name_the_argument_and_the_file(tmp_path):
    with pytest.raises(ArgumentError, match=r"^`path` must name an existing Parquet file"):
        seqprep.open_windows(tmp_path / "nope.parquet", 3)
    with pytest.raises(ArgumentError, match=r"^`path` must be a Parquet file or a folder holding"):
        seqprep.open_windows(tmp_path, 3)
    with pytest.raises(ArgumentTypeError, match=r"^`path` must be a file or folder path"):
        seqprep.open_windows(pd.DataFrame({"v": [1.0]}), 3)
    df = panel()
    df.to_parquet(tmp_path / "p.parquet")
    with pytest.raises(ColumnError, match=r"^`group` names 1 column not in the Parquet data: 'who'"):
        seqprep.open_windows(tmp_path / "p.parquet", 3, group="who")
    with pytest.raises(ArgumentTypeError, match=r"^`features` and `targets` must be numeric"):
        seqprep.open_windows(tmp_path / "p.parquet", 3, time="t")  # "id" is text
    with pytest.raises(ArgumentError, match=r"^`timesteps` must be a positive integer"):
        seqprep.open_windows(tmp_path / "p.parquet", 0)
    gappy = df.drop(index=[5])
    gappy.to_parquet(tmp_path / "gap.parquet")
    with pytest.raises(GapError, match=r"^gap.parquet: `on_gap='error'`") as info:
        seqprep.open_windows(tmp_path / "gap.parquet", 3, group="id", time="t",
                             features=["a"])
    assert info.value.gaps is not None and len(info.value.gaps) == 1
    split = seqprep.open_windows(tmp_path / "gap.parquet", 3, group="id", time="t",
                                 features=["a"], on_gap="split")
    assert split.index["segment"].max() == 1
    other = tmp_path / "mixed"
    other.mkdir()
    df.to_parquet(other / "a.parquet")
    df.drop(columns="b").to_parquet(other / "b.parquet")
    with pytest.raises(ColumnError, match=r"^Every Parquet file must have the columns of the first"):
        seqprep.open_windows(other, 3, group="id", time="t")


def test_nullable_and_bool_columns_are_read(tmp_path):
    table = pa.table({"t": np.arange(10), "flag": [True, False] * 5,
                      "x": pa.array([1, 2, 3, None, 5, 6, 7, 8, 9, 10], type=pa.int64())})
    pq.write_table(table, tmp_path / "n.parquet")
    w = seqprep.open_windows(tmp_path / "n.parquet", 3, time="t")
    X, _ = w.take([1])
    assert X[0, :, 0].tolist() == [0.0, 1.0, 0.0]
    assert np.isnan(X[0, 2, 1])  # a null is NaN, as pandas reads it
