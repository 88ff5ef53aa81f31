"""seqprep.backtest: rolling-origin folds by target time, against scikit-learn's
TimeSeriesSplit on one series without gaps; sliding windows, panels, purging reports,
covariates carried, and refusals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import TimeSeriesSplit

import seqprep
from seqprep import ArgumentError, ArgumentTypeError, DataError, backtest


def series(n=60, timesteps=4, gap=0, **kw):
    return seqprep.make_windows(np.arange(float(n)), timesteps, gap=gap, targets=0, **kw)


@pytest.mark.parametrize("n, timesteps, gap, n_splits, test", [
    (60, 4, 0, 3, 5), (60, 1, 0, 5, 3), (45, 3, 2, 4, 4), (30, 2, 1, 2, 7), (80, 6, 0, 6, 2),
])
@pytest.mark.parametrize("purge", ["auto", 0, 2])
def test_expanding_folds_equal_timeseriessplit(n, timesteps, gap, n_splits, test, purge):
    w = series(n, timesteps, gap)
    bt = backtest(w, n_splits=n_splits, test=test, purge=purge)
    rows = w.target_offset if purge == "auto" else purge
    sk = TimeSeriesSplit(n_splits=n_splits, test_size=test, gap=rows).split(np.arange(len(w)))
    assert len(bt) == n_splits
    for fold, (train, tst) in zip(bt, sk):
        np.testing.assert_array_equal(fold.train_indices, train)
        np.testing.assert_array_equal(fold.test_indices, tst)
        purged = list(range(max(0, tst[0] - rows), tst[0]))  # what gap= leaves out
        assert fold.purged["sample"].tolist() == purged
        np.testing.assert_array_equal(fold.test.y, w.y[tst])
        np.testing.assert_array_equal(fold.train.y, w.y[train])


@pytest.mark.parametrize("train_steps", [10, 15])
def test_sliding_folds_equal_timeseriessplit_with_max_train_size(train_steps):
    w = series(70, 3)
    bt = backtest(w, n_splits=4, test=6, window="sliding", train=train_steps)
    p = w.target_offset
    sk = TimeSeriesSplit(n_splits=4, test_size=6, gap=p, max_train_size=train_steps - p)
    for fold, (train, tst) in zip(bt, sk.split(np.arange(len(w)))):
        np.testing.assert_array_equal(fold.train_indices, train)
        np.testing.assert_array_equal(fold.test_indices, tst)


def test_step_other_than_test_moves_the_cut_by_step():
    w = series(60, 2)
    bt = backtest(w, n_splits=3, test=5, step=2)
    assert bt.summary["cut"].tolist() == [51, 53, 55]
    assert bt.summary["end"].tolist() == [56, 58, 60]
    assert bt.summary["test"].tolist() == [5, 5, 5]


def test_sliding_without_train_keeps_the_first_folds_history():
    w = series(50, 3)
    bt = backtest(w, n_splits=3, test=5, window="sliding")
    sizes = bt.summary["train"].tolist()
    assert sizes == [sizes[0]] * 3 and sizes[0] == 29
    assert bt.summary["train_start"].tolist() == [3, 8, 13]


def test_panel_cut_offs_are_common_dates_and_purged_windows_are_listed():
    frames = [pd.DataFrame({"id": g, "day": pd.date_range(start, periods=n, freq="D"),
                            "load": np.arange(n, dtype=float)})
              for g, start, n in (("a", "2024-01-01", 40), ("b", "2024-01-11", 30))]
    df = pd.concat(frames, ignore_index=True)
    w = seqprep.make_windows(df, 5, targets="load", group="id", time="day", horizon=2)
    bt = backtest(w, n_splits=2, test=7)
    assert [str(c.date()) for c in bt.summary["cut"]] == ["2024-01-27", "2024-02-03"]
    for fold in bt:
        idx = w.index
        assert (idx["target_time"].iloc[fold.test_indices] >= fold.cut).all()
        last_target = idx["target_time"].iloc[fold.test_indices] + pd.Timedelta(days=1)
        assert (last_target < fold.end).all()
        purged = fold.purged
        assert set(purged["group"]) == {"a", "b"} and len(purged) == 10
        assert purged["sample"].isin(fold.train_indices).sum() == 0
        text = fold.report()
        assert "purged: 10 windows with targets in the 5 rows before the cut" in text
        assert "group 'a': 5 windows, target_time 2024-01-" in text
    assert bt.report().startswith("2 folds (expanding training window), rolling origin")


def test_folds_carry_the_covariates():
    df = pd.DataFrame({"t": np.arange(40), "y": np.arange(40.0), "cal": np.arange(40) % 7.0})
    w = seqprep.make_windows(df, 3, targets="y", time="t", known_future=["cal"])
    for fold in backtest(w, n_splits=2, test=5):
        np.testing.assert_array_equal(fold.test.inputs["future"],
                                      w.inputs["future"][fold.test_indices])
        np.testing.assert_array_equal(fold.train.inputs["future"],
                                      w.inputs["future"][fold.train_indices])


@pytest.mark.parametrize("kw, err, words", [
    (dict(n_splits=0, test=5), ArgumentError, "`n_splits` must be a positive integer"),
    (dict(n_splits=2, test=1.5), ArgumentTypeError, "`test` must be an integer"),
    (dict(n_splits=2, test=5, window="rolling"), ArgumentError, "`window` must be one of"),
    (dict(n_splits=2, test=5, train=10), ArgumentError, "`train` is the history length"),
    (dict(n_splits=20, test=5), ArgumentError, "must fit in the data"),
    (dict(n_splits=5, test=5), DataError, "fold 0 .* has no training windows"),
    (dict(n_splits=2, test=5, purge="some"), ArgumentError, "`purge` must be 'auto'"),
])
def test_bad_arguments_are_refused(kw, err, words):
    with pytest.raises(err, match=words):
        backtest(series(30, 4), **kw)


def test_windows_without_targets_or_a_layout_are_refused():
    with pytest.raises(ArgumentError, match="must have targets"):
        backtest(seqprep.make_windows(np.arange(30.0), 3), n_splits=2, test=3)
    lay = seqprep.stateful_layout(series(30, 3, stride=3), 2)
    with pytest.raises(ArgumentTypeError, match="not a stateful layout"):
        backtest(lay, n_splits=2, test=3)
