"""Property tests for backtest: every fold against an oracle built from the DataFrame, and
no fold leaks.

The oracle ranks each group's rows by time (all rows, read by a window or not), places
the cut-offs by the rule in ``seqprep._backtest`` (from one step after the latest target
time, back ``test + (n_splits - 1 - k) * step`` steps), assigns windows by their target
times with plain loops and purges, group by group, the training windows whose last target
row lies within ``purge`` rows of the group's first row at or after the cut (only in
groups that have test windows).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import assume, event, given
from hypothesis import strategies as st

import seqprep
from seqprep import ArgumentError, DataError, ShapeError


@st.composite
def panels(draw):
    """A shuffled long table of 1-3 groups with integer times (some steps missing)."""
    frames = []
    for g in range(draw(st.integers(1, 3))):
        n = draw(st.integers(8, 40))
        steps = draw(st.lists(st.sampled_from([1, 1, 1, 1, 2]), min_size=n - 1, max_size=n - 1))
        t = draw(st.integers(0, 8)) + np.concatenate([[0], np.cumsum(steps)]).astype(np.int64)
        frames.append(pd.DataFrame({"id": f"g{g}", "t": t, "v": t + 0.25 * g}))
    df = pd.concat(frames, ignore_index=True)
    perm = draw(st.permutations(range(len(df))))
    return df.iloc[list(perm)].reset_index(drop=True)


windowing = st.fixed_dictionaries({
    "timesteps": st.integers(1, 4), "horizon": st.integers(1, 3), "gap": st.integers(0, 2),
    "stride": st.integers(1, 3), "sampling_rate": st.integers(1, 2),
})
folding = st.fixed_dictionaries({
    "n_splits": st.integers(1, 3), "test": st.integers(1, 4),
    "step": st.one_of(st.none(), st.integers(1, 3)),
    "purge": st.one_of(st.just("auto"), st.integers(0, 3)),
    "window": st.sampled_from(["expanding", "sliding"]),
    "train": st.one_of(st.none(), st.integers(4, 15)),
})


def oracle(df, w, args):
    """Per fold: (test positions, train positions, purged positions), by hand."""
    rank = {}  # (group, time) -> rank of the row in its group, by time
    for g, sub in df.groupby("id"):
        for r, t in enumerate(sorted(sub["t"])):
            rank[(g, t)] = r
    groups, first = w.index["group"].tolist(), w.index["target_time"].astype(int).tolist()
    H = w.horizon
    last = [t + H - 1 for t in first]  # windows never cross a gap (on_gap="split")
    n, test = args["n_splits"], args["test"]
    step = args["step"] or test
    p = w.target_offset if args["purge"] == "auto" else args["purge"]
    after = max(last) + 1
    folds = []
    for k in range(n):
        cut = after - (test + (n - 1 - k) * step)
        end = cut + test
        start = -np.inf
        if args["window"] == "sliding":
            start = cut - args["train"] if args["train"] is not None else min(first) + k * step
        tst = [i for i in range(len(w)) if first[i] >= cut and last[i] < end]
        before = [i for i in range(len(w)) if last[i] < cut and first[i] >= start]
        later = {groups[i] for i in tst}
        purged = []
        for i in before:
            g = groups[i]
            if g not in later:
                continue
            nxt = min(r for (gg, t), r in rank.items() if gg == g and t >= cut)
            if rank[(g, last[i])] >= nxt - p:
                purged.append(i)
        train = [i for i in before if i not in purged]
        folds.append((tst, train, purged))
    return folds


@given(panels(), windowing, folding)
def test_backtest_folds_equal_the_oracle_and_never_leak(df, kw, args):
    try:
        w = seqprep.make_windows(df, targets="v", group="id", time="t", freq=1,
                                 on_gap="split", **kw)
    except ShapeError:
        assume(False)
    fold_args = dict(args)
    if fold_args["window"] == "expanding":
        fold_args["train"] = None
    expected = oracle(df, w, fold_args)
    try:
        bt = seqprep.backtest(w, **fold_args)
    except ArgumentError as exc:  # refused only when the folds reach beyond the targets
        assert "must fit in the data" in str(exc)
        first = w.index["target_time"]
        span = int(first.max() + w.horizon - 1 - first.min()) + 1
        assert fold_args["test"] + (fold_args["n_splits"] - 1) * (
            fold_args["step"] or fold_args["test"]) > span
        assume(False)
    except DataError as exc:  # refused only when a fold really has an empty part
        assert any(not tst or not train for tst, train, _ in expected), str(exc)
        event("refused: a fold with an empty part")
        return
    event(f"checked {fold_args['window']}, purge {fold_args['purge'] == 'auto'}")
    assert len(bt) == fold_args["n_splits"]
    rank = {(g, t): r for g, sub in df.groupby("id")
            for r, t in enumerate(sorted(sub["t"]))}
    idx = w.index
    for fold, (tst, train, purged) in zip(bt, expected):
        assert fold.test_indices.tolist() == tst
        assert sorted(fold.train_indices.tolist()) == train
        assert fold.purged["sample"].tolist() == purged
        # no training window's rows reach the test part's first target time
        train_last = idx["target_time"].iloc[fold.train_indices] + w.horizon - 1
        assert (train_last < fold.cut).all()
        assert (idx["target_time"].iloc[fold.test_indices] >= fold.cut).all()
        if fold_args["purge"] != "auto":
            continue
        # with purge="auto", no test window reads a training target as an input
        for g in set(idx["group"].iloc[fold.test_indices]):
            tr = [i for i in fold.train_indices if idx["group"][i] == g]
            te = [i for i in fold.test_indices if idx["group"][i] == g]
            if tr:
                last_target = max(rank[(g, int(idx["target_time"][i]) + w.horizon - 1)]
                                  for i in tr)
                first_input = min(rank[(g, int(idx["first_time"][i]))] for i in te)
                assert last_target < first_input
