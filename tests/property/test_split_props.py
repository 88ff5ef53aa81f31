"""Property tests for split_by_time: no leakage across parts, against a brute-force oracle.

The oracle works from the DataFrame and ``Windows.index`` alone: it ranks each group's rows
by time, rebuilds every window's input and target rows from its ``first_row`` with the
index arithmetic of ``make_windows``, and assigns windows to parts with plain loops.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, event, given
from hypothesis import strategies as st

import seqprep


@st.composite
def panels(draw):
    """A shuffled long table of 1-3 groups with numeric times (some with missing steps)."""
    n_groups = draw(st.integers(1, 3))
    frames = []
    for g in range(n_groups):
        n = draw(st.integers(4, 30))
        start = draw(st.integers(0, 10))
        steps = draw(st.lists(st.sampled_from([1, 1, 1, 1, 2]), min_size=n - 1, max_size=n - 1))
        t = start + np.concatenate([[0], np.cumsum(steps)]).astype(np.int64)
        frames.append(pd.DataFrame({"id": f"g{g}", "t": t, "v": np.arange(n, dtype=float)}))
    df = pd.concat(frames, ignore_index=True)
    perm = draw(st.permutations(range(len(df))))
    return df.iloc[list(perm)].reset_index(drop=True)


windowing = st.fixed_dictionaries({
    "timesteps": st.integers(1, 4),
    "horizon": st.integers(1, 3),
    "gap": st.integers(0, 2),
    "stride": st.integers(1, 3),
    "sampling_rate": st.integers(1, 2),
    "targets": st.sampled_from(["v", "v", "v", None]),
})


def cut_args(df):
    lo, hi = int(df["t"].min()), int(df["t"].max())
    fraction = st.floats(0.05, 0.6)
    absolute = st.integers(lo + 1, max(lo + 1, hi))
    return st.tuples(st.one_of(fraction, absolute), st.one_of(st.none(), fraction, absolute))


class Oracle:
    """Rows and parts computed by hand from the frame and the windows' index."""

    def __init__(self, df, w, test, validation):
        self.df = df
        self.w = w
        self.pos_rank = {}  # input position -> (group, rank within group by time)
        self.group_pos = {}  # group -> input positions in time order
        for g, sub in df.groupby("id"):
            ordered = sub.sort_values("t").index.to_numpy()
            self.group_pos[g] = ordered
            for r, p in enumerate(ordered):
                self.pos_rank[p] = (g, r)
        self.cuts, self.times, self.part = {}, {}, {}
        for g, pos in self.group_pos.items():
            t = df.loc[pos, "t"].to_numpy(dtype=float)
            first, last = t[0], t[-1]

            def cut(value, base):
                if isinstance(value, float) and 0 < value < 1:
                    return base - value * (last - first)
                return float(value)

            tc = cut(test, last)
            self.cuts[g] = [tc] if validation is None else [cut(validation, tc), tc]
            self.times[g] = t
            self.part[g] = [sum(x >= c for c in self.cuts[g]) for x in t]

    def part_of(self, g, rank):
        return self.part[g][rank]

    def next_cut_rank(self, g, k):
        """Rank of the first row of group g after part k: the rows of parts <= k."""
        return sum(q <= k for q in self.part[g])

    def rows(self, i):
        """(group, input ranks, scored ranks) of window i; scored = targets, or inputs."""
        w = self.w
        g, r0 = self.pos_rank[int(w.index["first_row"].iloc[i])]
        inputs = [r0 + k * w.sampling_rate for k in range(w.timesteps)]
        if w.y is not None:
            scored = [r0 + w.span + w.gap + h for h in range(w.horizon)]
        else:
            scored = list(inputs)
        return g, inputs, scored

    def expected(self, purge):
        """first_row of the windows in each part, and the purged / straddling counts.

        A window of part k is purged when a target is within ``purge`` rows of the next cut
        and its group keeps a window in some part after k (decided from the last part back).
        """
        n_cuts = len(next(iter(self.cuts.values())))
        part = {}  # window -> its part, for windows not straddling a cut
        straddling = 0
        for i in range(len(self.w)):
            g, _, scored = self.rows(i)
            ps = {self.part_of(g, r) for r in scored}
            if len(ps) > 1:
                straddling += 1
            else:
                part[i] = ps.pop()
        purged = set()
        for k in reversed(range(n_cuts)):
            later = {self.rows(i)[0] for i, q in part.items() if q > k and i not in purged}
            for i, q in part.items():
                g, _, scored = self.rows(i)
                if q == k and g in later and max(scored) >= self.next_cut_rank(g, k) - purge:
                    purged.add(i)
        parts = [set() for _ in range(n_cuts + 1)]
        for i, q in part.items():
            if i not in purged:
                parts[q].add(int(self.w.index["first_row"].iloc[i]))
        return parts, len(purged), straddling


def windows_or_skip(df, params):
    try:
        return seqprep.make_windows(df, group="id", time="t", freq=1, on_gap="split", **params)
    except seqprep.ShapeError:  # no window fits
        assume(False)


