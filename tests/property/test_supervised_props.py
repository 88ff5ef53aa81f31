"""Property test for to_supervised: the DataFrame.shift recipe, applied group by group."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

import seqprep


def shift_recipe(frame: pd.DataFrame, n_in: int, n_out: int) -> pd.DataFrame:
    """Lags and leads with ``DataFrame.shift``, keeping names; rows without all of them cut.

    The recipe's ``dropna`` would also drop rows with genuine NaNs, so the edges are cut
    by position instead: the first ``n_in`` rows and the last ``max(n_out, 1) - 1``.
    """
    cols, names = [], []
    for i in range(n_in, 0, -1):
        cols.append(frame.shift(i))
        names += [f"{c}(t-{i})" for c in frame.columns]
    for i in range(n_out):
        cols.append(frame.shift(-i))
        names += [f"{c}(t{'' if i == 0 else f'+{i}'})" for c in frame.columns]
    agg = pd.concat(cols, axis=1)
    agg.columns = names
    return agg.iloc[n_in : len(frame) - max(n_out, 1) + 1]


@st.composite
def long_tables(draw):
    sizes = draw(st.lists(st.integers(1, 15), min_size=1, max_size=4))
    n = sum(sizes)
    values = draw(st.lists(st.one_of(st.floats(-1e6, 1e6), st.just(np.nan)),
                           min_size=2 * n, max_size=2 * n))
    df = pd.DataFrame({"id": np.repeat([f"g{i}" for i in range(len(sizes))], sizes),
                       "a": values[:n], "b": values[n:]})
    df.index = pd.Index(np.arange(n) * 10 + 3)  # labels that are not positions
    return df


@given(df=long_tables(), n_in=st.integers(0, 4), n_out=st.integers(0, 3),
       copy=st.booleans())
def test_to_supervised_is_the_shift_recipe_per_group(df, n_in, n_out, copy):
    if n_in + n_out == 0:
        return
    need = n_in + max(n_out, 1)
    parts = [shift_recipe(part[["a", "b"]], n_in, n_out) for _, part in df.groupby("id", sort=False)]
    expected = pd.concat(parts)
    if len(expected) == 0:
        try:
            seqprep.to_supervised(df, n_in, n_out, group="id")
        except seqprep.ShapeError as err:
            assert str(err).startswith("`n_in` + `n_out` is too large")
            return
        raise AssertionError("no group is long enough, yet no error")
    got = seqprep.to_supervised(df, n_in, n_out, group="id", copy=copy)
    pd.testing.assert_frame_equal(got.frame, expected)
    assert got.lag_columns + got.lead_columns == list(expected.columns)
    # every input row is the t of an output row, or accounted for
    assert len(got.frame) + got.n_dropped == len(df)
    sizes = df.groupby("id", sort=False).size()
    short = got.dropped[got.dropped.reason == "short_group"]
    assert dict(zip(short["group"], short["rows"])) == {g: n for g, n in sizes.items() if n < need}
    assert list(got.origin["group"]) == list(df.loc[got.frame.index, "id"])
