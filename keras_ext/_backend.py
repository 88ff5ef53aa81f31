"""Which Keras backend is active, and whether stateful layers carry state on it.

Measured on Keras 3.15: on the TensorFlow backend a stateful recurrent layer carries
its state from batch to batch through ``fit``, ``evaluate`` and ``predict``. On the JAX
backend Keras's own ``fit``/``predict`` do not: the state variables are not tracked, so
the functional JAX trainer never threads them and every batch starts from the same
state (only a direct ``model(x)`` call carries it). keras_ext's ``fit_stateful``,
``predict`` and ``evaluate`` carry it there through a :class:`keras_ext._carry.StateCarrier`;
a bare ``model.fit(..., callbacks=[ResetStates()])`` on JAX is refused.
"""

from __future__ import annotations

import keras

from ._errors import BackendError

__all__ = ["backend_name", "check_stateful_backend"]

#: Backends on which Keras's own fit/evaluate/predict drop stateful layers' state.
STATELESS_BACKENDS = ("jax",)


def backend_name() -> str:
    """The active Keras backend, read at call time (``"tensorflow"``, ``"jax"``, ...)."""
    return str(keras.backend.backend())


def check_stateful_backend(caller: str, *, carried: bool = False) -> str:
    """Return the backend name, or raise :class:`BackendError` if state is not carried on it.

    ``carried``: the model runs through a ``StateCarrier``, which carries state on JAX.
    """
    name = backend_name()
    if name in STATELESS_BACKENDS and not carried:
        raise BackendError(
            f"`{caller}` needs a Keras backend on which stateful layers carry their state "
            f"from batch to batch. Received: the {name!r} backend with a plain Keras model: "
            "there Keras's own `fit`, `evaluate` and `predict` start every batch from the "
            "same state, so a stateful model would silently train and predict as a "
            "stateless one. Use keras_ext.fit_stateful, keras_ext.predict and "
            "keras_ext.evaluate, which carry the state on JAX, or set "
            "KERAS_BACKEND=tensorflow before importing keras."
        )
    return name
