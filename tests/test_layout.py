"""stateful_layout: slot continuity, streams, padding, dropping, resets."""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import seqprep
from seqprep import ArgumentError, ArgumentTypeError

# Each row carries its own identity: feature 0 = row number within its group, feature 1 =
# group number. That lets the tests check continuity from X alone, independently of the
# index the layout writes.


def panel(lengths, *, shuffle_rows=False, seed=0):
    rows = []
    for g, n in enumerate(lengths):
        rows.append(pd.DataFrame({"id": f"g{g}", "t": np.arange(n), "pos": np.arange(n, dtype=float),
                                  "gid": float(g)}))
    df = pd.concat(rows, ignore_index=True)
    if shuffle_rows:
        df = df.sample(frac=1, random_state=seed).reset_index(drop=True)
    return df


def check_continuity(lay, *, sampling_rate=1):
    """For every slot and batch: a non-reset real sample starts where the previous ended."""
    X = np.asarray(lay.X)
    B, K = lay.batch_size, lay.n_batches
    assert X.shape[0] == B * K
    X = X.reshape(K, B, *X.shape[1:])
    reset = lay.index["reset"].to_numpy().reshape(K, B)
    pad = lay.index["pad"].to_numpy().reshape(K, B)
    checked = 0
    for k in range(1, K):
        for i in range(B):
            if pad[k, i] or reset[k, i]:
                continue
            assert not pad[k - 1, i], "a real sample never follows padding in its slot"
            prev, cur = X[k - 1, i], X[k, i]
            if X.shape[-1] > 1:
                assert cur[0, 1] == prev[-1, 1], "same group"
            assert cur[0, 0] == prev[-1, 0] + sampling_rate, "starts right after the previous"
            checked += 1
    return checked


def windows_as_tuples(X):
    return sorted(map(tuple, np.asarray(X).reshape(len(X), -1).tolist()))


# ---------------------------------------------------------------- one long series


def test_one_series_is_cut_into_batch_size_contiguous_streams():
    w = seqprep.make_windows(np.arange(96.0), 4, stride=4, copy=False)  # 24 windows
    lay = seqprep.stateful_layout(w, 6)
    assert (lay.n_batches, lay.batch_size, lay.n_padded, lay.n_windows_dropped) == (4, 6, 0, 0)
    first = np.asarray(lay.X)[:, 0, 0].reshape(4, 6)
    # slot i reads rows 16 i .. 16 i + 15: four windows in a row
    assert first.tolist() == [[16 * i + 4 * k for i in range(6)] for k in range(4)]
    assert lay.reset_slots == {0: (0, 1, 2, 3, 4, 5)}
    assert lay.reset_mask.shape == (4, 6) and lay.reset_mask[1:].sum() == 0
    assert lay.batch_input_shape(6) == (6, 4, 1)


def test_one_series_remainder_pad_and_drop():
    w = seqprep.make_windows(np.arange(40.0), 4, stride=4, copy=False)  # 10 windows
    pad = seqprep.stateful_layout(w, 4)
    assert (pad.n_batches, pad.n_padded, pad.n_windows_dropped) == (3, 2, 0)
    assert pad.sample_weight.tolist() == (~pad.index["pad"]).astype(float).tolist()
    assert pad.sample_weight.sum() == 10
    real = np.asarray(pad.X)[~pad.index["pad"].to_numpy()]
    assert windows_as_tuples(real) == windows_as_tuples(w.X)  # each window exactly once
    drop = seqprep.stateful_layout(w, 4, remainder="drop")
    assert (drop.n_batches, drop.n_padded, drop.n_windows_dropped) == (2, 0, 2)
    assert len(drop.layout_dropped) == 2 and set(drop.layout_dropped["reason"]) == {"remainder"}
    kept = windows_as_tuples(drop.X) + windows_as_tuples(w.take(_positions(w, drop.layout_dropped))[0])
    assert sorted(kept) == windows_as_tuples(w.X)
    assert check_continuity(drop) > 0
    assert "2 windows left out" in drop.report()
    assert "remainder: 2 windows" in drop.report()


def _positions(w, rows):
    """Positions in ``w`` of the index rows ``rows`` (matched on first_row)."""
    where = pd.Series(np.arange(len(w)), index=w.index["first_row"].to_numpy())
    return where.loc[rows["first_row"].to_numpy()].to_numpy()


def test_with_targets_y_follows_its_window():
    w = seqprep.make_windows(np.arange(50.0), 4, stride=4, targets=0, copy=False)
    lay = seqprep.stateful_layout(w, 3)
    X, y = np.asarray(lay.X), lay.y
    assert np.array_equal(y[:, 0], X[:, -1, 0] + 1)
    assert check_continuity(lay) > 0


# ---------------------------------------------------------------- many groups


