"""Find, reset, save and restore the state of stateful recurrent layers at any depth.

Keras 3 models have no ``reset_states()``; recurrent layers have ``reset_state()``, and
stateful layers hide inside nested models and wrappers such as ``Bidirectional`` (which
is not an ``RNN``). The state lives in non-trainable variables that are not part of
``model.weights`` or ``get_weights()``.

What counts as a stateful layer
-------------------------------
A layer whose ``stateful`` attribute is ``True`` and that has ``reset_state()`` and
``states``: every ``RNN`` subclass (``LSTM``, ``GRU``, ``SimpleRNN``, ``RNN(cell)``,
``ConvLSTM1D/2D/3D``) and a stateful ``Bidirectional``. The search walks the model's
tracked sub-layers depth first in definition order (nested models, wrappers, custom
layers). A layer found stateful is listed once and its own sub-layers are not searched:
a ``Bidirectional`` counts as **one** layer, and its forward and backward RNNs are
reset, saved and restored through it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import keras
import numpy as np

import seqprep
from seqprep._args import check_array_fits

from ._args import check_model, plural, positive_int, show
from ._errors import ArgumentError, ArgumentTypeError, MemoryBudgetError, ModelError

__all__ = [
    "get_states",
    "reset_layers",
    "reset_states",
    "set_states",
    "slot_rows",
    "stateful_layers",
    "state_variables",
    "static_batch_size",
    "with_batch_size",
]


# ----------------------------------------------------------------------- helpers


def check_layer(name: str, value: Any) -> None:
    """Raise unless ``value`` is a Keras layer (a model is a layer)."""
    if not isinstance(value, keras.layers.Layer):
        raise ArgumentTypeError(
            f"`{name}` must be a Keras model or layer. Received: {name}={show(value)} of "
            f"type {type(value).__name__}."
        )


def _children(layer: Any) -> list:
    kids = getattr(layer, "_layers", None)
    if kids is None:  # not a Keras 3 Layer internals; fall back to the public list
        kids = getattr(layer, "layers", None) or []
    return list(kids)


def _walk(root: Any) -> Iterator[Any]:
    """Pre-order, depth first, children in definition order, each layer once."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        layer = stack.pop()
        if id(layer) in seen:
            continue
        seen.add(id(layer))
        yield layer
        stack.extend(reversed(_children(layer)))


def _is_stateful(layer: Any) -> bool:
    return (
        getattr(layer, "stateful", False) is True
        and callable(getattr(layer, "reset_state", None))
        and hasattr(layer, "states")
    )


def state_variables(layer: Any) -> list | None:
    """The state variables of a stateful layer, flattened; None before it is built."""
    states = layer.states
    if states is None:
        return None
    return list(keras.tree.flatten(states))


def _path(layer: Any) -> str:
    return f"{type(layer).__name__} {layer.name!r}"


# ----------------------------------------------------------------------- public


def stateful_layers(model: Any) -> list:
    """The stateful recurrent layers of ``model``, at any depth, in a fixed order.

    Parameters
    ----------
    model : keras.Model or keras.layers.Layer
        Searched with its nested models, wrappers and custom layers. A stateful layer
        passed directly is returned as the only element.

    Returns
    -------
    list of keras.layers.Layer
        Depth first, in the order the layers were defined. A stateful ``Bidirectional``
        is listed once; its forward and backward layers are not listed separately (the
        module docstring says exactly what counts). Empty for a stateless model.

    Raises
    ------
    ArgumentTypeError
        If ``model`` is not a Keras layer or model.

    Examples
    --------
    >>> import keras, keras_ext
    >>> model = keras.Sequential([
    ...     keras.Input(batch_shape=(2, 3, 1)),
    ...     keras.layers.LSTM(4, stateful=True, return_sequences=True, name="enc"),
    ...     keras.layers.Bidirectional(keras.layers.GRU(2, stateful=True), name="bi"),
    ...     keras.layers.Dense(1)])
    >>> [layer.name for layer in keras_ext.stateful_layers(model)]
    ['enc', 'bi']
    """
    check_layer("model", model)
    found: list = []
    inside: set[int] = set()
    for layer in _walk(model):
        if id(layer) in inside:
            continue
        if _is_stateful(layer):
            found.append(layer)
            inside.update(id(sub) for sub in _walk(layer))
    return found


