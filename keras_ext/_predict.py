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
the output.
"""

from __future__ import annotations

import math
from typing import Any

import keras
import numpy as np

from seqprep import Windows

from ._backend import check_stateful_backend
from ._errors import ArgumentError, ArgumentTypeError, ModelError
from ._fit import _as_arrays, _is_pydataset, _is_tf_dataset, _n_samples
from ._states import check_input_shape, positive_int, show, stateful_layers, static_batch_size

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
    if not isinstance(model, keras.Model):
        raise ArgumentTypeError(
            f"`model` must be a keras.Model. Received: model={show(model)} of type "
            f"{type(model).__name__}."
        )
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


def _checked_model(model: Any) -> Any:
    if not isinstance(model, keras.Model):
        raise ArgumentTypeError(
            f"`model` must be a keras.Model. Received: model={show(model)} of type "
            f"{type(model).__name__}."
        )
    return model


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


def _predict(model: Any, x: Any, batch_size: int | None, verbose: Any, caller: str) -> list[np.ndarray]:
    if not isinstance(model, keras.Model):
        raise ArgumentTypeError(
            f"`model` must be a keras.Model. Received: model={show(model)} of type "
            f"{type(model).__name__}."
        )
    if isinstance(x, Windows):
        x = x.X
    elif hasattr(x, "take") and hasattr(x, "input_shape"):  # windows read from disk
        raise ArgumentTypeError(
            f"`x` must be in memory for {caller}. Received: a {type(x).__name__}, read from "
            "disk batch by batch. Pass `np.asarray(windows.X)` if it fits in memory."
        )
    if _is_pydataset(x) or _is_tf_dataset(x):
        raise ArgumentTypeError(
            f"`x` must be a numpy array (or a list or dict of arrays) or a seqprep.Windows for "
            f"{caller}, which pads the last batch to the model's batch size and cuts the "
            f"output to one row per input. Received: a {type(x).__name__}. Predict with "
            "`model.predict` and apply the rule yourself, or pass arrays."
        )
    x = _as_arrays("x", x)
    n = _n_samples("x", x)
    if n == 0:
        raise ArgumentError(f"`x` must hold at least one sample. Received: shape {np.shape(x)}.")
    check_input_shape("x", x, model)
    if batch_size is not None:
        batch_size = positive_int("batch_size", batch_size)
    static = static_batch_size(model)
    if static is not None and batch_size is not None and batch_size != static:
        raise ArgumentError(
            f"`batch_size` must agree with the model's static batch size {static}. Received: "
            f"batch_size={batch_size}. Leave it out, or predict with a copy made by "
            f"`keras_ext.with_batch_size(model, {batch_size})`."
        )
    if stateful_layers(model):
        check_stateful_backend(caller)
    b = static if static is not None else batch_size
    pad = 0 if static is None else (-n) % static
    if pad:
        x = keras.tree.map_structure(
            lambda a: np.concatenate([np.asarray(a), np.repeat(np.asarray(a)[-1:], pad, axis=0)]),
            x,
        )
    out = model.predict(x, batch_size=b, verbose=verbose)
    if isinstance(out, dict):
        raise ModelError(
            f"`model` must have one output or a list of outputs for {caller}. Received: a "
            f"model with dict outputs {sorted(out)}. Predict with `model.predict` and apply "
            "the rule per output."
        )
    outs = list(out) if isinstance(out, (list, tuple)) else [out]
    return [np.asarray(o)[:n] for o in outs]


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


def predict_proba(
    model: Any,
    x: Any,
    *,
    batch_size: int | None = None,
    activation: str | None = None,
    verbose: Any = 0,
) -> np.ndarray | list[np.ndarray]:
    """Class probabilities, one row per input, for any batch size the model needs.

    Parameters
    ----------
    model : keras.Model
    x : array-like, list or dict of arrays, or seqprep.Windows
        One row per sample. A model with a static batch size ``b`` (every stateful
        model) is fed whole batches: the last batch is padded by repeating the last
        row, and the output is cut back to one row per input.
    batch_size : int, optional
        For a model without a static batch size (default: Keras's 32). For one with a
        static batch size it may be left out and must agree if given.
    activation : {"sigmoid", "softmax", "linear"}, optional
        How to read the outputs. Default: read from the layer that makes each output.
    verbose : int or "auto", default 0
        Passed to ``model.predict``.

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
    ArgumentError, ArgumentTypeError
        For a ``batch_size`` that disagrees with the model's, an empty ``x``, a dataset.
    BackendError
        For a stateful model on JAX, where predict carries no state between batches.

    Notes
    -----
    ``predict`` advances a stateful model's state; it is not reset first (call
    :func:`reset_states` for a clean start). After prediction with a padded last batch,
    the slots that held padding rows have advanced on those rows: treat the state of
    those slots as unspecified. The real rows' outputs are exact, since rows of a batch
    do not interact.

    Examples
    --------
    >>> import keras, numpy as np, keras_ext
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, use_bias=False,
    ...                           kernel_initializer="ones")])            # logits: x0 + x1
    >>> keras_ext.predict_proba(model, np.array([[0.0, 0.0], [1.0, 1.0]])).round(3)
    array([[0.5  ],
           [0.881]], dtype=float32)
    """
    kinds = _kinds(_checked_model(model), activation, "predict_proba")
    outs = _predict(model, x, batch_size, verbose, "predict_proba")
    kinds = _per_output(kinds, outs, "predict_proba")
    probs = []
    for o, kind in zip(outs, kinds):
        if kind == "linear":
            o = _sigmoid(o) if _units(o) == 1 else _softmax(o)
        probs.append(o)
    return _single(probs)


def predict_classes(
    model: Any,
    x: Any,
    *,
    batch_size: int | None = None,
    threshold: float = 0.5,
    activation: str | None = None,
    verbose: Any = 0,
) -> np.ndarray | list[np.ndarray]:
    """Class labels, one per input (or per input and timestep for sequence outputs).

    Replaces the ``predict_classes`` Keras removed. The rule follows the output
    activation (module docstring): sigmoid outputs and 1-unit logits are thresholded;
    softmax outputs and k-unit logits take the ``argmax``.

    Parameters
    ----------
    model : keras.Model
    x : array-like, list or dict of arrays, or seqprep.Windows
        As for :func:`predict_proba`: whole batches for a model with a static batch
        size, padded and cut back, never extra rows.
    batch_size : int, optional
        As for :func:`predict_proba`.
    threshold : float, default 0.5
        A *probability* strictly between 0 and 1: a sigmoid output is class 1 where
        ``p > threshold``; a 1-unit linear output (logits) where ``z > log(t / (1 - t))``,
        i.e. ``z > 0`` at the default. Not used for argmax outputs.
    activation : {"sigmoid", "softmax", "linear"}, optional
        How to read the outputs. Default: read from the model.
    verbose : int or "auto", default 0

    Returns
    -------
    numpy.ndarray of int64, or a list of them for a model with several outputs
        The class axis is dropped: shape ``(n,)`` for ``(n, units)`` outputs and
        ``(n, timesteps)`` for sequence outputs ``(n, timesteps, units)``. Multi-label
        sigmoid outputs (``units > 1``) keep it: ``(n, units)`` of 0/1.

    Raises
    ------
    ModelError
        If the output activation cannot be used (see :func:`predict_proba`), or is a
        softmax over one unit (always 1).
    ArgumentError
        If ``threshold`` is not strictly between 0 and 1; for other bad arguments as in
        :func:`predict_proba`.

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
    if isinstance(threshold, (bool, np.bool_)) or not isinstance(threshold, (int, float, np.floating, np.integer)):
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
    kinds = _kinds(_checked_model(model), activation, "predict_classes")
    if not isinstance(kinds, str):
        for kind, units in zip(kinds, _output_units(model)):
            if kind == "softmax" and units == 1:
                raise _one_unit_softmax()
    outs = _predict(model, x, batch_size, verbose, "predict_classes")
    kinds = _per_output(kinds, outs, "predict_classes")
    classes = []
    for o, kind in zip(outs, kinds):
        units = _units(o)
        if kind == "softmax" and units == 1:
            raise _one_unit_softmax()
        if kind == "sigmoid":
            c = o > threshold
        elif kind == "linear" and units == 1:
            c = o > math.log(threshold / (1.0 - threshold))
        else:
            c = np.argmax(o, axis=-1)
            classes.append(c.astype(np.int64))
            continue
        if units == 1 and o.ndim > 1:
            c = c[..., 0]
        classes.append(c.astype(np.int64))
    return _single(classes)
