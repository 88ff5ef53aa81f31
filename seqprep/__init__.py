"""seqprep: tabular time series to Keras-ready 3D tensors, checked before training.

The public API is exactly the names in ``__all__``; everything else is private.
seqprep never imports Keras or TensorFlow.
"""

import warnings as _warnings

# With pyspark installed, pandera imports pyspark.pandas, which warns that it does not yet
# support pandas 3. seqprep uses plain pyspark.sql only (its Spark engine), so the warning
# is noise in seqprep's output; only that message is silenced.
_warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas",
                         category=FutureWarning)
del _warnings

from ._backtest import Backtest, Fold, backtest
from ._calendar import calendar_features
from ._data import load_co2
from ._errors import (
    ArgumentError,
    ArgumentTypeError,
    BatchSizeError,
    ColumnError,
    DataError,
    GapError,
    MemoryBudgetError,
    MissingDependencyError,
    NotFittedError,
    OrderError,
    SampleIndexError,
    SchemaError,
    SeqprepError,
    ShapeError,
    ValidationError,
)
from ._layout import stateful_layout
from ._plot import plot_window
from ._protocols import StatefulLayout, WindowSource
from ._reshape import as_samples, as_sequence, batch_input_shape, input_shape
from ._scale import Scaler
from ._schema import SeriesSchema, infer_schema
from ._lazy import LazyWindows, open_windows
from ._split import Split, split_by_time
from ._supervised import Supervised, to_supervised
from ._windows import WindowArray, Windows, make_windows

__version__ = "0.1.0"

__all__ = [
    "ArgumentError",
    "ArgumentTypeError",
    "Backtest",
    "BatchSizeError",
    "ColumnError",
    "DataError",
    "Fold",
    "GapError",
    "LazyWindows",
    "MemoryBudgetError",
    "MissingDependencyError",
    "NotFittedError",
    "OrderError",
    "SampleIndexError",
    "Scaler",
    "SchemaError",
    "SeqprepError",
    "SeriesSchema",
    "ShapeError",
    "Split",
    "StatefulLayout",
    "Supervised",
    "ValidationError",
    "WindowArray",
    "WindowSource",
    "Windows",
    "as_samples",
    "as_sequence",
    "backtest",
    "batch_input_shape",
    "calendar_features",
    "infer_schema",
    "input_shape",
    "load_co2",
    "make_windows",
    "open_windows",
    "plot_window",
    "split_by_time",
    "stateful_layout",
    "to_supervised",
]
