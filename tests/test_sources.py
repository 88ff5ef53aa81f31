"""Sources larger than memory: numpy memmaps and lazily read Parquet files."""

import mmap

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

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
    # with targets, the features stay mapped
    wt = seqprep.make_windows(ro, 16, targets=[1], copy=False)
    assert np.shares_memory(wt._source, ro)
    np.testing.assert_array_equal(wt.y[:, 0], data[16:, 1])
    # a memmap of another dtype is converted (in memory), and says nothing false
    ro64 = np.memmap(tmp_path / "x.f64", dtype=np.float64, mode="w+", shape=data.shape)
    ro64[:] = data
    w64 = seqprep.make_windows(ro64, 16, copy=False)
    assert not np.shares_memory(w64._source, ro64)
    np.testing.assert_array_equal(np.asarray(w64.X), eager.X)


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


def test_a_group_split_by_time_over_files_continues_across_them(tmp_path):
    df = panel(lengths=(30,))
    df.iloc[:18].to_parquet(tmp_path / "part-0.parquet", row_group_size=5)
    df.iloc[18:].to_parquet(tmp_path / "part-1.parquet", row_group_size=5)
    w = seqprep.open_windows(tmp_path, 4, targets="y", features=["a"], group="id", time="t",
                             cache_bytes=0)
    eager = seqprep.make_windows(df, 4, targets="y", features=["a"], group="id", time="t")
    # 18 rows give 14 windows, 12 rows give 8, and 4 windows cross from one file to the next
    assert len(w) == len(eager) == 14 + 4 + 8
    assert_same_windows(w, eager, columns=("group", "segment", "first_row", "last_row",
                                           "target_row", "first_time", "last_time",
                                           "target_time"))
    # `file` is the file of the window's first row
    assert w.index["file"].tolist() == ["part-0.parquet"] * 18 + ["part-1.parquet"] * 8
    assert w.n_dropped == eager.n_dropped == 0
    # a window across the boundary reads the last row group of one file and the first of
    # the next (cache_bytes=0 keeps one block: each read is a miss)
    before = w.blocks_read
    X, y = w.take([16])
    assert w.blocks_read - before == 2
    np.testing.assert_array_equal(X[0, :, 0], df["a"].to_numpy()[16:20])
    assert y[0, 0] == np.float32(df["y"].iloc[20])
    assert ("across files: group 'g0' continues across 2 files: the boundaries are checked "
            "and windows continue across them") in w.notes
    assert "not made" not in w.report()


def test_windows_span_several_short_files(tmp_path):
    # one series over seven files of 0-3 rows: a window may read from four files
    cuts = [0, 2, 3, 3, 6, 7, 9, 12]
    data = pd.DataFrame({"t": np.arange(12), "v": np.arange(12.0) * 10})
    for i, (lo, hi) in enumerate(zip(cuts[:-1], cuts[1:])):
        data.iloc[lo:hi].to_parquet(tmp_path / f"p{i}.parquet")
    w = seqprep.open_windows(tmp_path, 5, targets="v", time="t", gap=1, stride=2,
                             cache_bytes=100)
    eager = seqprep.make_windows(data, 5, targets="v", time="t", gap=1, stride=2)
    assert len(w) == len(eager) == 3
    assert_same_windows(w, eager, columns=("first_row", "target_row", "first_time",
                                           "target_time"))
    assert w.index["file"].tolist() == ["p0.parquet", "p1.parquet", "p3.parquet"]
    assert w.n_dropped == eager.n_dropped == 2
    pd.testing.assert_frame_equal(w.dropped.drop(columns="file"), eager.dropped)
    # `file`: the file of the first row (of the stretch the rows lie in, for skipped rows)
    assert w.dropped[["file", "reason", "first"]].to_numpy().tolist() == \
        [["p0.parquet", "skipped", 0], ["p6.parquet", "tail", 11]]
    # without group and time the files are one series too, read in path order
    plain = tmp_path / "plain"
    plain.mkdir()
    pd.DataFrame({"v": np.arange(20.0)}).to_parquet(plain / "n-a.parquet")
    pd.DataFrame({"v": np.arange(20.0, 23.0)}).to_parquet(plain / "n-b.parquet")
    w = seqprep.open_windows(plain, 5)
    eager = seqprep.make_windows(np.arange(23.0)[:, None], 5)
    assert len(w) == 19
    assert_same_windows(w, eager, columns=("first_row", "last_row"))
    assert "the series continues across 2 files" in w.report()


