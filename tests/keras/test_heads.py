"""output_head: layer, loss and metrics per task; the regression-accuracy warning."""

import warnings

import keras
import numpy as np
import pytest

import keras_ext
from keras_ext import OutputHead, output_head


@pytest.mark.parametrize(
    "task, n, labels, units, activation, loss, metrics",
    [
        ("regression", 1, "sparse", 1, "linear", "mse", ["mae"]),
        ("regression", 4, "sparse", 4, "linear", "mse", ["mae"]),
        ("binary", 1, "sparse", 1, "sigmoid", "binary_crossentropy", ["accuracy"]),
        ("binary", 3, "sparse", 3, "sigmoid", "binary_crossentropy", ["accuracy"]),
        ("multiclass", 3, "sparse", 3, "softmax", "sparse_categorical_crossentropy", ["accuracy"]),
        ("multiclass", 2, "onehot", 2, "softmax", "categorical_crossentropy", ["accuracy"]),
    ],
)
def test_heads(task, n, labels, units, activation, loss, metrics):
    head = output_head(task, n, labels=labels)
    assert isinstance(head, OutputHead) and head.task == task
    assert isinstance(head.layer, keras.layers.Dense)
    assert head.layer.units == units
    assert head.layer.activation.__name__ == activation
    assert (head.loss, head.metrics) == (loss, metrics)
    assert head.compile_kwargs() == {"loss": loss, "metrics": metrics}
    assert head.compile_kwargs()["metrics"] is not head.metrics  # a copy


def test_each_call_makes_a_new_layer_and_names_it():
    a, b = output_head("binary"), output_head("binary", name="out")
    assert a.layer is not b.layer and b.layer.name == "out"


def test_regression_accuracy_warns_at_the_caller():
    with pytest.warns(UserWarning, match=r"^output_head\('regression'\): metrics \['accuracy'\] measure classification accuracy") as rec:
        head = output_head("regression", 1, metrics=["accuracy"])
    assert rec[0].filename == __file__  # stacklevel=2
    assert head.metrics == ["accuracy"]  # kept: the user asked for it
    with pytest.warns(UserWarning, match="BinaryAccuracy"):
        output_head("regression", metrics=["mae", keras.metrics.BinaryAccuracy()])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        output_head("regression", metrics=["mae", "mse"])
        output_head("binary", metrics=["accuracy"])


@pytest.mark.parametrize(
    "args, kwargs, error, pattern",
    [
        (("forecast",), {}, keras_ext.ArgumentError, r"^`task` must be one of 'regression', 'binary', 'multiclass'. Received: task='forecast'"),
        (("multiclass", 1), {}, keras_ext.ArgumentError, r"^`n_outputs` must be the number of classes, at least 2"),
        (("binary", 0), {}, keras_ext.ArgumentError, r"^`n_outputs` must be a positive integer"),
        (("binary", 1.0), {}, keras_ext.ArgumentTypeError, r"^`n_outputs` must be a positive integer"),
        (("binary",), {"labels": "onehot"}, keras_ext.ArgumentError, r"^`labels` applies to task='multiclass' only"),
        (("multiclass", 3), {"labels": "dense"}, keras_ext.ArgumentError, r"^`labels` must be 'sparse'"),
        (("regression",), {"metrics": "mae"}, keras_ext.ArgumentError, r"^`metrics` must be a list of metrics"),
    ],
)
def test_checks(args, kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        output_head(*args, **kwargs)


@pytest.mark.parametrize("labels", ["sparse", "onehot"])
def test_compiles_and_fits_with_the_head(labels):
    keras.utils.set_random_seed(0)
    head = output_head("multiclass", 3, labels=labels)
    model = keras.Sequential([keras.Input((4,)), head.layer])
    model.compile(optimizer="sgd", **head.compile_kwargs())
    x = np.random.default_rng(0).normal(size=(12, 4)).astype("float32")
    y = np.arange(12) % 3
    if labels == "onehot":
        y = np.eye(3)[y]
    h = model.fit(x, y, epochs=1, batch_size=12, verbose=0)
    assert sorted(h.history) == ["accuracy", "loss"]
    assert 0.0 <= h.history["accuracy"][0] <= 1.0
