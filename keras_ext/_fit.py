"""``fit_stateful``: fit a stateful model in order, in whole batches, with scheduled resets.

The Keras guides fit stateful LSTMs with ``fit(..., shuffle=False)`` in a loop and
``model.reset_states()`` between epochs. On Keras 3 that code fails or goes quietly
wrong (measured on 3.15 / TensorFlow 2.21):

- a partial last batch fails with a shape error *after* the whole batches already
  changed the weights, or, with a last batch of one, broadcasts against the state and
  trains on garbage without any error;
- ``shuffle`` defaults to ``True`` (and shuffles a ``PyDataset``'s batch order);
  ``shuffle="batch"`` shuffles the rows inside each batch, breaking slot alignment;
- nothing resets the state between epochs, and validation runs through the training
  state.
"""

from __future__ import annotations

import warnings
from typing import Any, cast

import keras
import numpy as np

import seqprep
from seqprep import Windows
from seqprep._args import divisors_near

from ._args import check_model, choice, plural, positive_int, show
from ._callbacks import ResetStates, check_every
from ._carry import runner
from ._continuity import check_continuity
from ._errors import ArgumentError, ArgumentTypeError, ModelError, RemainderError
from ._heads import warn_accuracy_on_regression
from ._inputs import (
    as_arrays,
    head,
    is_layout,
    is_pydataset,
    is_tf_dataset,
    is_windows,
    layout_for,
    n_samples,
    windows_x,
)
from ._states import check_input_shape, stateful_layers, static_batch_size

__all__ = ["fit_stateful"]

_REFUSED = {
    "validation_split": (
        "Split the data yourself at a batch boundary and pass "
        "`validation_data=(x_val, y_val)`: Keras splits off the last fraction of samples, "
        "which rarely leaves whole batches on both sides."
    ),
    "steps_per_epoch": (
        "Stateful fitting runs over all batches in order each epoch; trim the data "
        "instead (on_remainder='trim'). With arrays, Keras does not restart the data at "
        "the next epoch, so the second epoch would start mid-sequence."
    ),
    "validation_steps": "Validation runs over all of `validation_data`; pass fewer samples instead.",
}


def _remainder_error(name: str, n: int, batch_size: int, extra: str = "") -> RemainderError:
    remainder = n % batch_size
    divisors = divisors_near(n, batch_size) if remainder else []
    others = (
        f", or use a batch size that divides {n} ({', '.join(map(str, divisors))}) and "
        "rebuild the model with `keras.Input(batch_shape=(b, ...))`"
        if divisors
        else ""
    )
    return RemainderError(
        f"`{name}` must hold a whole number of batches of batch_size={batch_size} for a "
        f"stateful model. Received: {plural(n, 'sample')} = {n // batch_size} whole "
        f"{'batch' if n // batch_size == 1 else 'batches'} and a remainder of {remainder}. "
        f"Pass on_remainder=\"trim\" to drop the last {plural(remainder, 'sample')}{others}."
        f"{extra}",
        n_samples=n,
        batch_size=batch_size,
        divisors=divisors,
    )


def _fit_to_batches(
    name: str, x: Any, y: Any, sw: Any, batch_size: int, on_remainder: str, stacklevel: int = 4
) -> tuple[Any, Any, Any, int]:
    """Check (and with 'trim', cut) arrays to whole batches; return them and the count cut."""
    n = n_samples(name, x)
    for other, value in (("y", y), ("sample_weight", sw)):
        if value is not None and n_samples(other, value) != n:
            raise ArgumentError(
                f"`{other}` must have one row per sample of `{name}`. Received: "
                f"{n_samples(other, value)} rows for {plural(n, 'sample')}."
            )
    remainder = n % batch_size
    if n < batch_size:
        raise ArgumentError(
            f"`{name}` must hold at least one whole batch of batch_size={batch_size}. "
            f"Received: {plural(n, 'sample')}. Use more data or a smaller batch size."
        )
    if remainder == 0:
        return x, y, sw, 0
    if on_remainder == "error":
        raise _remainder_error(name, n, batch_size)
    keep = n - remainder
    warnings.warn(
        f"fit_stateful dropped the last {plural(remainder, 'sample')} of the {n:,} in "
        f"`{name}` to fit whole batches of {batch_size} (on_remainder='trim'); "
        f"{keep:,} remain. The counts are in `history.trimmed`.",
        UserWarning,
        stacklevel=stacklevel,  # _fit_to_batches <- _prepare <- fit_stateful <- caller
    )
    return head(x, keep), head(y, keep) if y is not None else None, (
        head(sw, keep) if sw is not None else None
    ), remainder