def test_groups_longest_first_each_in_time_order():
    df = panel([20, 4, 8, 12], shuffle_rows=True)  # T=2, stride=2: 10, 2, 4, 6 windows
    w = seqprep.make_windows(df, 2, stride=2, features=["pos", "gid"], group="id", time="t",
                             copy=False)
    lay = seqprep.stateful_layout(w, 2)
    # share = ceil(22 / 2) = 11: nothing is cut; g0 (10) -> slot 0, g3 (6) -> slot 1,
    # g2 (4) -> slot 1, g1 (2) -> slot 0 (tie at 10: the lower slot)
    by_slot = lay.index.pivot(index="batch", columns="slot", values="group")
    assert by_slot[0].tolist() == ["g0"] * 10 + ["g1"] * 2
    assert by_slot[1].tolist() == ["g3"] * 6 + ["g2"] * 4 + ["g2"] * 2  # last two: padding
    assert lay.n_batches == 12 and lay.n_padded == 2
    assert lay.index["pad"].tolist()[-4:] == [False, True, False, True]
    assert lay.reset_slots == {0: (0, 1), 6: (1,), 10: (0,)}
    assert check_continuity(lay) == 22 - 4  # every real sample but the 4 stream starts
    # time order within each group's run
    for _, g in lay.index[~lay.index["pad"]].groupby("stream"):
        assert g["first_time"].is_monotonic_increasing
        assert g["batch"].diff().dropna().eq(1).all() and g["slot"].nunique() == 1


def test_a_dominant_group_is_cut_into_pieces():
    df = panel([200, 10, 10])
    w = seqprep.make_windows(df, 2, stride=2, features=["pos", "gid"], group="id", time="t",
                             copy=False)  # 100, 5, 5 windows
    lay = seqprep.stateful_layout(w, 4)  # share = ceil(110 / 4) = 28
    assert lay.n_batches == 28
    assert lay.n_padded == 4 * 28 - 110
    assert "cut into pieces" in lay.notes[-1]
    assert check_continuity(lay) == 110 - lay.index["reset"].sum()


def test_gap_segments_are_separate_streams():
    t = np.r_[np.arange(10), np.arange(20, 30)]
    df = pd.DataFrame({"t": t, "pos": t.astype(float), "gid": 0.0})
    w = seqprep.make_windows(df, 2, stride=2, features=["pos", "gid"], time="t", on_gap="split",
                             freq=1, copy=False)
    lay = seqprep.stateful_layout(w, 2)
    assert lay.index.groupby("slot")["segment"].nunique().tolist() == [1, 1]
    X = np.asarray(lay.X)
    assert check_continuity(lay) == 8
    assert X[::2, 0, 0].tolist() == [0, 2, 4, 6, 8] and X[1::2, 0, 0].tolist() == [20, 22, 24, 26, 28]


def test_sampling_rate_step():
    w = seqprep.make_windows(np.c_[np.arange(60.0), np.zeros(60)], 3, sampling_rate=2, stride=6,
                             copy=False)
    lay = seqprep.stateful_layout(w, 3)
    assert check_continuity(lay, sampling_rate=2) > 0


@given(
    lengths=st.lists(st.integers(0, 40), min_size=1, max_size=7),
    timesteps=st.integers(1, 4),
    k=st.sampled_from([1, 2]),
    batch_size=st.integers(1, 6),
    remainder=st.sampled_from(["pad", "drop"]),
)
def test_property_continuity_and_accounting(lengths, timesteps, k, batch_size, remainder):
    lengths = [n for n in lengths if n >= timesteps]
    if not lengths:
        return
    step = timesteps
    if step % k:
        k = 1
    df = panel(lengths, shuffle_rows=True, seed=len(lengths))
    w = seqprep.make_windows(df, timesteps, stride=step // k, features=["pos", "gid"],
                             group="id", time="t", copy=False)
    n = len(w)
    if remainder == "drop" and n < batch_size:
        with pytest.raises(ArgumentError, match=r"^`remainder='drop'` leaves no whole batch"):
            seqprep.stateful_layout(w, batch_size, remainder=remainder, overlap="split")
        return
    lay = seqprep.stateful_layout(w, batch_size, remainder=remainder, overlap="split")
    check_continuity(lay)
    pad = lay.index["pad"].to_numpy()
    assert len(lay) == lay.n_batches * batch_size
    assert pad.sum() == lay.n_padded and (remainder == "drop") <= (lay.n_padded == 0)
    # every window is laid out once or listed as dropped, never both, never twice
    real = windows_as_tuples(np.asarray(lay.X)[~pad])
    assert len(real) + lay.n_windows_dropped == n
    assert len(set(real)) == len(real)
    assert set(real) <= set(windows_as_tuples(w.X))
    # a reset exactly where a slot's group or stream changes, and at every slot's start
    idx = lay.index
    reset = idx["reset"].to_numpy().reshape(lay.n_batches, batch_size)
    stream = idx["stream"].to_numpy().reshape(lay.n_batches, batch_size)
    real2 = ~pad.reshape(lay.n_batches, batch_size)
    assert (reset[0] == real2[0]).all()
    changed = (stream[1:] != stream[:-1]) & real2[1:]
    assert (reset[1:] == changed).all()
    assert lay.reset_slots == {kk: tuple(np.flatnonzero(r)) for kk, r in enumerate(reset) if r.any()}


