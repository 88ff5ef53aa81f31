"""``np.asarray(windows)`` and ``windows[key]``: arrays and subsets users reach for."""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import pytest

import seqprep


def long_table() -> pd.DataFrame:
    return pd.DataFrame({"id": ["a"] * 8 + ["b"] * 6, "t": list(range(8)) + list(range(6)),
                         "load": np.arange(14.0), "temp": np.arange(14.0) / 10})


def test_asarray_is_x():
    w = seqprep.make_windows(np.arange(10.0), 3, targets=0)
    arr = np.asarray(w)
    assert arr is w.X or np.shares_memory(arr, w.X)
    assert arr.shape == (7, 3, 1) and arr.dtype == np.float32
    assert np.asarray(w, dtype=np.float64).dtype == np.float64
    assert not np.shares_memory(np.array(w, copy=True), w.X)


def test_asarray_gathers_lazy_windows_and_refuses_copy_false_for_them():
    w = seqprep.make_windows(np.arange(10.0), 3, group=np.repeat([0, 1], 5), copy=False)
    assert isinstance(w.X, seqprep.WindowArray)
    np.testing.assert_array_equal(np.asarray(w), np.asarray(w.X))
    with pytest.raises(ValueError, match="without copying"):
        np.asarray(w, copy=False)


def test_an_integer_gives_a_windows_of_one_sample():
    w = seqprep.make_windows(long_table(), 3, targets="load", group="id", time="t")
    last = w[-1]
    assert isinstance(last, seqprep.Windows) and len(last) == 1
    np.testing.assert_array_equal(last.X, w.X[-1:])
    np.testing.assert_array_equal(last.y, w.y[-1:])
    assert last.index.to_dict("records") == w.index.iloc[[-1]].to_dict("records")
    assert "1 sample of 8 selected by windows[...]" in last.report()


def test_slices_masks_and_positions_keep_everything_in_step():
    w = seqprep.make_windows(long_table(), 2, horizon=2, targets="load", group="id", time="t")
    for key in (slice(1, None, 2), w.index["group"].to_numpy() == "b", [4, 0, 4]):
        sub = w[key]
        rows = np.arange(len(w))[key]
        np.testing.assert_array_equal(sub.X, w.X[rows])
        np.testing.assert_array_equal(sub.y, w.y[rows])
        pd.testing.assert_frame_equal(sub.index, w.index.iloc[rows].reset_index(drop=True))
        np.testing.assert_array_equal(sub.starts, w.starts[rows])
        assert np.shares_memory(sub.source, w.source)  # one shared source, not a copy
        frame = sub.to_frame()
        assert frame["actual"].tolist() == w.to_frame().set_index("sample").loc[
            rows, "actual"].tolist()


def test_subsets_feed_the_other_rooms():
    w = seqprep.make_windows(long_table(), 2, targets="load", group="id", time="t")
    sub = w[w.index["group"].to_numpy() == "a"]
    scaled = seqprep.Scaler().fit(sub).transform(sub)
    assert len(scaled) == len(sub) == 6
    split = seqprep.split_by_time(sub, test=0.5, purge=0)
    assert len(split.train) + len(split.test) == len(sub)


def test_iteration_yields_each_sample_and_stops():
    w = seqprep.make_windows(np.arange(6.0), 2, targets=0)
    samples = list(w)
    assert len(samples) == len(w) == 4
    assert [s.y[0, 0] for s in samples] == [2.0, 3.0, 4.0, 5.0]


def test_bad_keys_are_refused_with_the_rule():
    w = seqprep.make_windows(np.arange(10.0), 3, targets=0)
    with pytest.raises(seqprep.SampleIndexError, match=r"^`key` must be positions of the 7 "
                       r"samples \(-7..6\). Received: 7"):
        w[7]
    with pytest.raises(IndexError):
        w[[0, -8]]
    with pytest.raises(seqprep.SampleIndexError, match=r"Received: 1180591620717411303424"):
        w[2**70]
    with pytest.raises(seqprep.ArgumentTypeError, match=r"^`key` must select samples.*X\[i, t, f\]"):
        w[0, 1]
    for bad in (1.5, True, "0", None):
        with pytest.raises(seqprep.ArgumentTypeError, match=r"^`key` must select samples"):
            w[bad]
    with pytest.raises(seqprep.ArgumentTypeError, match=r"^`key` must be integer sample "
                       r"positions \(or a boolean mask\)"):
        w[[0.0, 1.0]]
    with pytest.raises(seqprep.ShapeError, match=r"^`key` as a boolean mask must have one value "
                       r"per sample. Received: a mask of shape \(3,\) for 7 samples"):
        w[np.array([True, False, True])]
    with pytest.raises(seqprep.ShapeError, match=r"^`key` must be one-dimensional"):
        w[np.zeros((2, 2), dtype=int)]


