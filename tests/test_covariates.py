"""Static and known-future covariates (issue 14): make_windows(static=, known_future=),
Windows.inputs / input_shapes / take_inputs, and every consumer carrying them through
(split_by_time, Scaler, to_frame, stateful_layout, subset/derive)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import seqprep
from seqprep import ArgumentError, ColumnError, DataError


@pytest.fixture
def panel():
    """Two stores of 12 daily rows; `size` constant per store, `promo` known in advance.

    Every value encodes its row: load = 100 * store + day, promo = day % 3 + 10 * store.
    """
    frames = []
    for store, size in ((0, 50.0), (1, 80.0)):
        day = np.arange(12)
        frames.append(pd.DataFrame({
            "store": store, "t": pd.date_range("2024-03-01", periods=12, freq="D"),
            "load": 100.0 * store + day, "size": size, "promo": day % 3 + 10.0 * store,
            "temp": 20.0 + day,
        }))
    df = pd.concat(frames, ignore_index=True)
    return df.sample(frac=1.0, random_state=0).reset_index(drop=True)  # shuffled rows


def windows(df, **kw):
    args = dict(targets="load", group="store", time="t", static=["size"],
                known_future=["promo"], horizon=2)
    args.update(kw)
    return seqprep.make_windows(df, 3, **args)


def by_hand(df, store, first_day, T=3, H=2):
    """Sample of `store` whose first input is day `first_day`, from the frame's rows."""
    rows = df[df["store"] == store].sort_values("t").reset_index(drop=True)
    past = rows.loc[first_day:first_day + T - 1, ["load", "temp"]].to_numpy()
    future = rows.loc[first_day + T:first_day + T + H - 1, ["promo"]].to_numpy()
    return past, rows["size"].iloc[0], future


# ------------------------------------------------------------------ the sources


def test_inputs_and_shapes_match_windows_built_by_hand(panel):
    w = windows(panel)
    assert w.feature_names == ("load", "temp")  # covariates leave the default features
    assert w.input_shapes == {"past": (3, 2), "static": (1,), "future": (2, 1)}
    inputs = w.inputs
    assert list(inputs) == ["past", "static", "future"]
    assert {k: v.shape for k, v in inputs.items()} == {
        "past": (16, 3, 2), "static": (16, 1), "future": (16, 2, 1)}
    for i, row in w.index.iterrows():
        day = (row["first_time"] - pd.Timestamp("2024-03-01")).days
        past, size, future = by_hand(panel, row["group"], day)
        np.testing.assert_array_equal(inputs["past"][i], past)
        assert inputs["static"][i, 0] == size
        np.testing.assert_array_equal(inputs["future"][i], future)
        assert inputs["static"].dtype == inputs["future"].dtype == np.float32


def test_take_inputs_is_the_dict_for_some_samples_and_x_alone_without(panel):
    w = windows(panel)
    x, y = w.take_inputs([5, 0])
    assert set(x) == {"past", "static", "future"}
    for k in x:
        np.testing.assert_array_equal(x[k], w.inputs[k][[5, 0]])
    np.testing.assert_array_equal(y, w.y[[5, 0]])
    plain = seqprep.make_windows(panel, 3, targets="load", group="store", time="t")
    X, _ = plain.take_inputs([1])
    assert isinstance(X, np.ndarray) and X.shape == (1, 3, 4)
    assert plain.covariates is None and plain.input_shapes == {"past": (3, 4)}
    assert list(plain.inputs) == ["past"]


def test_listed_covariates_stay_features_too(panel):
    w = windows(panel, features=["load", "promo"])
    assert w.feature_names == ("load", "promo") and w.input_shapes["future"] == (2, 1)


def test_array_data_takes_positions():
    arr = np.column_stack([np.arange(10.0), np.full(10, 7.0), np.arange(10.0) % 2])
    w = seqprep.make_windows(arr, 2, targets=0, static=1, known_future=[2])
    assert w.feature_names == (0,)
    assert w.inputs["static"][:, 0].tolist() == [7.0] * 8
    assert w.inputs["future"][:, 0, 0].tolist() == [float(t % 2) for t in range(2, 10)]


def test_report_lists_the_covariates(panel):
    assert "covariates: static (16, 1), future (16, 2, 1)" in windows(panel).report()


# ------------------------------------------------------------------ refusals


def test_static_varying_within_a_group_names_column_group_and_values(panel):
    df = panel.copy()
    later = df.index[(df["store"] == 1) & (df["t"] == "2024-03-05")][0]
    df.loc[later, "size"] = 81.0
    with pytest.raises(DataError) as info:
        windows(df)
    msg = str(info.value)
    assert "`static` column 'size' must be constant within each group" in msg
    assert "group 1 has 80.0" in msg and "and 81.0 at row" in msg
    assert f"at row {later}" in msg  # the row in the data as given (shuffled)


def test_static_nan_throughout_a_group_is_constant(panel):
    df = panel.copy()
    df.loc[df["store"] == 0, "size"] = np.nan
    w = windows(df)
    assert np.isnan(w.inputs["static"][w.index["group"] == 0]).all()


