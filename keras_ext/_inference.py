"""``predict`` and ``evaluate``: one output row per input, for stateful models too.

Keras's own ``predict``/``evaluate`` on a stateful model (measured on Keras 3.15 /
TensorFlow 2.21, batch size 10): 95 inputs fail with a raw ``InvalidArgumentError``
(the last batch of 5 does not match the state of 10), and 91 inputs *succeed* with 100
output rows (the last batch of 1 broadcasts against the state). On JAX the state is not
carried from batch to batch at all.

Here a model with a static batch size ``b`` (every stateful model) is fed whole batches:
the last one is padded by repeating its last row, and every output is cut back to one
row per input. State policy: with ``reset="before"`` (the default) every stateful layer
starts from zero; slots of a ``seqprep.stateful_layout`` are reset where the layout
starts a new stream (``reset_slots``). A model without a static batch size goes to
Keras unchanged, so the results are Keras's.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np

import seqprep

from ._args import check_model, choice, positive_int, show
from ._callbacks import SlotResets, check_slots_spec
from ._carry import runner
from ._errors import ArgumentError, ArgumentTypeError, ModelError
from ._inputs import (
    Batches,
    as_arrays,
    is_layout,
    is_pydataset,
    is_tf_dataset,
    is_windows,
    layout_for,
    windows_behind,
    windows_x,
)
from ._states import check_input_shape, reset_states, stateful_layers, static_batch_size

__all__ = ["evaluate", "model_batch_size", "predict", "predict_rows"]

_RESETS = ("before", "none")


class _PaddedInputs(keras.utils.PyDataset):
    """The inputs of :class:`Batches`, whole batches in order, for ``model.predict``."""

    def __init__(self, batches: Batches) -> None:
        super().__init__()
        self.batches = batches

    def __len__(self) -> int:
        return self.batches.n_batches

    def __getitem__(self, k: int) -> Any:
        return self.batches.get(k)[0]


def model_batch_size(model: keras.Model, batch_size: Any, caller: str) -> int | None:
    """The batch size to predict with: the model's static one, or ``batch_size``; checked."""
    if batch_size is not None:
        batch_size = positive_int("batch_size", batch_size)
    static = static_batch_size(model)
    if static is not None and batch_size is not None and batch_size != static:
        raise ArgumentError(
            f"`batch_size` must agree with the model's static batch size {static}. Received: "
            f"batch_size={batch_size}. Leave it out, or predict with a copy made by "
            f"`keras_ext.with_batch_size(model, {batch_size})`."
        )
    return static if static is not None else batch_size


def _layout_slots(x: Any, reset_slots: Any, b: int) -> Any:
    """The slot resets to apply: ``reset_slots``, or those of the layout behind ``x``."""
    if reset_slots is not None:
        check_slots_spec("reset_slots", reset_slots, "prediction")
        return reset_slots or None
    layout = layout_for("x", x, b)
    if layout is None:
        return None
    return layout.reset_slots


def _keras_input(x: Any, batch_size: int | None) -> Any:
    """``x`` as Keras's own ``predict`` takes it (for a model without a static batch size)."""
    if is_pydataset(x) or is_tf_dataset(x):
        return x
    if isinstance(x, seqprep.Windows):  # in memory: its arrays (a dict with covariates)
        return windows_x(x)
    if not is_windows(x):
        return as_arrays("x", x)
    from ._data import WindowDataset  # windows from disk: read a batch at a time

    return WindowDataset(x, batch_size or 32)


def _refuse_tf_data(x: Any, b: int, caller: str) -> None:
    if is_tf_dataset(x):
        raise ArgumentTypeError(
            f"`x` must be arrays, windows or a keras.utils.PyDataset for {caller} on a model "
            f"with the static batch size {b}, which pads the last batch and cuts the output "
            f"to one row per input. Received: a tf.data.Dataset, whose batches cannot be "
            "counted and padded beforehand. Pass the windows or arrays, or a "
            "keras_ext.WindowDataset."
        )