def slot_rows(slots: Any) -> np.ndarray:
    """``slots`` as a 1-D int64 array of batch positions >= 0, or raise naming ``slots``."""
    try:
        rows = np.asarray(slots)
    except (TypeError, ValueError):
        rows = np.asarray([], dtype=object)
    if rows.ndim == 0:
        rows = rows.reshape(1)
    if rows.size and (rows.dtype == bool or not np.issubdtype(rows.dtype, np.integer)):
        raise ArgumentTypeError(
            "`slots` must be a sequence of integer batch positions (rows of the state). "
            f"Received: slots={show(slots)}."
        )
    rows = rows.astype(np.int64).ravel()
    if rows.size and rows.min() < 0:
        raise ArgumentError(
            "`slots` must hold batch positions >= 0. Received: "
            f"slots={show(slots)}, with {int(rows.min())}."
        )
    return rows


def reset_states(model: Any, *, slots: Iterable[int] | None = None) -> int:
    """Set the state of every stateful recurrent layer of ``model`` to zero.

    The Keras 3 replacement for the removed ``model.reset_states()``: it reaches layers in
    nested models and inside ``Bidirectional`` and other wrappers.

    Parameters
    ----------
    model : keras.Model or keras.layers.Layer
    slots : sequence of int, optional
        Batch positions to reset. By default every row of every state is zeroed. With
        ``slots``, only those rows are (``state[slots] = 0``) and the other slots keep
        their state: what a layout needs when some slots of the next batch start a new
        sequence (a new group) while the others continue.

    Returns
    -------
    int
        How many stateful layers were reset, counted as :func:`stateful_layers` counts
        them (a ``Bidirectional`` is one). 0 for a stateless model. Unbuilt stateful
        layers are counted; they have no state yet and start at zero when built.

    Raises
    ------
    ArgumentError
        If a slot is negative or not below the batch size of the state.

    See Also
    --------
    get_states, set_states : save and restore the state instead of zeroing it.
    ResetStates : a callback that resets on a schedule during ``fit``.

    Examples
    --------
    >>> import keras, numpy as np, keras_ext
    >>> model = keras.Sequential([keras.Input(batch_shape=(2, 3, 1)),
    ...                           keras.layers.LSTM(2, stateful=True)])
    >>> _ = model.predict(np.ones((2, 3, 1)), verbose=0)   # advances the state
    >>> bool(np.any(keras_ext.get_states(model)[0][0]))
    True
    >>> keras_ext.reset_states(model)
    1
    >>> float(np.abs(keras_ext.get_states(model)[0][0]).sum())
    0.0
    """
    layers = stateful_layers(model)
    reset_layers(layers, None if slots is None else slot_rows(slots), slots)
    return len(layers)


def reset_layers(layers: Sequence[Any], rows: np.ndarray | None, slots: Any = None) -> None:
    """Reset the given stateful layers: all of their state, or the batch ``rows`` only.

    The work behind :func:`reset_states`, for callers that found the layers once (the
    callback does this per batch). Slot rows are zeroed on the device with a 0/1 mask.
    """
    if rows is None:
        for layer in layers:
            layer.reset_state()
        return
    if rows.size == 0:
        return
    for layer in layers:
        variables = state_variables(layer)
        if variables is None:
            continue
        for v in variables:
            batch = int(v.shape[0])
            if rows.max() >= batch:
                raise ArgumentError(
                    f"`slots` must be below the batch size {batch} of the state of "
                    f"{_path(layer)}. Received: slots={show(slots if slots is not None else rows)}, "
                    f"with {int(rows.max())}."
                )
            keep = np.ones((batch,) + (1,) * (len(v.shape) - 1), dtype=v.dtype)
            keep[rows] = 0
            v.assign(keras.ops.multiply(v.value, keep))


