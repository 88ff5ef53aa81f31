"""``predict_classes`` and ``predict_proba``, removed from Keras in TF 2.6, done right.

The class rule comes from the model's output activation, read from the layer that
produces each output:

=================  ===========  ==============================  ========================
output activation  units        ``predict_proba``               ``predict_classes``
=================  ===========  ==============================  ========================
sigmoid            1            the output                      ``p > threshold``
sigmoid            k > 1        the output                      ``p > threshold`` per unit
                                                                (multi-label)
softmax            k > 1        the output                      ``argmax``
linear (logits)    1            ``sigmoid(z)``                  ``sigmoid(z) > threshold``
                                                                (``z > 0`` at 0.5)
linear (logits)    k > 1        ``softmax(z)``                  ``argmax``
=================  ===========  ==============================  ========================

Any other activation (``tanh``, ``relu``...) or one that cannot be read (a custom
layer) is refused with a :class:`ModelError` unless ``activation=`` says how to read
the output. A linear output of a model compiled with a regression loss (``mse``,
``mae``, Huber...) is a value, not a logit: it is refused with an :class:`OutputError`
unless ``logits=True`` (or ``activation="linear"``) says otherwise. NaN outputs are
refused too (they have no class). Outputs come from :func:`keras_ext.predict`: one row
per input, whole padded batches for a stateful model, its state policy.
"""

from __future__ import annotations

import math
from typing import Any

import keras
import numpy as np

from ._args import check_model, show
from ._errors import ArgumentError, ArgumentTypeError, ModelError, OutputError
from ._heads import is_regression_loss
from ._inference import predict_rows
from ._inputs import check_x

__all__ = ["output_activations", "predict_classes", "predict_proba"]

_KINDS = ("sigmoid", "softmax", "linear")

# Layers that only move values around: the activation is the one of their input.
_PASSTHROUGH = tuple(
    getattr(keras.layers, name)
    for name in ("Reshape", "Flatten", "Permute", "Dropout", "Identity", "ActivityRegularization",
                 "GaussianNoise", "GaussianDropout", "AlphaDropout", "SpatialDropout1D",
                 "Cropping1D")
    if hasattr(keras.layers, name)
)


def _activation_name(op: Any) -> str | None:
    while hasattr(op, "layer") and isinstance(op, keras.layers.Wrapper):
        op = op.layer  # TimeDistributed(Dense(...)) and other wrappers
    if isinstance(op, keras.layers.Softmax):
        return "softmax"
    fn = getattr(op, "activation", None)
    if callable(fn):
        name = getattr(fn, "__name__", None)
        if name is None and hasattr(fn, "get_config"):
            name = type(fn).__name__.lower()
        return None if name is None else str(name)
    cls = type(op).__name__.lower()
    if cls in ("sigmoid", "softmax"):  # keras.ops.sigmoid / softmax in a functional model
        return cls
    return None


def _tensor_activation(t: Any, depth: int = 0) -> tuple[str | None, str]:
    """(activation name or None, description of the producing layer) for a symbolic tensor."""
    history = getattr(t, "_keras_history", None)
    if history is None or depth > 50:
        return None, "an unknown operation"
    op, node_index, tensor_index = history
    where = f"{type(op).__name__} {getattr(op, 'name', '?')!r}"
    if isinstance(op, keras.Model) and getattr(op, "outputs", None):
        return _tensor_activation(op.outputs[tensor_index], depth + 1)
    if isinstance(op, _PASSTHROUGH):
        nodes = getattr(op, "_inbound_nodes", [])
        if node_index < len(nodes) and nodes[node_index].input_tensors:
            return _tensor_activation(nodes[node_index].input_tensors[0], depth + 1)
    return _activation_name(op), where


