"""``windows[key]`` against numpy indexing of ``X``, ``y`` and ``index``.

The oracle is numpy itself: whatever ``key`` selects along the first axis of
``np.asarray(w.X)`` (and of ``np.arange(len(w))``, for the index rows), the subset's
``X``, ``y`` and ``index`` must be exactly those rows, whatever the layout (groups, gaps,
stride, horizon, ``copy``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import seqprep


@st.composite
def windows(draw):
    n_groups = draw(st.integers(1, 3))
    sizes = [draw(st.integers(6, 25)) for _ in range(n_groups)]
    t = np.concatenate([np.arange(s) for s in sizes])
    df = pd.DataFrame({"g": np.repeat(np.arange(n_groups), sizes), "t": t,
                       "a": np.arange(len(t), dtype=np.float64),
                       "b": -np.arange(len(t), dtype=np.float64)})
    w = seqprep.make_windows(
        df, draw(st.integers(1, 4)), horizon=draw(st.integers(1, 2)),
        stride=draw(st.integers(1, 3)), targets=draw(st.sampled_from(["a", ["a", "b"]])),
        group="g", time="t", copy=draw(st.booleans()))
    assume(len(w) > 0)
    return w


@st.composite
def keys(draw, n: int):
    kind = draw(st.sampled_from(["int", "slice", "mask", "positions"]))
    if kind == "int":
        return draw(st.integers(-n, n - 1))
    if kind == "slice":
        bound = st.none() | st.integers(-n - 2, n + 2)
        step = st.none() | st.integers(-3, 3).filter(lambda s: s != 0)
        return slice(draw(bound), draw(bound), draw(step))
    if kind == "mask":
        return np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    return draw(st.lists(st.integers(-n, n - 1), max_size=2 * n))


def oracle(key):
    """numpy's reading of ``key`` along the first axis (an integer keeps the axis)."""
    return [key] if isinstance(key, int) else key


@given(data=st.data(), w=windows())
def test_subset_is_numpy_indexing_of_x_y_and_index(data, w):
    key = data.draw(keys(len(w)))
    sub = w[key]
    X, y = np.asarray(w.X), w.y
    np.testing.assert_array_equal(np.asarray(sub.X), X[oracle(key)])
    np.testing.assert_array_equal(sub.y, y[oracle(key)])
    rows = np.arange(len(w))[oracle(key)]
    assert len(sub) == len(rows)
    pd.testing.assert_frame_equal(sub.index, w.index.iloc[rows].reset_index(drop=True))
    assert sub.feature_names == w.feature_names and sub.target_names == w.target_names
    assert sub.n_rows == w.n_rows and sub.input_shape == w.input_shape


@given(data=st.data(), w=windows())
def test_indexing_twice_is_indexing_once(data, w):
    first = data.draw(keys(len(w)))
    sub = w[first]
    assume(len(sub) > 0)
    second = data.draw(keys(len(sub)))
    composed = np.arange(len(w))[oracle(first)][oracle(second)]
    np.testing.assert_array_equal(np.asarray(sub[second].X), np.asarray(w[composed].X))
    np.testing.assert_array_equal(sub[second].starts, w.starts[composed])


@given(w=windows(), bad=st.integers(1, 50))
def test_out_of_range_is_an_index_error_as_in_numpy(w, bad):
    for key in (len(w) + bad - 1, -len(w) - bad):
        with pytest.raises(IndexError):
            np.asarray(w.X)[key]
        with pytest.raises(seqprep.SampleIndexError, match=r"^`key` must be positions of the"):
            w[key]