def test_layout_and_batches_over_parquet(tmp_path):
    df = panel(lengths=(64, 40, 24))
    for g, part in df.groupby("id"):
        part.to_parquet(tmp_path / f"{g}.parquet", row_group_size=16)
    w = seqprep.open_windows(tmp_path, 4, stride=4, features=["b"], targets="y", group="id", time="t")
    lay = seqprep.stateful_layout(w, 3)
    assert isinstance(lay, seqprep._lazy.LazyWindows) and lay.n_batches * 3 == len(lay)
    X = np.asarray(lay.X).reshape(lay.n_batches, 3, 4)
    reset = lay.reset_mask
    pad = lay.index["pad"].to_numpy().reshape(lay.n_batches, 3)
    for k in range(1, lay.n_batches):
        for i in range(3):
            if not (reset[k, i] or pad[k, i]):
                assert X[k, i, 0] == X[k - 1, i, -1] + 1  # "b" counts rows within a group
    assert "stateful layout:" in lay.report()


def test_a_group_in_one_short_file_is_dropped_and_named(tmp_path):
    pd.DataFrame({"id": "x", "v": np.arange(20.0)}).to_parquet(tmp_path / "a.parquet")
    pd.DataFrame({"id": "y", "v": np.arange(3.0)}).to_parquet(tmp_path / "b.parquet")
    w = seqprep.open_windows(tmp_path, 5, group="id")
    assert len(w) == 16
    short = w.dropped[w.dropped["file"] == "b.parquet"]
    assert short["reason"].tolist() == ["short_group"] and short["rows"].tolist() == [3]
    assert w.n_rows == 23 and w.n_dropped == 3


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


# ---------------------------------------------------------------- a group across files


def test_a_group_continuing_across_files_gives_the_windows_of_the_whole_table(tmp_path):
    # the reviewer's case: 20 daily rows split 10/10 over two files
    df = pd.DataFrame({"id": "a", "t": pd.date_range("2024-01-01", periods=20, freq="D"),
                       "v": np.arange(20.0)})
    df.iloc[:10].to_parquet(tmp_path / "2024-01a.parquet")
    df.iloc[10:].to_parquet(tmp_path / "2024-01b.parquet")
    w = seqprep.open_windows(tmp_path, 3, targets="v", group="id", time="t")
    eager = seqprep.make_windows(df, 3, targets="v", group="id", time="t")
    assert len(w) == len(eager) == 17
    assert_same_windows(w, eager, columns=("group", "first_time", "target_time", "first_row"))
    assert ("note: across files: group 'a' continues across 2 files: the boundaries are "
            "checked and windows continue across them") in w.report()
    # pieces too short for any window in their own file make windows together
    short = tmp_path / "short"
    short.mkdir()
    df.iloc[:3].to_parquet(short / "a.parquet")
    df.iloc[3:6].to_parquet(short / "b.parquet")
    w = seqprep.open_windows(short, 4, targets="v", group="id", time="t")
    assert_same_windows(w, seqprep.make_windows(df.iloc[:6], 4, targets="v", group="id",
                                                time="t"))
    assert len(w) == 2
    with pytest.raises(seqprep.ShapeError, match=r"^No window fits: each needs 7 rows, and no "
                                                 r"group or segment of the 6 rows in 2 files"):
        seqprep.open_windows(short, 6, targets="v", group="id", time="t")