def output_activations(model: Any) -> list[tuple[str | None, str]]:
    """For each output of ``model``: ``(activation, producing layer)``.

    ``activation`` is the name of the output activation (``"sigmoid"``, ``"softmax"``,
    ``"linear"``, ``"tanh"``...) or None if it cannot be read. Follows nested models,
    wrappers such as ``TimeDistributed``, and layers that only reshape or drop out.

    Examples
    --------
    >>> import keras, keras_ext
    >>> model = keras.Sequential([keras.Input((3, 1)), keras.layers.LSTM(2),
    ...                           keras.layers.Dense(3, activation="softmax")])
    >>> keras_ext.output_activations(model)
    [('softmax', "Dense 'dense...'")]
    """
    check_model(model)
    try:
        outputs = list(model.outputs or [])
    except (AttributeError, ValueError):
        outputs = []
    if outputs:
        return [_tensor_activation(t) for t in outputs]
    layers = getattr(model, "layers", None) or []
    if layers:  # e.g. a Sequential not built yet
        return [(_activation_name(layers[-1]), f"{type(layers[-1]).__name__} {layers[-1].name!r}")]
    return [(None, f"{type(model).__name__} {model.name!r} (a subclassed model)")]


def _output_units(model: Any) -> list[int | None]:
    try:
        return [t.shape[-1] if len(t.shape) > 1 else 1 for t in (model.outputs or [])]
    except (AttributeError, ValueError):
        return []


def _one_unit_softmax() -> ModelError:
    return ModelError(
        "`model` must not end in a softmax over one unit for predict_classes: it is always "
        "1. Received: a softmax output of 1 unit. Use a sigmoid output for two classes, or "
        "Dense(n_classes, activation='softmax')."
    )


def _outputs(model: Any, x: Any, batch_size: Any, reset: str, verbose: Any,
             caller: str) -> list[np.ndarray]:
    """One output row per input (``keras_ext.predict``), as a list; NaN refused."""
    out, _ = predict_rows(model, x, batch_size=batch_size, reset=reset, verbose=verbose,
                          caller=caller)
    if isinstance(out, dict):
        raise ModelError(
            f"`model` must have one output or a list of outputs for {caller}. Received: a "
            f"model with dict outputs {sorted(out)}. Predict with `keras_ext.predict` and "
            "apply the rule per output."
        )
    outs = [np.asarray(o) for o in (out if isinstance(out, (list, tuple)) else [out])]
    for i, o in enumerate(outs):
        bad = np.isnan(o).reshape(len(o), -1).any(axis=1) if o.size else np.zeros(0, bool)
        if bad.any():
            which = f"output {i} " if len(outs) > 1 else ""
            raise OutputError(
                f"`model` must give finite outputs for {caller}: NaN cannot be read as a "
                f"class or a probability. Received: NaN in {which}{int(bad.sum()):,} of "
                f"{len(o):,} rows, first at row {int(np.argmax(bad))}. Look for NaN in `x` "
                "(seqprep's Windows.report() counts them) or in the weights (a diverged fit)."
            )
    return outs


def _refuse_regression(model: Any, kinds: list[str], logits: Any, caller: str) -> None:
    """A linear output on a model compiled with a regression loss is not logits, unless told."""
    if not isinstance(logits, (bool, np.bool_)):
        raise ArgumentTypeError(f"`logits` must be True or False. Received: logits={show(logits)}.")
    loss = getattr(model, "loss", None)
    if logits or "linear" not in kinds or loss is None or not is_regression_loss(loss):
        return
    raise OutputError(
        f"`model` must be a classifier for {caller}. Received: a model whose output is "
        f"linear and whose loss is the regression loss {show(loss)}: its outputs are "
        "values, not logits, so they have no class. Use keras_ext.predict for a regression; "
        "pass logits=True if the linear outputs really are logits."
    )


def _kinds(model: Any, activation: str | None, caller: str) -> list[str] | str:
    """The reading rule per output, checked *before* predicting (predict advances state).

    Returns ``activation`` itself when given (it applies to every output).
    """
    if activation is not None:
        if activation not in _KINDS:
            raise ArgumentError(
                f"`activation` must be one of 'sigmoid', 'softmax', 'linear' (logits) or None "
                f"(read it from the model). Received: activation={show(activation)}."
            )
        return activation
    kinds = []
    for name, where in output_activations(model):
        if name not in _KINDS:
            what = (
                "whose activation cannot be read"
                if name is None
                else f"with activation {name!r}, which is neither probabilities nor logits"
            )
            raise ModelError(
                f"`model` must end in a sigmoid, softmax or linear (logits) output for "
                f"{caller}. Received: an output made by {where} {what}. Pass "
                "activation='sigmoid' or 'softmax' if the outputs are probabilities, or "
                "activation='linear' if they are logits."
            )
        kinds.append(name)
    return kinds


