"""Property tests for static and known-future covariates, against windows built by hand.

The oracle works from the DataFrame alone: per group it sorts the rows by time, cuts them
into runs without a missing step, and enumerates every window of every run with the index
arithmetic of the issue (input rows ``s, s + r, ...``, target rows after ``gap``). Each of
the engine's samples must be one of those windows, value for value, and every window must
be there.

Every value encodes the time of its row (``x = 10 * t + group``, ``cal = t``), so the
guarantee "no value in ``X`` or ``future`` comes from a row after the window's target time,
except known-future columns at the target steps" is also checked directly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import assume, given
from hypothesis import strategies as st

import seqprep
from seqprep import ShapeError


@st.composite
def panels(draw):
    """A shuffled long table of 1-3 groups with integer times (some steps missing)."""
    frames = []
    for g in range(draw(st.integers(1, 3))):
        n = draw(st.integers(2, 25))
        steps = draw(st.lists(st.sampled_from([1, 1, 1, 2]), min_size=n - 1, max_size=n - 1))
        t = draw(st.integers(0, 5)) + np.concatenate([[0], np.cumsum(steps)]).astype(np.int64)
        frames.append(pd.DataFrame({
            "id": g, "t": t, "x": 10.0 * t + g, "y": 10.0 * t + g + 0.5,
            "cal": t.astype(float), "hol": (3.0 * t + g) % 4,
            "size": float(draw(st.integers(-500, 500))), "kind": float(draw(st.integers(0, 3))),
        }))
    df = pd.concat(frames, ignore_index=True)
    perm = draw(st.permutations(range(len(df))))
    return df.iloc[list(perm)].reset_index(drop=True)


windowing = st.fixed_dictionaries({
    "timesteps": st.integers(1, 4),
    "horizon": st.integers(1, 3),
    "gap": st.integers(0, 2),
    "stride": st.integers(1, 3),
    "sampling_rate": st.integers(1, 2),
})


def by_hand(df, timesteps, horizon, gap, stride, sampling_rate):
    """{(group, first input time): (past, static, future, target times)} from the rows."""
    out = {}
    span = (timesteps - 1) * sampling_rate + 1
    for g, sub in df.groupby("id"):
        sub = sub.sort_values("t").reset_index(drop=True)
        breaks = np.flatnonzero(np.diff(sub["t"].to_numpy()) != 1) + 1
        for run in np.split(np.arange(len(sub)), breaks):
            s = 0
            while s + span + gap + horizon <= len(run):
                ins = sub.iloc[run[s + np.arange(timesteps) * sampling_rate]]
                tgt = sub.iloc[run[s + span + gap + np.arange(horizon)]]
                out[(g, int(ins["t"].iloc[0]))] = (
                    ins[["x", "y"]].to_numpy(), sub[["size", "kind"]].iloc[0].to_numpy(),
                    tgt[["cal", "hol"]].to_numpy(), tgt["t"].to_numpy())
                s += stride
    return out


@given(panels(), windowing, st.booleans())
def test_covariate_windows_equal_windows_built_by_hand(df, kw, copy):
    try:
        w = seqprep.make_windows(df, targets="y", features=["x", "y"], group="id", time="t",
                                 freq=1, on_gap="split", static=["size", "kind"],
                                 known_future=["cal", "hol"], copy=copy, **kw)
    except ShapeError:
        assume(False)  # no window fits in any run
    expected = by_hand(df, **kw)
    inputs, idx = w.inputs, w.index
    assert len(w) == len(expected)
    for i in range(len(w)):
        past, static, future, target_times = expected[(idx["group"][i], int(idx["first_time"][i]))]
        np.testing.assert_array_equal(inputs["past"][i], past.astype(np.float32))
        np.testing.assert_array_equal(inputs["static"][i], static.astype(np.float32))
        np.testing.assert_array_equal(inputs["future"][i], future.astype(np.float32))
        # the guarantee, read from the values themselves (each encodes its row's time)
        assert (inputs["past"][i][:, 0] // 10 < target_times[0]).all()
        np.testing.assert_array_equal(inputs["future"][i][:, 0], target_times)
        assert int(idx["target_time"][i]) == target_times[0]


@given(panels(), windowing)
def test_static_equals_its_groups_value_through_split_and_layout(df, kw):
    try:
        w = seqprep.make_windows(df, targets="y", features=["x"], group="id", time="t",
                                 freq=1, on_gap="split", static=["size"], **kw)
    except ShapeError:
        assume(False)
    size_of = df.groupby("id")["size"].first()
    assert df.groupby("id")["size"].nunique().max() == 1

    def check(part):
        groups = part.index["group"].to_numpy()
        np.testing.assert_array_equal(part.inputs["static"][:, 0],
                                      size_of.loc[groups].to_numpy().astype(np.float32))

    check(w)
    check(w.subset(np.arange(len(w))[::-1]))
    if (kw["timesteps"] * kw["sampling_rate"]) % kw["stride"] == 0:  # streams continue
        check(seqprep.stateful_layout(w, min(3, len(w)), overlap="split"))


@given(panels(), st.integers(0, 2))
def test_a_static_column_varying_in_a_group_is_refused(df, g):
    assume(g in set(df["id"]) and (df["id"] == g).sum() >= 2)
    df = df.copy()
    row = df.index[df["id"] == g][-1]
    df.loc[row, "size"] = df.loc[row, "size"] + 0.5
    try:
        seqprep.make_windows(df, 1, targets="y", group="id", time="t", freq=1,
                             on_gap="split", static=["size"])
    except ShapeError:
        assume(False)  # no window fits: the data is refused before its covariates
    except seqprep.DataError as exc:
        assert "`static` column 'size' must be constant" in str(exc)
        assert f"group {g}" in str(exc)
    else:
        raise AssertionError("a varying static column was accepted")