def test_files_that_overlap_or_are_named_out_of_time_order_are_refused(tmp_path):
    df = pd.DataFrame({"id": "a", "t": pd.date_range("2024-01-01", periods=20, freq="D"),
                       "v": np.arange(20.0)})
    dup = tmp_path / "dup"
    dup.mkdir()
    df.iloc[:12].to_parquet(dup / "p1.parquet")
    df.iloc[8:].to_parquet(dup / "p2.parquet")  # rows 8..11 in both
    with pytest.raises(seqprep.OrderError):  # as make_windows refuses the same rows
        seqprep.make_windows(pd.concat([df.iloc[:12], df.iloc[8:]]), 3, targets="v",
                             group="id", time="t")
    with pytest.raises(seqprep.OrderError,
                       match=r"^`time` must increase from one file to the next within each group"
                       ) as info:
        seqprep.open_windows(dup, 3, targets="v", group="id", time="t")
    text = str(info.value)
    assert "group 'a': p1.parquet ends at 2024-01-12 00:00:00, p2.parquet starts at 2024-01-09" \
        in text
    assert "drop_duplicates" in text and "sort in time order" in text
    backwards = tmp_path / "order"
    backwards.mkdir()
    df.iloc[:10].to_parquet(backwards / "b.parquet")
    df.iloc[10:].to_parquet(backwards / "a.parquet")
    with pytest.raises(seqprep.OrderError, match=r"^`time` must increase from one file") as info:
        seqprep.open_windows(backwards, 3, targets="v", group="id", time="t")
    assert "a.parquet ends at 2024-01-20 00:00:00, b.parquet starts at 2024-01-01" in str(info.value)
    # interleaved times (each file alone is fine) are a step back at the boundary too
    inter = tmp_path / "inter"
    inter.mkdir()
    df.iloc[::2].to_parquet(inter / "a.parquet")
    df.iloc[1::2].to_parquet(inter / "b.parquet")
    with pytest.raises(seqprep.OrderError, match=r"^`time` must increase from one file"):
        seqprep.open_windows(inter, 3, targets="v", group="id", time="t", freq="2D")
    # numbers in one file, datetimes in the next
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    df.iloc[:10].to_parquet(mixed / "a.parquet")
    df.iloc[10:].assign(t=np.arange(10, 20)).to_parquet(mixed / "b.parquet")
    with pytest.raises(seqprep.DataError, match=r"^`time` must have one type in every file"):
        seqprep.open_windows(mixed, 3, targets="v", group="id", time="t")


def test_a_fault_within_one_file_of_a_folder_names_that_file(tmp_path):
    df = pd.DataFrame({"id": "a", "t": np.arange(20), "v": np.arange(20.0)})
    df.iloc[:10].to_parquet(tmp_path / "p1.parquet")
    df.iloc[10:].drop(index=[15]).to_parquet(tmp_path / "p2.parquet")
    with pytest.raises(GapError, match=r"^p2.parquet: `on_gap='error'`: time must advance by "
                                       r"freq=1 within each group\. Received: 1 gap"):
        seqprep.open_windows(tmp_path, 3, targets="v", group="id", time="t")
    pd.concat([df.iloc[10:], df.iloc[[12]]]).to_parquet(tmp_path / "p2.parquet")
    with pytest.raises(seqprep.OrderError, match=r"^p2.parquet: `time` must not repeat within "
                                                 r"a group\. Received: 1 repeated time: 12"):
        seqprep.open_windows(tmp_path, 3, targets="v", group="id", time="t")