def test_empty_selections_have_the_right_shapes():
    w = seqprep.make_windows(np.arange(10.0), 3, horizon=2, targets=0)
    empty = w[np.zeros(len(w), dtype=bool)]
    assert len(empty) == 0 and empty.X.shape == (0, 3, 1) and empty.y.shape == (0, 2)
    assert len(w[[]]) == 0 and len(empty.index) == 0


@pytest.mark.skipif("static" not in inspect.signature(seqprep.make_windows).parameters,
                    reason="covariates (issue 14) not in this tree")
def test_covariates_follow_the_samples():
    df = long_table().assign(size=[3.0] * 8 + [7.0] * 6, holiday=[0, 1] * 7)
    w = seqprep.make_windows(df, 2, targets="load", group="id", time="t", static=["size"],
                             known_future=["holiday"])
    rows = np.array([5, 0, 2])
    sub = w[rows]
    for name, values in w.inputs.items():
        np.testing.assert_array_equal(np.asarray(sub.inputs[name]), np.asarray(values)[rows])


# ------------------------------------------------- to_supervised: the DataFrame it holds


def test_supervised_behaves_like_its_frame():
    sup = seqprep.to_supervised(long_table(), 2, 1, features=["load", "temp"], targets="load",
                                group="id", time="t")
    frame = sup.frame
    assert len(sup) == len(frame) == 10 and sup.shape == frame.shape
    assert list(sup) == list(frame.columns) == list(sup.columns)
    assert "load(t)" in sup and "load(t+5)" not in sup
    pd.testing.assert_series_equal(sup["load(t)"], frame["load(t)"])
    pd.testing.assert_frame_equal(sup[sup.lag_columns], frame[sup.lag_columns])
    np.testing.assert_array_equal(np.asarray(sup), frame.to_numpy())
    np.testing.assert_array_equal(sup.to_numpy(dtype=np.float32), frame.to_numpy(np.float32))
    np.testing.assert_array_equal(sup.values, frame.to_numpy())
    pd.testing.assert_frame_equal(sup.head(2), frame.head(2))
    assert sup.loc[frame.index[0], "load(t)"] == frame["load(t)"].iloc[0]
    assert np.asarray(sup, dtype=np.float32).dtype == np.float32
    assert "left out" in sup.report()  # and still its own account


def test_supervised_pickles_and_names_a_missing_attribute():
    import copy
    import pickle

    sup = seqprep.to_supervised(np.arange(6.0), 2, 1)
    _ = sup.origin  # built on first access (a closure until then, which pickle cannot take)
    for twin in (pickle.loads(pickle.dumps(sup)), copy.deepcopy(sup)):
        pd.testing.assert_frame_equal(twin.frame, sup.frame)
    with pytest.raises(AttributeError, match=r"neither has its DataFrame `frame`"):
        _ = sup.no_such_thing


# ------------------------------------------------- windows over files: the same face


def test_lazy_windows_index_and_convert_like_windows(tmp_path):
    pytest.importorskip("pyarrow")
    df = long_table()
    df.to_parquet(tmp_path / "shop.parquet", row_group_size=5)
    lazy = seqprep.open_windows(tmp_path / "shop.parquet", 2, targets="load", group="id",
                                time="t")
    eager = seqprep.make_windows(df, 2, targets="load", group="id", time="t")
    np.testing.assert_array_equal(np.asarray(lazy), eager.X)
    for key in (-1, slice(1, None, 3), eager.index["group"].to_numpy() == "b", [5, 0, 5]):
        sub = lazy[key]
        rows = np.arange(len(eager))[[key] if isinstance(key, int) else key]
        assert isinstance(sub, seqprep.LazyWindows) and len(sub) == len(rows)
        np.testing.assert_array_equal(np.asarray(sub.X), eager.X[rows])
        np.testing.assert_array_equal(sub.y, eager.y[rows])
        assert sub.index["target_row"].tolist() == eager.index["target_row"].iloc[rows].tolist()
    with pytest.raises(seqprep.SampleIndexError):
        lazy[len(lazy)]