def _batch_rows(item: Any) -> int:
    leaf = keras.tree.flatten(item)[0]
    return int(np.shape(leaf)[0])


def _check_pydataset(name: str, ds: Any, batch_size: int) -> None:
    """Check the first and last batch of a PyDataset (loads those two batches)."""
    n_batches = ds.num_batches
    if n_batches is None:
        raise ArgumentError(
            f"`{name}` must be a finite PyDataset (with `__len__`) so each epoch replays the "
            f"same batches in order. Received: a PyDataset of unknown length."
        )
    for i in sorted({0, n_batches - 1}):
        rows = _batch_rows(ds[i])
        if rows != batch_size:
            if i == n_batches - 1 and 0 < rows < batch_size:
                raise RemainderError(
                    f"`{name}` must yield only whole batches of batch_size={batch_size} for a "
                    f"stateful model. Received: a PyDataset whose last batch (index {i}) has "
                    f"{plural(rows, 'row')}, a remainder of {rows}. on_remainder=\"trim\" "
                    "cannot cut a PyDataset; make its `__len__` return n_samples // "
                    "batch_size so the partial batch is never asked for.",
                    n_samples=(n_batches - 1) * batch_size + rows,
                    batch_size=batch_size,
                )
            raise ArgumentError(
                f"`{name}` must yield batches of batch_size={batch_size}, the model's batch "
                f"size. Received: a PyDataset whose batch {i} has {plural(rows, 'row')}."
            )


def _check_tf_dataset(name: str, ds: Any, batch_size: int) -> None:
    spec = keras.tree.flatten(ds.element_spec)[0]
    dim = spec.shape[0] if spec.shape.rank else None
    if dim != batch_size:
        raise ArgumentError(
            f"`{name}` must be a tf.data.Dataset batched with a static batch size of "
            f"{batch_size}. Received: a dataset whose batch dimension is {dim}. Batch it with "
            f"`.batch({batch_size}, drop_remainder=True)` (after `.unbatch()` if needed) and "
            "do not shuffle it."
        )


def _prepare(
    name: str, x: Any, y: Any, sw: Any, batch_size: int, on_remainder: str, stacklevel: int = 4
) -> tuple[Any, Any, Any, int, bool]:
    """Normalise one dataset; returns (x, y, sample_weight, n_trimmed, is_arrays)."""
    if isinstance(x, Windows):
        if y is not None:
            raise ArgumentError(
                f"`{name}` is a seqprep.Windows, which carries its own targets; `y` must then "
                f"be None. Received: y={show(y)}."
            )
        if x.y is None:
            raise ArgumentError(
                f"`{name}` must have targets to fit on. Received: a seqprep.Windows made "
                "without targets. Pass `targets=` to `make_windows`."
            )
        padded: Any = x  # a stateful layout's padding samples weigh nothing
        if is_layout(padded) and padded.n_padded:
            sw = padded.sample_weight if sw is None else np.asarray(sw) * padded.sample_weight
        x, y = windows_x(x), x.y  # a dict of named inputs for windows with covariates
    if not isinstance(x, Windows) and is_windows(x):
        raise ArgumentTypeError(
            f"`{name}` must be in memory to be fitted directly. Received: a "
            f"{type(x).__name__}, read from disk batch by batch. Wrap it: "
            f"`keras_ext.WindowDataset({name}, batch_size)`, which fit_stateful accepts."
        )
    if is_pydataset(x) and getattr(x, "shuffle", False) is True:
        raise ArgumentError(
            f"`{name}` must serve its samples in order for a stateful model. Received: a "
            f"{type(x).__name__} with shuffle=True, which permutes them each epoch. Make it "
            "with shuffle=False."
        )
    if is_pydataset(x) or is_tf_dataset(x):
        if y is not None or sw is not None:
            raise ArgumentError(
                f"`{name}` is a dataset that yields its own targets; `y` and `sample_weight` "
                f"must be None. Received: y={show(y)}."
            )
        if is_pydataset(x):
            _check_pydataset(name, x, batch_size)
        else:
            _check_tf_dataset(name, x, batch_size)
        return x, None, None, 0, False
    x = as_arrays(name, x)
    if y is None:
        raise ArgumentError(
            f"`y` must be given with array `{name}`: a model is fitted on targets. Received: "
            "y=None. Pass `y=`, or pass the seqprep.Windows itself, which carries its targets."
        )
    y = as_arrays("y", y)
    sw = as_arrays("sample_weight", sw)
    x, y, sw, cut = _fit_to_batches(name, x, y, sw, batch_size, on_remainder, stacklevel)
    return x, y, sw, cut, True


