"""The errors keras_ext raises.

Every error is a :class:`KerasExtError`; every leaf also subclasses the builtin that
callers already catch::

    KerasExtError (Exception)
    ├── ArgumentError (ValueError)        an argument has a bad value
    │   └── RemainderError                samples do not divide into whole batches
    ├── ArgumentTypeError (TypeError)     an argument has the wrong type
    ├── ModelError (ValueError)           the model cannot do what was asked
    │                                     (no stateful layer, no static batch size, ...)
    ├── BackendError (ValueError)         the Keras backend cannot do it (e.g. stateful
    │                                     RNNs carry no state on JAX)
    └── MissingDependencyError (ImportError)  an optional dependency is not installed
                                          (e.g. matplotlib for plot_history)

Messages name the argument, the rule, the value received and the fix.
"""

from __future__ import annotations

__all__ = [
    "ArgumentError",
    "ArgumentTypeError",
    "BackendError",
    "KerasExtError",
    "MissingDependencyError",
    "ModelError",
    "RemainderError",
]


class KerasExtError(Exception):
    """Root of every error raised by keras_ext."""


class ArgumentError(KerasExtError, ValueError):
    """An argument has a value outside its rule."""


class RemainderError(ArgumentError):
    """The number of samples is not a whole number of batches for a stateful model.

    Attributes
    ----------
    n_samples, batch_size, remainder : int
    """

    def __init__(self, message: str, *, n_samples: int, batch_size: int) -> None:
        super().__init__(message)
        self.n_samples = n_samples
        self.batch_size = batch_size
        self.remainder = n_samples % batch_size


class ArgumentTypeError(KerasExtError, TypeError):
    """An argument has the wrong type."""


class ModelError(KerasExtError, ValueError):
    """The model cannot do what was asked: no stateful layer, no static batch size, ..."""


class BackendError(KerasExtError, ValueError):
    """The active Keras backend cannot do what was asked."""


class MissingDependencyError(KerasExtError, ImportError):
    """An optional dependency is missing; the message gives the ``pip install`` to run."""


for _cls in (KerasExtError, ArgumentError, RemainderError, ArgumentTypeError, ModelError,
             BackendError, MissingDependencyError):
    _cls.__module__ = "keras_ext"
del _cls
