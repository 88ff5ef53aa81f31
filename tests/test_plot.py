"""plot_window: one sample's inputs, targets and prediction, with time on the x axis.

The oracle for every drawn point is the input table itself (the rows of the sample's
group between its first and last time), not the Windows' arrays.
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

import seqprep
from seqprep import ArgumentError, ArgumentTypeError, MissingDependencyError, plot_window


def _lines(ax) -> dict:
    return {line.get_label(): (pd.Index(line.get_xdata()), np.asarray(line.get_ydata(), float))
            for line in ax.get_lines()}


@pytest.fixture
def panel() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    frames = []
    for g, start in (("a", "2024-03-25"), ("b", "2024-03-28")):
        t = pd.date_range(start, periods=14, freq="D", tz="Europe/Berlin")  # across DST
        frames.append(pd.DataFrame({"store": g, "time": t, "temp": rng.normal(size=14),
                                    "sales": rng.normal(size=14)}))
    return pd.concat(frames).sample(frac=1, random_state=1).reset_index(drop=True)  # shuffled


def _expected(panel, w, i):
    row = w.index.iloc[i]
    g = panel[panel.store == row["group"]].sort_values("time").reset_index(drop=True)
    inside = g[(g.time >= row["first_time"]) & (g.time <= row["last_time"])]
    inputs = inside.iloc[::w.sampling_rate]
    first_target = g.index[g.time == row["target_time"]][0]
    targets = g.iloc[first_target:first_target + w.horizon]
    return inputs, targets


@pytest.mark.parametrize("i", [0, 3, -1])
def test_inputs_and_targets_are_the_tables_rows_in_time(panel, i):
    w = seqprep.make_windows(panel, 4, horizon=2, sampling_rate=2, group="store",
                             time="time", features=["temp", "sales"], targets="sales")
    ax = plot_window(w, i)
    lines = _lines(ax)
    assert list(lines) == ["temp", "sales", "target sales"]
    inputs, targets = _expected(panel, w, i)
    for name in ("temp", "sales"):
        assert lines[name][0].equals(pd.DatetimeIndex(inputs.time))
        np.testing.assert_allclose(lines[name][1], inputs[name], rtol=1e-6)
    assert lines["target sales"][0].equals(pd.DatetimeIndex(targets.time))
    np.testing.assert_allclose(lines["target sales"][1], targets["sales"], rtol=1e-6)
    group = w.index["group"].iloc[i]
    assert ax.get_title() == f"sample {i % len(w)} (group {group!r})"
    assert ax.get_xlabel() == "time"


def test_ticks_read_the_datas_own_clock():
    # midnight in Berlin is 23:00 UTC the day before: the ticks must say 23, not 22
    t = pd.date_range("2024-12-20", periods=12, freq="D", tz="Europe/Berlin")
    w = seqprep.make_windows(pd.DataFrame({"day": t, "x": np.arange(12.0)}), 7,
                             targets="x", time="day")
    ax = plot_window(w, 3)
    ax.figure.draw_without_rendering()
    labels = [label.get_text() for label in ax.get_xticklabels()]
    assert labels[:2] == ["23", "24"], labels


def test_target_takes_its_features_colour_and_prediction_follows(panel):
    w = seqprep.make_windows(panel, 3, horizon=2, group="store", time="time",
                             features=["temp", "sales"], targets="sales")
    predictions = np.arange(len(w) * 2, dtype=float).reshape(len(w), 2)  # model.predict
    ax = plot_window(w, 5, prediction=predictions)
    by_label = {line.get_label(): line for line in ax.get_lines()}
    assert by_label["target sales"].get_color() == by_label["sales"].get_color()
    assert by_label["prediction sales"].get_color() == by_label["sales"].get_color()
    np.testing.assert_array_equal(by_label["prediction sales"].get_ydata(), [10.0, 11.0])
    _, targets = _expected(panel, w, 5)
    assert pd.Index(by_label["prediction sales"].get_xdata()).equals(
        pd.DatetimeIndex(targets.time))
    ax = plot_window(w, 5, prediction=[7.0, 8.0])  # one sample's prediction
    np.testing.assert_array_equal(_lines(ax)["prediction sales"][1], [7.0, 8.0])


def test_draws_into_the_given_axes(panel):
    fig = Figure()
    left, right = fig.subplots(1, 2)
    left.plot([0, 1], [0, 1], label="mine")
    w = seqprep.make_windows(panel, 3, group="store", time="time", targets="sales",
                             features=["temp"])
    assert plot_window(w, 0, ax=right) is right
    assert list(_lines(right)) == ["temp", "target sales"]
    assert list(_lines(left)) == ["mine"] and len(fig.axes) == 2


def test_without_time_axis_x_is_rows_from_the_first_input():
    data = np.column_stack([np.arange(20.0), np.arange(20.0) * 10])
    w = seqprep.make_windows(data, 3, horizon=2, gap=1, sampling_rate=2, targets=[1])
    lines = _lines(plot_window(w, 4))
    assert list(lines["0"][0]) == [0, 2, 4]
    np.testing.assert_array_equal(lines["0"][1], [4.0, 6.0, 8.0])
    assert list(lines["target 1"][0]) == [6, 7]  # span 5, gap 1: rows 6 and 7
    np.testing.assert_array_equal(lines["target 1"][1], [100.0, 110.0])


def test_windows_without_targets_plot_a_prediction_at_the_next_steps():
    df = pd.DataFrame({"time": pd.date_range("2024-01-01", periods=6, freq="MS"),
                       "x": np.arange(6.0)})
    w = seqprep.make_windows(df, 3, horizon=2, time="time", features=["x"])
    lines = _lines(plot_window(w, 0, prediction=[[1.0, 2.0]]))
    assert list(lines)[0] == "x" and len(lines) == 2
    label, (x, y) = list(lines.items())[1]
    assert label.startswith("prediction")
    assert x.equals(pd.DatetimeIndex(["2024-04-01", "2024-05-01"]))
    np.testing.assert_array_equal(y, [1.0, 2.0])


def test_features_chooses_the_lines(panel):
    w = seqprep.make_windows(panel, 3, group="store", time="time", targets="sales",
                             features=["temp", "sales"])
    assert list(_lines(plot_window(w, 0, features=["sales"]))) == ["sales", "target sales"]


@pytest.mark.parametrize("call, error, pattern", [
    (lambda w: plot_window("w", 0), ArgumentTypeError, r"^`windows` must be the Windows"),
    (lambda w: plot_window(w, len(w)), ArgumentError,
     r"^`i` must be the position of a sample: -22 <= i < 22 for these 22 samples. "
     r"Received: i=22.$"),
    (lambda w: plot_window(w, -len(w) - 1), ArgumentError, r"^`i` must be the position"),
    (lambda w: plot_window(w, 1.5), ArgumentTypeError, r"^`i` must be an integer"),
    (lambda w: plot_window(w, 0, prediction=[1.0, 2.0, 3.0]), ArgumentError,
     r"^`prediction` must be sample 0's prediction \(1 values.*shape \(3,\)"),
    (lambda w: plot_window(w, 0, features=["price"]), ArgumentError,
     r"^`features` must name features \(or known-future covariates\) of the windows. "
     r"Received: \['price'\]. Available: \['temp', 'sales'\]"),
    (lambda w: plot_window(w, 0, ax="left"), ArgumentTypeError, r"^`ax` must be a matplotlib"),
])
def test_errors(panel, call, error, pattern):
    w = seqprep.make_windows(panel, 3, group="store", time="time", targets="sales")
    with pytest.raises(error, match=pattern):
        call(w)


def test_missing_matplotlib(panel, monkeypatch):
    w = seqprep.make_windows(panel, 3, group="store", time="time", targets="sales")
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import raises ImportError
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(MissingDependencyError,
                       match=r"^plot_window needs the optional dependency `matplotlib`") as info:
        plot_window(w, 0)
    assert "pip install 'seqprep[plot]'" in str(info.value)


def test_windows_plot_is_plot_window(panel):
    w = seqprep.make_windows(panel, 3, group="store", time="time", targets="sales",
                             features=["temp"])
    a, b = Figure().subplots(1, 2)
    assert w.plot(2, ax=a, prediction=[0.5]) is a
    plot_window(w, 2, ax=b, prediction=[0.5])
    assert {k: (list(x), list(y)) for k, (x, y) in _lines(a).items()} == \
        {k: (list(x), list(y)) for k, (x, y) in _lines(b).items()}


def test_known_future_covariates_are_drawn_at_the_target_steps():
    t = pd.date_range("2024-12-20", periods=14, freq="D")
    df = pd.DataFrame({"day": t, "sales": np.arange(14.0)}).join(
        seqprep.calendar_features(pd.Series(t), [], holidays=["2024-12-25", "2024-12-26"]))
    w = seqprep.make_windows(df, 3, horizon=2, time="day", targets="sales",
                             known_future=["holiday"])
    lines = _lines(plot_window(w, 2))  # inputs 22-24 December, targets 25-26
    assert list(lines) == ["sales", "target sales", "known holiday"]
    assert lines["known holiday"][0].equals(pd.DatetimeIndex(["2024-12-25", "2024-12-26"]))
    np.testing.assert_array_equal(lines["known holiday"][1], [1.0, 1.0])
    assert list(_lines(plot_window(w, 2, features=["holiday"]))) == ["target sales",
                                                                     "known holiday"]
