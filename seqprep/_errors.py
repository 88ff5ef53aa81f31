"""The errors seqprep raises.

Every error is a :class:`SeqprepError`; every leaf also subclasses the builtin that
callers already catch, so ``except ValueError`` keeps working::

    SeqprepError (Exception)
    ├── ArgumentError (ValueError)        an argument has a bad value
    │   └── BatchSizeError                a batch size does not divide the samples
    ├── ArgumentTypeError (TypeError)     an argument or column has the wrong type
    ├── ShapeError (ValueError)           an array has the wrong number of dimensions
    ├── ColumnError (ValueError)          a named column is not in the frame
    ├── DataError (ValueError)            the data itself cannot be windowed as asked
    │   ├── GapError                      a missing time step (``on_gap="error"``)
    │   └── OrderError                    duplicate or unsorted time within a group
    ├── MemoryBudgetError (ValueError)    the result would not fit in memory
    ├── NotFittedError (ValueError)       a Scaler was used before ``fit``
    ├── SchemaError (ValueError)          a schema is wrong (not the data)
    ├── ValidationError (ValueError)      data failed a schema; ``.failures`` lists every case
    └── MissingDependencyError (ImportError)  an optional extra is not installed

Messages follow one template: the argument, the rule, the value received (and the
data's shape where it matters), then the fix.
"""

from __future__ import annotations

__all__ = [
    "ArgumentError",
    "ArgumentTypeError",
    "BatchSizeError",
    "ColumnError",
    "DataError",
    "GapError",
    "MemoryBudgetError",
    "MissingDependencyError",
    "NotFittedError",
    "OrderError",
    "SchemaError",
    "SeqprepError",
    "ShapeError",
]


class SeqprepError(Exception):
    """Root of every error raised by seqprep."""


class ArgumentError(SeqprepError, ValueError):
    """An argument has a value outside its rule (zero sizes, unknown options, ...)."""


class BatchSizeError(ArgumentError):
    """A batch size does not divide the number of samples.

    Attributes
    ----------
    n_samples, batch_size, remainder : int
    divisors : list of int
        The batch sizes nearest to the one asked for that do divide ``n_samples``.
    """

    def __init__(self, message: str, *, n_samples: int, batch_size: int,
                 divisors: list[int]) -> None:
        super().__init__(message)
        self.n_samples = n_samples
        self.batch_size = batch_size
        self.remainder = n_samples % batch_size
        self.divisors = divisors


class ArgumentTypeError(SeqprepError, TypeError):
    """An argument, or a column of the data, has the wrong type."""


class ShapeError(SeqprepError, ValueError):
    """An array has the wrong number of dimensions or is too small."""


class ColumnError(SeqprepError, ValueError):
    """A column named in an argument is not in the data."""


class DataError(SeqprepError, ValueError):
    """The data cannot be windowed as asked (missing times, NaN times, ...)."""


class GapError(DataError):
    """A group has a missing time step and ``on_gap="error"``.

    Attributes
    ----------
    gaps : pandas.DataFrame
        One row per gap: ``group``, ``after`` (last time before the gap), ``before``
        (first time after it) and ``missing`` (steps missing).
    """

    def __init__(self, message: str, *, gaps=None) -> None:
        super().__init__(message)
        self.gaps = gaps


class OrderError(DataError):
    """Time repeats within a group, or is unsorted and sorting was refused."""


class MemoryBudgetError(SeqprepError, ValueError):
    """The array asked for would not fit in the memory available."""


class NotFittedError(SeqprepError, ValueError):
    """A fitted object (a :class:`Scaler`) was used before ``fit``, like scikit-learn's."""


class SchemaError(SeqprepError, ValueError):
    """A schema is malformed: the schema is wrong, not the data."""


class MissingDependencyError(SeqprepError, ImportError):
    """An optional dependency is not installed; the message says which extra to install."""


# Show errors as ``seqprep.GapError`` rather than ``seqprep._errors.GapError``.
for _cls in (SeqprepError, ArgumentError, BatchSizeError, ArgumentTypeError, ShapeError,
             ColumnError, DataError, GapError, OrderError, MemoryBudgetError, NotFittedError,
             SchemaError, MissingDependencyError):
    _cls.__module__ = "seqprep"
del _cls
