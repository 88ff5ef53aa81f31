"""What ``fit_stateful``, ``predict`` and ``evaluate`` accept, and how they read it.

Data reaches keras_ext in five shapes: numpy arrays (or a list/dict of them), a
``seqprep.Windows`` (in memory), windows read from disk (``open_windows``; anything that
follows ``seqprep.WindowSource``), a ``seqprep.stateful_layout`` of either, and a
``keras.utils.PyDataset`` (``WindowDataset`` among them) or a ``tf.data.Dataset``. The
predicates and readers here are the one place that tells them apart.

:class:`Batches` serves any of them (except ``tf.data``) as whole batches of one size,
the last one padded by repeating its last row, which is what a model with a static
batch size (every stateful model) needs to predict all of its inputs.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np

import seqprep

from ._args import plural, show
from ._errors import ArgumentError, ArgumentTypeError
from ._states import check_input_shape

__all__ = [
    "Batches",
    "as_arrays",
    "check_x",
    "head",
    "is_layout",
    "is_pydataset",
    "is_tf_dataset",
    "is_windows",
    "layout_for",
    "n_samples",
    "take_batch",
    "windows_behind",
    "windows_x",
]


def is_pydataset(x: Any) -> bool:
    """Whether ``x`` is a ``keras.utils.PyDataset`` (``WindowDataset`` included)."""
    return isinstance(x, keras.utils.PyDataset)


def is_tf_dataset(x: Any) -> bool:
    """Whether ``x`` is a ``tf.data.Dataset`` (checked without importing TensorFlow)."""
    return type(x).__module__.startswith("tensorflow") and hasattr(x, "element_spec")


def is_windows(x: Any) -> bool:
    """Whether ``x`` is a windows object: a ``seqprep.Windows``, windows read from disk, or
    anything else that follows ``seqprep.WindowSource`` (checked on methods only, so no
    lazy index is built)."""
    return isinstance(x, seqprep.WindowSource)


def is_layout(x: Any) -> bool:
    """Whether ``x`` came from ``seqprep.stateful_layout`` (``seqprep.StatefulLayout``)."""
    return isinstance(x, seqprep.StatefulLayout)


def windows_behind(x: Any) -> Any:
    """The windows object behind ``x``: ``x`` itself, or a ``WindowDataset``'s windows; else None."""
    if is_windows(x):
        return x
    inner = getattr(x, "windows", None) if is_pydataset(x) else None
    return inner if inner is not None and is_windows(inner) else None


def take_batch(windows: Any, indices: Any) -> tuple[Any, Any]:
    """The samples at ``indices`` as ``(x, y)`` for a model: ``x`` is the dict of
    ``Windows.inputs`` for windows with covariates (static, known-future), else ``X``."""
    take_inputs = getattr(windows, "take_inputs", None)  # windows from disk have none
    return take_inputs(indices) if take_inputs is not None else windows.take(indices)


def windows_x(windows: Any) -> Any:
    """All the model inputs of in-memory windows: ``Windows.inputs`` with covariates, else ``X``."""
    return windows.inputs if getattr(windows, "covariates", None) is not None else windows.X


def layout_for(name: str, data: Any, batch_size: int) -> Any:
    """The ``seqprep.stateful_layout`` behind ``data`` (itself or a WindowDataset over it), or None.

    Refused if laid out for another batch size than the model's, since its slots would
    not line up.
    """
    layout = windows_behind(data)
    if layout is None or not is_layout(layout):
        return None
    if int(layout.batch_size) != batch_size:
        raise ArgumentError(
            f"`{name}` must be laid out for the model's batch size {batch_size}. Received: a "
            f"stateful layout of {layout.batch_size} slots, whose slots would not line up with "
            f"the model's. Lay it out again with "
            f"`seqprep.stateful_layout(windows, {batch_size})`."
        )
    return layout