def _unpack_validation(validation_data: Any) -> tuple[Any, Any, Any]:
    if isinstance(validation_data, Windows) or is_pydataset(validation_data) or is_tf_dataset(
        validation_data
    ):
        return validation_data, None, None
    if isinstance(validation_data, tuple) and len(validation_data) in (2, 3):
        vx, vy, *rest = validation_data
        return vx, vy, (rest[0] if rest else None)
    raise ArgumentTypeError(
        "`validation_data` must be a tuple (x_val, y_val) or (x_val, y_val, sample_weight), "
        "a seqprep.Windows, a keras.utils.PyDataset or a batched tf.data.Dataset. Received: "
        f"validation_data={show(validation_data)} of type {type(validation_data).__name__}."
    )


def fit_stateful(
    model: keras.Model,
    x: Any,
    y: Any = None,
    *,
    epochs: int = 1,
    batch_size: int | None = None,
    reset_every: str | int = "epoch",
    validation_data: Any = None,
    on_remainder: str = "error",
    callbacks: list | None = None,
    reset_slots: Any = None,
    validation_reset_slots: Any = None,
    continuity: str = "check",
    layout: str | None = None,
    **fit_kwargs: Any,
) -> keras.callbacks.History:
    """Fit a stateful model in order, in whole batches, resetting its state on schedule.

    Everything is checked before ``fit`` starts, so a refusal leaves the weights
    untouched. Then ``model.fit`` runs with ``shuffle=False``, the model's batch size and
    a :class:`ResetStates` callback, which resets at train begin, on schedule and at each
    epoch end, and runs validation from a zero state without disturbing the training
    state. The model is never compiled or recompiled here.

    Parameters
    ----------
    model : keras.Model
        A compiled model with at least one stateful recurrent layer and a static batch
        size (``keras.Input(batch_shape=(b, timesteps, features))``).
    x : array-like, list or dict of arrays, seqprep.Windows, keras.utils.PyDataset or tf.data.Dataset
        The training samples, in the order the stateful layout needs. A ``Windows``
        brings its own targets (``y`` must be None); a lazy ``WindowArray`` is
        materialised. A ``PyDataset`` is checked by loading its first and last batch,
        and is fitted with ``shuffle=False`` (Keras shuffles a PyDataset's batch order by
        default). A ``tf.data.Dataset`` must have a static batch dimension equal to the
        batch size (``.batch(b, drop_remainder=True)``); keep it unshuffled. A
        ``keras_ext.WindowDataset`` made with ``shuffle=True`` is refused; one over a
        ``seqprep.stateful_layout`` brings the layout's slot resets, and a layout's
        padding samples get weight 0 (its ``sample_weight``, multiplied into
        any ``sample_weight`` you pass). Windows read from
        disk (``open_windows``) must be wrapped in a ``WindowDataset``.
    y : array-like, optional
        Targets, one row per sample of ``x``.
    epochs : int, default 1
    batch_size : int, optional
        Defaults to the model's static batch size; if given, it must agree with it.
        Needed only for a model whose batch size cannot be read before it is built.
    reset_every : "epoch" or int, default "epoch"
        Passed to :class:`ResetStates` as ``every``: reset at each epoch end, or also
        after every ``n`` training batches.
    validation_data : tuple, seqprep.Windows, PyDataset or tf.data.Dataset, optional
        ``(x_val, y_val)`` or ``(x_val, y_val, sample_weight)``. It must divide into whole
        batches too, and ``on_remainder`` applies to it as well. Evaluated at the model's
        batch size, from a zero state, with the training state restored afterwards. A
        ``seqprep.stateful_layout`` (or a ``WindowDataset`` over one) brings its slot
        resets, applied before its validation batches, and its padding weights, as for
        ``x``; one made for another batch size is refused.
    on_remainder : {"error", "trim"}, default "error"
        What to do when the number of samples is not a multiple of the batch size.
        ``"error"``: raise :class:`RemainderError`. ``"trim"``: drop the last samples
        (whole batches stay aligned slot for slot), warn with the count, and record it in
        ``history.trimmed``. Not possible for a PyDataset or tf.data.Dataset.
    callbacks : list of keras.callbacks.Callback, optional
        Extra callbacks; they run before the added ``ResetStates``. They must not include a
        ``ResetStates`` of their own (use ``reset_every``).
    reset_slots : mapping or callable, optional
        Slot resets before given training batches, passed to :class:`ResetStates`
        (``{batch_index: slots}``). Default: when ``x`` comes from
        ``seqprep.stateful_layout``, its ``reset_slots`` (the slots that move to a new
        stream at each batch); otherwise none. A layout made for another batch size than
        the model's is refused.
    validation_reset_slots : mapping or callable, optional
        The same for validation batches (counted from 0 in each validation run), passed
        to :class:`ResetStates`. Default: the ``reset_slots`` of a stateful layout passed
        as ``validation_data``; otherwise none. No effect without ``validation_data``.
    continuity : {"check", "ignore"}, default "check"
        Before any weight changes, check from the windows' index (``x`` a
        ``seqprep.Windows``, a layout or a ``WindowDataset`` of one) that slot ``i`` of
        each batch continues slot ``i`` of the batch before (same group and segment, the
        next window of the stream), except where a layout resets the slot. The first
        broken slot raises :class:`ContinuityError`, which names it and points to
        ``seqprep.stateful_layout``. ``"ignore"`` trains as is. Not needed, and skipped,
        with ``reset_every=1``; arrays and other datasets carry no index, so they cannot
        be checked (``history.continuity`` says so).
    layout : {"auto"}, optional
        ``"auto"``: lay out ``x`` (and windows passed as ``validation_data``) with
        ``seqprep.stateful_layout(windows, batch_size)`` first, so they continue slot by
        slot; a layout is used as is. Needs windows. Default: use ``x`` as given.
    **fit_kwargs
        Passed on to ``model.fit`` (``verbose``, ``class_weight``, ``sample_weight``,
        ``initial_epoch``, ``validation_freq``...). ``shuffle`` may only be ``False``;
        ``validation_batch_size`` only the batch size; ``validation_split``,
        ``steps_per_epoch`` and ``validation_steps`` are refused (the message says why).

    Returns
    -------
    keras.callbacks.History
        As from ``fit``, with two extra attributes: ``trimmed``, a dict
        ``{"x": n, "validation_data": m}`` of the samples dropped by
        ``on_remainder="trim"``, ``reset_log``, the ``ResetStates`` log, and
        ``continuity``, what the continuity check found (or why it did not run). The
        model's state is zero afterwards (reset at the last epoch end).

    Raises
    ------
    RemainderError
        If a sample count is not a multiple of the batch size and ``on_remainder`` is
        ``"error"``; it names the count, the batch size, the remainder and the fix.
    ArgumentError, ArgumentTypeError
        For bad arguments: a ``batch_size`` that disagrees with the model's, ``shuffle``
        other than ``False``, a refused keyword, mismatched ``x``/``y`` lengths...
    ModelError
        If the model is not compiled, has no stateful layer or no static batch size.
    ContinuityError
        If consecutive batches do not continue slot by slot (see ``continuity``).

    Warns
    -----
    UserWarning
        When the model is compiled with a regression loss and an accuracy metric (as
        :func:`output_head` warns): Keras reports a meaningless BinaryAccuracy.

    Notes
    -----
    On JAX, Keras's own ``fit`` does not carry a stateful layer's state from batch to
    batch (the state variables are untracked, so its functional trainer never threads
    them). ``fit_stateful`` fits a ``StateCarrier`` there: a thin ``keras.Model`` around
    ``model`` that tracks the state variables, compiled with ``model``'s optimizer object,
    loss and metrics. The weights trained are ``model``'s own; callbacks see the carrier
    as ``self.model`` (its ``inner`` is ``model``), so a ``ModelCheckpoint`` there would
    save the carrier: save ``model`` itself after fitting instead.

    Examples
    --------
    >>> import keras, numpy as np, keras_ext
    >>> model = keras.Sequential([keras.Input(batch_shape=(4, 3, 1)),
    ...                           keras.layers.LSTM(2, stateful=True), keras.layers.Dense(1)])
    >>> model.compile(loss="mse")
    >>> x, y = np.ones((10, 3, 1)), np.zeros((10, 1))
    >>> keras_ext.fit_stateful(model, x, y, verbose=0)
    Traceback (most recent call last):
    ...
    keras_ext.RemainderError: `x` must hold a whole number of batches of batch_size=4 ... a remainder of 2. Pass on_remainder="trim" to drop the last 2 samples, ...
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     history = keras_ext.fit_stateful(model, x, y, on_remainder="trim", verbose=0)
    >>> print(caught[0].message)
    fit_stateful dropped the last 2 samples of the 10 in `x` to fit whole batches of 4 (on_remainder='trim'); 8 remain. The counts are in `history.trimmed`.
    >>> history.trimmed, history.reset_log
    ({'x': 2, 'validation_data': 0}, [(None, None, None), (0, None, None)])
    """
    check_model(model)
    choice("continuity", continuity, ("check", "ignore"))
    if layout is not None:
        choice("layout", layout, ("auto",))
    if on_remainder not in ("error", "trim"):
        raise ArgumentError(
            f"`on_remainder` must be 'error' or 'trim'. Received: on_remainder={show(on_remainder)}."
        )
    epochs = positive_int("epochs", epochs)
    reset_every = check_every("reset_every", reset_every)
    _check_fit_kwargs(fit_kwargs)
    _check_fit_model(model, callbacks)
    b = _fit_batch_size(model, batch_size, fit_kwargs)
    if layout == "auto":
        x = _auto_layout("x", x, b)
        if validation_data is not None and is_windows(validation_data):
            validation_data = _auto_layout("validation_data", validation_data, b)
    warn_accuracy_on_regression(model, "fit_stateful")
    layout_x = layout_for("x", x, b)
    if reset_slots is None and layout_x is not None:
        reset_slots = layout_x.reset_slots
    sw = fit_kwargs.pop("sample_weight", None)
    given = x
    x, y, sw, cut, arrays = _prepare("x", x, y, sw, b, on_remainder)
    continuity_note = ("ignored (continuity='ignore')" if continuity == "ignore" else
                       "not needed: the state is reset after every batch (reset_every=1)"
                       if reset_every == 1 else check_continuity("x", given, b))
    if arrays:
        check_input_shape("x", x, model)
    vcut = 0
    if validation_data is not None:
        validation_data, validation_reset_slots, vcut = _prepare_validation(
            model, validation_data, validation_reset_slots, b, on_remainder)
    if sw is not None:
        fit_kwargs["sample_weight"] = sw
    reset = ResetStates(every=reset_every, reset_slots=reset_slots,
                        validation_reset_slots=validation_reset_slots)
    history = runner(model, compiled=True).fit(
        x, y, batch_size=b if arrays else None, epochs=epochs, shuffle=False,
        validation_data=validation_data, callbacks=[*list(callbacks or []), reset], **fit_kwargs)
    history.trimmed = {"x": cut, "validation_data": vcut}
    history.reset_log = list(reset.reset_log)
    history.continuity = continuity_note
    return history


