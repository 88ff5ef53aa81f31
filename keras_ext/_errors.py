"""The errors keras_ext raises.

Every error is a :class:`KerasExtError`; every leaf also subclasses the builtin that
callers already catch. Where an error means the same thing as one of seqprep's, it is a
subclass of that one too, so ``except seqprep.ArgumentError`` catches a bad argument
from either package::

    KerasExtError (Exception)
    ├── ArgumentError (seqprep.ArgumentError, ValueError)   an argument has a bad value
    │   ├── RemainderError (seqprep.BatchSizeError)   samples do not divide into whole batches
    │   └── ContinuityError                   consecutive batches do not continue slot by
    │                                         slot (``fit_stateful``'s continuity check)
    ├── ArgumentTypeError (seqprep.ArgumentTypeError, TypeError)   an argument has the
    │                                         wrong type
    ├── ModelError (ValueError)               the model cannot do what was asked
    │   │                                     (no stateful layer, no static batch size, ...)
    │   └── OutputError                       the model's outputs cannot be read as asked
    │                                         (regression outputs read as classes, NaN)
    ├── BackendError (ValueError)             the Keras backend cannot do it
    ├── MemoryBudgetError (seqprep.MemoryBudgetError, ValueError)   it would not fit in
    │                                         memory (e.g. a huge ``with_batch_size``)
    └── MissingDependencyError (seqprep.MissingDependencyError, ImportError)   an optional
                                              dependency is not installed (e.g. matplotlib)

Messages name the argument, the rule, the value received and the fix.
"""

from __future__ import annotations

import seqprep

__all__ = [
    "ArgumentError",
    "ArgumentTypeError",
    "BackendError",
    "ContinuityError",
    "KerasExtError",
    "MemoryBudgetError",
    "MissingDependencyError",
    "ModelError",
    "OutputError",
    "RemainderError",
]


class KerasExtError(Exception):
    """Root of every error raised by keras_ext."""


class ArgumentError(KerasExtError, seqprep.ArgumentError):
    """An argument has a value outside its rule (also a ``seqprep.ArgumentError``)."""


class RemainderError(ArgumentError, seqprep.BatchSizeError):
    """The number of samples is not a whole number of batches for a stateful model.

    Also a ``seqprep.BatchSizeError``: the same fault, found on the Keras side.

    Attributes
    ----------
    n_samples, batch_size, remainder : int
    divisors : list of int
        Batch sizes near ``batch_size`` that divide ``n_samples`` (may be empty).
    """

    def __init__(self, message: str, *, n_samples: int, batch_size: int,
                 divisors: list[int] | None = None) -> None:
        Exception.__init__(self, message)
        self.n_samples = n_samples
        self.batch_size = batch_size
        self.remainder = n_samples % batch_size
        self.divisors = list(divisors or [])

    def __reduce__(self):  # picklable with its keyword-only fields
        return (_rebuild, (type(self), self.args[0], self.__dict__))


class ContinuityError(ArgumentError):
    """Consecutive batches of stateful training data do not continue slot by slot.

    Attributes
    ----------
    batch, slot : int
        The first batch (counted from 0) whose slot does not continue the same slot of
        the batch before.
    """

    def __init__(self, message: str, *, batch: int, slot: int) -> None:
        Exception.__init__(self, message)
        self.batch = batch
        self.slot = slot

    def __reduce__(self):
        return (_rebuild, (type(self), self.args[0], self.__dict__))


class ArgumentTypeError(KerasExtError, seqprep.ArgumentTypeError):
    """An argument has the wrong type (also a ``seqprep.ArgumentTypeError``)."""


class ModelError(KerasExtError, ValueError):
    """The model cannot do what was asked: no stateful layer, no static batch size, ..."""


class OutputError(ModelError):
    """The model's outputs cannot be read as asked: class helpers on a regression model,
    or NaN outputs."""


class BackendError(KerasExtError, ValueError):
    """The active Keras backend cannot do what was asked."""


class MemoryBudgetError(KerasExtError, seqprep.MemoryBudgetError):
    """What was asked would not fit in memory (also a ``seqprep.MemoryBudgetError``)."""


class MissingDependencyError(KerasExtError, seqprep.MissingDependencyError):
    """An optional dependency is missing; the message gives the ``pip install`` to run."""


def _rebuild(cls: type[Exception], message: str, fields: dict) -> Exception:
    err = cls.__new__(cls)
    Exception.__init__(err, message)
    err.__dict__.update(fields)
    return err


for _cls in (KerasExtError, ArgumentError, RemainderError, ContinuityError, ArgumentTypeError,
             ModelError, OutputError, BackendError, MemoryBudgetError, MissingDependencyError):
    _cls.__module__ = "keras_ext"
del _cls
