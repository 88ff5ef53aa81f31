"""``ResetStates``: reset stateful layers on a schedule and keep validation out of training.

Keras 3's ``fit`` never resets recurrent state, and validation inside ``fit`` (and any
``evaluate``) runs through the same stateful layers: it starts from the training state
and leaves its own state behind for the next epoch. This callback fixes both.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Union

import keras

from ._backend import check_stateful_backend
from ._carry import StateCarrier, sync_state
from ._args import positive_int, show
from ._errors import ArgumentError, ArgumentTypeError, ModelError
from ._states import (
    get_states,
    reset_layers,
    reset_states,
    set_states,
    slot_rows,
    stateful_layers,
)

__all__ = ["ResetStates", "SlotResets", "check_every", "check_slots_spec", "slots_for"]

SlotsSpec = Union[Mapping[int, Iterable[int]], Callable[[int], Union[Iterable[int], None]]]


def _batches(n: int) -> str:
    return f"{n:,} batch" if n == 1 else f"{n:,} batches"


def check_every(name: str, every: Any) -> str | int:
    """Return ``every`` if it is ``"epoch"`` or a positive int, else raise naming ``name``."""
    if isinstance(every, str) and every == "epoch":
        return every
    if isinstance(every, str):
        raise ArgumentError(
            f"`{name}` must be 'epoch' or a positive integer number of batches. "
            f"Received: {name}={every!r}."
        )
    return positive_int(name, every, fix="Use 'epoch' to reset only at epoch ends.")


def check_slots_spec(name: str, spec: Any, counted: str) -> None:
    """Refuse a slot-reset spec that is neither a mapping of batch indices nor a callable."""
    if spec is None:
        return
    if not (isinstance(spec, Mapping) or callable(spec)):
        raise ArgumentTypeError(
            f"`{name}` must be a mapping {{batch_index: slots}} or a callable "
            f"batch_index -> slots. Received: {name}={show(spec)} of type "
            f"{type(spec).__name__}."
        )
    if isinstance(spec, Mapping):
        bad = [k for k in spec if isinstance(k, bool) or not isinstance(k, int) or k < 0]
        if bad:
            raise ArgumentError(
                f"`{name}` keys must be batch indices >= 0, counted from 0 in each "
                f"{counted}. Received: the key {bad[0]!r}."
            )


def slots_for(name: str, spec: SlotsSpec | None, batch: int) -> tuple | None:
    """The slots ``spec`` resets before batch ``batch`` (None: none), checked."""
    if spec is None:
        return None
    slots = spec.get(batch) if isinstance(spec, Mapping) else spec(batch)
    if slots is None:
        return None
    try:
        slots = tuple(int(s) for s in slots)
    except (TypeError, ValueError):
        raise ArgumentTypeError(
            f"`{name}` must give an iterable of integer slots for batch {batch}. "
            f"Received: {show(slots)}."
        ) from None
    return slots or None



class ResetStates(keras.callbacks.Callback):
    """Reset every stateful recurrent layer on a schedule during ``fit``.

    Drop it into any ``fit`` call (``fit_stateful`` adds one for you). What it does:

    - **at train begin**: resets, so every ``fit`` starts from a zero state (state left
      by an earlier ``fit``, ``predict`` or ``evaluate`` does not leak in);
    - **at each epoch end**: resets, since the next epoch replays the data from the
      start. The state is therefore zero when ``fit`` returns;
    - with ``every=n``: also after every ``n`` training batches of an epoch (batches
      ``n-1, 2n-1, ...``, counted from 0 in each epoch), for data that is a run of
      sequences each cut into ``n`` consecutive batches;
    - with ``reset_slots``: before the given training batches, zeroes only the listed
      batch slots (rows of the state), for layouts where some slots start a new
      sequence while the others continue;
    - **around evaluation** (validation inside ``fit``, and a standalone
      ``model.evaluate(..., callbacks=[cb])``): saves the state, evaluates from a zero
      state, then restores the saved state. Validation loss then equals
      ``evaluate`` from a clean state and training continues exactly where it was.
      ``predict`` calls are left alone;
    - with ``validation_reset_slots``: before the given evaluation batches (validation
      inside ``fit``, and a standalone ``evaluate(..., callbacks=[cb])``), zeroes only
      the listed slots, for validation data that is itself a stateful layout.

    Parameters
    ----------
    every : "epoch" or int, default "epoch"
        ``"epoch"``: reset at train begin and at each epoch end only. A positive int
        ``n``: also reset after every ``n`` training batches.
    reset_slots : mapping or callable, optional
        Slot resets before given training batches: a mapping ``{batch_index: slots}``,
        or a callable ``f(batch_index) -> slots or None``, where ``batch_index`` counts
        from 0 in each epoch and ``slots`` are batch positions (``0 .. batch_size-1``)
        whose sequence *starts* at that batch. Those rows of every state variable are
        zeroed (:func:`reset_states` with ``slots=``); the others keep their state.
    validation_reset_slots : mapping or callable, optional
        The same for evaluation batches: ``batch_index`` counts from 0 in each
        evaluation (each validation run inside ``fit``, or a standalone ``evaluate``
        given this callback). Pass ``val_layout.reset_slots`` when the validation data
        comes from ``seqprep.stateful_layout``, so a validation slot that moves to a new
        group starts from zero there instead of carrying the previous group's state.
        Applied whether or not ``isolate_validation`` is on.
    isolate_validation : bool, default True
        Save, reset and restore the state around evaluation as described above. With
        ``False``, evaluation runs on from the training state and leaves its state
        behind (until the next scheduled reset).

    Attributes
    ----------
    reset_log : list of tuple
        What was reset during the last ``fit``: ``(epoch, batch, slots)`` with ``batch``
        ``None`` for train begin (``epoch`` ``None`` too) and epoch ends, ``slots``
        ``None`` for a full reset or the tuple of slots reset. Cleared at train begin.
        A validation slot reset is logged as ``(epoch, ("val", batch), slots)``; one in a
        standalone ``evaluate`` is appended with ``epoch`` ``None``. The save-reset-restore
        around evaluation is not logged.

    Raises
    ------
    ModelError
        At train begin (before any weight changes) if the model has no stateful layer,
        or if it was compiled with ``steps_per_execution > 1`` while batch-level resets
        are asked for (Keras then calls batch hooks only once per execution); for a
        standalone ``evaluate``, at evaluation begin.
    BackendError
        At train begin on JAX, unless the model runs through :func:`fit_stateful`
        (whose ``StateCarrier`` carries the state there; a bare ``model.fit`` does not).

    Notes
    -----
    Keras callbacks cannot see ``shuffle`` or ``batch_size`` (``params`` holds only
    ``verbose``, ``epochs`` and ``steps``), so this callback cannot check them: fit with
    ``shuffle=False`` and whole batches, or use :func:`fit_stateful`, which does both.
    One instance can be reused across ``fit`` calls and models: its counters and log
    are reset in ``on_train_begin``.

    Examples
    --------
    >>> import keras, numpy as np, keras_ext
    >>> model = keras.Sequential([keras.Input(batch_shape=(2, 3, 1)),
    ...                           keras.layers.LSTM(2, stateful=True), keras.layers.Dense(1)])
    >>> model.compile(loss="mse")
    >>> x, y = np.ones((8, 3, 1)), np.zeros((8, 1))
    >>> cb = keras_ext.ResetStates(every=2)
    >>> _ = model.fit(x, y, batch_size=2, epochs=1, shuffle=False, verbose=0, callbacks=[cb])
    >>> cb.reset_log
    [(None, None, None), (0, 1, None), (0, 3, None)]

    Validation data whose slot 1 starts a new sequence at its second batch:

    >>> cb = keras_ext.ResetStates(validation_reset_slots={1: [1]})
    >>> _ = model.fit(x, y, batch_size=2, epochs=1, shuffle=False, verbose=0,
    ...               validation_data=(x[:4], y[:4]), callbacks=[cb])
    >>> cb.reset_log
    [(None, None, None), (0, ('val', 1), (1,)), (0, None, None)]
    """

    def __init__(
        self,
        every: str | int = "epoch",
        *,
        reset_slots: SlotsSpec | None = None,
        validation_reset_slots: SlotsSpec | None = None,
        isolate_validation: bool = True,
    ) -> None:
        super().__init__()
        every = check_every("every", every)
        check_slots_spec("reset_slots", reset_slots, "epoch")
        check_slots_spec("validation_reset_slots", validation_reset_slots, "evaluation")
        if not isinstance(isolate_validation, bool):
            raise ArgumentTypeError(
                f"`isolate_validation` must be True or False. Received: "
                f"isolate_validation={show(isolate_validation)}."
            )
        self.every = every
        self.reset_slots = reset_slots
        self.validation_reset_slots = validation_reset_slots
        self.isolate_validation = isolate_validation
        self.reset_log: list[tuple] = []
        self._clean = False
        self._saved: list | None = None
        self._epoch = 0
        self._in_fit = False  # between on_train_begin and on_train_end
        self._layers: list | None = None  # found once per fit

    def _slot_args(self) -> str:
        return (", reset_slots=..." if self.reset_slots is not None else "") + (
            ", validation_reset_slots=..." if self.validation_reset_slots is not None else ""
        )

    def __repr__(self) -> str:
        return (
            f"ResetStates(every={self.every!r}{self._slot_args()}, "
            f"isolate_validation={self.isolate_validation})"
        )

    # -- checks -----------------------------------------------------------------

    def _check_model(self, when: str) -> None:
        check_stateful_backend("ResetStates", carried=isinstance(self.model, StateCarrier))
        if not stateful_layers(self.model):
            raise ModelError(
                f"`ResetStates` needs a model with at least one stateful recurrent layer "
                f"(e.g. `LSTM(..., stateful=True)`). Received: {type(self.model).__name__} "
                f"{self.model.name!r}, which has none, at {when}. Remove the callback, or "
                "build the model with `keras.Input(batch_shape=...)` and `stateful=True`."
            )

    # -- resets -----------------------------------------------------------------

    def _reset(self, epoch: int | None, batch: int | tuple[str, int] | None,
               slots: tuple | None = None) -> None:
        if self._layers is None:
            self._layers = stateful_layers(self.model)
        sync_state(self.model)  # JAX: the trainer's running state back into the variables
        if slots is None:
            reset_layers(self._layers, None)
            self._clean = True
        else:
            reset_layers(self._layers, slot_rows(slots), slots)
        self.reset_log.append((epoch, batch, slots))

    def _check_steps_per_execution(self, batch_level: bool) -> None:
        spe = getattr(self.model, "steps_per_execution", 1) or 1
        if batch_level and int(spe) > 1:
            raise ModelError(
                f"`ResetStates(every={self.every!r}{self._slot_args()})` "
                "needs a model compiled with steps_per_execution=1, because Keras runs "
                f"batch hooks once per execution. Received: steps_per_execution={spe}. "
                "Recompile with steps_per_execution=1, or use every='epoch' without slot "
                "resets."
            )

    # -- hooks ------------------------------------------------------------------

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.reset_log = []
        self._saved = None
        self._epoch = 0
        self._layers = None
        self._check_model("train begin")
        self._check_steps_per_execution(
            self.every != "epoch"
            or self.reset_slots is not None
            or self.validation_reset_slots is not None
        )
        self._in_fit = True
        steps = (self.params or {}).get("steps")
        if isinstance(self.every, int) and steps and steps % self.every:
            warnings.warn(
                f"ResetStates(every={self.every}): an epoch has {_batches(steps)}, "
                f"not a multiple of {self.every}, so the last sequence of each epoch is "
                f"{_batches(steps % self.every)} long (it is reset at epoch end).",
                UserWarning,
                stacklevel=2,
            )
        self._reset(None, None)

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._epoch = epoch

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        slots = slots_for("reset_slots", self.reset_slots, batch)
        if slots is not None:
            self._reset(self._epoch, batch, slots)
            self._clean = False  # other slots keep their state

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self._clean = False
        if isinstance(self.every, int) and (batch + 1) % self.every == 0:
            self._reset(self._epoch, batch)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if not self._clean:
            self._reset(epoch, None)

    def on_train_end(self, logs: dict | None = None) -> None:
        self._layers = None  # do not keep the model's layers alive through the callback
        self._in_fit = False

    def on_test_begin(self, logs: dict | None = None) -> None:
        self._check_model("evaluation begin")
        if not self._in_fit:  # a standalone evaluate (fit checked this at train begin)
            self._check_steps_per_execution(self.validation_reset_slots is not None)
        if not self.isolate_validation:
            return
        sync_state(self.model)
        try:
            self._saved = get_states(self.model)
        except ModelError:  # not built yet: there is no state to save
            self._saved = None
        reset_states(self.model)

    def on_test_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        slots = slots_for("validation_reset_slots", self.validation_reset_slots, batch)
        if slots is not None:
            self._reset(self._epoch if self._in_fit else None, ("val", batch), slots)

    def on_test_end(self, logs: dict | None = None) -> None:
        if not self._in_fit:
            self._layers = None
        if not self.isolate_validation:
            self._clean = False
            return
        if self._saved is not None:
            set_states(self.model, self._saved)
            self._saved = None


class SlotResets(keras.callbacks.Callback):
    """Zero the listed slots before given ``predict`` batches (``keras_ext.predict``'s layouts).

    ``spec`` is a mapping ``{batch_index: slots}`` or a callable, as for
    :class:`ResetStates`; ``log`` records ``(batch, slots)`` for each reset made.
    """

    def __init__(self, spec: SlotsSpec) -> None:
        super().__init__()
        check_slots_spec("reset_slots", spec, "prediction")
        self.spec = spec
        self.log: list[tuple[int, tuple]] = []
        self._layers: list | None = None

    def on_predict_begin(self, logs: dict | None = None) -> None:
        self.log = []
        self._layers = stateful_layers(self.model)

    def on_predict_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        slots = slots_for("reset_slots", self.spec, batch)
        if slots is None:
            return
        sync_state(self.model)  # JAX: the running state back into the variables
        reset_layers(self._layers or [], slot_rows(slots), slots)
        self.log.append((batch, slots))

    def on_predict_end(self, logs: dict | None = None) -> None:
        self._layers = None