def get_states(model: Any) -> list[list[np.ndarray]]:
    """A copy of the state of every stateful recurrent layer, as numpy arrays.

    Parameters
    ----------
    model : keras.Model or keras.layers.Layer

    Returns
    -------
    list of list of numpy.ndarray
        One entry per layer of :func:`stateful_layers`, in that order; each entry holds
        the layer's state arrays, e.g. ``[h, c]`` of shape ``(batch, units)`` for an
        LSTM and ``[h_fwd, c_fwd, h_bwd, c_bwd]`` for a Bidirectional LSTM. Copies:
        later steps do not change them.

    Raises
    ------
    ModelError
        If a stateful layer has no state yet because the model was never built.

    Examples
    --------
    >>> import keras, keras_ext
    >>> model = keras.Sequential([keras.Input(batch_shape=(2, 3, 1)),
    ...                           keras.layers.LSTM(4, stateful=True)])
    >>> [s.shape for s in keras_ext.get_states(model)[0]]
    [(2, 4), (2, 4)]
    """
    out = []
    for layer in stateful_layers(model):
        variables = state_variables(layer)
        if variables is None:
            raise ModelError(
                f"`model` must be built before its state can be read: {_path(layer)} has "
                "no state yet. Build it by calling it on one batch, e.g. "
                "`model.predict(x[:batch_size])`, or give it a `keras.Input(batch_shape=...)`."
            )
        out.append([np.array(v.numpy(), copy=True) for v in variables])
    return out


def set_states(model: Any, states: Sequence[Sequence[Any]]) -> None:
    """Restore states saved by :func:`get_states` (or any arrays of the same shapes).

    Parameters
    ----------
    model : keras.Model or keras.layers.Layer
    states : list of list of array-like
        One entry per layer of :func:`stateful_layers`, each with one array per state
        variable, of the variable's shape.

    Raises
    ------
    ArgumentError
        If the number of layers, the number of arrays of a layer or a shape differs.
        Nothing is assigned then.
    ModelError
        If a stateful layer was never built.

    Examples
    --------
    >>> import keras, numpy as np, keras_ext
    >>> model = keras.Sequential([keras.Input(batch_shape=(2, 3, 1)),
    ...                           keras.layers.LSTM(2, stateful=True)])
    >>> saved = keras_ext.get_states(model)
    >>> _ = model.predict(np.ones((2, 3, 1)), verbose=0)
    >>> keras_ext.set_states(model, saved)
    >>> float(np.abs(keras_ext.get_states(model)[0][0]).sum())
    0.0
    """
    layers = stateful_layers(model)
    if isinstance(states, (str, bytes)) or not isinstance(states, Sequence):
        raise ArgumentTypeError(
            "`states` must be a list with one list of arrays per stateful layer, as "
            f"returned by `get_states`. Received: states={show(states)}."
        )
    if len(states) != len(layers):
        raise ArgumentError(
            f"`states` must have one entry per stateful layer: the model has "
            f"{plural(len(layers), 'stateful layer')}. Received: {len(states)} entries. "
            "Pass what `get_states` returned for this model."
        )
    plan = []
    for i, (layer, arrays) in enumerate(zip(layers, states)):
        variables = state_variables(layer)
        if variables is None:
            raise ModelError(
                f"`model` must be built before its state can be set: {_path(layer)} has no "
                "state yet. Build it by calling it on one batch first."
            )
        if isinstance(arrays, np.ndarray) or not isinstance(arrays, Sequence):
            arrays = [arrays]
        if len(arrays) != len(variables):
            raise ArgumentError(
                f"`states[{i}]` must hold {len(variables)} arrays for {_path(layer)}. "
                f"Received: {len(arrays)}."
            )
        for j, (v, a) in enumerate(zip(variables, arrays)):
            a = np.asarray(a)
            if tuple(a.shape) != tuple(v.shape):
                raise ArgumentError(
                    f"`states[{i}][{j}]` must have the shape {tuple(v.shape)} of the state "
                    f"of {_path(layer)}. Received: shape {a.shape}."
                )
            plan.append((v, a))
    for v, a in plan:
        v.assign(a.astype(v.dtype, copy=False))


