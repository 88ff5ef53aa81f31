"""Typed protocols between the rooms: "a source of windows" and "a stateful layout".

A front end that makes windows (:func:`make_windows` gives a :class:`Windows`,
:func:`open_windows` a :class:`LazyWindows`) returns a :class:`WindowSource`; batch
loaders (``keras_ext.WindowDataset``, ``fit_stateful``) accept any of them through this
protocol, never by probing attributes. :func:`stateful_layout` returns a
:class:`StatefulLayout`. Both are ``runtime_checkable``, so ``isinstance(x, WindowSource)``
is the one test for "windows of any kind".
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd

__all__ = ["FrameSource", "StatefulLayout", "TargetScaler", "WindowSource"]


@runtime_checkable
class WindowSource(Protocol):
    """Windows that can be read a batch at a time: in memory or from files.

    Besides these methods, a source has the attributes ``timesteps``, ``horizon``, ``gap``,
    ``stride``, ``sampling_rate``, ``feature_names``, ``target_names``, ``n_rows``,
    ``notes``, ``index``, ``dropped``, ``input_shape``, ``output_units`` and ``starts``
    (each sample's first input row in window order, comparable within a group). Only the
    methods take part in ``isinstance`` (so the check never builds an index).

    Examples
    --------
    >>> import numpy as np, seqprep
    >>> w = seqprep.make_windows(np.arange(10.0), 3, targets=0)
    >>> isinstance(w, seqprep.WindowSource), isinstance(w.X, seqprep.WindowSource)
    (True, False)
    """

    def __len__(self) -> int: ...

    def take(self, indices: Any) -> tuple[np.ndarray, np.ndarray | None]:
        """The samples at ``indices`` as new arrays ``(X, y)``; ``y`` None without targets."""
        ...

    def subset(self, indices: Any, *, index: pd.DataFrame | None = None,
               note: str | None = None) -> WindowSource:
        """The samples at ``indices``, in that order, as windows of the same kind."""
        ...

    def derive(self, *, indices: Any = None, index: pd.DataFrame | None = None,
               note: str | None = None, as_type: Any = None, **extra: Any) -> WindowSource:
        """The one way to make new windows over the same rows (see ``Windows.derive``)."""
        ...

    def batch_input_shape(self, batch_size: int) -> tuple[int, int, int]: ...

    def report(self) -> str: ...


@runtime_checkable
class StatefulLayout(WindowSource, Protocol):
    """Windows laid out for a stateful RNN by :func:`stateful_layout`: also
    ``batch_size``, ``n_batches``, ``n_padded``, ``n_windows_dropped``, ``layout_dropped``,
    ``reset_mask`` (``(n_batches, batch_size)`` booleans), ``reset_slots`` and
    ``sample_weight``.

    Examples
    --------
    >>> import numpy as np, seqprep
    >>> w = seqprep.make_windows(np.arange(12.0), 2, stride=2)
    >>> lay = seqprep.stateful_layout(w, 2)
    >>> isinstance(lay, seqprep.StatefulLayout), isinstance(w, seqprep.StatefulLayout)
    (True, False)
    >>> lay.reset_mask.shape
    (3, 2)
    """

    batch_size: int
    n_batches: int
    reset_mask: np.ndarray


@runtime_checkable
class FrameSource(Protocol):
    """In-memory windows that know where each sample's rows came from (``Windows``):
    what ``to_frame`` reads."""

    spec: Any
    rows: Any  # a RowInfo: order, times, groups, segments, n_rows, freq
    scaled: bool | None
    target_names: tuple

    def __len__(self) -> int: ...

    @property
    def horizon(self) -> int: ...

    @property
    def gap(self) -> int: ...

    @property
    def span(self) -> int: ...

    @property
    def target_offset(self) -> int: ...

    @property
    def freq(self) -> str | None: ...

    @property
    def starts(self) -> np.ndarray: ...

    @property
    def has_targets(self) -> bool: ...

    @property
    def target_source(self) -> np.ndarray | None: ...


@runtime_checkable
class TargetScaler(Protocol):
    """What ``to_frame`` needs of a scaler: undo the scaling of target values."""

    def inverse_transform_targets(self, y: Any, *, groups: Any = None,
                                  targets: Any = None) -> np.ndarray: ...