@pytest.mark.parametrize("kw, err, words", [
    (dict(known_future=["load"]), ColumnError, "must not include a target column"),
    (dict(static=["load"]), ColumnError, "must not include a target column"),
    (dict(static=["promo"], known_future=["promo"]), ColumnError, "must not share a column"),
    (dict(static=["t"], known_future=None), ColumnError, "must not include the group or time"),
    (dict(static=["nope"]), ColumnError, "not in the data"),
])
def test_bad_covariate_columns_are_refused(panel, kw, err, words):
    with pytest.raises(err, match=words):
        windows(panel, **kw)


def test_known_future_needs_targets(panel):
    with pytest.raises(ArgumentError, match="`known_future` needs `targets`"):
        seqprep.make_windows(panel, 3, group="store", time="t", known_future=["promo"])
    w = seqprep.make_windows(panel, 3, group="store", time="t", static=["size"])
    assert w.input_shapes == {"past": (3, 3), "static": (1,)}


# ------------------------------------------------------------------ carried through


def test_subset_and_derive_carry_the_covariates(panel):
    w = windows(panel)
    sub = w.subset([3, 1])
    assert sub.covariates is w.covariates  # shared, not copied
    for k in ("static", "future"):
        np.testing.assert_array_equal(sub.inputs[k], w.inputs[k][[3, 1]])


def test_split_by_time_parts_carry_the_covariates(panel):
    w = windows(panel)
    s = seqprep.split_by_time(w, test="2024-03-09")
    for part in (s.train, s.test):
        pos = [int(np.flatnonzero(w.starts == st)[0]) for st in part.starts]
        for k in ("past", "static", "future"):
            np.testing.assert_array_equal(part.inputs[k], w.inputs[k][pos])
    assert (s.test.index["target_time"] >= "2024-03-09").all()


def test_scaler_fits_covariates_on_training_rows_and_scales_them(panel):
    w = windows(panel)
    s = seqprep.split_by_time(w, test="2024-03-09")
    sc = seqprep.Scaler().fit(s.train)
    assert sc.columns_ == ("load", "temp", "size", "promo")
    # statistics of the rows the training samples read, each once, from the frame itself
    read = panel[panel["t"] <= s.train.index["target_time"].max() + pd.Timedelta(days=1)]
    assert sc.center_[2] == pytest.approx(read["size"].mean())
    assert sc.center_[3] == pytest.approx(read["promo"].mean())
    out = sc.transform(s.test)
    expect = (s.test.inputs["future"] - sc.center_[3]) / sc.scale_[3]
    np.testing.assert_allclose(out.inputs["future"], expect, rtol=1e-6)
    np.testing.assert_allclose(out.inputs["static"],
                               (s.test.inputs["static"] - sc.center_[2]) / sc.scale_[2],
                               rtol=1e-6)
    back = sc.inverse_transform(out)
    np.testing.assert_allclose(back.inputs["future"], s.test.inputs["future"], atol=1e-5)
    assert s.test.covariates.future is not out.covariates.future  # a scaled copy


def test_scaler_columns_may_leave_covariates_unscaled(panel):
    w = windows(panel)
    out = seqprep.Scaler(columns=["load"]).fit(w).transform(w)
    np.testing.assert_array_equal(out.inputs["static"], w.inputs["static"])
    np.testing.assert_array_equal(out.inputs["future"], w.inputs["future"])


def test_to_frame_has_a_column_per_covariate(panel):
    w = windows(panel)
    f = w.to_frame()
    assert list(f.columns[-2:]) == ["size", "promo"]
    assert len(f) == len(w) * 2
    for _, r in f.iterrows():
        rows = panel[(panel["store"] == r["group"]) & (panel["t"] == r["time"])]
        assert r["promo"] == rows["promo"].item() and r["size"] == rows["size"].item()
        assert r["actual"] == rows["load"].item()


def test_to_frame_prefixes_a_taken_name():
    df = pd.DataFrame({"v": np.arange(8.0), "time": np.arange(8.0) * 2})
    w = seqprep.make_windows(df, 2, targets="v", known_future=["time"])
    f = w.to_frame()
    assert f["time"].tolist() == [4.0, 6.0, 8.0, 10.0, 12.0, 14.0]  # no time axis: name free
    df["t"] = np.arange(8)
    f = seqprep.make_windows(df, 2, targets="v", time="t", known_future=["time"]).to_frame()
    assert f["future_time"].tolist() == [4.0, 6.0, 8.0, 10.0, 12.0, 14.0]
    assert f["time"].tolist() == [2, 3, 4, 5, 6, 7]


def test_stateful_layout_carries_the_covariates_padding_included(panel):
    w = windows(panel)
    lay = seqprep.stateful_layout(w, 3, overlap="split")
    assert lay.n_padded > 0
    assert lay.input_shapes == w.input_shapes
    pos = [int(np.flatnonzero(w.starts == st)[0]) for st in lay.starts]
    for k in ("past", "static", "future"):
        np.testing.assert_array_equal(lay.inputs[k], w.inputs[k][pos])