def predict_rows(model: keras.Model, x: Any, *, batch_size: Any = None, reset: str = "before",
                 reset_slots: Any = None, verbose: Any = 0,
                 caller: str = "predict") -> tuple[Any, Batches | None]:
    """The work behind :func:`predict`: ``(outputs, batches)`` (``batches`` None for Keras's path)."""
    check_model(model)
    choice("reset", reset, _RESETS)
    b = model_batch_size(model, batch_size, caller)
    stateful = bool(stateful_layers(model))
    static = static_batch_size(model)
    if static is None:  # any batch size: Keras's own predict
        data = _keras_input(x, b)
        dataset = is_pydataset(data) or is_tf_dataset(data)
        if not dataset:
            check_input_shape("x", data, model)
        return model.predict(data, batch_size=None if dataset else b, verbose=verbose), None
    b = static  # model_batch_size checked that a given batch_size agrees
    _refuse_tf_data(x, b, caller)
    batches = Batches("x", x, batch_size=b, pad=True)
    if batches.kind == "arrays":
        check_input_shape("x", batches.get(0)[0], model)
    slots = _layout_slots(x, reset_slots, b) if stateful else None
    if stateful and reset == "before":
        reset_states(model)
    run = runner(model)
    callbacks = [SlotResets(slots)] if slots else []
    out = run.predict(_PaddedInputs(batches), verbose=verbose, callbacks=callbacks)
    n = batches.n
    return keras.tree.map_structure(lambda a: np.asarray(a)[:n], out), batches


def _frame_windows(x: Any) -> Any:
    """The windows that ``to_frame=True`` maps predictions through (checked before predicting)."""
    windows = windows_behind(x)
    if windows is None or not callable(getattr(windows, "to_frame", None)):
        raise ArgumentTypeError(
            "`to_frame=True` needs `x` to be a seqprep.Windows (or a layout or WindowDataset "
            f"of one), which knows each sample's group and time. Received: x={show(x)} of "
            f"type {type(x).__name__}. Pass the windows, or call to_frame yourself."
        )
    return windows


def _frame(windows: Any, outputs: Any, scaler: Any) -> Any:
    """``outputs`` mapped back to group and time through ``Windows.to_frame``."""
    if isinstance(outputs, (list, tuple, dict)):
        raise ModelError(
            "`model` must have one output for to_frame=True. Received: a model with "
            f"{len(outputs)} outputs. Call `windows.to_frame(outputs[i])` for the one you want."
        )
    frame = windows.to_frame(outputs, scaler=scaler)
    if is_layout(windows):  # its padding samples are copies: no prediction of their own
        pad = np.asarray(windows.index["pad"], dtype=bool)
        keep = ~pad[frame["sample"].to_numpy()]
        frame = frame.loc[keep].reset_index(drop=True)
        frame.attrs["padding_rows_dropped"] = int((~keep).sum())
    return frame


