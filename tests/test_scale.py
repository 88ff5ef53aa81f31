"""Scaler: fitting on training rows, the three methods, groups, persistence, bad input."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

import seqprep
from seqprep import (
    ArgumentError,
    ArgumentTypeError,
    ColumnError,
    DataError,
    NotFittedError,
    Scaler,
    ShapeError,
)


@pytest.fixture
def panel():
    return pd.DataFrame({
        "id": ["a"] * 6 + ["b"] * 6,
        "t": list(range(6)) * 2,
        "load": [1.0, 2, 3, 4, 5, 6, 10, 20, 30, 40, 50, 60],
        "flag": [7.0] * 12,
        "name": list("abcdefghijkl"),
    })


def test_methods_on_a_frame(panel):
    x = panel["load"].to_numpy()
    for method, c, s in [("standard", x.mean(), x.std()),
                         ("minmax", x.min(), x.max() - x.min()),
                         ("robust", np.median(x), np.subtract(*np.percentile(x, [75, 25])))]:
        sc = Scaler(method, columns=["load"])
        assert sc.fit(panel) is sc
        assert sc.center_.tolist() == pytest.approx([c])
        assert sc.scale_.tolist() == pytest.approx([s])
        out = sc.transform(panel)
        np.testing.assert_allclose(out["load"], (x - c) / s)
        pd.testing.assert_frame_equal(out.drop(columns="load"), panel.drop(columns="load"))


def test_default_columns_are_numeric_ones_and_constant_ones_get_scale_1(panel):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sc = Scaler(by="id").fit(panel)
        out = sc.transform(panel)
    assert sc.columns_ == ("t", "load", "flag")  # not the group, not text
    assert sc.scale_[:, 2].tolist() == [1.0, 1.0]
    assert out["flag"].tolist() == [0.0] * 12
    assert out["name"].tolist() == panel["name"].tolist()


def test_per_group_statistics(panel):
    sc = Scaler("minmax", by="id", columns="load").fit(panel)
    assert sc.groups_ == ("a", "b")
    np.testing.assert_array_equal(sc.center_, [[1.0], [10.0]])
    np.testing.assert_array_equal(sc.scale_, [[5.0], [50.0]])
    out = sc.transform(panel)
    np.testing.assert_allclose(out["load"], np.tile(np.linspace(0, 1, 6), 2))
    pred = sc.inverse_transform_targets([[1.0], [0.0]], groups=["b", "a"], targets="load")
    np.testing.assert_array_equal(pred, [[60.0], [1.0]])


def test_windows_rows_are_counted_once():
    series = pd.DataFrame({"y": [0.0, 0, 0, 0, 0, 0, 0, 0, 0, 90]})
    w = seqprep.make_windows(series, 5, targets="y")
    sc = Scaler().fit(w)
    # every row once: mean 9; counting rows once per window would weight the middle rows
    assert sc.n_rows_seen_ == 10
    assert sc.center_.tolist() == [9.0]
    assert sc.targets_ == ("y",) and sc.columns_ == ("y",)


def test_windows_transform_returns_new_windows(panel):
    w = seqprep.make_windows(panel, 2, features=["load", "flag"], targets="load", group="id",
                             time="t")
    sc = Scaler(by="id").fit(w)
    out = sc.transform(w)
    assert isinstance(out, seqprep.Windows) and out is not w
    assert out._source is not w._source and out.index is w.index
    assert out.notes[-1] == "scaled by Scaler(by='id')"
    is_a = (w.index["group"] == "a").to_numpy()[:, None]
    mean = np.where(is_a, 3.5, 35.0)
    std = np.where(is_a, np.std(np.arange(1, 7.0)), np.std(np.arange(10, 70, 10.0)))
    np.testing.assert_allclose(out.X[:, :, 0], (w.X[:, :, 0] - mean) / std, rtol=1e-6)
    assert out.X.dtype == np.float32  # the windows' dtype is kept
    back = sc.inverse_transform(out)
    np.testing.assert_allclose(back.X, w.X, rtol=1e-6)
    np.testing.assert_allclose(back.y, w.y, rtol=1e-6)
    assert back.notes[-1] == "unscaled by Scaler(by='id')"
    np.testing.assert_array_equal(w.X[0, :, 0], [1.0, 2.0])  # the original is untouched


def test_windows_of_some_groups_transform_with_other_groups_unfitted(panel):
    w = seqprep.make_windows(panel, 2, features=["load"], targets="load", group="id", time="t")
    only_a = w.subset(np.flatnonzero(w.index["group"] == "a"))
    sc = Scaler(by="id").fit(panel[panel["id"] == "a"].drop(columns="name"))
    out = sc.transform(only_a)  # b's rows are read by no sample: they become missing
    assert np.isnan(out._source[6:, 0]).all() and not np.isnan(out.X).any()
    with pytest.raises(DataError, match=r"^`data` has 1 group the Scaler never saw in `fit` "
                                        r"\(by='id'\): 'b'\. Statistics exist only for the 1 "
                                        r"group fitted: 'a'"):
        sc.transform(w)  # b's windows read b's rows


def test_predictions_layouts(panel):
    w = seqprep.make_windows(panel, 2, features=["load"], targets=["load", "flag"], group="id",
                             time="t", horizon=2)
    sc = Scaler("minmax", by="id").fit(w)
    scaled = sc.transform(w)
    g = w.index["group"]
    for y in (scaled.y, scaled.y_steps):
        np.testing.assert_allclose(sc.inverse_transform_targets(y, groups=g),
                                   w.y if y.ndim == 2 else w.y_steps, rtol=1e-6)
    one = Scaler().fit(np.array([[1.0], [3.0]]))
    np.testing.assert_array_equal(one.inverse_transform_targets(np.array([1.0, -1.0]),
                                                                targets=[0]), [3.0, 1.0])
    with pytest.raises(ShapeError, match=r"^`y` must be \(samples, horizon \* n_targets\) or "
                                         r"\(samples, horizon, n_targets\) with n_targets=2"):
        sc.inverse_transform_targets(np.zeros((len(w), 3)), groups=g)
    with pytest.raises(ArgumentError, match=r"^`groups` is required for arrays: the Scaler "
                                            r"keeps per-group statistics \(by='id'\)"):
        sc.inverse_transform_targets(scaled.y)
    with pytest.raises(DataError, match=r"^`groups` has 1 group the Scaler never saw"):
        sc.inverse_transform_targets(scaled.y, groups=["c"] * len(w))
    with pytest.raises(ShapeError, match=r"^`groups` must hold one label per sample"):
        sc.inverse_transform_targets(scaled.y, groups=["a"])
    frame_fitted = Scaler().fit(panel[["load"]])
    with pytest.raises(ArgumentError, match=r"^`targets` is required: this Scaler was not "
                                            r"fitted on Windows"):
        frame_fitted.inverse_transform_targets(np.zeros((3, 1)))
    with pytest.raises(ColumnError, match=r"^`targets` names 1 column the Scaler was not "
                                          r"fitted on: 'price'"):
        frame_fitted.inverse_transform_targets(np.zeros((3, 1)), targets="price")


def test_arrays_width_rules():
    a = np.arange(12.0).reshape(4, 3)
    sc = Scaler(columns=[2]).fit(a)
    np.testing.assert_array_equal(sc.transform(a)[:, :2], a[:, :2])
    np.testing.assert_allclose(sc.transform(a[:, 2:]), sc.transform(a)[:, 2:])  # scaled only
    with pytest.raises(ShapeError, match=r"^`data` must have 3 or 1 columns: the width of the "
                                         r"array fitted on, or one per scaled column \[2\]"):
        sc.transform(np.zeros((4, 2)))
    with pytest.raises(ShapeError, match=r"^`data` must be 2D \(rows, columns\)\. Received: 1D"):
        Scaler().fit(np.arange(3.0))
    with pytest.raises(ArgumentTypeError, match=r"^`data` must hold real numbers"):
        Scaler().fit(np.array([["a", "b"]]))
    with pytest.raises(ArgumentTypeError, match=r"^`data` must be a 2D array: this Scaler was "
                                                r"fitted on an array"):
        sc.transform(pd.DataFrame(a))
    ints = Scaler().fit_transform(np.array([[1], [3]]))
    assert ints.dtype == np.float64 and ints.ravel().tolist() == [-1.0, 1.0]
    grouped = Scaler("minmax", by="g").fit(a, groups=[0, 0, 1, 1])
    np.testing.assert_array_equal(grouped.transform(a, groups=[0, 0, 1, 1]),
                                  [[0, 0, 0], [1, 1, 1], [0, 0, 0], [1, 1, 1]])


def test_missing_values_are_ignored_and_kept():
    df = pd.DataFrame({"x": [1.0, np.nan, 3.0], "n": [np.nan] * 3})
    sc = Scaler(columns=["x"]).fit(df)
    assert sc.center_.tolist() == [2.0]
    assert np.isnan(sc.transform(df)["x"].iloc[1])
    with pytest.raises(DataError, match=r"^`data` column 'n' has no values to fit on"):
        Scaler().fit(df)


def test_float32_kept_and_ints_become_float():
    df = pd.DataFrame({"f": np.array([1, 2, 3], dtype=np.float32), "i": [1, 2, 3]})
    out = Scaler().fit_transform(df)
    assert out["f"].dtype == np.float32 and out["i"].dtype == np.float64


def test_not_fitted():
    sc = Scaler("robust")
    for call in (lambda: sc.transform(np.zeros((2, 1))),
                 lambda: sc.inverse_transform(np.zeros((2, 1))),
                 lambda: sc.inverse_transform_targets(np.zeros((2, 1))),
                 sc.to_dict):
        with pytest.raises(NotFittedError, match=r"^`Scaler\.\w+` needs a fitted Scaler\. "
                                                 r"Received: Scaler\('robust'\), never fitted"):
            call()
    assert isinstance(NotFittedError("x"), ValueError)
    assert not sc.__sklearn_is_fitted__()


def test_sklearn_conventions():
    sc = Scaler("minmax", by="id", columns=["x"])
    assert repr(sc) == "Scaler('minmax', by='id', columns=['x'])"
    assert sc.get_params() == {"method": "minmax", "by": "id", "columns": ["x"],
                               "nonfinite": "error"}
    assert repr(Scaler(**sc.get_params())) == repr(sc)
    assert sc.set_params(method="robust") is sc and sc.method == "robust"
    with pytest.raises(ArgumentError, match=r"^`set_params` got unknown parameters \['scale'\]"):
        sc.set_params(scale=2)
    # scikit-learn's protocol: set_params only stores; the next fit checks
    sc.set_params(method="zscore")
    with pytest.raises(ArgumentError, match=r"^`method` must be one of 'standard', 'minmax', "
                                            r"'robust'\. Received: method='zscore'"):
        sc.fit(pd.DataFrame({"id": ["a"], "x": [1.0]}))
    fitted = Scaler().fit(np.ones((2, 1)))
    assert fitted.__sklearn_is_fitted__()
    assert [a for a in vars(fitted) if a.endswith("_") and not a.startswith("_")] == [
        "columns_", "targets_", "groups_", "center_", "scale_", "n_rows_seen_",
        "n_nonfinite_ignored_", "n_features_in_"]


def test_bad_arguments(panel):
    # __init__ only stores (scikit-learn's protocol); fit checks the arguments
    with pytest.raises(ArgumentError, match=r"^`method` must be one of"):
        Scaler("zscore").fit(panel)
    with pytest.raises(ArgumentTypeError, match=r"^`by` must be one column name"):
        Scaler(by=["id", "t"]).fit(panel)
    with pytest.raises(ArgumentError, match=r"^`columns` must not include the group column"):
        Scaler(by="id", columns=["id", "load"]).fit(panel)
    with pytest.raises(ArgumentError, match=r"^`columns` must name at least one column"):
        Scaler(columns=[]).fit(panel)
    with pytest.raises(ArgumentError, match=r"^`nonfinite` must be one of 'error', 'ignore'"):
        Scaler(nonfinite="drop").fit(panel)
    with pytest.raises(ArgumentTypeError, match=r"^`columns` must be numeric \(not bool\) to be "
                                                r"scaled\. Received non-numeric: 'name' \(str\)"):
        Scaler(columns=["load", "name"]).fit(panel)
    with pytest.raises(ArgumentTypeError, match=r"^`data` has no numeric columns to scale"):
        Scaler().fit(panel[["name"]])
    with pytest.raises(ColumnError, match=r"^`columns` names 1 column not in the data: 'price'"):
        Scaler(columns=["price"]).fit(panel)
    with pytest.raises(ColumnError, match=r"^`by` names a column not in the data: 'shop'"):
        Scaler(by="shop").fit(panel)
    with pytest.raises(ShapeError, match=r"^`data` must have at least one row to fit on"):
        Scaler().fit(panel.iloc[:0])
    with pytest.raises(DataError, match=r"^`by` must have no missing group labels"):
        Scaler(by="id").fit(panel.assign(id=panel["id"].where(panel.index > 0)))
    with pytest.raises(ArgumentError, match=r"^`groups` must be None for a DataFrame"):
        Scaler(by="id").fit(panel, groups=panel["id"])
    with pytest.raises(ArgumentError, match=r"^`groups` is only used with per-group statistics"):
        Scaler().fit(np.ones((2, 1)), groups=[0, 1])
    fitted = Scaler(by="id", columns=["load"]).fit(panel)
    with pytest.raises(ColumnError, match=r"^`data` lacks 1 column the Scaler was fitted on: "
                                          r"'load'"):
        fitted.transform(panel.drop(columns="load"))
    with pytest.raises(ColumnError, match=r"^`data` lacks the group column by='id'"):
        fitted.transform(panel.drop(columns="id"))
    with pytest.raises(DataError, match=r"^`data` has 1 group the Scaler never saw in `fit` "
                                        r"\(by='id'\): 'c'"):
        fitted.transform(panel.assign(id="c"))
    w = seqprep.make_windows(panel[["load"]], 2, targets="load")
    with pytest.raises(ArgumentError, match=r"^`by` asks for per-group statistics, but the "
                                            r"Windows have no groups"):
        Scaler(by="id").fit(w)
    with pytest.raises(ArgumentError, match=r"^`data` must have groups: the Scaler keeps "
                                            r"per-group statistics"):
        fitted.transform(w)
    arr_w = seqprep.make_windows(panel[["load"]].to_numpy(), 2, targets=0)
    with pytest.raises(ColumnError, match=r"^`data`: none of the Windows' features \[0\]"):
        Scaler(columns=["load"]).fit(panel).transform(arr_w)


def test_json_state(panel):
    sc = Scaler("robust", by="id", columns=["load", "flag"]).fit(panel)
    state = json.loads(json.dumps(sc.to_dict()))
    back = Scaler.from_dict(state)
    assert repr(back) == repr(sc) and back.groups_ == ("a", "b")
    pd.testing.assert_frame_equal(back.transform(panel), sc.transform(panel))
    with pytest.raises(ArgumentError, match=r"^`state` must be a dict made by "
                                            r"`Scaler\.to_dict\(\)`"):
        Scaler.from_dict({"method": "standard"})
    with pytest.raises(ArgumentError, match=r"^`state` has version 99"):
        Scaler.from_dict({**state, "version": 99})
    broken = json.loads(json.dumps(state))
    broken["fitted"]["center"] = [[1.0]]
    with pytest.raises(ArgumentError, match=r"^`state` is not a readable Scaler state: "
                                            r"ValueError: center \(1, 1\)"):
        Scaler.from_dict(broken)
    dated = pd.DataFrame({"day": pd.to_datetime(["2020-01-01", "2020-01-02"]), "x": [1.0, 2.0]})
    with pytest.raises(ArgumentTypeError, match=r"^`to_dict` needs group labels that JSON can "
                                                r"hold"):
        Scaler(by="day").fit(dated).to_dict()


def test_windows_read_from_disk_are_refused_with_the_way_out(tmp_path):
    df = pd.DataFrame({"g": 0, "t": np.arange(20), "v": np.arange(20.0)})
    df.to_parquet(tmp_path / "a.parquet")
    lazy = seqprep.open_windows(tmp_path, 3, targets="v", group="g", time="t")
    with pytest.raises(seqprep.ArgumentTypeError, match=r"^`data` must be in memory to be scaled.*Received: a \w*LazyWindows"):
        seqprep.Scaler().fit(lazy)