def as_arrays(name: str, value: Any) -> Any:
    """Arrays (or a list/tuple/dict of arrays) with a leading sample axis; refuse the rest."""
    if value is None:
        return None
    if hasattr(value, "shape") and hasattr(value, "__getitem__"):
        if not hasattr(value, "dtype") or isinstance(value, seqprep.WindowArray):
            return np.asarray(value)
        return value
    if isinstance(value, dict):
        return {k: as_arrays(f"{name}[{k!r}]", v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        if all(hasattr(v, "shape") for v in value):
            return type(value)(as_arrays(f"{name}[{i}]", v) for i, v in enumerate(value))
        return np.asarray(value)
    raise ArgumentTypeError(
        f"`{name}` must be a numpy array (or a list or dict of arrays), a seqprep.Windows, "
        f"a keras.utils.PyDataset or a batched tf.data.Dataset. Received: {name}="
        f"{show(value)} of type {type(value).__name__}. Generators cannot be checked for "
        "whole batches; wrap the data in a keras.utils.PyDataset."
    )


def n_samples(name: str, value: Any) -> int:
    """The common length of the first axis of every array in ``value``, or raise."""
    leaves = keras.tree.flatten(value)
    counts = {int(leaf.shape[0]) if len(leaf.shape) else -1 for leaf in leaves}
    if len(counts) != 1 or -1 in counts:
        raise ArgumentError(
            f"`{name}` must hold arrays with the same number of samples along the first "
            f"axis. Received: shapes {[tuple(leaf.shape) for leaf in leaves]}."
        )
    return counts.pop()


def head(value: Any, n: int) -> Any:
    """The first ``n`` samples of every array in ``value``."""
    return keras.tree.map_structure(lambda a: a[:n], value)


def check_x(model: Any, x: Any) -> None:
    """Refuse array ``x`` whose per-sample shape the model's input rejects (before any work)."""
    if is_windows(x) or is_pydataset(x) or is_tf_dataset(x):
        return
    check_input_shape("x", as_arrays("x", x), model)


def _pad(value: Any, size: int) -> Any:
    """Every array of ``value`` grown to ``size`` rows by repeating its last row."""
    def grow(a: Any) -> np.ndarray:
        a = np.asarray(a)
        missing = size - a.shape[0]
        return a if missing <= 0 else np.concatenate([a, np.repeat(a[-1:], missing, axis=0)])

    return None if value is None else keras.tree.map_structure(grow, value)


def _split_item(item: Any) -> tuple[Any, Any, Any]:
    """``(x, y, sample_weight)`` of one PyDataset batch (``x``, ``(x, y)`` or ``(x, y, w)``)."""
    if isinstance(item, tuple) and len(item) in (2, 3):
        return item[0], item[1], (item[2] if len(item) == 3 else None)
    return item, None, None


class Batches:
    """Any accepted data as batches of ``batch_size`` rows; the last padded when ``pad``.

    Parameters
    ----------
    name : str
        The argument's name, for messages.
    x : arrays, windows object or keras.utils.PyDataset
    y, sample_weight : arrays, optional
        Only with array ``x``.
    batch_size : int
    pad : bool
        Grow the last batch to ``batch_size`` rows by repeating its last row.

    Attributes
    ----------
    kind : {"arrays", "windows", "dataset"}
        What ``x`` is.
    n : int
        Real samples (rows before padding).
    n_batches, n_padded : int
    """

    def __init__(self, name: str, x: Any, y: Any = None, sample_weight: Any = None, *,
                 batch_size: int, pad: bool = True) -> None:
        self.name, self.batch_size, self.pad = name, int(batch_size), bool(pad)
        self._y, self._sw = y, sample_weight
        if is_pydataset(x):
            self.kind, self._data = "dataset", x
            self._check_dataset(x)
        elif is_windows(x):
            self.kind, self._data, self.n = "windows", x, len(x)
            # a stateful layout's padding samples weigh nothing
            self._sw = (np.asarray(x.sample_weight, dtype=np.float32)
                        if is_layout(x) and bool(getattr(x, "n_padded", 0)) else None)
        else:
            self.kind, self._data = "arrays", as_arrays(name, x)
            self.n = n_samples(name, self._data)
        if self.kind != "arrays" and (y is not None or sample_weight is not None):
            raise ArgumentError(
                f"`y` and `sample_weight` must be None when `{name}` is a "
                f"{type(x).__name__}, which brings its own targets. Received: y={show(y)}, "
                f"sample_weight={show(sample_weight)}."
            )
        if self.n == 0:
            raise ArgumentError(f"`{name}` must hold at least one sample. Received: 0 samples.")
        for other, value in (("y", y), ("sample_weight", sample_weight)):
            if value is not None and n_samples(other, as_arrays(other, value)) != self.n:
                raise ArgumentError(
                    f"`{other}` must have one row per sample of `{name}`. Received: "
                    f"{n_samples(other, as_arrays(other, value))} rows for "
                    f"{plural(self.n, 'sample')}."
                )
        self.n_batches = -(-self.n // self.batch_size)
        self.n_padded = self.n_batches * self.batch_size - self.n if pad else 0

    def _check_dataset(self, ds: Any) -> None:
        count = ds.num_batches
        if count is None:
            raise ArgumentError(
                f"`{self.name}` must be a finite PyDataset (with `__len__`) to be read batch by "
                f"batch. Received: a {type(ds).__name__} of unknown length."
            )
        if getattr(ds, "shuffle", False) is True:
            raise ArgumentError(
                f"`{self.name}` must serve its samples in a fixed order, so that each output "
                f"row belongs to a known input. Received: a {type(ds).__name__} with "
                "shuffle=True. Make it with shuffle=False."
            )
        sizes = [_rows(_split_item(ds[i])[0]) for i in sorted({0, count - 1})]
        if sizes[0] != self.batch_size or sizes[-1] > self.batch_size:
            raise ArgumentError(
                f"`{self.name}` must yield batches of batch_size={self.batch_size}, the "
                f"model's batch size. Received: a {type(ds).__name__} whose first batch has "
                f"{plural(sizes[0], 'row')}. Make it with batch_size={self.batch_size}."
            )
        self.n = (count - 1) * self.batch_size + sizes[-1]

    def get(self, k: int) -> tuple[Any, Any, Any]:
        """Batch ``k``: ``(x, y, sample_weight)`` (``y``/``sample_weight`` may be None)."""
        lo = k * self.batch_size
        hi = min(lo + self.batch_size, self.n)
        if self.kind == "dataset":
            x, y, sw = _split_item(self._data[k])
        elif self.kind == "windows":
            x, y = take_batch(self._data, np.arange(lo, hi))
            sw = None if self._sw is None else self._sw[lo:hi]
        else:
            x = keras.tree.map_structure(lambda a: np.asarray(a[lo:hi]), self._data)
            y = None if self._y is None else keras.tree.map_structure(
                lambda a: np.asarray(a[lo:hi]), self._y)
            sw = None if self._sw is None else np.asarray(self._sw[lo:hi])
        if self.pad:
            x, y, sw = (_pad(v, self.batch_size) for v in (x, y, sw))
        return x, y, sw

    def targets(self) -> tuple[Any, Any]:
        """``(y, sample_weight)`` of the real samples, whole (None where there are none)."""
        if self.kind == "arrays":
            return self._y, self._sw
        if self.kind == "windows":
            return self._data.y, self._sw
        ys: list[Any] = []
        ws: list[np.ndarray] = []
        for k in range(self.n_batches):
            _, y, sw = _split_item(self._data[k])
            ys.append(y)
            if sw is not None:
                ws.append(np.asarray(sw))
        y = None if ys[0] is None else keras.tree.map_structure(
            lambda *parts: np.concatenate(parts), *ys)
        return y, (np.concatenate(ws) if len(ws) == self.n_batches else None)


def _rows(x: Any) -> int:
    return int(np.shape(keras.tree.flatten(x)[0])[0])
