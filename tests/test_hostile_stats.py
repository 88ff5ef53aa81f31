"""Hostile input, class 5 (issue 15): corrupted statistics in ``Scaler``.

One ``inf`` among the training rows used to make every statistic of its column inf or NaN
and every transformed value NaN (min-max: 0); values near ``1e308`` overflowed the sums.
Now infinite training values are refused, naming column, group and count (or left out with
``nonfinite="ignore"``), and the statistics of huge values are exact: the oracle here is
exact rational arithmetic (``fractions.Fraction``), independent of numpy and pandas.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import seqprep
from seqprep import DataError, Scaler

METHODS = ("standard", "minmax", "robust")
MAX = np.finfo(np.float64).max


def exact_mean_std(col: list[float]) -> tuple[float, float]:
    """Mean and population standard deviation, exact up to the final rounding."""
    xs = [Fraction(x) for x in col]
    mean = sum(xs) / len(xs)
    var = sum((x - mean) ** 2 for x in xs) / len(xs)
    if var == 0:
        return float(mean), 0.0
    # sqrt of a rational that may exceed float64: bring it near 1 by a power of 4 (exact)
    e = (var.numerator.bit_length() - var.denominator.bit_length()) // 2
    return float(mean), math.sqrt(float(var / Fraction(4) ** e)) * 2.0**e


# ----------------------------------------------------------------- infinite values


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("bad", [np.inf, -np.inf])
def test_one_infinite_training_value_is_refused(method, bad):
    df = pd.DataFrame({"x": [1.0, 2.0, bad, 4.0], "y": [1.0, 2.0, 3.0, 4.0]})
    with pytest.raises(DataError, match=r"^`data` must have finite training values: .* "
                                        r"Received: 1 infinite value in 4 training rows; "
                                        r"column 'x': 1 value\. .*nonfinite='ignore'"):
        Scaler(method).fit(df)


def test_refusal_names_every_column_and_group_with_counts():
    df = pd.DataFrame({"id": ["a", "a", "b", "b", "c", "c"],
                       "x": [np.inf, 1.0, 2.0, -np.inf, 3.0, 4.0],
                       "y": [1.0, 2.0, 3.0, 4.0, np.inf, np.inf]})
    with pytest.raises(DataError) as info:
        Scaler("minmax", by="id").fit(df)
    msg = str(info.value)
    assert "Received: 4 infinite values in 6 training rows" in msg
    assert "column 'x': 2 values in 2 groups ('a', 'b')" in msg
    assert "column 'y': 2 values in 1 group ('c')" in msg
    assert isinstance(info.value, ValueError)


def test_infinite_values_in_arrays_and_windows_are_refused():
    arr = np.array([[1.0, 0.0], [2.0, np.inf], [3.0, 1.0]])
    with pytest.raises(DataError, match=r"column 1: 1 value"):
        Scaler().fit(arr)
    w = seqprep.make_windows(pd.DataFrame({"x": [1.0, 2.0, 3.0, np.inf, 5.0]}), 2)
    with pytest.raises(DataError, match=r"column 'x': 1 value"):
        Scaler().fit(w)


@pytest.mark.parametrize("method", METHODS)
def test_ignore_fits_on_the_finite_values_only(method):
    x = [1.0, np.inf, 2.0, 4.0, -np.inf, 8.0]
    sc = Scaler(method, nonfinite="ignore").fit(np.array(x)[:, None])
    ref = Scaler(method).fit(np.array([1.0, 2.0, 4.0, 8.0])[:, None])
    np.testing.assert_array_equal(sc.center_, ref.center_)
    np.testing.assert_array_equal(sc.scale_, ref.scale_)
    assert sc.n_nonfinite_ignored_ == 2 and ref.n_nonfinite_ignored_ == 0
    out = sc.transform(np.array([[np.inf], [1.0]]))
    assert out[0, 0] == np.inf and np.isfinite(out[1, 0])  # inf stays inf, no NaN spread
    assert "nonfinite='ignore'" in repr(sc)


def test_ignore_with_a_column_of_only_infinite_values_is_still_refused():
    with pytest.raises(DataError, match=r"^`data` column 0 has no values to fit on"):
        Scaler(nonfinite="ignore").fit(np.array([[np.inf], [-np.inf]]))


def test_transform_of_infinite_values_does_not_spread_nan():
    sc = Scaler("minmax").fit(np.array([[0.0], [10.0]]))
    out = sc.transform(np.array([[5.0], [np.inf], [-np.inf], [np.nan]]))
    assert out[0, 0] == 0.5 and out[1, 0] == np.inf and out[2, 0] == -np.inf
    assert np.isnan(out[3, 0])


# -------------------------------------------------------------------- huge values


@pytest.mark.parametrize("col", [
    [1e308, 1.5e308, 1.7e308],
    [-1.7e308, 1.7e308, 0.0, 3.0],
    [MAX, MAX, MAX / 2],
    [-MAX, -MAX / 3, -1e300],
])
def test_standard_statistics_of_values_near_the_float_maximum_are_exact(col):
    sc = Scaler("standard").fit(np.array(col)[:, None])
    mean, std = exact_mean_std(col)
    top = max(abs(v) for v in col)  # float sums are exact to a few ulps of the largest term
    assert sc.center_[0] == pytest.approx(mean, rel=1e-12, abs=1e-12 * top)
    assert sc.scale_[0] == pytest.approx(std, rel=1e-12)
    out = sc.transform(np.array(col)[:, None])
    assert np.isfinite(out).all()
    np.testing.assert_allclose(out[:, 0], [float((Fraction(x) - Fraction(mean)) / Fraction(std))
                                           for x in col], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(sc.inverse_transform(out)[:, 0], col, rtol=1e-12,
                               atol=1e-12 * top)


@pytest.mark.parametrize("method", ["minmax", "robust"])
def test_minmax_and_robust_of_huge_values(method):
    col = np.array([1e308, 1.2e308, 1.5e308, 1.7e308])
    sc = Scaler(method).fit(col[:, None])
    assert np.isfinite(sc.center_).all() and np.isfinite(sc.scale_).all()
    out = sc.transform(col[:, None])[:, 0]
    if method == "minmax":
        np.testing.assert_allclose(out, (col - 1e308) / 0.7e308, rtol=1e-12)
        assert out.min() == 0.0 and out.max() == 1.0
    np.testing.assert_allclose(sc.inverse_transform(out[:, None])[:, 0], col, rtol=1e-12)


@pytest.mark.parametrize("method", ["minmax", "robust"])
def test_a_spread_wider_than_float64_is_refused_not_inf(method):
    col = np.array([-1.7e308, -1.6e308, 1.6e308, 1.7e308])[:, None]
    with pytest.raises(DataError, match=r"^`data` column 0 spreads wider than float64 can hold"):
        Scaler(method).fit(col)
    # the standard deviation of the same values fits: no refusal there
    assert np.isfinite(Scaler("standard").fit(col).scale_).all()


def test_transform_far_from_center_does_not_overflow_in_between():
    sc = Scaler("standard").fit(np.array([[-1.0e308], [1.0e308]]))
    out = sc.transform(np.array([[1.7e308], [-1.7e308]]))
    np.testing.assert_allclose(out[:, 0], [1.7, -1.7])


def test_ordinary_statistics_are_unchanged_by_the_overflow_guard():
    # the guard only rescales columns whose magnitude reaches 2**500: ordinary data is
    # computed exactly as before (pandas' own mean/std on the raw values)
    rng = np.random.default_rng(0)
    x = rng.normal(50, 10, size=(200, 3))
    sc = Scaler().fit(x)
    g = pd.DataFrame(x).groupby(np.zeros(len(x), dtype=int))
    np.testing.assert_array_equal(sc.center_, g.mean().to_numpy()[0])
    np.testing.assert_array_equal(sc.scale_, g.std(ddof=0).to_numpy()[0])


@settings(max_examples=40)
@example([0.0, 5e-324], 0)  # a spread that underflows to 0 once scaled back: scale 1, not 0
@given(st.lists(st.floats(-MAX, MAX, allow_nan=False, allow_infinity=False)
                | st.floats(-1e-300, 1e-300), min_size=2, max_size=30),
       st.integers(0, 1))
def test_standard_statistics_match_exact_arithmetic(col, by_groups):
    groups = np.arange(len(col)) % 2 if by_groups else None
    df = pd.DataFrame({"x": col, "g": groups if by_groups else 0})
    sc = Scaler("standard", by="g" if by_groups else None, columns=["x"]).fit(df)
    for k, label in enumerate(sc.groups_ or (None,)):
        part = [v for v, g in zip(col, df["g"]) if label is None or g == label]
        mean, std = exact_mean_std(part)
        center = np.atleast_2d(sc.center_)[k, 0]
        scale = np.atleast_2d(sc.scale_)[k, 0]
        top = max(abs(v) for v in part)  # float sums: exact to a few ulps of the largest term
        assert center == pytest.approx(mean, rel=1e-9, abs=1e-9 * top + 1e-320)
        if std > 0:
            assert scale == pytest.approx(std, rel=1e-9, abs=1e-9 * top + 1e-320)
        else:  # constant, or a spread below the smallest float: the constant rule, scale 1
            assert scale == 1.0
        assert np.isfinite(center) and np.isfinite(scale) and scale > 0


# ----------------------------------------------- results beyond the dtype (D4, classes 4/5)


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_a_scaled_value_beyond_float64_is_refused_naming_column_and_value():
    sc = Scaler().fit(pd.DataFrame({"x": [0.0, 1e-300, 0.0, 1e-300], "y": [1.0, 2, 3, 4]}))
    with pytest.raises(DataError, match=r"^`data` column 'x' must stay within float64 once "
                       r"scaled\. Received: 1 value whose result overflows to inf \(the first, "
                       r"1e\+300 at row 0"):
        sc.transform(pd.DataFrame({"x": [1e300, 1.0, 0.0, 1e-300], "y": [1.0, 2, 3, 4]}))
    ok = sc.transform(pd.DataFrame({"x": [1e-290, 0.0], "y": [1.0, 2]}))  # large, finite
    assert np.isfinite(ok.to_numpy()).all()
    with pytest.raises(DataError, match=r"column 0 must stay within float64 once unscaled"):
        Scaler().fit(np.array([[0.0], [1e300]])).inverse_transform(np.array([[1e300]]))
    with pytest.raises(DataError, match=r"column 'x' must stay within float64 once scaled"):
        sc.transform_targets(np.array([1e300]), targets=["x"])


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_a_scaled_value_beyond_float32_windows_goes_through_the_casting_rule():
    fit_on = seqprep.make_windows(pd.DataFrame({"x": [0.0, 1e-30] * 10}), 3)
    big = pd.DataFrame({"x": [1e10] * 20})
    sc = Scaler().fit(fit_on)
    with pytest.raises(seqprep.ArgumentTypeError,
                       match=r"^`dtype` must hold every value of `x scaled`\. Received: "
                       r"dtype=float32, which changes 20 values .*overflows to inf\)\. Use "
                       r"float64"):
        sc.transform(seqprep.make_windows(big, 3))
    wide = sc.transform(seqprep.make_windows(big, 3, dtype="float64"))  # the fix it names
    assert np.isfinite(np.asarray(wide.X)).all() and wide.X.dtype == np.float64
    # float32 columns of a frame and float32 arrays keep their dtype under the same rule
    frame = Scaler().fit(pd.DataFrame({"x": [0.0, 1e-30]}))
    with pytest.raises(seqprep.ArgumentTypeError, match=r"`x scaled`.*float32"):
        frame.transform(pd.DataFrame({"x": np.array([1e10], dtype=np.float32)}))
    arr = Scaler().fit(np.array([[0.0], [1e-30]]))
    with pytest.raises(seqprep.ArgumentTypeError, match=r"`0 scaled`.*float32"):
        arr.transform(np.array([[1e10]], dtype=np.float32))
    assert arr.transform(np.array([[1e-31]], dtype=np.float32)).dtype == np.float32


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-1e300, 1e300, allow_nan=False, allow_infinity=False)
                | st.floats(-1e-300, 1e-300), min_size=2, max_size=8),
       st.lists(st.floats(-MAX, MAX, allow_nan=False, allow_infinity=False), min_size=1,
                max_size=8),
       st.sampled_from(METHODS))
def test_transform_is_finite_or_refused_as_exact_arithmetic_says(train, values, method):
    sc = Scaler(method).fit(np.array(train)[:, None])
    c, s = Fraction(float(sc.center_[0])), Fraction(float(sc.scale_[0]))
    exact = [abs((Fraction(v) - c) / s) for v in values]
    near = Fraction(MAX) * Fraction(1 - 1e-9), Fraction(MAX) * Fraction(1 + 1e-9)
    try:
        out = sc.transform(np.array(values)[:, None])
    except DataError as exc:  # only when some exact result lies beyond float64
        assert max(exact) > near[0] and "once scaled" in str(exc)
    else:
        assert np.isfinite(out).all() and max(exact) < near[1]