# ------------------------------------------------------------------- batch size


def check_input_shape(name: str, x: Any, model: Any) -> None:
    """Refuse a single array whose rank or per-sample shape the model's single input rejects.

    Keras's own errors for this ("Cannot take the length of shape with unknown rank") do
    not say what to change; this one does. Models with several inputs are left to Keras.
    """
    try:
        inputs = list(getattr(model, "inputs", None) or [])
    except (AttributeError, ValueError):  # subclassed models raise on .inputs
        return
    shape = getattr(x, "shape", None)
    if len(inputs) != 1 or shape is None or isinstance(x, (list, tuple, dict)):
        return
    want = tuple(inputs[0].shape)
    got = tuple(int(d) for d in shape)
    fits = len(got) == len(want) and all(w is None or w == g for w, g in zip(want[1:], got[1:]))
    if not fits:
        per_sample = tuple("?" if w is None else int(w) for w in want[1:])
        hint = (" Reshape it to (samples, timesteps, features) with `seqprep.as_samples`, "
                "`seqprep.as_sequence` or `seqprep.make_windows`." if len(want) == 3 else "")
        raise ArgumentError(
            f"`{name}` must have the shape the model's input takes: (samples, "
            f"{', '.join(map(str, per_sample))}). Received: {name} of shape {got}.{hint}"
        )


def static_batch_size(model: Any) -> int | None:
    """The fixed batch size ``model`` was built for, or ``None`` if it has none.

    Read from the first dimension of the model's inputs and of its stateful layers'
    state. Raises :class:`ModelError` if they disagree.
    """
    sizes: dict[int, str] = {}
    try:
        inputs = list(getattr(model, "inputs", None) or [])
    except (AttributeError, ValueError):  # subclassed models raise on .inputs
        inputs = []
    for t in inputs:
        shape = getattr(t, "shape", None)
        if shape is not None and len(shape) and shape[0] is not None:
            sizes.setdefault(int(shape[0]), "the model's input")
    if isinstance(model, keras.layers.Layer):
        for layer in stateful_layers(model):
            variables = state_variables(layer)
            if variables:
                sizes.setdefault(int(variables[0].shape[0]), f"the state of {_path(layer)}")
    if len(sizes) > 1:
        listed = "; ".join(f"{b} from {where}" for b, where in sizes.items())
        raise ModelError(
            f"`model` must have one static batch size. Received: a model with several "
            f"({listed}). Rebuild it with one `keras.Input(batch_shape=...)`."
        )
    return next(iter(sizes), None)


_SHAPE_KEYS = frozenset({"batch_shape", "batch_input_shape", "build_input_shape", "input_shape"})


def _is_shape(v: Any) -> bool:
    return isinstance(v, (list, tuple)) and len(v) > 0 and all(
        e is None or (isinstance(e, int) and not isinstance(e, bool)) for e in v
    )


def _with_batch(v: Any, batch_size: int) -> Any:
    if _is_shape(v):
        return [batch_size, *v[1:]]
    if isinstance(v, (list, tuple)):
        return [_with_batch(e, batch_size) for e in v]
    if isinstance(v, dict):
        return {k: _with_batch(e, batch_size) for k, e in v.items()}
    return v


def _rewrite(obj: Any, batch_size: int) -> Any:
    """Put ``batch_size`` first in every shape a serialized model records."""
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            if k in _SHAPE_KEYS:
                out[k] = _with_batch(v, batch_size)
            elif k == "config" and obj.get("class_name") == "__keras_tensor__" and isinstance(v, dict):
                out[k] = {**v, "shape": _with_batch(v.get("shape"), batch_size)}
            else:
                out[k] = _rewrite(v, batch_size)
        return out
    if isinstance(obj, list):
        return [_rewrite(e, batch_size) for e in obj]
    return obj