def test_a_gap_between_files_follows_on_gap(tmp_path):
    df = pd.DataFrame({"id": "a", "t": pd.date_range("2024-01-01", periods=20, freq="D"),
                       "v": np.arange(20.0)})
    parts = [df.iloc[:8], df.iloc[12:]]  # 9-12 January missing, between the files
    for i, part in enumerate(parts):
        part.to_parquet(tmp_path / f"p{i + 1}.parquet")
    whole = pd.concat(parts)
    with pytest.raises(GapError):
        seqprep.make_windows(whole, 3, targets="v", group="id", time="t")
    with pytest.raises(GapError, match=r"^`on_gap='error'`: time must advance by freq=D within "
                                       r"each group, also from one file to the next") as info:
        seqprep.open_windows(tmp_path, 3, targets="v", group="id", time="t")
    assert "group 'a': p1.parquet ends at 2024-01-08 00:00:00, p2.parquet starts at 2024-01-13" \
        in str(info.value)
    gaps = info.value.gaps
    assert gaps[["group", "missing", "after_file", "before_file"]].to_numpy().tolist() == \
        [["a", 4.0, "p1.parquet", "p2.parquet"]]
    split = seqprep.open_windows(tmp_path, 3, targets="v", group="id", time="t", on_gap="split")
    assert len(split) == len(seqprep.make_windows(whole, 3, targets="v", group="id", time="t",
                                                  on_gap="split")) == 10
    assert "note: across files: split at 1 gap between files" in split.report()
    assert_same_windows(split, seqprep.make_windows(whole, 3, targets="v", group="id",
                                                    time="t", on_gap="split"))
    assert split.index["segment"].tolist() == [0] * 5 + [1] * 5
    ignore = seqprep.open_windows(tmp_path, 3, targets="v", group="id", time="t",
                                  on_gap="ignore")
    eager = seqprep.make_windows(whole, 3, targets="v", group="id", time="t", on_gap="ignore")
    assert "1 gap between files ignored" in ignore.report()
    assert len(ignore) == len(eager) == 13
    assert_same_windows(ignore, eager, columns=("group", "segment", "first_time", "last_time",
                                                "target_time"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    timesteps=st.integers(1, 4),
    horizon=st.integers(1, 2),
    gap=st.integers(0, 2),
    stride=st.integers(1, 5),
    sampling_rate=st.integers(1, 2),
    on_gap=st.sampled_from(["error", "split", "ignore"]),
    freq=st.sampled_from([1, None]),
)
def test_windows_across_files_equal_make_windows_on_the_rows_concatenated(
        data, timesteps, horizon, gap, stride, sampling_rate, on_gap, freq):
    """Oracle: make_windows on the rows of every file concatenated (in the order read)."""
    import tempfile
    from pathlib import Path

    n_files = data.draw(st.integers(1, 5), label="files")
    frames = []
    for g in ("a", "b", "c"):
        n = data.draw(st.integers(0, 16), label=f"rows of {g}")
        t = np.arange(n) + np.cumsum(data.draw(
            st.lists(st.sampled_from([0, 0, 0, 0, 2]), min_size=n, max_size=n), label="gaps"))
        cuts = sorted(data.draw(st.lists(st.integers(0, n), min_size=n_files - 1,
                                         max_size=n_files - 1), label=f"cuts of {g}"))
        frames.append([pd.DataFrame({"id": g, "t": t[lo:hi], "v": t[lo:hi] * 1.0,
                                     "w": -t[lo:hi] * 1.0})
                       for lo, hi in zip([0, *cuts], [*cuts, n])])
    files = [pd.concat([f[i] for f in frames], ignore_index=True) for i in range(n_files)]
    if data.draw(st.booleans(), label="shuffle rows within files"):
        files = [f.sample(frac=1, random_state=i) for i, f in enumerate(files)]
    whole = pd.concat(files, ignore_index=True)
    kw = dict(targets="v", features=["v", "w"], group="id", time="t", freq=freq, horizon=horizon,
              gap=gap, stride=stride, sampling_rate=sampling_rate, on_gap=on_gap)
    try:
        eager = seqprep.make_windows(whole, timesteps, **kw)
    except (GapError, seqprep.ShapeError) as exc:
        eager = exc
    row_group_size = data.draw(st.integers(1, 8), label="row_group_size")
    cache_bytes = data.draw(st.sampled_from([0, 200, 2**20]), label="cache_bytes")
    with tempfile.TemporaryDirectory() as folder:
        for i, f in enumerate(files):
            f.to_parquet(Path(folder) / f"part-{i}.parquet", row_group_size=row_group_size)
        try:
            lazy = seqprep.open_windows(folder, timesteps, cache_bytes=cache_bytes, **kw)
        except (GapError, seqprep.ShapeError) as exc:
            lazy = exc
        if isinstance(eager, Exception) or isinstance(lazy, Exception):
            assert type(lazy) is type(eager)  # a gap within or between files, or no window
            event(f"both raise {type(eager).__name__}")
            return
        event("windows compared")
        reader = lazy._reader
        run = np.searchsorted(reader.run_start, lazy._starts, side="right")
        ends = np.append(reader.run_start, np.iinfo(np.int64).max)[run]
        if (lazy._starts + reader.need > ends).any():
            event("some windows read rows of two files or more")
        assert len(lazy) == len(eager)
        X, y = lazy.take(np.arange(len(lazy)))
        np.testing.assert_array_equal(X, np.asarray(eager.X))
        np.testing.assert_array_equal(y, eager.y)
        some = data.draw(st.lists(st.integers(0, len(lazy) - 1), max_size=8), label="take")
        X, y = lazy.take(some)  # any order, repeats
        np.testing.assert_array_equal(X, np.asarray(eager.X)[some])
        np.testing.assert_array_equal(y, eager.y[some])
    for col in ("group", "segment", "first_row", "last_row", "target_row", "first_time",
                "last_time", "target_time"):
        assert lazy.index[col].tolist() == eager.index[col].tolist(), col
    assert lazy.n_dropped == eager.n_dropped
    pd.testing.assert_frame_equal(lazy.dropped.drop(columns="file"), eager.dropped)
    # `file` holds each window's first row
    first_file = np.searchsorted(np.cumsum([len(f) for f in files]),
                                 lazy.index["first_row"].to_numpy(), side="right")
    assert lazy.index["file"].tolist() == [f"part-{i}.parquet" for i in first_file]


def test_a_file_that_is_not_parquet_is_refused_by_name(tmp_path):
    csv = tmp_path / "good.csv"
    pd.DataFrame({"t": range(5), "x": np.arange(5.0)}).to_csv(csv, index=False)
    with pytest.raises(ArgumentError, match=r"^`path` must be a Parquet file, a folder of Parquet "
                                            r"files, or a .npy file\. Received: path=") as info:
        seqprep.open_windows(csv, 3)
    assert "good.csv" in str(info.value) and "pandas.read_csv" in str(info.value)
    assert "to_parquet" in str(info.value)
    folder = tmp_path / "folder"
    folder.mkdir()
    pd.DataFrame({"x": np.arange(5.0)}).to_parquet(folder / "a.parquet")
    (folder / "b.parquet").write_bytes(csv.read_bytes())
    with pytest.raises(seqprep.DataError, match=r"^Every \*\.parquet file under `path` must be a "
                                                r"Parquet file\. Received: b\.parquet"):
        seqprep.open_windows(folder, 3)
    from seqprep._sources import validate_parquet

    schema = seqprep.SeriesSchema("t", features="x")
    with pytest.raises(ArgumentError, match=r"^`path` must be a Parquet file or a folder of "
                                            r"Parquet files\. Received: path="):
        validate_parquet(csv, schema)


# ---------------------------------------------------------------- streaming validation


def failures_of(fn):
    with pytest.raises(seqprep.ValidationError) as info:
        fn()
    f = info.value.failures
    return sorted(zip(f["check"], f["group"].astype(str), f["row"].astype("Int64").astype(str)))


def test_validate_parquet_finds_faults_at_chunk_and_file_boundaries(tmp_path):
    from seqprep._sources import validate_parquet

    t = np.arange(12)
    a = pd.DataFrame({"g": "a", "t": t, "x": 1.0})
    b = pd.DataFrame({"g": "b", "t": t, "x": 2.0})
    b.loc[6:, "t"] += 1  # a gap between rows 5 and 6 of b
    a.loc[[8, 9], "t"] = [9, 8]  # rows 8 and 9 of a out of order
    df = pd.concat([a, b], ignore_index=True)
    schema = seqprep.SeriesSchema("t", group="g", features="x", freq=1)
    whole = failures_of(lambda: schema.validate(df))
    assert {c for c, _, _ in whole} == {"increasing_time", "regular_freq"}
    # rows 8 (in a) and 18 (in b) start chunks of 4 or 6 rows: the faults sit on boundaries
    df.to_parquet(tmp_path / "one.parquet")
    for chunk_rows in (4, 6, 1000):
        assert failures_of(lambda: validate_parquet(tmp_path / "one.parquet", schema,
                                                    chunk_rows=chunk_rows)) == whole
    # the same rows over three files, cut at the faults: carried across files too
    folder = tmp_path / "parts"
    folder.mkdir()
    # (rows that are out of order across a chunk boundary would also be reported as
    # irregular steps: SeriesSchema.validate_chunks documents that)
    for i, (lo, hi) in enumerate([(0, 8), (8, 18), (18, 24)]):
        df.iloc[lo:hi].to_parquet(folder / f"part-{i}.parquet")
    assert failures_of(lambda: validate_parquet(folder, schema, chunk_rows=5)) == whole
    ok = df.assign(t=np.r_[t, t])
    ok.to_parquet(tmp_path / "ok.parquet")
    assert validate_parquet(tmp_path / "ok.parquet", schema, chunk_rows=5) == 24
    with pytest.raises(ArgumentTypeError, match=r"^`schema` must be a seqprep.SeriesSchema"):
        validate_parquet(tmp_path / "ok.parquet", {"time": "t"})
    with pytest.raises(ArgumentError, match=r"^`path` must name an existing Parquet file"):
        validate_parquet(tmp_path / "missing.parquet", schema)


STREAM_SCRIPT = """
import resource, sys
import numpy as np, pandas as pd, pyarrow.parquet as pq, seqprep
from seqprep._sources import validate_parquet

def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

def rss():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20

path = sys.argv[1]
schema = seqprep.SeriesSchema("t", group="g", features=["x", "y"], freq=1)

def sampled(fn):
    # run fn; return its result and the highest RSS seen meanwhile (sampled every 2 ms)
    import threading
    top, done = [rss()], threading.Event()
    def watch():
        while not done.wait(0.002):
            top[0] = max(top[0], rss())
    th = threading.Thread(target=watch)
    th.start()
    try:
        out = fn()
    finally:
        done.set()
        th.join()
    return out, max(top[0], rss())

# warm up on a few rows: imports (pandera, ...) are not the data's memory
small = path + ".head.parquet"
pq.write_table(pq.ParquetFile(path).read_row_group(0).slice(0, 1000), small)
validate_parquet(small, schema)
base = rss()
rows, top = sampled(lambda: validate_parquet(path, schema, chunk_rows=200_000))
chunked = top - base
frame, top = sampled(lambda: pq.read_table(path).to_pandas())
whole = top - base
print(rows, chunked, whole, frame.memory_usage().sum() / 2**20)
"""


def test_validate_parquet_memory_is_bounded_by_the_chunk(tmp_path):
    import subprocess
    import sys

    n, groups = 3_000_000, 30
    rng = np.random.default_rng(0)
    pd.DataFrame({"g": np.repeat(np.arange(groups, dtype=np.int32), n // groups),
                  "t": np.tile(np.arange(n // groups, dtype=np.int64), groups),
                  "x": rng.random(n), "y": rng.random(n)}).to_parquet(
        tmp_path / "big.parquet", row_group_size=200_000)
    out = subprocess.run([sys.executable, "-c", STREAM_SCRIPT, str(tmp_path / "big.parquet")],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    rows, chunked, whole, frame_mb = map(float, out.stdout.split())
    assert rows == n and frame_mb > 80  # the table is 80 MiB in pandas
    # one row group and a chunk of 200k rows (~6 MiB each) and the checks' temporaries,
    # against the 80 MiB table (and ~3x that to read it whole); measured ~50 MiB
    assert chunked < 0.8 * frame_mb and chunked < whole / 3, (chunked, whole, frame_mb)


def test_open_windows_lists_files_as_the_cli_does_and_reads_hive_partitions(tmp_path):
    """One listing rule (seqprep._parquet): .parq and upper-case suffixes are data files,
    hidden and _-prefixed ones are skipped; a hive partition column can be the group."""
    df = pd.DataFrame({"t": np.arange(6), "v": np.arange(6.0)})
    for name in ("a", "b"):
        part = tmp_path / f"id={name}"
        part.mkdir()
        df.assign(v=df["v"] + (10 if name == "b" else 0)).to_parquet(part / "data.parq")
    (tmp_path / "_SUCCESS").write_text("")
    w = seqprep.open_windows(tmp_path, 2, targets="v", group="id", time="t")
    long = pd.concat([df.assign(id="a"), df.assign(id="b", v=df["v"] + 10)], ignore_index=True)
    ref = seqprep.make_windows(long, 2, targets="v", group="id", time="t")
    assert len(w) == len(ref) == 8
    X, y = w.take(np.arange(len(w)))
    np.testing.assert_array_equal(X, ref.X)
    np.testing.assert_array_equal(y, ref.y)
    assert w.index["group"].tolist() == ref.index["group"].tolist()
    assert set(w.index["file"]) == {"id=a/data.parq", "id=b/data.parq"}
    # D14: the file left out is named in the notes and the report, with the reason
    assert w.notes[-1] == (f"skipped 1 file of the folder, not read: {tmp_path}/_SUCCESS: "
                           "metadata (a name starts with '_')")
    assert f"note: {w.notes[-1]}" in w.report()
    many = tmp_path / "many"
    many.mkdir()
    df.to_parquet(many / "a.parquet")
    for k in range(7):
        (many / f".hidden{k}.parquet").write_bytes(b"")
    note = seqprep.open_windows(many, 2, time="t").notes[-1]
    assert note.startswith("skipped 7 files of the folder, not read: ") and \
        note.endswith(" and 2 more") and note.count("hidden (a name starts") == 5
    assert not any("skipped" in n for n in seqprep.open_windows(many / "a.parquet", 2,
                                                                 time="t").notes)
    with pytest.raises(ColumnError, match=r"^`features` names 1 column not in the Parquet data"):
        seqprep.open_windows(tmp_path, 2, features=["id"], time="t")


def test_a_hive_partition_column_as_a_feature_is_refused_saying_why(tmp_path):
    """D20: partition values live in folder names (text, one per file): group/time only."""
    df = pd.DataFrame({"t": np.tile(np.arange(5), 2), "x": np.arange(10.0),
                       "store": np.repeat([1, 2], 5)})
    df.to_parquet(tmp_path / "hive", partition_cols=["store"])
    for kw in ({"features": ["x", "store"]}, {"targets": "store"}):
        with pytest.raises(ColumnError, match=r"a hive partition column .* Use it as `group`"):
            seqprep.open_windows(tmp_path / "hive", 2, time="t", **kw)
    w = seqprep.open_windows(tmp_path / "hive", 2, features=["x"], group="store", time="t")
    assert len(w) == 8