def _check_fit_kwargs(fit_kwargs: dict) -> None:
    """Refuse ``shuffle`` other than False and the ``fit`` keywords stateful fitting cannot honour."""
    shuffle = fit_kwargs.pop("shuffle", False)
    if shuffle is not False:
        raise ArgumentError(
            "`shuffle` must be False for a stateful model: slot i of each batch must "
            "continue slot i of the batch before, in order. Received: "
            f"shuffle={show(shuffle)}. Remove the argument (fit_stateful always uses "
            "shuffle=False); shuffle whole sequences before laying them out instead."
        )
    for key, why in _REFUSED.items():
        if key in fit_kwargs:
            raise ArgumentError(
                f"`{key}` is not supported by fit_stateful. Received: {key}="
                f"{show(fit_kwargs[key])}. {why}"
            )


def _check_fit_model(model: keras.Model, callbacks: Any) -> None:
    """The model is compiled and stateful; ``callbacks`` holds no ResetStates of its own."""
    if not getattr(model, "compiled", True):
        raise ModelError(
            f"`model` must be compiled before fit_stateful, which never compiles it. "
            f"Received: {type(model).__name__} {model.name!r}, not compiled. Call "
            "`model.compile(optimizer=..., loss=...)` first."
        )
    if not stateful_layers(model):
        raise ModelError(
            f"`model` must have at least one stateful recurrent layer for fit_stateful. "
            f"Received: {type(model).__name__} {model.name!r}, which has none. Use "
            "`model.fit` for a stateless model, or build it with "
            "`keras.Input(batch_shape=...)` and `stateful=True`."
        )
    if any(isinstance(cb, ResetStates) for cb in list(callbacks or [])):
        raise ArgumentError(
            "`callbacks` must not include a ResetStates: fit_stateful adds its own. "
            "Received: a ResetStates in callbacks. Remove it and pass `reset_every=` instead."
        )


