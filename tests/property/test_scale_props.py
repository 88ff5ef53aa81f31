"""Property tests for Scaler: statistics of the training rows alone, and exact round trips.

The oracle computes statistics with plain numpy on the rows picked by hand: the rows of a
group, or the rows that the training windows read (rebuilt from ``Windows.index``).
"""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import seqprep

values = st.floats(-1e3, 1e3, allow_nan=False).map(lambda v: round(v, 2))


@st.composite
def panels(draw, min_rows=1):
    """Long table: 1-3 groups, two numeric columns (one often constant per group), a label."""
    frames = []
    for g in range(draw(st.integers(1, 3))):
        n = draw(st.integers(min_rows, 25))
        x = draw(st.lists(values, min_size=n, max_size=n))
        const = draw(st.booleans())
        z = [x[0]] * n if const else draw(st.lists(values, min_size=n, max_size=n))
        frames.append(pd.DataFrame({"id": f"g{g}", "t": np.arange(n), "x": x, "z": z}))
    df = pd.concat(frames, ignore_index=True)
    perm = draw(st.permutations(range(len(df))))
    return df.iloc[list(perm)].reset_index(drop=True)


def oracle_stats(block: np.ndarray, method: str):
    """center, scale of each column of ``block`` (rows x columns), by the book."""
    center, scale = [], []
    for col in block.T:
        if method == "standard":
            c, s = np.mean(col), np.std(col)
        elif method == "minmax":
            c, s = np.min(col), np.max(col) - np.min(col)
        else:
            c, s = np.median(col), np.percentile(col, 75) - np.percentile(col, 25)
        if np.max(col) == np.min(col) or s == 0:
            s = 1.0
        center.append(c)
        scale.append(s)
    return np.array(center), np.array(scale)


methods = st.sampled_from(["standard", "minmax", "robust"])


