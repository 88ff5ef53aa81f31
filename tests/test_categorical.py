"""Category and string features: left out with a note, refused, or encoded in a stable order."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import seqprep


def shop(colors=("red", "green", "blue", "red", "green", "red", "blue", "green")) -> pd.DataFrame:
    n = len(colors)
    return pd.DataFrame({"t": range(n), "sales": np.arange(n, dtype=float),
                         "color": list(colors),
                         "size": pd.Categorical(["S", "L"] * (n // 2) + ["S"] * (n % 2),
                                                categories=["S", "M", "L"])})


def test_default_features_leave_text_and_categories_out_with_a_note():
    w = seqprep.make_windows(shop(), 2, targets="sales", time="t")
    assert w.feature_names == ("sales",) and w.categories == {}
    note = next(n for n in w.notes if n.startswith("left out"))
    assert "'color' (str" in note and "'size' (category)" in note
    assert "left out 2 non-numeric columns" in w.report()


def test_only_text_columns_left_is_a_column_error():
    df = shop()[["t", "color"]]
    with pytest.raises(seqprep.ColumnError, match=r"^`features` must include a numeric column.*"
                       r"categorical='codes' or 'onehot'"):
        seqprep.make_windows(df, 2, time="t")


def test_named_text_features_and_categorical_error_are_refused():
    with pytest.raises(seqprep.ArgumentTypeError, match=r"^`features` must be numeric columns\. "
                       r"Received non-numeric: 'color' \(str.*categorical=None"):
        seqprep.make_windows(shop(), 2, features=["sales", "color"], time="t")
    with pytest.raises(seqprep.ArgumentTypeError, match=r"categorical='error'"):
        seqprep.make_windows(shop(), 2, time="t", categorical="error")
    with pytest.raises(seqprep.ArgumentError, match=r"^`categorical` must be one of"):
        seqprep.make_windows(shop(), 2, time="t", categorical="ordinal")


def test_codes_follow_the_declared_order_or_the_sorted_values():
    df = shop()
    w = seqprep.make_windows(df, 1, features=["color", "size"], time="t", categorical="codes")
    assert w.categories == {"color": ("blue", "green", "red"), "size": ("S", "M", "L")}
    assert w.feature_names == ("color", "size")
    want_color = pd.Categorical(df["color"], categories=["blue", "green", "red"]).codes
    np.testing.assert_array_equal(w.X[:, 0, 0], want_color)
    np.testing.assert_array_equal(w.X[:, 0, 1], df["size"].cat.codes)


def test_onehot_columns_match_get_dummies_in_feature_order():
    df = shop()
    w = seqprep.make_windows(df, 1, features=["sales", "color"], time="t",
                             categorical="onehot", dtype=np.float64)
    assert w.feature_names == ("sales", "color=blue", "color=green", "color=red")
    dummies = pd.get_dummies(df["color"], prefix="color", prefix_sep="=", dtype=float)
    want = pd.concat([df[["sales"]], dummies], axis=1).to_numpy()
    np.testing.assert_array_equal(w.X[:, 0, :], want)


def test_train_and_test_get_the_same_onehot_columns_when_test_lacks_a_category():
    train = seqprep.make_windows(shop(), 2, targets="sales", time="t", categorical="onehot")
    test_df = shop(colors=("red", "red", "green", "red"))  # no blue
    test = seqprep.make_windows(test_df, 2, targets="sales", time="t", categorical="onehot",
                                categories=train)
    assert test.feature_names == train.feature_names
    assert test.categories == train.categories
    blue = train.feature_names.index("color=blue")
    assert not test.X[:, :, blue].any()
    alone = seqprep.make_windows(test_df, 2, targets="sales", time="t", categorical="onehot")
    assert "color=blue" not in alone.feature_names  # without categories=, the columns differ
    by_dict = seqprep.make_windows(test_df, 2, targets="sales", time="t", categorical="onehot",
                                   categories=dict(train.categories))
    np.testing.assert_array_equal(by_dict.X, test.X)


def test_a_value_outside_the_given_categories_is_refused():
    train = seqprep.make_windows(shop(), 2, targets="sales", time="t", categorical="codes")
    new = shop(colors=("red", "purple", "red", "pink"))
    with pytest.raises(seqprep.DataError, match=r"^`categories` must hold every value of column "
                       r"'color'. Received: 2 rows with 2 values outside its 3 categories: "
                       r"'purple', 'pink' \(first at row 1\)"):
        seqprep.make_windows(new, 2, targets="sales", time="t", categorical="codes",
                             categories=train)


def test_categories_arguments_are_checked():
    with pytest.raises(seqprep.ArgumentError, match=r"^`categories` needs `categorical`"):
        seqprep.make_windows(shop(), 2, time="t", categories={"color": ["red"]})
    with pytest.raises(seqprep.ArgumentTypeError, match=r"^`categories` must map columns"):
        seqprep.make_windows(shop(), 2, time="t", categorical="codes", categories=["red"])
    with pytest.raises(seqprep.ArgumentError, match=r"each once"):
        seqprep.make_windows(shop(), 2, time="t", categorical="codes",
                             categories={"color": ["red", "red"]})


def test_missing_values_stay_missing_and_are_counted():
    df = shop()
    df.loc[2, "color"] = None
    w = seqprep.make_windows(df, 1, features=["color"], time="t", categorical="onehot")
    assert np.isnan(w.X[2, 0]).all() and not np.isnan(np.delete(w.X[:, 0], 2, axis=0)).any()
    assert w.n_nan["features"] == 3
    with pytest.raises(seqprep.ArgumentTypeError, match=r"must hold every value"):
        seqprep.make_windows(df, 1, features=["color"], time="t", categorical="codes",
                             dtype=np.int32)
    codes = seqprep.make_windows(shop(), 1, features=["color"], time="t", categorical="codes",
                                 dtype=np.int32)
    assert codes.X.dtype == np.int32


def test_categories_follow_every_derived_windows():
    w = seqprep.make_windows(shop(), 2, targets="sales", time="t", categorical="onehot")
    assert w[1:3].categories == w.categories
    assert seqprep.split_by_time(w, test=0.5, purge=0).test.categories == w.categories
    scaled = seqprep.Scaler(columns=["sales"]).fit(w).transform(w)
    assert scaled.categories == w.categories and scaled.feature_names == w.feature_names


def test_polars_categories_keep_their_order():
    pl = pytest.importorskip("polars")
    pytest.importorskip("pyarrow")
    frame = pl.DataFrame({"t": range(4), "x": [1.0, 2.0, 3.0, 4.0],
                          "level": pl.Series(["high", "low", "low", "mid"],
                                             dtype=pl.Enum(["low", "mid", "high"]))})
    w = seqprep.make_windows(frame, 1, time="t", categorical="codes")
    assert w.categories == {"level": ("low", "mid", "high")}
    np.testing.assert_array_equal(w.X[:, 0, 1], [2, 0, 0, 1])


def test_to_supervised_leaves_text_out_of_its_default_features_too():
    sup = seqprep.to_supervised(shop(), 1, 1, time="t")
    assert sup.lag_columns == ["sales(t-1)"] and sup.lead_columns == ["sales(t)"]
    assert "left out 2 non-numeric columns of the default features" in sup.report()
    with pytest.raises(seqprep.ArgumentTypeError, match=r"^`features` must be numeric columns"):
        seqprep.to_supervised(shop(), 1, 1, features=["color"], time="t")


# ---------------------------------------------------------------- property: pandas is the oracle

LABELS = st.sampled_from(["ant", "bee", "cat", "dog", "eel"])


@given(train=st.lists(LABELS, min_size=2, max_size=25), test=st.lists(LABELS, min_size=2,
                                                                       max_size=25),
       mode=st.sampled_from(["codes", "onehot"]))
def test_test_windows_encode_as_the_training_categories_say(train, test, mode):
    def frame(values):
        return pd.DataFrame({"t": range(len(values)), "x": np.arange(len(values), dtype=float),
                             "label": values})

    w_train = seqprep.make_windows(frame(train), 1, time="t", categorical=mode,
                                   dtype=np.float64)
    order = sorted(set(train))
    assert w_train.categories == {"label": tuple(order)}
    if not set(test) <= set(train):
        with pytest.raises(seqprep.DataError, match="outside its"):
            seqprep.make_windows(frame(test), 1, time="t", categorical=mode,
                                 categories=w_train)
        return
    w_test = seqprep.make_windows(frame(test), 1, time="t", categorical=mode,
                                  categories=w_train, dtype=np.float64)
    assert w_test.feature_names == w_train.feature_names
    cat = pd.Categorical(test, categories=order)
    want = (cat.codes[:, None] if mode == "codes"
            else pd.get_dummies(cat, dtype=float).to_numpy())
    np.testing.assert_array_equal(w_test.X[:, 0, 1:], want)
