"""``output_head``: the output layer, loss and metrics that belong together for a task.

The Keras LSTM guides compile regressions with ``metrics=['accuracy']``, which Keras 3
still runs: it resolves to ``BinaryAccuracy`` and reports a meaningless number (0.0 for
real-valued targets). A head picks the activation, loss and metrics as one unit.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import keras

from ._args import positive_int, show
from ._errors import ArgumentError

__all__ = ["OutputHead", "is_regression_loss", "output_head", "warn_accuracy_on_regression"]

_TASKS = ("regression", "binary", "multiclass")
_ACCURACY_NAMES = ("accuracy", "acc", "binary_accuracy", "categorical_accuracy",
                   "sparse_categorical_accuracy", "top_k_categorical_accuracy",
                   "sparse_top_k_categorical_accuracy")


@dataclass(frozen=True)
class OutputHead:
    """The output layer, loss and metrics of a task (made by :func:`output_head`).

    Attributes
    ----------
    task : str
        ``"regression"``, ``"binary"`` or ``"multiclass"``.
    layer : keras.layers.Dense
        A new output layer with the right units and activation.
    loss : str
        The Keras loss name.
    metrics : list
        The metrics to compile with.
    """

    task: str
    layer: keras.layers.Layer
    loss: str
    metrics: list = field(default_factory=list)

    def compile_kwargs(self) -> dict[str, Any]:
        """``{"loss": ..., "metrics": [...]}``, for ``model.compile(optimizer, **head.compile_kwargs())``."""
        return {"loss": self.loss, "metrics": list(self.metrics)}


# regression losses, by name with case and underscores removed
_REGRESSION_LOSSES = frozenset({
    "mse", "mae", "mape", "msle", "meansquarederror", "meanabsoluteerror",
    "meanabsolutepercentageerror", "meansquaredlogarithmicerror", "huber", "huberloss",
    "logcosh",
})


def _name_of(obj: Any) -> str:
    """A loss's or metric's name: the string itself, a config's class name, or its name."""
    if isinstance(obj, str):
        return obj
    if isinstance(obj, dict):  # serialized in a compile config
        return str(obj.get("class_name") or (obj.get("config") or {}).get("name") or "")
    return str(getattr(obj, "name", None) or getattr(obj, "__name__", None) or type(obj).__name__)


def _is_accuracy(metric: Any) -> bool:
    if isinstance(metric, str):
        return metric.lower() in _ACCURACY_NAMES
    name = _name_of(metric)
    return "accuracy" in name.lower() or type(metric).__name__.endswith("Accuracy")


def is_regression_loss(loss: Any) -> bool:
    """Whether ``loss`` (a name, a loss object or function, or a list/dict of them) is a
    regression loss: mean squared/absolute (percentage, log) error, Huber, log-cosh."""
    if isinstance(loss, (list, tuple)):
        return bool(loss) and all(is_regression_loss(v) for v in loss)
    if isinstance(loss, dict) and "class_name" not in loss:
        return bool(loss) and all(is_regression_loss(v) for v in loss.values())
    return _name_of(loss).lower().replace("_", "") in _REGRESSION_LOSSES


def warn_accuracy_on_regression(model: Any, caller: str) -> None:
    """Warn, as ``output_head`` does, when a model compiled with a regression loss reports accuracy."""
    loss = getattr(model, "loss", None)
    if loss is None or not is_regression_loss(loss):
        return
    metrics = (model.get_compile_config() or {}).get("metrics") or []
    if isinstance(metrics, dict):
        metrics = [m for v in metrics.values() for m in (v if isinstance(v, list) else [v])]
    asked = [_name_of(m) for m in metrics if _is_accuracy(m)]
    if asked:
        warnings.warn(
            f"{caller}: the model is compiled with the regression loss {_name_of(loss)!r} and "
            f"the metrics {asked!r}, which measure classification accuracy; Keras computes "
            "'accuracy' for a regression as BinaryAccuracy, which is meaningless for "
            "real-valued targets (it reads 0.0). Compile with 'mae', 'mse' or 'mape' instead.",
            UserWarning,
            stacklevel=3,
        )


