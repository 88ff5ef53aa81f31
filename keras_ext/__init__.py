"""keras_ext: stateful LSTMs on Keras 3, correct by default.

State resets that reach every stateful layer, no-shuffle stateful fitting, class
predictions, output heads and history plots. Needs Keras 3. ``fit_stateful``,
``predict`` and ``evaluate`` carry stateful layers' state from batch to batch on
TensorFlow and on JAX (where Keras's own ``fit``/``predict`` do not).
"""

from ._errors import (
    ArgumentError,
    ArgumentTypeError,
    BackendError,
    ContinuityError,
    KerasExtError,
    MemoryBudgetError,
    MissingDependencyError,
    ModelError,
    OutputError,
    RemainderError,
)
from ._callbacks import ResetStates
from ._data import WindowDataset, to_tf_dataset
from ._fit import fit_stateful
from ._heads import OutputHead, output_head
from ._inference import evaluate, predict
from ._plots import plot_history
from ._predict import output_activations, predict_classes, predict_proba
from ._states import get_states, reset_states, set_states, stateful_layers, with_batch_size

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
    "OutputHead",
    "RemainderError",
    "ResetStates",
    "WindowDataset",
    "evaluate",
    "fit_stateful",
    "get_states",
    "output_activations",
    "output_head",
    "plot_history",
    "predict",
    "predict_classes",
    "predict_proba",
    "reset_states",
    "set_states",
    "stateful_layers",
    "to_tf_dataset",
    "with_batch_size",
]