def _fit_batch_size(model: keras.Model, batch_size: Any, fit_kwargs: dict) -> int:
    """The batch size to fit with (the model's static one), checked against the arguments."""
    static = static_batch_size(model)
    if batch_size is not None:
        batch_size = positive_int("batch_size", batch_size)
        if static is not None and batch_size != static:
            raise ArgumentError(
                f"`batch_size` must agree with the model's static batch size {static}. "
                f"Received: batch_size={batch_size}. Leave it out, or build a copy with "
                f"`keras_ext.with_batch_size(model, {batch_size})`."
            )
    elif static is None:
        raise ModelError(
            f"`model` must have a static batch size for stateful fitting. Received: "
            f"{type(model).__name__} {model.name!r}, whose batch size cannot be read. "
            "Build it with `keras.Input(batch_shape=(batch_size, timesteps, features))`, "
            "or pass `batch_size=`."
        )
    # static is an int when batch_size is None (refused above otherwise)
    b = int(batch_size if batch_size is not None else cast(int, static))
    vbs = fit_kwargs.pop("validation_batch_size", None)
    if vbs is not None and vbs != b:
        raise ArgumentError(
            f"`validation_batch_size` must equal the model's batch size {b}, since a "
            f"stateful layer accepts only that. Received: validation_batch_size={show(vbs)}."
        )
    return b


