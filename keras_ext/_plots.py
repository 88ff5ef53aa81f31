"""``plot_history``: loss and metrics per epoch, training and validation together.

matplotlib is an optional dependency (``pip install 'seqprep[plot]'``), imported only
when a plot is drawn.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from ._errors import ArgumentError, ArgumentTypeError, MissingDependencyError
from ._states import show as _show

__all__ = ["plot_history"]


def _matplotlib() -> Any:
    try:
        import matplotlib
        import matplotlib.figure  # noqa: F401
    except ImportError as exc:
        raise MissingDependencyError(
            "plot_history needs the optional dependency `matplotlib`, which is not "
            "installed. Install it with: pip install 'seqprep[plot]'"
        ) from exc
    return matplotlib


def _series(history: Any) -> tuple[dict[str, list[float]], list[int] | None]:
    if isinstance(history, Mapping):
        data, epochs = history, None
    elif isinstance(getattr(history, "history", None), Mapping):
        data, epochs = history.history, getattr(history, "epoch", None)
    else:
        raise ArgumentTypeError(
            "`history` must be the History returned by `fit` (or `fit_stateful`), or a dict "
            f"of per-epoch lists like `history.history`. Received: history={_show(history)} "
            f"of type {type(history).__name__}."
        )
    out = {}
    for key, values in data.items():
        if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
            raise ArgumentTypeError(
                f"`history` must map each metric to a list of per-epoch values. Received: "
                f"{key!r} -> {_show(values)}."
            )
        out[str(key)] = [float(v) for v in values]
    return out, (list(epochs) if epochs is not None else None)


def plot_history(
    history: Any,
    *,
    metrics: Sequence[str] | None = None,
    path: str | os.PathLike | None = None,
    show: bool | None = None,
    figsize: tuple[float, float] | None = None,
    title: str | None = None,
    dpi: int = 100,
) -> Any:
    """Line plots of the loss and each metric per epoch, training and validation together.

    One panel per quantity, side by side (``loss`` first, then the metrics in
    alphabetical order); each panel draws the training values and, when there are any,
    the validation values (``val_<name>``) against the epoch number (1-based). When
    validation ran every k-th epoch (``validation_freq=k``) its points sit at epochs
    k, 2k, ...

    Parameters
    ----------
    history : keras.callbacks.History or dict of lists
        What ``fit`` or :func:`fit_stateful` returned, or its ``.history`` dict. Samples
        trimmed by ``fit_stateful`` are noted in the figure title.
    metrics : list of str, optional
        Which quantities to plot, by training name (``"loss"``, ``"mae"``...). Default:
        all of them.
    path : str or path-like, optional
        Save the figure there (PNG, or any format matplotlib knows from the suffix).
    show : bool, optional
        Show the figure on screen with ``matplotlib.pyplot.show()``. Default: show when
        no ``path`` is given.
    figsize : (float, float), optional
        Default: 4 inches wide per panel, 3.2 high.
    title : str, optional
        A title above the panels.
    dpi : int, default 100
        Resolution of the saved file.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    MissingDependencyError
        If matplotlib is not installed (an ``ImportError``; the message gives the
        ``pip install`` command).
    ArgumentError, ArgumentTypeError
        If ``history`` is empty or not a history, or ``metrics`` names a quantity that
        is not in it (the message lists those that are).

    Examples
    --------
    >>> import keras_ext
    >>> fig = keras_ext.plot_history({"loss": [0.9, 0.5, 0.4], "val_loss": [1.0, 0.7, 0.6],
    ...                               "mae": [0.8, 0.6, 0.5]}, show=False)
    >>> [ax.get_title() for ax in fig.axes]
    ['loss', 'mae']
    >>> [line.get_label() for line in fig.axes[0].get_lines()]
    ['training', 'validation']
    """
    mpl = _matplotlib()
    data, epochs = _series(history)
    names = sorted({k[4:] if k.startswith("val_") else k for k in data},
                   key=lambda k: (k != "loss", k))
    if not names or not any(data.values()):
        raise ArgumentError(
            "`history` must hold at least one epoch of values. Received: an empty history. "
            "Plot after `fit` has run at least one epoch."
        )
    if metrics is not None:
        if isinstance(metrics, str):
            metrics = [metrics]
        unknown = [m for m in metrics if m not in names]
        if unknown:
            raise ArgumentError(
                f"`metrics` must name quantities in the history. Received: {unknown!r}. "
                f"Available: {', '.join(names)}."
            )
        names = list(metrics)
    if show is None:
        show = path is None
    n_epochs = max(len(v) for v in data.values())
    if epochs is None or len(epochs) != n_epochs:
        epochs = list(range(n_epochs))
    x_all = [e + 1 for e in epochs]
    size = figsize or (4.0 * len(names), 3.2)
    if show:
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=size)
    else:
        fig = mpl.figure.Figure(figsize=size)
    axes = fig.subplots(1, len(names), squeeze=False)[0]
    for ax, name in zip(axes, names):
        for key, label, style in ((name, "training", "o-"), (f"val_{name}", "validation", "s--")):
            values = data.get(key)
            if not values:
                continue
            if len(values) == len(x_all):
                x = x_all
            elif n_epochs % len(values) == 0:  # validation_freq=k: epochs k, 2k, ...
                k = n_epochs // len(values)
                x = [x_all[(i + 1) * k - 1] for i in range(len(values))]
            else:
                x = x_all[-len(values):]
            ax.plot(x, values, style, label=label, markersize=3)
        ax.set_title(name)
        ax.set_xlabel("epoch")
        ax.grid(True, alpha=0.3)
        ax.legend()
    notes = []
    trimmed = getattr(history, "trimmed", None)
    if isinstance(trimmed, Mapping):
        for key, count in trimmed.items():
            if count:
                notes.append(f"{count} {key} samples trimmed")
    heading = "; ".join(([title] if title else []) + notes)
    if heading:
        fig.suptitle(heading)
    fig.tight_layout()
    if path is not None:
        fig.savefig(os.fspath(path), dpi=dpi)
    if show:
        import matplotlib.pyplot as plt

        plt.show()
    return fig