def predict(
    model: keras.Model,
    x: Any,
    *,
    batch_size: int | None = None,
    reset: str = "before",
    reset_slots: Any = None,
    to_frame: bool = False,
    scaler: Any = None,
    verbose: Any = 0,
) -> Any:
    """Predict exactly one output row per input, for stateless and stateful models alike.

    Parameters
    ----------
    model : keras.Model
    x : array-like, list or dict of arrays, seqprep.Windows, windows from disk, a stateful layout or keras.utils.PyDataset
        The inputs, in order. Windows from disk (``open_windows``) are read a batch at a
        time; a ``PyDataset`` (e.g. ``keras_ext.WindowDataset``) must not shuffle and, for
        a model with a static batch size, must yield batches of that size.
    batch_size : int, optional
        For a model without a static batch size (default: Keras's 32). For one with a
        static batch size it may be left out and must agree if given.
    reset : {"before", "none"}, default "before"
        ``"before"``: every stateful layer starts from a zero state. ``"none"``: go on
        from the state the model is in (e.g. forecasting on from the end of a series).
    reset_slots : mapping or callable, optional
        Slots to zero before given batches (``{batch: slots}``). Default: for a
        ``seqprep.stateful_layout`` (or a ``WindowDataset`` over one), its
        ``reset_slots``, so each slot starts from zero where it moves to a new stream;
        otherwise none. Pass ``{}`` for none.
    to_frame : bool, default False
        Return ``windows.to_frame(predictions)`` instead: one row per sample, horizon
        step and target with group and time (``x`` must be windows). A layout's padding
        samples are left out, counted in ``frame.attrs["padding_rows_dropped"]``.
    scaler : seqprep.Scaler, optional
        With ``to_frame``: inverse-scale the predictions (``Windows.to_frame``).
    verbose : int or "auto", default 0

    Returns
    -------
    numpy.ndarray, list or dict of them, or pandas.DataFrame
        As from ``model.predict``, with exactly ``len(x)`` rows; for a layout, in the
        layout's order (padding samples included; ``to_frame`` maps rows to time).

    Raises
    ------
    ArgumentError, ArgumentTypeError
        For a ``batch_size`` that disagrees with the model's, an empty ``x``, a layout made
        for another batch size, a shuffling dataset, a ``tf.data.Dataset`` for a model with
        a static batch size.

    Notes
    -----
    A model with a static batch size ``b`` gets ``ceil(n / b)`` whole batches; the last is
    padded by repeating its last row. Rows of a batch do not interact, so the real rows'
    outputs are exact; the slots that held padding have advanced on it, so their state
    afterwards is unspecified. On JAX, where Keras's ``predict`` does not carry state from
    batch to batch, the model runs through a state carrier that does (module
    ``keras_ext._carry``); the same weights give the same outputs as on TensorFlow.

    Examples
    --------
    >>> import keras, numpy as np, keras_ext
    >>> model = keras.Sequential([keras.Input(batch_shape=(4, 3, 1)),
    ...                           keras.layers.LSTM(2, stateful=True), keras.layers.Dense(1)])
    >>> x = np.ones((10, 3, 1), "float32")
    >>> model.predict(x[:9], batch_size=4, verbose=0).shape   # Keras: 12 rows for 9 inputs
    (12, 1)
    >>> keras_ext.predict(model, x[:9]).shape
    (9, 1)
    """
    if not isinstance(to_frame, (bool, np.bool_)):
        raise ArgumentTypeError(
            f"`to_frame` must be True or False. Received: to_frame={show(to_frame)}."
        )
    windows = _frame_windows(x) if to_frame else None
    outputs, _ = predict_rows(model, x, batch_size=batch_size, reset=reset,
                              reset_slots=reset_slots, verbose=verbose)
    return _frame(windows, outputs, scaler) if to_frame else outputs


def _keras_evaluate(model: keras.Model, x: Any, y: Any, sample_weight: Any, b: int | None,
                    verbose: Any) -> dict:
    """Keras's own ``evaluate`` (a model without a static batch size), as a dict."""
    if is_windows(x) and not (is_pydataset(x) or is_tf_dataset(x)):
        from ._data import WindowDataset

        x = WindowDataset(x, b or 32)
    if not (is_pydataset(x) or is_tf_dataset(x)):
        x, y, sample_weight = as_arrays("x", x), as_arrays("y", y), as_arrays("sample_weight", sample_weight)
        check_input_shape("x", x, model)
    return model.evaluate(x, y, batch_size=None if is_pydataset(x) or is_tf_dataset(x) else b,
                          sample_weight=sample_weight, verbose=verbose, return_dict=True)