def _auto_layout(name: str, data: Any, batch_size: int) -> Any:
    """``layout='auto'``: windows laid out with ``seqprep.stateful_layout``; a layout as is."""
    if is_layout(data):
        return data
    if not is_windows(data):
        raise ArgumentTypeError(
            f"`layout='auto'` needs `{name}` to be windows (seqprep.Windows or windows read "
            f"from disk) to lay them out. Received: {name}={show(data)} of type "
            f"{type(data).__name__}. Make windows with seqprep.make_windows, or drop layout='auto'."
        )
    return seqprep.stateful_layout(data, batch_size)


def _prepare_validation(model: keras.Model, validation_data: Any, reset_slots: Any, b: int,
                        on_remainder: str) -> tuple[Any, Any, int]:
    """``(validation_data for fit, validation slot resets, samples trimmed)``."""
    vx, vy, vsw = _unpack_validation(validation_data)
    vlayout = layout_for("validation_data", vx, b)
    if reset_slots is None and vlayout is not None:
        reset_slots = vlayout.reset_slots
    # a layout's padding weights are multiplied in by _prepare (a WindowDataset over a
    # layout yields them itself)
    vx, vy, vsw, vcut, varrays = _prepare("validation_data", vx, vy, vsw, b, on_remainder,
                                          stacklevel=5)
    if not varrays:
        return vx, reset_slots, vcut
    check_input_shape("validation_data", vx, model)
    return ((vx, vy) if vsw is None else (vx, vy, vsw)), reset_slots, vcut
