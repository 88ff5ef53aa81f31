"""Which Keras backend is active, and whether stateful layers carry state on it.

Measured on Keras 3.15: on the TensorFlow backend a stateful recurrent layer carries
its state from batch to batch through ``fit``, ``evaluate`` and ``predict``. On the JAX
backend it does not: the state variables are not tracked by the stateless JAX trainer,
so every batch starts from zero (only a direct ``model(x)`` call carries it). Training
or predicting a stateful model there silently trains a stateless one, so keras_ext
refuses instead.
"""

from __future__ import annotations

import keras

from ._errors import BackendError

__all__ = ["backend_name", "check_stateful_backend"]

#: Backends on which stateful layers do not carry state through fit/evaluate/predict.
STATELESS_BACKENDS = ("jax",)


def backend_name() -> str:
    """The active Keras backend, read at call time (``"tensorflow"``, ``"jax"``, ...)."""
    return str(keras.backend.backend())


def check_stateful_backend(caller: str) -> str:
    """Return the backend name, or raise :class:`BackendError` if state is not carried on it."""
    name = backend_name()
    if name in STATELESS_BACKENDS:
        raise BackendError(
            f"`{caller}` needs a Keras backend on which stateful layers carry their state "
            f"from batch to batch. Received: the {name!r} backend, where `fit`, `evaluate` "
            "and `predict` start every batch from a zero state, so a stateful model would "
            "silently train and predict as a stateless one. Set the environment variable "
            "KERAS_BACKEND=tensorflow before importing keras."
        )
    return name
