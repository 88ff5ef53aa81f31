"""keras_ext: stateful LSTMs on Keras 3, correct by default.

State resets that reach every stateful layer, no-shuffle stateful fitting, class
predictions, output heads and history plots. Needs Keras 3; the TensorFlow backend is
the one where stateful layers carry state through ``fit`` and ``predict``.
"""

from ._errors import (
    ArgumentError,
    ArgumentTypeError,
    BackendError,
    KerasExtError,
    ModelError,
    RemainderError,
)

__all__ = [
    "ArgumentError",
    "ArgumentTypeError",
    "BackendError",
    "KerasExtError",
    "ModelError",
    "RemainderError",
]