def _score(model: keras.Model, y: Any, y_pred: Any, sample_weight: Any, b: int) -> dict:
    """The loss and compiled metrics of ``y_pred`` against ``y``, batch by batch as Keras does.

    Each batch's loss is weighted by its number of rows (Keras's ``test_step``); metrics
    accumulate over the batches.
    """
    n = len(keras.tree.flatten(y_pred)[0])
    model.reset_metrics()
    loss = keras.metrics.Mean(name="loss")
    logs: dict = {}
    for lo in range(0, n, b):
        part = (lambda v, lo=lo: None if v is None else keras.tree.map_structure(
            lambda a: np.asarray(a)[lo:lo + b], v))
        yb, pb, wb = part(y), part(y_pred), part(sample_weight)
        batch_loss = model.compute_loss(y=yb, y_pred=pb, sample_weight=wb, training=False)
        loss.update_state(batch_loss, sample_weight=len(keras.tree.flatten(pb)[0]))
        logs = model.compute_metrics(None, yb, pb, sample_weight=wb)
    out = {"loss": float(loss.result())}
    out.update({k: float(v) for k, v in logs.items() if k != "loss"})
    return out


def evaluate(
    model: keras.Model,
    x: Any,
    y: Any = None,
    *,
    batch_size: int | None = None,
    sample_weight: Any = None,
    reset: str = "before",
    reset_slots: Any = None,
    return_dict: bool = False,
    verbose: Any = 0,
) -> Any:
    """Loss and metrics over exactly the inputs given, for stateless and stateful models alike.

    Parameters
    ----------
    model : keras.Model
        A compiled model.
    x : as for :func:`predict`
        Windows, layouts and datasets bring their own targets (``y`` must then be None);
        a layout's padding samples get weight 0.
    y : array-like, optional
        Targets for array ``x``.
    batch_size, reset, reset_slots, verbose
        As for :func:`predict`.
    sample_weight : array of shape ``(n,)``, optional
        For array ``x``.
    return_dict : bool, default False
        Return ``{"loss": ..., metric: ...}`` instead of Keras's scalar or list.

    Returns
    -------
    float, list of float or dict
        As ``model.evaluate`` returns them. For a model with a static batch size the
        outputs come from :func:`predict` (whole padded batches, state carried, cut to
        one row per input) and are scored batch by batch as Keras scores them: each
        batch's loss weighted by its rows, metrics accumulated. A model without one is
        evaluated by Keras itself.

    Raises
    ------
    ModelError
        If the model is not compiled.
    ArgumentError, ArgumentTypeError
        As for :func:`predict`; ``y`` missing for arrays or given with windows.

    Examples
    --------
    >>> import keras, numpy as np, keras_ext
    >>> model = keras.Sequential([keras.Input(batch_shape=(4, 3, 1)),
    ...                           keras.layers.LSTM(2, stateful=True), keras.layers.Dense(1)])
    >>> model.compile(loss="mse")
    >>> x, y = np.ones((10, 3, 1), "float32"), np.zeros((10, 1), "float32")
    >>> loss = keras_ext.evaluate(model, x, y)          # model.evaluate fails on 10 inputs
    >>> bool(np.isclose(loss, np.mean(keras_ext.predict(model, x) ** 2)))
    True
    """
    check_model(model)
    if not getattr(model, "compiled", True):
        raise ModelError(
            f"`model` must be compiled to be evaluated. Received: {type(model).__name__} "
            f"{model.name!r}, not compiled. Call `model.compile(loss=...)` first."
        )
    b = model_batch_size(model, batch_size, "evaluate")
    if b is None or static_batch_size(model) is None:
        logs = _keras_evaluate(model, x, y, sample_weight, b, verbose)
    else:
        if not (is_windows(x) or is_pydataset(x)) and y is None:
            raise ArgumentError(
                "`y` must be given with array `x`: a model is evaluated on targets. Received: "
                "y=None. Pass `y=`, or pass seqprep.Windows, which carry their targets."
            )
        _refuse_tf_data(x, b, "evaluate")
        batches = Batches("x", x, y, sample_weight, batch_size=b)  # lengths checked first
        outputs, _ = predict_rows(model, x, batch_size=b, reset=reset, reset_slots=reset_slots,
                                  verbose=verbose, caller="evaluate")
        yy, ww = (batches.targets() if batches.kind != "arrays"
                  else (as_arrays("y", y), sample_weight))
        logs = _score(model, yy, outputs, ww, b)
    if return_dict:
        return logs
    values = list(logs.values())
    return values[0] if len(values) == 1 else values
