"""Carry the state of stateful layers from batch to batch on every Keras backend.

On TensorFlow (and PyTorch) a stateful recurrent layer assigns its new state to its
state variables after each batch, and ``fit``/``evaluate``/``predict`` see it at the next
one. On JAX they do not: the JAX trainer is functional. It passes the model's
*tracked* variables into each jitted step (``Layer.stateless_call`` maps
``self.trainable_variables`` and ``self.non_trainable_variables``) and threads the
returned non-trainable values to the next step. A recurrent layer's state variables
are created under ``tracking.no_automatic_dependency_tracking``
(``keras/src/layers/rnn/rnn.py``, ``RNN._create_state_variables``), so they are in no
list the trainer threads: inside the step the layer reads them as constants captured
when the step was traced, and its ``self_state.assign(state)`` is recorded in the
``StatelessScope`` and dropped. Every batch therefore starts from the same state.

:class:`StateCarrier` fixes that with public Keras API only: a thin ``keras.Model``
around the user's model that *tracks* the state variables (an attribute holding a list
of variables is tracked), so they become non-trainable variables of the carrier. The
JAX trainer then maps them into each step, the layer's ``assign`` updates the mapped
value, the trainer threads it to the next batch, and ``jax_state_sync`` writes it back
to the layer's own variables at the end (or when a callback asks, see
:func:`sync_state`). The weights are the user's model's own variables: training the
carrier trains the model.
"""

from __future__ import annotations

from typing import Any

import keras

from ._backend import backend_name
from ._errors import ModelError
from ._states import state_variables, stateful_layers

__all__ = ["StateCarrier", "needs_carrier", "runner", "sync_state"]


class StateCarrier(keras.Model):
    """``model`` with its stateful layers' state variables tracked, so JAX threads them.

    Calls ``model`` unchanged. Made by :func:`runner`; user callbacks see it as
    ``self.model`` during ``fit_stateful`` on JAX (its ``inner`` is the user's model).
    """

    def __init__(self, model: keras.Model, variables: list) -> None:
        super().__init__(name=f"{model.name}_state_carrier")
        self.inner = model
        self.carried = list(variables)  # tracked: non-trainable variables of the carrier

    def call(self, inputs: Any, training: bool = False) -> Any:
        return self.inner(inputs, training=training)


def needs_carrier() -> bool:
    """Whether the active backend drops stateful layers' state between batches (JAX)."""
    return backend_name() == "jax"


def runner(model: keras.Model, *, compiled: bool = False) -> keras.Model:
    """The model to run ``fit``/``predict`` on so that state is carried across batches.

    ``model`` itself except on JAX with stateful layers, where a :class:`StateCarrier`
    (compiled like ``model`` when ``compiled``: the same optimizer object, loss and
    metrics) is returned.
    """
    layers = stateful_layers(model)
    if not needs_carrier() or not layers:
        return model
    variables = []
    for layer in layers:
        found = state_variables(layer)
        if found is None:
            raise ModelError(
                f"`model` must be built before it can carry state on the JAX backend: "
                f"{type(layer).__name__} {layer.name!r} has no state yet. Build it with "
                "`keras.Input(batch_shape=(batch_size, timesteps, features))`."
            )
        variables.extend(found)
    carrier = StateCarrier(model, variables)
    if compiled:
        config = model.get_compile_config() or {}
        carrier.compile(
            optimizer=model.optimizer,
            loss=model.loss,
            loss_weights=config.get("loss_weights"),
            metrics=keras.saving.deserialize_keras_object(config.get("metrics")),
            weighted_metrics=keras.saving.deserialize_keras_object(config.get("weighted_metrics")),
            run_eagerly=bool(config.get("run_eagerly", False)),
            steps_per_execution=int(config.get("steps_per_execution", 1) or 1),
            jit_compile=config.get("jit_compile", "auto"),
        )
    return carrier


def sync_state(model: Any) -> None:
    """Write the JAX trainer's running state back to the variables before touching them.

    A no-op on other backends (and on JAX outside ``fit``/``evaluate``/``predict``).
    ``jax_state_sync`` is the JAX trainer's public hook for callbacks: after it, the
    trainer re-reads the variables at the next batch, so a reset made here takes effect.
    """
    sync = getattr(model, "jax_state_sync", None)
    if callable(sync):
        sync()