def _per_output(kinds: list[str] | str, outs: list, caller: str) -> list[str]:
    if isinstance(kinds, str):
        return [kinds] * len(outs)
    if len(kinds) != len(outs):
        raise ModelError(
            f"`model` must have readable outputs for {caller}. Received: {len(outs)} outputs "
            f"from predict but {len(kinds)} found in the model. Pass `activation=`."
        )
    return kinds


def _sigmoid(z: np.ndarray) -> np.ndarray:
    out = np.empty_like(z, dtype=np.result_type(z, np.float32))
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _units(o: np.ndarray) -> int:
    return 1 if o.ndim == 1 else int(o.shape[-1])


def _single(outs: list) -> Any:
    return outs[0] if len(outs) == 1 else outs


def _checked_kinds(model: Any, x: Any, activation: str | None, logits: Any,
                   caller: str) -> list[str] | str:
    """The reading rule per output, checked before predicting (predict advances state)."""
    check_x(check_model(model), x)
    kinds = _kinds(model, activation, caller)
    if not isinstance(kinds, str):
        _refuse_regression(model, kinds, logits, caller)
    elif not isinstance(logits, (bool, np.bool_)):
        _refuse_regression(model, [], logits, caller)
    return kinds


def predict_proba(
    model: Any,
    x: Any,
    *,
    batch_size: int | None = None,
    activation: str | None = None,
    logits: bool = False,
    reset: str = "before",
    verbose: Any = 0,
) -> np.ndarray | list[np.ndarray]:
    """Class probabilities, one row per input, for any batch size the model needs.

    Parameters
    ----------
    model : keras.Model
    x : as for :func:`keras_ext.predict`
        Arrays, windows (in memory, from disk, laid out) or a ``PyDataset``; a model with
        a static batch size gets whole padded batches, cut back to one row per input.
    batch_size : int, optional
        For a model without a static batch size (default: Keras's 32); must agree with a
        static one if given.
    activation : {"sigmoid", "softmax", "linear"}, optional
        How to read the outputs. Default: read from the layer that makes each output.
    logits : bool, default False
        Accept a linear output of a model compiled with a regression loss (``mse``...) as
        logits. Without it (or ``activation="linear"``) such a model is refused: its
        outputs are values, not logits.
    reset : {"before", "none"}, default "before"
        The state policy of :func:`keras_ext.predict` (a layout's slot resets included).
    verbose : int or "auto", default 0

    Returns
    -------
    numpy.ndarray, or a list of them for a model with several outputs
        Of the model's output shape ``(n, units)`` or ``(n, timesteps, units)``:
        sigmoid and softmax outputs as they are, a 1-unit linear output through a
        sigmoid, a k-unit linear output through a softmax (module docstring).

    Raises
    ------
    ModelError
        If the output activation is neither sigmoid, softmax nor linear, or cannot be
        read, and ``activation`` is not given.
    OutputError
        A linear output with a regression loss (see ``logits``), or NaN outputs.
    ArgumentError, ArgumentTypeError
        For a ``batch_size`` that disagrees with the model's, an empty ``x``, a
        ``tf.data.Dataset`` for a model with a static batch size.

    Examples
    --------
    >>> import keras, numpy as np, keras_ext
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, use_bias=False,
    ...                           kernel_initializer="ones")])            # logits: x0 + x1
    >>> keras_ext.predict_proba(model, np.array([[0.0, 0.0], [1.0, 1.0]])).round(3)
    array([[0.5  ],
           [0.881]], dtype=float32)
    """
    kinds = _checked_kinds(model, x, activation, logits, "predict_proba")
    outs = _outputs(model, x, batch_size, reset, verbose, "predict_proba")
    probs = []
    for o, kind in zip(outs, _per_output(kinds, outs, "predict_proba")):
        if kind == "linear":
            o = _sigmoid(o) if _units(o) == 1 else _softmax(o)
        probs.append(o)
    return _single(probs)


