"""Scaler speaks scikit-learn's estimator protocol (issue 13): check_estimator, the fitted
attributes, feature names, set_output, check_is_fitted, pipelines and ColumnTransformer.

scikit-learn is a dev-only dependency: seqprep never imports it; these tests skip without it.
"""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest

import seqprep
from seqprep import Scaler

sklearn = pytest.importorskip("sklearn")
from sklearn.base import clone  # noqa: E402
from sklearn.compose import ColumnTransformer  # noqa: E402
from sklearn.exceptions import NotFittedError as SkNotFittedError  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.utils.estimator_checks import check_estimator, parametrize_with_checks  # noqa: E402
from sklearn.utils.validation import check_is_fitted  # noqa: E402

# The checks that cannot apply to seqprep's Scaler, each with its reason. Every other check
# of scikit-learn's suite must pass, for each method.
NOT_APPLICABLE = {
    "check_complex_data": (
        "seqprep refuses complex input with ArgumentTypeError, a TypeError in its error tree "
        "(a wrong type, not a wrong value); scikit-learn expects a ValueError."
    ),
    "check_dtype_object": (
        "seqprep never casts numbers stored as Python objects silently (one casting rule, "
        "lossy casts refused): an object array is refused with ArgumentTypeError, where "
        "scikit-learn expects it to be converted."
    ),
    "check_estimator_sparse_array": (
        "scikit-learn's check calls set_params(with_mean=False) on any estimator whose class "
        "is named 'Scaler' (meant for its own scalers); run on a renamed subclass below."
    ),
    "check_estimator_sparse_matrix": "as check_estimator_sparse_array.",
}

