"""Windows.to_frame / windows_to_frame: each prediction on its group, time and row."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import seqprep
from seqprep import ArgumentError, ArgumentTypeError, Scaler, ShapeError
from seqprep._frame import windows_to_frame


@st.composite
def panels(draw):
    """Shuffled long table: 1-3 groups, daily times from different starts, two targets."""
    frames = []
    for g in range(draw(st.integers(1, 3))):
        n = draw(st.integers(3, 25))
        start = pd.Timestamp("2021-01-01") + pd.Timedelta(days=draw(st.integers(0, 30)))
        frames.append(pd.DataFrame({
            "id": f"g{g}", "day": pd.date_range(start, periods=n, freq="D"),
            "a": g * 100 + np.arange(n, dtype=float), "b": -np.arange(n, dtype=float)}))
    df = pd.concat(frames, ignore_index=True)
    return df.iloc[list(draw(st.permutations(range(len(df)))))].reset_index(drop=True)


@given(df=panels(), timesteps=st.integers(1, 3), horizon=st.integers(1, 3),
       gap=st.integers(0, 1), targets=st.sampled_from([["a"], ["a", "b"]]), seed=st.integers(0, 9))
def test_each_prediction_lands_on_its_group_and_time(df, timesteps, horizon, gap, targets, seed):
    try:
        w = seqprep.make_windows(df, timesteps, targets=targets, group="id", time="day",
                                 horizon=horizon, gap=gap, dtype=np.float64)
    except seqprep.ShapeError:
        assume(False)
        return
    nt = len(targets)
    pred = np.random.default_rng(seed).normal(size=(len(w), horizon * nt))
    f = w.to_frame(pred)
    assert len(f) == len(w) * horizon * nt
    assert list(f.columns) == ["sample", "group", "target", "step", "time", "row",
                               "prediction", "actual"]
    np.testing.assert_array_equal(f["prediction"].to_numpy().reshape(len(w), -1), pred)
    ix = w.index
    for i in range(len(w)):
        rows = f[f["sample"] == i]
        assert (rows["group"] == ix["group"].iloc[i]).all()
        for h in range(horizon):
            for j, name in enumerate(targets):
                r = rows.iloc[h * nt + j]
                assert (r["step"], r["target"]) == (h + 1, name)
                # the h-th step is h days after the index's target time, in the data's row
                assert r["time"] == ix["target_time"].iloc[i] + pd.Timedelta(days=h)
                src = df.loc[r["row"]]
                assert src["id"] == ix["group"].iloc[i] and src["day"] == r["time"]
                assert r["actual"] == src[name] == w.y[i, h * nt + j]
                assert r["prediction"] == pred[i, h * nt + j]
        if horizon == 1:
            assert rows["row"].iloc[0] == ix["target_row"].iloc[i]


def test_scaler_puts_predictions_and_actuals_back_in_data_units():
    df = pd.DataFrame({"id": ["a"] * 6 + ["b"] * 6, "t": list(range(6)) * 2,
                       "y": [1.0, 2, 3, 4, 5, 6, 10, 20, 30, 40, 50, 60]})
    w = seqprep.make_windows(df, 2, targets="y", group="id", time="t")
    sc = Scaler("minmax", by="id").fit(w)
    scaled = sc.transform(w)
    f = scaled.to_frame(scaled.y, scaler=sc)  # a perfect model, in scaled units
    np.testing.assert_allclose(f["prediction"], df.loc[f["row"], "y"], rtol=1e-6)
    np.testing.assert_allclose(f["actual"], df.loc[f["row"], "y"], rtol=1e-6)
    # unscaled windows with scaled predictions: only the predictions are inverse-scaled
    f2 = w.to_frame(scaled.y, scaler=sc)
    np.testing.assert_allclose(f2["actual"], f["actual"], rtol=1e-6)
    np.testing.assert_allclose(f2["prediction"], f["prediction"], rtol=1e-6)
    # without the scaler both stay in scaled units
    f3 = scaled.to_frame(scaled.y)
    np.testing.assert_allclose(f3["actual"], f3["prediction"])
    assert f3["actual"].max() == pytest.approx(1.0)
    # after inverse_transform the windows are in data units again
    f4 = sc.inverse_transform(scaled).to_frame(scaled.y, scaler=sc)
    np.testing.assert_allclose(f4["actual"], f["actual"], rtol=1e-6)


def test_split_parts_and_no_time_axis():
    w = seqprep.make_windows(np.arange(10.0), 3, targets=0)
    s = seqprep.split_by_time(w, test=0.3)
    f = windows_to_frame(s.test, np.zeros(len(s.test)))
    assert list(f.columns) == ["sample", "target", "step", "row", "prediction", "actual"]
    assert f["row"].tolist() == s.test.index["target_row"].tolist() == f["actual"].tolist()


def test_windows_without_targets_forecast_the_future():
    df = pd.DataFrame({"day": pd.date_range("2021-01-31", periods=5, freq="MS"),
                       "x": np.arange(5.0)})
    w = seqprep.make_windows(df, 3, time="day", horizon=2)
    f = w.to_frame(np.ones((len(w), 2)))
    assert list(f.columns) == ["sample", "target", "step", "time", "prediction"]
    assert w.freq == "MS"
    # rows are 2021-02-01 .. 2021-06-01; the last window ends in June: July and August
    assert f["time"].iloc[-2:].tolist() == [pd.Timestamp("2021-07-01"),
                                            pd.Timestamp("2021-08-01")]
    with pytest.raises(ArgumentError, match=r"^`predictions` is required for windows made "
                                            r"without targets"):
        w.to_frame()


def test_time_zone_kept():
    df = pd.DataFrame({"day": pd.date_range("2021-03-27", periods=4, freq="D",
                                            tz="Europe/Paris"), "y": np.arange(4.0)})
    w = seqprep.make_windows(df, 1, targets="y", time="day")
    f = w.to_frame()
    assert f["time"].tolist() == list(df["day"].iloc[1:])
    assert "prediction" not in f


def test_bad_input():
    w = seqprep.make_windows(np.arange(10.0), 3, targets=0, horizon=2)
    with pytest.raises(ShapeError, match=r"^`predictions` must have one row per sample and "
                                         r"horizon \* n_targets columns: \(6, 2\)"):
        w.to_frame(np.zeros((6, 3)))
    with pytest.raises(ShapeError, match=r"^`predictions` must have one row per sample"):
        w.to_frame(np.zeros((5, 2)))
    with pytest.raises(ArgumentTypeError, match=r"^`predictions` must hold real numbers"):
        w.to_frame(np.array([["a", "b"]] * 6))
    with pytest.raises(ArgumentTypeError, match=r"^`scaler` must be a fitted seqprep Scaler"):
        w.to_frame(np.zeros((6, 2)), scaler="minmax")
    with pytest.raises(ArgumentTypeError, match=r"^`windows` must be a Windows"):
        windows_to_frame(np.zeros((6, 3, 1)))
    with pytest.raises(seqprep.NotFittedError):
        w.to_frame(np.zeros((6, 2)), scaler=Scaler())