def output_head(
    task: str,
    n_outputs: int = 1,
    *,
    labels: str = "sparse",
    metrics: list | None = None,
    name: str | None = None,
) -> OutputHead:
    """The output layer, loss and metrics for a regression or a classification.

    | task | layer | loss | metrics |
    |---|---|---|---|
    | ``"regression"`` | Dense(n), linear | ``"mse"`` | ``["mae"]`` |
    | ``"binary"`` | Dense(n), sigmoid | ``"binary_crossentropy"`` | ``["accuracy"]`` |
    | ``"multiclass"`` | Dense(n), softmax | ``"sparse_categorical_crossentropy"`` (``labels="onehot"``: ``"categorical_crossentropy"``) | ``["accuracy"]`` |

    Parameters
    ----------
    task : {"regression", "binary", "multiclass"}
    n_outputs : int, default 1
        Units of the output layer: the number of values to predict for a regression
        (e.g. ``Windows.output_units``), 1 for a binary classification (more: several
        independent yes/no labels, multi-label), the number of classes (at least 2) for
        a multiclass one.
    labels : {"sparse", "onehot"}, default "sparse"
        Multiclass only: integer class labels, shape ``(n,)`` or ``(n, 1)``, or one-hot
        rows of shape ``(n, n_outputs)``.
    metrics : list, optional
        Replace the default metrics. Asking a regression for an accuracy warns: Keras
        computes it as ``BinaryAccuracy``, which is meaningless for real values.
    name : str, optional
        Name of the output layer.

    Returns
    -------
    OutputHead
        ``.layer``, ``.loss``, ``.metrics`` and ``.compile_kwargs()``.

    Raises
    ------
    ArgumentError, ArgumentTypeError
        For an unknown task or labels, a bad ``n_outputs`` (e.g. a multiclass head with
        fewer than 2 classes), or ``labels`` given for a task other than multiclass.

    Warns
    -----
    UserWarning
        When an accuracy metric is asked of a regression.

    Examples
    --------
    >>> import keras, keras_ext
    >>> head = keras_ext.output_head("multiclass", 3)
    >>> head.layer.units, head.layer.activation.__name__, head.loss, head.metrics
    (3, 'softmax', 'sparse_categorical_crossentropy', ['accuracy'])
    >>> model = keras.Sequential([keras.Input((5, 1)), keras.layers.LSTM(4), head.layer])
    >>> model.compile(optimizer="adam", **head.compile_kwargs())
    >>> keras_ext.output_head("regression", 2).compile_kwargs()
    {'loss': 'mse', 'metrics': ['mae']}
    """
    if task not in _TASKS:
        raise ArgumentError(
            f"`task` must be one of 'regression', 'binary', 'multiclass'. Received: "
            f"task={show(task)}."
        )
    n_outputs = positive_int("n_outputs", n_outputs)
    if labels not in ("sparse", "onehot"):
        raise ArgumentError(
            f"`labels` must be 'sparse' (integer class labels) or 'onehot'. Received: "
            f"labels={show(labels)}."
        )
    if labels != "sparse" and task != "multiclass":
        raise ArgumentError(
            f"`labels` applies to task='multiclass' only. Received: labels={labels!r} with "
            f"task={task!r}. For two classes given one-hot, use "
            "output_head('multiclass', 2, labels='onehot')."
        )
    if metrics is not None and (isinstance(metrics, (str, bytes)) or not isinstance(metrics, (list, tuple))):
        raise ArgumentError(
            f"`metrics` must be a list of metrics. Received: metrics={show(metrics)}. "
            "Wrap a single metric in a list: metrics=['mae']."
        )
    if task == "regression":
        activation, loss, default = "linear", "mse", ["mae"]
    elif task == "binary":
        activation, loss, default = "sigmoid", "binary_crossentropy", ["accuracy"]
    else:
        if n_outputs < 2:
            raise ArgumentError(
                f"`n_outputs` must be the number of classes, at least 2, for "
                f"task='multiclass'. Received: n_outputs={n_outputs}. For two classes "
                "either use output_head('binary', 1) or output_head('multiclass', 2)."
            )
        activation, default = "softmax", ["accuracy"]
        loss = "sparse_categorical_crossentropy" if labels == "sparse" else "categorical_crossentropy"
    chosen = list(default if metrics is None else metrics)
    if task == "regression":
        asked = [m for m in chosen if _is_accuracy(m)]
        if asked:
            warnings.warn(
                f"output_head('regression'): metrics {asked!r} measure classification "
                "accuracy; Keras computes 'accuracy' for a regression as BinaryAccuracy, "
                "which is meaningless for real-valued targets (it reads 0.0). Use 'mae', "
                "'mse' or 'mape' instead.",
                UserWarning,
                stacklevel=2,
            )
    layer = keras.layers.Dense(n_outputs, activation=activation, name=name)
    return OutputHead(task=task, layer=layer, loss=loss, metrics=chosen)