def _check_state_fits(model: Any, batch_size: int) -> None:
    """Refuse a batch size whose state variables would not fit in memory, before building."""
    width = sum(int(np.prod(v.shape[1:])) for layer in stateful_layers(model)
                for v in (state_variables(layer) or []))
    if not width:
        return
    try:
        check_array_fits((batch_size, width), np.float32,
                         f"The state of the stateful layers at batch_size={batch_size:,}",
                         "Pass a smaller batch_size.")
    except seqprep.MemoryBudgetError as exc:
        raise MemoryBudgetError(str(exc)) from None


def with_batch_size(model: Any, batch_size: int) -> keras.Model:
    """A copy of ``model`` with the same weights and another static batch size.

    Train a stateful model with a batch of 32 and forecast one sequence at a time with a
    copy at batch size 1. The copy is rebuilt from the model's config with every
    recorded batch dimension (inputs, nested models, the layers inside wrappers) set to
    ``batch_size``, then given the model's weights.

    Parameters
    ----------
    model : keras.Model
        A Sequential or functional model (nested ones included). Subclassed models have
        no complete config and are refused.
    batch_size : int
        The new static batch size.

    Returns
    -------
    keras.Model
        A new, uncompiled model (compile it to ``fit`` or ``evaluate``; ``predict``
        works as is). Its stateful layers start from a zero state: the state is not
        copied, since its shape is ``(batch_size, units)``.

    Raises
    ------
    ArgumentError, ArgumentTypeError
        If ``batch_size`` is not a positive integer.
    ModelError
        If the model cannot be rebuilt from its config, or the copy's weights do not
        match.
    MemoryBudgetError
        If the copy's state (``batch_size`` rows per state variable) would not fit in
        memory; checked before anything is built.

    Examples
    --------
    >>> import keras, numpy as np, keras_ext
    >>> train = keras.Sequential([keras.Input(batch_shape=(4, 3, 1)),
    ...                           keras.layers.LSTM(2, stateful=True), keras.layers.Dense(1)])
    >>> one = keras_ext.with_batch_size(train, 1)
    >>> one.inputs[0].shape
    (1, 3, 1)
    >>> x = np.linspace(0, 1, 12, dtype="float32").reshape(4, 3, 1)
    >>> p4 = train.predict(x, batch_size=4, verbose=0)
    >>> p1 = one.predict(x[:1], verbose=0)           # slot 0 on its own
    >>> bool(np.allclose(p4[0], p1[0], atol=1e-6))
    True
    """
    check_layer("model", model)
    batch_size = positive_int("batch_size", batch_size)
    check_model(model, fix="Wrap the layer in a model first.")
    _check_state_fits(model, batch_size)
    try:
        config = keras.saving.serialize_keras_object(model)
        clone = keras.saving.deserialize_keras_object(_rewrite(config, batch_size))
    except Exception as exc:  # noqa: BLE001 - any failure means: no usable config
        raise ModelError(
            f"`model` must be rebuildable from its config to change its batch size. "
            f"Received: {type(model).__name__} {model.name!r}, whose config could not be "
            f"rebuilt ({type(exc).__name__}: {exc}). Build the model in a function that "
            "takes the batch size, and copy the weights with `new.set_weights(old.get_weights())`."
        ) from None
    weights = model.get_weights()
    clone_weights = clone.get_weights() if isinstance(clone, keras.Model) else []
    if len(clone_weights) != len(weights) or any(
        a.shape != b.shape for a, b in zip(clone_weights, weights)
    ):
        raise ModelError(
            f"`model` must be rebuildable from its config to change its batch size. "
            f"Received: {type(model).__name__} {model.name!r}, whose rebuilt copy has "
            f"{plural(len(clone_weights), 'weight')} where the model has {len(weights)} "
            "(a subclassed model, or one not built yet). Build it in a function that takes "
            "the batch size, and copy the weights with `new.set_weights(old.get_weights())`."
        )
    clone.set_weights(weights)
    return clone