def _check_threshold(threshold: Any) -> float:
    if isinstance(threshold, (bool, np.bool_)) or not isinstance(
            threshold, (int, float, np.floating, np.integer)):
        raise ArgumentTypeError(
            f"`threshold` must be a probability strictly between 0 and 1. Received: "
            f"threshold={show(threshold)} of type {type(threshold).__name__}."
        )
    threshold = float(threshold)
    if not 0.0 < threshold < 1.0:
        raise ArgumentError(
            f"`threshold` must be a probability strictly between 0 and 1. Received: "
            f"threshold={threshold}. For logits (a linear output) it is still a probability: "
            "the default 0.5 means logit > 0."
        )
    return threshold


def _classes(o: np.ndarray, kind: str, threshold: float) -> np.ndarray:
    units = _units(o)
    if kind == "softmax" and units == 1:
        raise _one_unit_softmax()
    if kind == "sigmoid":
        c = o > threshold
    elif kind == "linear" and units == 1:
        c = o > math.log(threshold / (1.0 - threshold))
    else:
        return np.argmax(o, axis=-1).astype(np.int64)
    if units == 1 and o.ndim > 1:
        c = c[..., 0]
    return c.astype(np.int64)


def predict_classes(
    model: Any,
    x: Any,
    *,
    batch_size: int | None = None,
    threshold: float = 0.5,
    activation: str | None = None,
    logits: bool = False,
    reset: str = "before",
    verbose: Any = 0,
) -> np.ndarray | list[np.ndarray]:
    """Class labels, one per input (or per input and timestep for sequence outputs).

    Replaces the ``predict_classes`` Keras removed. The rule follows the output
    activation (module docstring): sigmoid outputs and 1-unit logits are thresholded;
    softmax outputs and k-unit logits take the ``argmax``.

    Parameters
    ----------
    model, x, batch_size, activation, logits, reset, verbose
        As for :func:`predict_proba`.
    threshold : float, default 0.5
        A *probability* strictly between 0 and 1: a sigmoid output is class 1 where
        ``p > threshold``; a 1-unit linear output (logits) where ``z > log(t / (1 - t))``,
        i.e. ``z > 0`` at the default. Not used for argmax outputs.

    Returns
    -------
    numpy.ndarray of int64, or a list of them for a model with several outputs
        The class axis is dropped: shape ``(n,)`` for ``(n, units)`` outputs and
        ``(n, timesteps)`` for sequence outputs ``(n, timesteps, units)``. Multi-label
        sigmoid outputs (``units > 1``) keep it: ``(n, units)`` of 0/1.

    Raises
    ------
    ModelError, OutputError
        As for :func:`predict_proba`; also a softmax over one unit (always 1).
    ArgumentError
        If ``threshold`` is not strictly between 0 and 1; others as for :func:`predict_proba`.

    Examples
    --------
    >>> import keras, numpy as np, keras_ext
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, use_bias=False,
    ...                           kernel_initializer="ones")])            # logits: x0 + x1
    >>> keras_ext.predict_classes(model, np.array([[-1.0, 0.5], [1.0, 0.5]]))
    array([0, 1])
    >>> keras_ext.predict_classes(model, np.array([[-1.0, 0.5], [1.0, 0.5]]), threshold=0.9)
    array([0, 0])
    """
    threshold = _check_threshold(threshold)
    kinds = _checked_kinds(model, x, activation, logits, "predict_classes")
    if not isinstance(kinds, str):
        for kind, units in zip(kinds, _output_units(model)):
            if kind == "softmax" and units == 1:
                raise _one_unit_softmax()
    outs = _outputs(model, x, batch_size, reset, verbose, "predict_classes")
    kinds = _per_output(kinds, outs, "predict_classes")
    return _single([_classes(o, kind, threshold) for o, kind in zip(outs, kinds)])
