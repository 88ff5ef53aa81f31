"""``plot_history``: loss and metrics per epoch, training and validation together.

matplotlib is an optional dependency (``pip install 'seqprep[plot]'``), imported only
when a plot is drawn.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ._errors import ArgumentError, ArgumentTypeError, MissingDependencyError
from ._args import show as _show

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


def _quantities(data: dict[str, list[float]], metrics: Sequence[str] | None) -> list[str]:
    """The panels to draw: ``loss`` first, then the metrics alphabetically (or ``metrics``)."""
    names = sorted({k[4:] if k.startswith("val_") else k for k in data},
                   key=lambda k: (k != "loss", k))
    if not names or not any(data.values()):
        raise ArgumentError(
            "`history` must hold at least one epoch of values. Received: an empty history. "
            "Plot after `fit` has run at least one epoch."
        )
    if metrics is None:
        return names
    if isinstance(metrics, str):
        metrics = [metrics]
    unknown = [m for m in metrics if m not in names]
    if unknown:
        raise ArgumentError(
            f"`metrics` must name quantities in the history. Received: {unknown!r}. "
            f"Available: {', '.join(names)}."
        )
    return list(metrics)


def _given_axes(ax: Any, n: int) -> list[Any]:
    """The Axes passed as ``ax=``: one per quantity plotted."""
    axes = [ax] if hasattr(ax, "plot") else list(np.ravel(np.asarray(ax, dtype=object)))
    if len(axes) != n or not all(hasattr(a, "plot") and hasattr(a, "figure") for a in axes):
        raise ArgumentError(
            f"`ax` must be one matplotlib Axes per quantity plotted ({n} here). Received: "
            f"{_show(ax)}. Pass `metrics=` to plot fewer quantities, or e.g. "
            f"`fig.subplots(1, {n})`."
        )
    return axes


def _draw(ax: Any, name: str, data: dict[str, list[float]], x_all: list[int]) -> None:
    n_epochs = len(x_all)
    for key, label, style in ((name, "training", "o-"), (f"val_{name}", "validation", "s--")):
        values = data.get(key)
        if not values:
            continue
        if len(values) == n_epochs:
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


def _figure(ax: Any, n: int, figsize: tuple[float, float] | None, show: bool) -> tuple[Any, list]:
    """The figure and its ``n`` panels: those of ``ax``, or a new figure's."""
    mpl = _matplotlib()
    if ax is not None:
        axes = _given_axes(ax, n)
        return axes[0].figure, axes
    size = figsize or (4.0 * n, 3.2)
    if show:
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=size)
    else:
        fig = mpl.figure.Figure(figsize=size)
    return fig, list(fig.subplots(1, n, squeeze=False)[0])


def _heading(history: Any, title: str | None) -> str:
    notes = []
    trimmed = getattr(history, "trimmed", None)
    if isinstance(trimmed, Mapping):
        notes = [f"{count} {key} samples trimmed" for key, count in trimmed.items() if count]
    return "; ".join(([title] if title else []) + notes)


def _finish(fig: Any, heading: str, layout: bool, path: Any, dpi: int, show: bool) -> None:
    if heading:
        fig.suptitle(heading)
    if layout:
        fig.tight_layout()
    if path is not None:
        fig.savefig(os.fspath(path), dpi=dpi)
    if show:
        import matplotlib.pyplot as plt

        plt.show()


def plot_history(
    history: Any,
    *,
    metrics: Sequence[str] | None = None,
    ax: Any = None,
    path: str | os.PathLike | None = None,
    show: bool | None = None,
    figsize: tuple[float, float] | None = None,
    title: str | None = None,
    dpi: int = 100,
) -> Any:
    """Line plots of the loss and each metric per epoch, training and validation together.

    One panel per quantity (``loss`` first, then the metrics alphabetically), each with
    the training values and any validation values (``val_<name>``) against the epoch
    (1-based); with ``validation_freq=k`` the validation points sit at epochs k, 2k, ...

    Parameters
    ----------
    history : keras.callbacks.History or dict of lists
        What ``fit`` or :func:`fit_stateful` returned, or its ``.history`` dict. Samples
        trimmed by ``fit_stateful`` are noted in the figure title.
    metrics : list of str, optional
        Quantities to plot, by training name (``"loss"``, ``"mae"``...). Default: all.
    ax : matplotlib Axes or sequence of Axes, optional
        Draw into these (one per quantity, in order) instead of a new figure; that
        figure's layout is left alone and it is not shown unless ``show=True``.
    path : str or path-like, optional
        Save the figure there (PNG, or any format matplotlib knows from the suffix).
    show : bool, optional
        Show the figure on screen with ``matplotlib.pyplot.show()``. Default: show when
        neither ``path`` nor ``ax`` is given.
    figsize : (float, float), optional
        Default: 4 inches wide per panel, 3.2 high. Ignored with ``ax``.
    title : str, optional
        The figure's suptitle.
    dpi : int, default 100
        Resolution of the saved file.

    Returns
    -------
    matplotlib.figure.Figure
        The new figure, or the one ``ax`` belongs to.

    Raises
    ------
    MissingDependencyError
        If matplotlib is not installed (the message gives the ``pip install`` command).
    ArgumentError, ArgumentTypeError
        If ``history`` is empty or not a history, ``metrics`` names a quantity not in
        it, or ``ax`` does not hold one Axes per quantity.

    Examples
    --------
    >>> import keras_ext
    >>> from matplotlib.figure import Figure
    >>> hist = {"loss": [0.9, 0.5, 0.4], "val_loss": [1.0, 0.7, 0.6], "mae": [0.8, 0.6, 0.5]}
    >>> fig = keras_ext.plot_history(hist, show=False)
    >>> [ax.get_title() for ax in fig.axes], [li.get_label() for li in fig.axes[0].lines]
    (['loss', 'mae'], ['training', 'validation'])

    Into an existing figure, next to other panels:

    >>> fig = Figure(figsize=(8, 3))
    >>> left, right = fig.subplots(1, 2)
    >>> keras_ext.plot_history(hist, metrics=["loss"], ax=right) is fig, right.get_title()
    (True, 'loss')
    """
    data, epochs = _series(history)
    names = _quantities(data, metrics)
    show = path is None and ax is None if show is None else show
    n_epochs = max(len(v) for v in data.values())
    x = [e + 1 for e in (epochs if epochs and len(epochs) == n_epochs else range(n_epochs))]
    fig, axes = _figure(ax, len(names), figsize, show)
    for panel, name in zip(axes, names):
        _draw(panel, name, data, x)
    _finish(fig, _heading(history, title), ax is None, path, dpi, show)
    return fig