@given(df=panels(), method=methods, by=st.booleans())
def test_frame_statistics_are_those_of_the_rows(df, method, by):
    sc = seqprep.Scaler(method, by="id" if by else None, columns=["x", "z"]).fit(df)
    assert sc.columns_ == ("x", "z") and sc.n_rows_seen_ == len(df)
    if by:
        assert sc.groups_ == tuple(sorted(df["id"].unique()))
        for i, g in enumerate(sc.groups_):
            c, s = oracle_stats(df.loc[df["id"] == g, ["x", "z"]].to_numpy(), method)
            np.testing.assert_allclose(sc.center_[i], c, rtol=1e-9, atol=1e-9)
            np.testing.assert_allclose(sc.scale_[i], s, rtol=1e-9, atol=1e-9)
    else:
        c, s = oracle_stats(df[["x", "z"]].to_numpy(), method)
        np.testing.assert_allclose(sc.center_, c, rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(sc.scale_, s, rtol=1e-9, atol=1e-9)
    assert np.all(sc.scale_ > 0)
    out = sc.transform(df)
    back = sc.inverse_transform(out)
    np.testing.assert_allclose(back[["x", "z"]], df[["x", "z"]], rtol=1e-9, atol=1e-9)
    pd.testing.assert_series_equal(out["id"], df["id"])
    if method == "minmax":  # training rows land in [0, 1]
        assert out[["x", "z"]].to_numpy().min() >= -1e-12
        assert out[["x", "z"]].to_numpy().max() <= 1 + 1e-12


def window_rows(w, df):
    """Input positions of the rows the windows read, each once, by hand from the index."""
    rank_to_pos = {g: sub.sort_values("t").index.to_numpy() for g, sub in df.groupby("id")}
    pos_to_rank = {int(p): (g, r) for g, ps in rank_to_pos.items() for r, p in enumerate(ps)}
    rows = set()
    for first in w.index["first_row"]:
        g, r0 = pos_to_rank[int(first)]
        ranks = [r0 + k * w.sampling_rate for k in range(w.timesteps)]
        ranks += [r0 + w.span + w.gap + h for h in range(w.horizon)]
        rows |= {int(rank_to_pos[g][r]) for r in ranks}
    return sorted(rows)


@given(df=panels(min_rows=8), method=methods, by=st.booleans(),
       timesteps=st.integers(1, 4), horizon=st.integers(1, 2), sampling_rate=st.integers(1, 2),
       test=st.floats(0.2, 0.5))
def test_windows_statistics_count_each_training_row_once(df, method, by, timesteps, horizon,
                                                         sampling_rate, test):
    try:
        w = seqprep.make_windows(df, timesteps, targets="x", features=["x", "z"], group="id",
                                 time="t", horizon=horizon, sampling_rate=sampling_rate,
                                 dtype=np.float64)
        s = seqprep.split_by_time(w, test=test)
    except (seqprep.ShapeError, seqprep.DataError):
        assume(False)
        return
    sc = seqprep.Scaler(method, by="id" if by else None).fit(s.train)
    rows = window_rows(s.train, df)
    assert sc.n_rows_seen_ == len(rows) and sc.targets_ == ("x",)
    train_rows = df.loc[rows]
    if by:
        for i, g in enumerate(sc.groups_):
            c, sd = oracle_stats(train_rows.loc[train_rows["id"] == g, ["x", "z"]].to_numpy(),
                                 method)
            np.testing.assert_allclose(sc.center_[i], c, rtol=1e-9, atol=1e-9)
            np.testing.assert_allclose(sc.scale_[i], sd, rtol=1e-9, atol=1e-9)
    else:
        c, sd = oracle_stats(train_rows[["x", "z"]].to_numpy(), method)
        np.testing.assert_allclose(sc.center_, c, rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(sc.scale_, sd, rtol=1e-9, atol=1e-9)

    # transform: every window is the oracle's scaling of the original; inverse round-trips
    try:
        scaled = sc.transform(s.test)
    except seqprep.DataError as exc:  # a group with no training window
        assert by and re.match(r"^`data` has \d+ groups? the Scaler never saw", str(exc))
        return
    center = np.atleast_2d(sc.center_)
    scale = np.atleast_2d(sc.scale_)
    g = [sc.groups_.index(v) for v in s.test.index["group"]] if by else [0] * len(s.test)
    np.testing.assert_allclose(scaled.X, (s.test.X - center[g][:, None, :]) / scale[g][:, None, :],
                               rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(scaled.y, (s.test.y - np.tile(center[g][:, :1], horizon))
                               / np.tile(scale[g][:, :1], horizon), rtol=1e-9, atol=1e-9)
    back = sc.inverse_transform(scaled)
    np.testing.assert_allclose(back.X, s.test.X, rtol=1e-9, atol=1e-9)
    groups = s.test.index["group"] if by else None
    np.testing.assert_allclose(sc.inverse_transform_targets(scaled.y, groups=groups),
                               s.test.y, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(sc.transform_targets(s.test.y, groups=groups), scaled.y,
                               rtol=1e-9, atol=1e-9)
    assert scaled.index is s.test.index and len(scaled) == len(s.test)


@given(arr=st.lists(st.lists(values, min_size=3, max_size=3), min_size=1, max_size=30),
       method=methods, columns=st.sampled_from([None, [0, 2], [1]]))
def test_array_round_trip_and_json_state(arr, method, columns):
    a = np.array(arr)
    sc = seqprep.Scaler(method, columns=columns).fit(a)
    out = sc.transform(a)
    kept = [j for j in range(3) if columns is not None and j not in columns]
    np.testing.assert_array_equal(out[:, kept], a[:, kept])  # other columns pass through
    np.testing.assert_allclose(sc.inverse_transform(out), a, rtol=1e-9, atol=1e-9)
    back = seqprep.Scaler.from_dict(json.loads(json.dumps(sc.to_dict())))
    np.testing.assert_array_equal(back.transform(a), out)
    assert back.get_params() == sc.get_params()


@given(df=panels(min_rows=2), method=methods, data=st.data())
def test_infinite_training_values_are_refused_or_left_out(df, method, data):
    """Each inf is counted in the refusal; nonfinite='ignore' fits on the finite rows only,
    against the oracle on the rows without them."""
    n_inf = data.draw(st.integers(1, max(1, len(df) // 2)))
    rows = data.draw(st.lists(st.integers(0, len(df) - 1), min_size=n_inf, max_size=n_inf,
                              unique=True))
    signs = data.draw(st.lists(st.sampled_from([np.inf, -np.inf]), min_size=n_inf,
                               max_size=n_inf))
    bad = df.copy()
    bad.loc[rows, "x"] = signs
    with pytest.raises(seqprep.DataError, match=rf"Received: {n_inf} infinite values? in "
                                                rf"{len(df)} training rows; column 'x': "
                                                rf"{n_inf} values? in "):
        seqprep.Scaler(method, by="id", columns=["x", "z"]).fit(bad)
    sc = seqprep.Scaler(method, by="id", columns=["x", "z"], nonfinite="ignore")
    finite = bad["x"].map(np.isfinite)
    if not finite.groupby(bad["id"]).any().all():  # a group left with no value for x
        with pytest.raises(seqprep.DataError, match=r"has no values in group"):
            sc.fit(bad)
        return
    sc.fit(bad)
    assert sc.n_nonfinite_ignored_ == n_inf
    for i, g in enumerate(sc.groups_):
        keep = bad.loc[(bad["id"] == g) & finite, "x"].to_numpy()[:, None]
        c, s = oracle_stats(keep, method)
        np.testing.assert_allclose(sc.center_[i, 0], c[0], rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(sc.scale_[i, 0], s[0], rtol=1e-9, atol=1e-9)
