"""The errors seqprep raises.

Every error is a :class:`SeqprepError`; every leaf also subclasses the builtin that
callers already catch, so ``except ValueError`` keeps working::

    SeqprepError (Exception)
    ├── ArgumentError (ValueError)        an argument has a bad value
    │   ├── BatchSizeError                a batch size does not divide the samples
    │   └── SampleIndexError (IndexError) a sample index is out of range (``windows[i]``)
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
    "SampleIndexError",
    "SchemaError",
    "SeqprepError",
    "ShapeError",
    "ValidationError",
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


class SampleIndexError(ArgumentError, IndexError):
    """A sample index is out of range: ``windows[i]`` with ``i >= len(windows)``.

    Also an :class:`IndexError`, so iterating ``for sample in windows`` stops at the end.
    """


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


class ValidationError(SeqprepError, ValueError):
    """Data failed a :class:`SeriesSchema`; every failing case is collected, not just the first.

    Attributes
    ----------
    failures : pandas.DataFrame
        One row per failing case, with columns ``check`` (a stable name such as
        ``duplicate_time``, ``regular_freq``, ``not_null``), ``column``, ``group``, ``row``
        (0-based position in the data, or missing for a whole column or group), ``time``
        and ``value`` (what failed: the value, the step, the dtype or the group's length).
    counts : dict
        Failures per check, in the order the checks are reported.
    notes : list of str
        How the checks were run (an inferred frequency, checks skipped and why).
    """

    def __init__(self, message: str, *, failures=None, notes=()) -> None:
        super().__init__(message)
        self.failures = failures
        self.notes = list(notes)

    def __reduce__(self):  # picklable (multiprocessing, pytest-xdist) with its failures
        return (self.__class__, (self.args[0],), self.__dict__)

    @property
    def counts(self) -> dict:
        return {str(k): int(v) for k, v in self.failures["check"].value_counts(sort=False).items()}

    def to_dict(self) -> dict:
        """A JSON-ready summary: ``valid``, ``n_failures``, ``counts``, ``notes``, ``failures``.

        Times become ISO 8601 strings, NaN becomes ``None``, infinities ``"inf"``/``"-inf"``
        and numpy scalars Python numbers, so ``json.dumps(err.to_dict())`` always works.
        """
        rows = [{k: jsonable(v) for k, v in rec.items()}
                for rec in self.failures.to_dict(orient="records")]
        return {"valid": False, "n_failures": len(self.failures), "counts": self.counts,
                "notes": list(self.notes), "failures": rows}


def jsonable(value):
    """``value`` as something ``json.dumps`` accepts under strict JSON (one rule for
    ``ValidationError.to_dict`` and the reports of ``seqprep._failures``)."""
    import math

    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return value if math.isfinite(value) else ("inf" if value > 0 else "-inf")
    item = getattr(value, "item", None)  # numpy scalars
    if callable(item) and getattr(value, "shape", None) == ():
        try:
            out = item()
        except (ValueError, TypeError):
            out = None
        if isinstance(out, (bool, int, float, str)):
            return jsonable(out)
    iso = getattr(value, "isoformat", None)  # pandas/py datetimes (NaT -> None)
    if callable(iso):
        text = str(value)
        return None if text in ("NaT", "NaN") else iso()
    text = str(value)
    return None if text in ("NaT", "<NA>", "nan") else text


class MissingDependencyError(SeqprepError, ImportError):
    """An optional dependency is not installed; the message says which extra to install."""


# Show errors as ``seqprep.GapError`` rather than ``seqprep._errors.GapError``.
for _cls in (SeqprepError, ArgumentError, BatchSizeError, ArgumentTypeError, ShapeError,
             ColumnError, DataError, GapError, OrderError, MemoryBudgetError, NotFittedError,
             SchemaError, ValidationError, MissingDependencyError, SampleIndexError):
    _cls.__module__ = "seqprep"
del _cls