def split_or_skip(data, **kw):
    try:
        return seqprep.split_by_time(data, **kw)
    except seqprep.ArgumentError as exc:  # cut-offs out of order, fractions summing to >= 1
        assume(False)
        raise exc
    except seqprep.DataError as exc:
        assert "part empty" in str(exc)
        assume(False)
        raise exc


def parts_of(s):
    return [p for p in (s.train, s.validation, s.test) if p is not None]


@given(data=st.data(), df=panels(), params=windowing)
def test_no_target_row_of_a_later_part_is_read_by_an_earlier_part(data, df, params):
    w = windows_or_skip(df, params)
    test, validation = data.draw(cut_args(df))
    purge = data.draw(st.sampled_from(["auto", 0, 2]))
    s = split_or_skip(w, test=test, validation=validation, purge=purge)
    oracle = Oracle(df, w, test, validation)
    rows = []  # per part: (set of (group, rank) read, set of (group, rank) scored)
    for part in parts_of(s):
        read, scored = set(), set()
        sub = Oracle(df, part, test, validation)
        for i in range(len(part)):
            g, inp, sc = sub.rows(i)
            read |= {(g, r) for r in inp} | {(g, r) for r in sc}
            scored |= {(g, r) for r in sc}
        rows.append((read, scored))
    for a in range(len(rows)):
        for b in range(a + 1, len(rows)):
            # the rule, whatever `purge`
            assert not (rows[b][1] & rows[a][0])
            if purge == "auto":  # and after purging, no row is used by two parts at all
                assert not (rows[a][0] & rows[b][0])
                assert not (rows[a][1] & rows[b][0])
    parts, purged, straddling = oracle.expected(s.purge)
    event(f"validation: {validation is not None}, purged: {purged > 0}, "
          f"straddling: {straddling > 0}, groups: {df['id'].nunique()}")
    got = [set(p.index["first_row"].astype(int)) for p in parts_of(s)]
    assert got == parts
    assert s.n_purged == purged and s.n_straddling == straddling
    assert sum(len(p) for p in parts_of(s)) + purged + straddling == len(w)
    expected_purge = (w.span + w.gap if w.y is not None else 0) if purge == "auto" else purge
    assert s.purge == expected_purge


@given(data=st.data(), df=panels(), params=windowing)
def test_windows_have_all_targets_inside_their_part(data, df, params):
    w = windows_or_skip(df, params)
    test, validation = data.draw(cut_args(df))
    s = split_or_skip(w, test=test, validation=validation)
    summary = s.summary.set_index("group")
    cut_cols = [c for c in ("validation_cut", "test_cut") if c in summary]
    for k, part in enumerate(parts_of(s)):
        sub = Oracle(df, part, test, validation)
        for i in range(len(part)):
            g, _, scored = sub.rows(i)
            times = sub.times[g][scored]
            bounds = [-np.inf] + [summary.loc[g, c] for c in cut_cols] + [np.inf]
            assert np.all((times >= bounds[k]) & (times < bounds[k + 1]))
        assert part.index.index.equals(pd.RangeIndex(len(part)))  # a fresh index per part


@given(data=st.data(), df=panels())
def test_frame_split_partitions_rows_in_time_order(data, df):
    test, validation = data.draw(cut_args(df))
    purge = data.draw(st.sampled_from(["auto", 0, 1, 3]))
    s = split_or_skip(df, test=test, validation=validation, time="t", group="id", purge=purge)
    oracle = Oracle(df, None, test, validation)
    n_purge = 0 if purge == "auto" else purge
    n_parts = 3 if validation is not None else 2
    expected = [set() for _ in range(n_parts)]
    dropped = 0
    for g, pos in oracle.group_pos.items():
        kept = set(range(len(pos)))
        for k in reversed(range(n_parts - 1)):  # a row is purged only for a later part
            if not any(oracle.part_of(g, r) > k for r in kept):
                continue
            kept -= {r for r in kept if oracle.part_of(g, r) <= k
                     and r >= oracle.next_cut_rank(g, k) - n_purge}
        dropped += len(pos) - len(kept)
        for r in kept:
            expected[oracle.part_of(g, r)].add(int(pos[r]))
    got = [set(p.index) for p in parts_of(s)]
    assert got == expected
    assert s.n_purged == dropped and s.unit == "rows"
    for part in parts_of(s):  # original order and columns kept
        assert list(part.columns) == list(df.columns)
        assert list(part.index) == sorted(part.index)


@pytest.mark.parametrize("purge", ["auto", 0])
def test_horizon_windows_straddling_a_cut_are_in_no_part(purge):
    df = pd.DataFrame({"t": np.arange(12), "v": np.arange(12.0)})
    w = seqprep.make_windows(df, 2, targets="v", time="t", horizon=3)
    s = seqprep.split_by_time(w, test=8, purge=purge)
    # windows' targets: rows s+2 .. s+4; test needs s+2 >= 8, train s+4 < 8
    assert s.test.index["target_row"].tolist() == [8, 9]
    assert s.n_straddling == 2  # targets 6..8 and 7..9
    if purge == "auto":  # 2 rows before the cut: train targets must end before row 6
        assert s.train.index["target_row"].max() + 2 < 6
        assert s.n_purged == 2
    else:
        assert s.train.index["target_row"].max() + 2 == 7