# ---------------------------------------------------------------- overlap


def test_overlapping_windows_default_split_warns_and_keeps_all():
    w = seqprep.make_windows(np.arange(40.0), 4, stride=2, copy=False)  # 19 windows
    with pytest.warns(UserWarning, match=r"^stateful_layout: the windows overlap \(stride=2"):
        lay = seqprep.stateful_layout(w, 2)
    assert lay.n_windows_dropped == 0 and len(lay) - lay.n_padded == 19
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        seqprep.stateful_layout(w, 2, overlap="split")
    assert check_continuity(lay) > 0
    thin = seqprep.stateful_layout(w, 2, overlap="thin")
    assert len(thin) - thin.n_padded == 10 and thin.n_windows_dropped == 9
    assert set(thin.layout_dropped["reason"]) == {"overlap"}
    assert np.asarray(thin.X)[:, 0, 0].tolist() == [0, 20, 4, 24, 8, 28, 12, 32, 16, 36]
    with pytest.raises(ArgumentError, match=r"^`overlap='error'`: the windows overlap"):
        seqprep.stateful_layout(w, 2, overlap="error")


def test_windows_that_never_continue_are_refused():
    w = seqprep.make_windows(np.arange(40.0), 4, stride=3, copy=False)
    with pytest.raises(ArgumentError, match=r"^`windows` must come in continuing streams"):
        seqprep.stateful_layout(w, 2)
    w = seqprep.make_windows(np.arange(40.0), 4, stride=5, copy=False)
    with pytest.raises(ArgumentError, match=r"^`windows` must come in continuing streams"):
        seqprep.stateful_layout(w, 2)


# ---------------------------------------------------------------- arguments, report


def test_arguments():
    w = seqprep.make_windows(np.arange(40.0), 4, stride=4, copy=False)
    with pytest.raises(ArgumentError, match=r"^`batch_size` must be a positive integer"):
        seqprep.stateful_layout(w, 0)
    with pytest.raises(ArgumentTypeError, match=r"^`batch_size` must be an integer"):
        seqprep.stateful_layout(w, 2.0)
    with pytest.raises(ArgumentError, match=r"^`remainder` must be one of 'pad', 'drop'"):
        seqprep.stateful_layout(w, 2, remainder="trim")
    with pytest.raises(ArgumentError, match=r"^`overlap` must be one of"):
        seqprep.stateful_layout(w, 2, overlap="yes")
    with pytest.raises(ArgumentTypeError, match=r"^`windows` must be a Windows object"):
        seqprep.stateful_layout(np.zeros((4, 4, 1)), 2)
    lay = seqprep.stateful_layout(w, 2)
    with pytest.raises(ArgumentError, match=r"^`windows` must not already be a stateful layout"):
        seqprep.stateful_layout(lay, 2)


def test_result_is_a_windows_sharing_the_source_and_reports():
    w = seqprep.make_windows(np.arange(40.0), 4, stride=4, targets=0, copy=False)
    lay = seqprep.stateful_layout(w, 4)
    assert isinstance(lay, seqprep.Windows)
    assert lay._source is w._source
    assert list(lay.index.columns[-6:]) == ["batch", "slot", "stream", "step", "reset", "pad"]
    text = lay.report()
    assert "stateful layout: 3 batches of 4 slots, 3 streams (3 slot resets), 3 padding samples" in text
    assert lay.notes[-1].startswith("stateful_layout(batch_size=4, remainder='pad'): 3 batches")
    X, y = lay.take([0, 1])
    assert X.shape == (2, 4, 1) and y.shape == (2, 1)
    import pickle

    again = pickle.loads(pickle.dumps(lay))  # e.g. for PyDataset worker processes
    assert again.reset_slots == lay.reset_slots and np.array_equal(again.take([3])[0], lay.take([3])[0])


def test_a_group_continuing_across_parquet_files_is_one_stream(tmp_path):
    df = pd.concat([pd.DataFrame({"g": g, "t": np.arange(40), "v": np.arange(40.0) + 100 * i})
                    for i, g in enumerate("ab")])
    df[df.t < 20].to_parquet(tmp_path / "p1.parquet")
    df[df.t >= 20].to_parquet(tmp_path / "p2.parquet")
    lazy = seqprep.open_windows(tmp_path, 4, stride=4, targets="v", group="g", time="t")
    eager = seqprep.make_windows(df, 4, stride=4, targets="v", group="g", time="t")
    lay, ref = seqprep.stateful_layout(lazy, 2), seqprep.stateful_layout(eager, 2)
    assert lay.reset_slots == ref.reset_slots == {0: (0, 1)}  # no reset at the file boundary
    np.testing.assert_array_equal(lay.take(np.arange(len(lay)))[0], ref.X)