ESTIMATORS = [Scaler(), Scaler("minmax"), Scaler("robust"), Scaler(nonfinite="ignore")]


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=lambda est: NOT_APPLICABLE)
def test_check_estimator(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "does not inherit from BaseEstimator"
        check(estimator)


def test_not_applicable_checks_really_fail_and_nothing_else_does():
    """The skip list is exact: each listed check fails, every other one passes."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = check_estimator(Scaler("minmax"), on_fail=None)
    failed = {r["check_name"] for r in results if r["status"] == "failed"}
    assert failed == set(NOT_APPLICABLE)


def test_sparse_checks_pass_under_another_class_name():
    class SeqprepScaler(Scaler):
        pass

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = check_estimator(SeqprepScaler(), on_fail=None)
    status = {r["check_name"]: r["status"] for r in results}
    assert status["check_estimator_sparse_array"] == "passed"
    assert status["check_estimator_sparse_matrix"] == "passed"
    with pytest.raises(seqprep.ArgumentTypeError, match=r"^`data` must be dense: sparse input"):
        Scaler().fit(pytest.importorskip("scipy.sparse").csr_matrix(np.eye(3)))


def test_check_is_fitted_raises_not_fitted_error():
    with pytest.raises(SkNotFittedError):
        check_is_fitted(Scaler())
    check_is_fitted(Scaler().fit(np.ones((2, 1))))
    with pytest.raises(seqprep.NotFittedError, match=r"^`Scaler\.get_feature_names_out` needs"):
        Scaler().get_feature_names_out()


def test_fitted_attributes_follow_the_input():
    df = pd.DataFrame({"a": [1.0, 2.0, 4.0], "b": [1, 2, 3], "name": ["x", "y", "z"]})
    sc = Scaler().fit(df)
    assert sc.n_features_in_ == 3  # every column: transform returns them all
    assert sc.feature_names_in_.tolist() == ["a", "b", "name"]
    assert sc.get_feature_names_out().tolist() == ["a", "b", "name"]
    assert sc.transform(df).columns.tolist() == sc.get_feature_names_out().tolist()
    assert sc.get_feature_names_out(["a", "b", "name"]).tolist() == ["a", "b", "name"]
    with pytest.raises(seqprep.ArgumentError, match=r"^`input_features` is not equal to "
                                                    r"feature_names_in_"):
        sc.get_feature_names_out(["a", "b", "c"])
    arr = Scaler().fit(np.ones((4, 3)))
    assert arr.n_features_in_ == 3 and not hasattr(arr, "feature_names_in_")
    assert arr.get_feature_names_out().tolist() == ["x0", "x1", "x2"]
    with pytest.raises(seqprep.ArgumentError, match=r"^`input_features` should have length"):
        arr.get_feature_names_out(["p", "q"])
    # refitting on an array forgets the names of the frame fitted before
    assert not hasattr(sc.fit(np.ones((2, 2))), "feature_names_in_")
    # non-string column names: no feature_names_in_, as in scikit-learn
    assert not hasattr(Scaler().fit(pd.DataFrame({0: [1.0, 2.0]})), "feature_names_in_")


def test_init_only_stores_and_fit_checks():
    sc = Scaler("zscore", by=["a", "b"], columns=[], nonfinite="drop")
    assert sc.get_params() == {"method": "zscore", "by": ["a", "b"], "columns": [],
                               "nonfinite": "drop"}
    with pytest.raises(seqprep.ArgumentError, match=r"^`method` must be one of"):
        sc.fit(np.ones((2, 1)))
    assert clone(Scaler("robust", columns=["x"])).get_params()["columns"] == ["x"]


def test_set_output_pandas_and_global_config():
    X = np.arange(6.0).reshape(3, 2)
    out = Scaler("minmax").set_output(transform="pandas").fit(X).transform(X)
    assert isinstance(out, pd.DataFrame) and out.columns.tolist() == ["x0", "x1"]
    np.testing.assert_array_equal(out.to_numpy(), [[0, 0], [0.5, 0.5], [1, 1]])
    assert isinstance(Scaler().fit(X).transform(X), np.ndarray)
    with sklearn.config_context(transform_output="pandas"):
        assert isinstance(Scaler().fit(X).transform(X), pd.DataFrame)
    # an explicit "default" follows the global setting, as in scikit-learn
    with pytest.raises(seqprep.ArgumentError, match=r"^`transform` must be one of 'default'"):
        Scaler().set_output(transform="arrow")
    assert Scaler().set_output() is not None  # transform=None: unchanged


def test_column_transformer_with_pandas_output():
    df = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [4.0, 5.0, 7.0], "c": ["x", "y", "z"]})
    ct = ColumnTransformer([("s", Scaler("minmax"), ["a", "b"])], remainder="passthrough")
    out = ct.set_output(transform="pandas").fit_transform(df)
    assert out.columns.tolist() == ["s__a", "s__b", "remainder__c"]
    assert out["s__a"].tolist() == [0.0, 0.5, 1.0]
    assert out["remainder__c"].tolist() == ["x", "y", "z"]
    default = ColumnTransformer([("s", Scaler("minmax"), ["a", "b"])]).fit_transform(df)
    np.testing.assert_allclose(default, [[0, 0], [0.5, 1 / 3], [1, 1]])


def test_pipeline_clone_pickle_and_series():
    X = np.array([[1.0], [2.0], [3.0]])
    pipe = make_pipeline(Scaler(), Scaler("minmax")).fit(X)
    np.testing.assert_allclose(pipe.transform(X).ravel(), [0, 0.5, 1])
    back = pickle.loads(pickle.dumps(pipe))
    np.testing.assert_array_equal(back.transform(X), pipe.transform(X))
    s = pd.Series([1.0, 3.0, 5.0], name="load", index=[10, 11, 12])
    sc = Scaler("minmax").fit(s)
    out = sc.transform(s)
    assert isinstance(out, pd.Series) and out.name == "load" and out.index.tolist() == [10, 11, 12]
    assert out.tolist() == [0.0, 0.5, 1.0]
    assert sc.feature_names_in_.tolist() == ["load"]
    assert sc.inverse_transform(out).tolist() == [1.0, 3.0, 5.0]


def test_per_group_scaler_in_a_column_transformer():
    df = pd.DataFrame({"id": ["a", "a", "b", "b"], "x": [1.0, 3.0, 10.0, 30.0]})
    ct = ColumnTransformer([("s", Scaler("minmax", by="id", columns=["x"]), ["id", "x"])])
    out = ct.set_output(transform="pandas").fit_transform(df)
    assert out["s__x"].tolist() == [0.0, 1.0, 0.0, 1.0]
    assert out["s__id"].tolist() == ["a", "a", "b", "b"]


def test_set_output_polars():
    pl = pytest.importorskip("polars")
    X = np.arange(6.0).reshape(3, 2)
    out = Scaler("minmax").set_output(transform="polars").fit(X).transform(X)
    assert isinstance(out, pl.DataFrame) and out.columns == ["x0", "x1"]
    assert out["x0"].to_list() == [0.0, 0.5, 1.0]
    df = pd.DataFrame({"a": [1.0, 3.0], "name": ["x", "y"]})
    out = Scaler("minmax").set_output(transform="polars").fit(df).transform(df)
    assert out.columns == ["a", "name"] and out["name"].to_list() == ["x", "y"]
