"""Property tests for make_windows and the reshapes, against independent oracles.

The windows oracle rebuilds every window per group (and per gap-free segment) with numpy's
``sliding_window_view``, from a frame whose values encode their own row number, so that
provenance (which group, which time) can be read back from ``X`` and ``y`` directly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import event, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.lib.stride_tricks import sliding_window_view

import seqprep

N_FEATURES = 3


@st.composite
def layouts(draw):
    """A long table: 1-4 groups of 1-30 rows, numeric times with some missing steps,
    rows optionally shuffled; column ``f{j}`` of row ``i`` holds ``i * 8 + j``."""
    n_groups = draw(st.integers(1, 4))
    parts = []
    for g in range(n_groups):
        n = draw(st.integers(1, 30))
        steps = draw(st.lists(st.sampled_from([1] * 6 + [2, 3]), min_size=n - 1, max_size=n - 1))
        t = draw(st.integers(0, 5)) + np.concatenate([[0], np.cumsum(steps)]).astype(np.int64)
        parts.append(pd.DataFrame({"g": f"g{g}", "t": t}))
    df = pd.concat(parts, ignore_index=True)
    if draw(st.booleans()):
        df = df.iloc[list(draw(st.permutations(range(len(df)))))].reset_index(drop=True)
    for j in range(N_FEATURES):
        df[f"f{j}"] = np.arange(len(df), dtype=np.float64) * 8 + j
    return df


settings_ = st.fixed_dictionaries({
    "timesteps": st.integers(1, 5),
    "horizon": st.integers(1, 3),
    "gap": st.integers(0, 3),
    "stride": st.integers(1, 6),
    "sampling_rate": st.integers(1, 3),
    "features": st.sampled_from([["f0"], ["f0", "f1", "f2"], ["f2", "f0"]]),
    "targets": st.sampled_from([None, "f1", ["f1"], ["f2", "f0"]]),
    "use_time": st.booleans(),
    "on_gap": st.sampled_from(["error", "split", "ignore"]),
    "copy": st.booleans(),
})


def row_of(values: np.ndarray) -> np.ndarray:
    """Row numbers back from encoded values."""
    return (np.asarray(values) // 8).astype(np.int64)


def oracle(df: pd.DataFrame, s: dict):
    """Expected X, y and samples per segment, rebuilt group by group, segment by segment."""
    T, H, G, r, stride = s["timesteps"], s["horizon"], s["gap"], s["sampling_rate"], s["stride"]
    span = (T - 1) * r + 1
    tcols = None if s["targets"] is None else ([s["targets"]] if isinstance(s["targets"], str)
                                              else s["targets"])
    need = span + (G + H if tcols is not None else 0)
    X, Y, counts = [], [], []
    for g in pd.unique(df["g"]):  # groups in order of first appearance
        sub = df[df["g"] == g]
        if s["use_time"]:
            sub = sub.sort_values("t", kind="stable")
            t = sub["t"].to_numpy()
            cuts = np.flatnonzero(np.diff(t) != 1) + 1 if s["on_gap"] == "split" else []
        else:
            cuts = []
        for seg in np.split(np.arange(len(sub)), cuts):
            rows = sub.iloc[seg]
            L = len(rows)
            k = max(0, (L - need) // stride + 1) if L >= need else 0
            counts.append(k)
            if k == 0:
                continue
            feats = rows[s["features"]].to_numpy()
            view = sliding_window_view(feats, span, axis=0)[:, :, ::r].transpose(0, 2, 1)
            starts = np.arange(k) * stride
            X.append(view[starts])
            if tcols is not None:
                targ = rows[tcols].to_numpy()
                at = starts[:, None] + span + G + np.arange(H)[None, :]
                Y.append(targ[at].reshape(k, -1))
    X = np.concatenate(X) if X else np.empty((0, T, len(s["features"])))
    Y = None if tcols is None else (np.concatenate(Y) if Y else np.empty((0, H * len(tcols))))
    return X, Y, counts, need


def has_gap(df: pd.DataFrame) -> bool:
    return any((np.diff(np.sort(sub["t"].to_numpy())) != 1).any() for _, sub in df.groupby("g"))


@given(df=layouts(), s=settings_)
def test_windows_match_the_sliding_window_oracle(df, s):
    kwargs = dict(timesteps=s["timesteps"], horizon=s["horizon"], gap=s["gap"],
                  stride=s["stride"], sampling_rate=s["sampling_rate"], features=s["features"],
                  targets=s["targets"], group="g", copy=s["copy"], dtype=np.float64)
    if s["use_time"]:
        kwargs.update(time="t", freq=1, on_gap=s["on_gap"])
    else:
        kwargs.update(features=s["features"])  # t is an ordinary column then, left out
    X_exp, y_exp, counts, need = oracle(df, s)

    if s["use_time"] and s["on_gap"] == "error" and has_gap(df):
        event("gap refused")
        with pytest.raises(seqprep.GapError):
            seqprep.make_windows(df, **kwargs)
        return
    if sum(counts) == 0:
        event("no window fits")
        with pytest.raises(seqprep.ShapeError, match=r"^`timesteps` is too long"):
            seqprep.make_windows(df, **kwargs)
        return
    w = seqprep.make_windows(df, **kwargs)
    X = np.asarray(w.X)

    # every window is the matching slice of its group's (segment's) rows; every target the
    # right row; the count follows the documented formula
    np.testing.assert_array_equal(X, X_exp)
    if y_exp is None:
        assert w.y is None
    else:
        np.testing.assert_array_equal(w.y, y_exp)
        assert w.y.shape == (len(w), w.output_units)
    assert len(w) == sum(counts) == len(w.index)
    assert w.input_shape == (s["timesteps"], len(s["features"]))

    # no window crosses a group, nor a gap when split
    rows_in = row_of(X[:, :, 0])
    rows_all = rows_in if w.y is None else np.concatenate(
        [rows_in, row_of(w.y[:, : len(w.target_names)].reshape(len(w), -1))
         if w.horizon == 1 else row_of(w.y_steps[:, :, 0])], axis=1)
    groups = df["g"].to_numpy()
    times = df["t"].to_numpy()
    for sample, r in enumerate(rows_all):
        assert len(set(groups[r])) == 1
        if s["use_time"] and s["on_gap"] == "split":
            assert times[r[-1]] - times[r[0]] == (need - 1 if w.y is not None
                                                  else (s["timesteps"] - 1) * s["sampling_rate"])
    # the index traces each sample to its input rows
    np.testing.assert_array_equal(w.index["first_row"], rows_in[:, 0])
    np.testing.assert_array_equal(w.index["last_row"], rows_in[:, -1])
    np.testing.assert_array_equal(w.index["group"], groups[rows_in[:, 0]])
    if w.y is not None:
        first_target = row_of(w.y_steps[:, 0, 0]) if len(w.target_names) else None
        np.testing.assert_array_equal(w.index["target_row"], first_target)

    # every row is read by a sample or accounted for in `dropped`, and each entry's rows
    # are exactly the unread ones between its first and last
    read = set(rows_in.ravel().tolist()) if w.y is None else set(rows_all.ravel().tolist())
    for col in w.feature_names:  # all feature columns of the row are read, not just f0
        assert set(row_of(X[:, :, list(w.feature_names).index(col)]).ravel().tolist()) <= read
    if w.y is not None:
        read |= set(row_of(w.y).ravel().tolist())
    assert len(read) + w.n_dropped == len(df)
    unread = set(range(len(df))) - read
    listed = 0
    for entry in w.dropped.itertuples():
        in_group = df.index[groups == entry.group]
        if s["use_time"]:
            between = [i for i in in_group if entry.first <= times[i] <= entry.last]
        else:
            between = [i for i in in_group if entry.first <= i <= entry.last]
        if entry.reason in ("skipped", "between_strides"):  # interleaved with read rows
            assert len(set(between) & unread) >= entry.rows
        else:
            assert set(between) <= unread and len(between) == entry.rows
        listed += entry.rows
    assert listed == len(unread)
    for reason in set(w.dropped["reason"]):
        event(f"dropped: {reason}")


@given(n=st.integers(1, 200), s=st.fixed_dictionaries({
    "timesteps": st.integers(1, 8), "horizon": st.integers(1, 4), "gap": st.integers(0, 4),
    "stride": st.integers(1, 9), "sampling_rate": st.integers(1, 4), "targets": st.booleans()}))
def test_one_series_count_formula_and_views(n, s):
    span = (s["timesteps"] - 1) * s["sampling_rate"] + 1
    need = span + (s["gap"] + s["horizon"] if s["targets"] else 0)
    data = np.arange(n, dtype=np.float32)
    args = dict(timesteps=s["timesteps"], horizon=s["horizon"], gap=s["gap"], stride=s["stride"],
                sampling_rate=s["sampling_rate"], targets=0 if s["targets"] else None)
    if n < need:
        with pytest.raises(seqprep.ShapeError):
            seqprep.make_windows(data, **args)
        return
    view = seqprep.make_windows(data, copy=False, **args)
    copied = seqprep.make_windows(data, **args)
    assert len(view) == (n - need) // s["stride"] + 1
    assert np.shares_memory(view.X, data) and not view.X.flags.writeable
    expected = sliding_window_view(data, span)[:: s["stride"]][: len(view), :: s["sampling_rate"]]
    np.testing.assert_array_equal(view.X[:, :, 0], expected)
    np.testing.assert_array_equal(copied.X, view.X)
    assert copied.X.flags.c_contiguous


# ------------------------------------------------------------------------- reshapes


finite = st.floats(allow_nan=True, allow_infinity=True, width=64)


@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=20),
                  elements=finite))
def test_as_sequence_round_trips(a):
    X = seqprep.as_sequence(a)
    t = a.shape[0]
    f = a.shape[1] if a.ndim == 2 else 1
    assert X.shape == (1, t, f) and seqprep.input_shape(X) == (t, f)
    np.testing.assert_array_equal(X.reshape(a.shape), a)
    np.testing.assert_array_equal(X[0] if a.ndim == 2 else X[0, :, 0], a)


@given(hnp.arrays(np.float32, hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=20),
                  elements=st.floats(width=32)),
       st.sampled_from(["timesteps", "features"]))
def test_as_samples_round_trips(a, columns):
    X = seqprep.as_samples(a, columns=columns)
    n, c = a.shape
    assert X.shape == ((n, c, 1) if columns == "timesteps" else (n, 1, c))
    np.testing.assert_array_equal(X[:, :, 0] if columns == "timesteps" else X[:, 0, :], a)
    np.testing.assert_array_equal(X.reshape(n, c), a)


@given(n=st.integers(1, 500), b=st.integers(1, 600))
def test_batch_input_shape_accepts_exactly_the_divisors(n, b):
    X = np.empty((n, 2, 1))
    if n % b == 0:
        assert seqprep.batch_input_shape(X, b) == (b, 2, 1)
    else:
        with pytest.raises(seqprep.BatchSizeError) as e:
            seqprep.batch_input_shape(X, b)
        assert e.value.remainder == n % b
        assert all(n % d == 0 for d in e.value.divisors)


@given(starts=st.lists(st.integers(0, 60), min_size=0, max_size=80),
       layout=st.sampled_from(["as drawn", "sorted", "segments"]),
       chunk=st.sampled_from([1, 200, 1 << 22]), rate=st.integers(1, 3))
def test_chunked_gather_equals_fancy_indexing(starts, layout, chunk, rate):
    from seqprep._windows import gather, window_view

    source = np.arange(70 * 2, dtype=np.float64).reshape(70, 2)
    view = window_view(source, 3, rate)
    s = np.asarray(starts, dtype=np.int64) % len(view)
    if layout == "sorted":
        s = np.sort(s)
    elif layout == "segments":  # evenly spaced runs with jumps, as groups give
        s = np.sort(np.concatenate([np.arange(a, min(a + 9, len(view)), 2) for a in s[:4]]
                                   or [np.empty(0, np.int64)]))
    np.testing.assert_array_equal(gather(view, s, chunk_bytes=chunk), view[s])
    evenly = range(1, len(view), 3)
    np.testing.assert_array_equal(gather(view, evenly, chunk_bytes=chunk), view[1::3])
