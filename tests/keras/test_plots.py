"""plot_history: one panel per quantity, training and validation lines, PNG output,
the missing-matplotlib error."""

import builtins
from types import SimpleNamespace

import numpy as np
import pytest

import keras_ext
from keras_ext import plot_history

HIST = {"loss": [0.9, 0.5, 0.4, 0.3], "val_loss": [1.0, 0.7, 0.6, 0.5],
        "mae": [0.8, 0.6, 0.5, 0.45], "val_mae": [0.9, 0.7, 0.6, 0.5]}


def _lines(ax):
    return {line.get_label(): (list(line.get_xdata()), list(line.get_ydata())) for line in ax.get_lines()}


def test_panels_and_lines():
    fig = plot_history(HIST, show=False)
    assert [ax.get_title() for ax in fig.axes] == ["loss", "mae"]
    lines = _lines(fig.axes[0])
    assert lines["training"] == ([1, 2, 3, 4], HIST["loss"])
    assert lines["validation"] == ([1, 2, 3, 4], HIST["val_loss"])
    assert fig.axes[1].get_xlabel() == "epoch"


def test_history_object_epochs_and_trimmed_note():
    h = SimpleNamespace(history={"loss": [0.5, 0.4], "accuracy": [0.6, 0.7]}, epoch=[3, 4],
                        trimmed={"x": 1, "validation_data": 0})
    fig = plot_history(h, show=False, title="run 2")
    assert [ax.get_title() for ax in fig.axes] == ["loss", "accuracy"]
    assert _lines(fig.axes[0]) == {"training": ([4, 5], [0.5, 0.4])}
    assert fig._suptitle.get_text() == "run 2; 1 x samples trimmed"


def test_validation_every_k_epochs():
    fig = plot_history({"loss": [4.0, 3.0, 2.0, 1.0], "val_loss": [3.5, 1.5]}, show=False)
    assert _lines(fig.axes[0])["validation"][0] == [2, 4]


def test_png(tmp_path):
    path = tmp_path / "history.png"
    fig = plot_history(HIST, metrics=["loss"], path=path)
    assert len(fig.axes) == 1
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_from_a_real_fit():
    import keras

    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    m.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    x = np.ones((4, 2), "float32")
    h = m.fit(x, np.zeros((4, 1)), epochs=2, validation_data=(x, np.ones((4, 1))), verbose=0)
    fig = plot_history(h, show=False)
    assert [ax.get_title() for ax in fig.axes] == ["loss", "mae"]
    assert _lines(fig.axes[1])["validation"][1] == h.history["val_mae"]


@pytest.mark.parametrize(
    "history, kwargs, error, pattern",
    [
        (HIST, {"metrics": ["accuracy"]}, keras_ext.ArgumentError, r"^`metrics` must name quantities in the history. Received: \['accuracy'\]. Available: loss, mae"),
        ({}, {}, keras_ext.ArgumentError, r"^`history` must hold at least one epoch"),
        ({"loss": []}, {}, keras_ext.ArgumentError, r"^`history` must hold at least one epoch"),
        ([0.5, 0.4], {}, keras_ext.ArgumentTypeError, r"^`history` must be the History returned by `fit`"),
        ({"loss": 0.5}, {}, keras_ext.ArgumentTypeError, r"^`history` must map each metric to a list"),
    ],
)
def test_checks(history, kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        plot_history(history, show=False, **kwargs)


def test_missing_matplotlib(monkeypatch):
    real = builtins.__import__

    def fake(name, *args, **kwargs):
        if name == "matplotlib" or name.startswith("matplotlib."):
            raise ImportError("No module named 'matplotlib'")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake)
    with pytest.raises(keras_ext.MissingDependencyError, match=r"^plot_history needs the optional dependency `matplotlib`") as info:
        plot_history(HIST, show=False)
    assert isinstance(info.value, ImportError) and isinstance(info.value, keras_ext.KerasExtError)
    assert "pip install 'seqprep[plot]'" in str(info.value)


def test_draws_into_given_axes_and_leaves_the_rest_of_the_figure():
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 3))
    other, left, right = fig.subplots(1, 3)
    other.plot([0, 1], [1, 0], label="mine")
    out = plot_history(HIST, ax=[left, right])
    assert out is fig and len(fig.axes) == 3  # no new axes, no new figure
    assert [left.get_title(), right.get_title()] == ["loss", "mae"]
    assert _lines(right)["validation"] == ([1, 2, 3, 4], HIST["val_mae"])
    assert _lines(other) == {"mine": ([0, 1], [1, 0])}


def test_one_axes_for_one_quantity_saved_with_its_figure(tmp_path):
    from matplotlib.figure import Figure

    fig = Figure()
    ax = fig.subplots()
    path = tmp_path / "loss.png"
    assert plot_history(HIST, metrics="loss", ax=ax, path=path) is fig
    assert _lines(ax)["training"] == ([1, 2, 3, 4], HIST["loss"])
    assert path.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("n_axes", [1, 3])
def test_axes_must_match_the_quantities(n_axes):
    from matplotlib.figure import Figure

    axes = Figure().subplots(1, n_axes, squeeze=False)[0]
    with pytest.raises(keras_ext.ArgumentError,
                       match=r"^`ax` must be one matplotlib Axes per quantity plotted \(2 here\)"):
        plot_history(HIST, ax=axes if n_axes > 1 else axes[0])
    with pytest.raises(keras_ext.ArgumentError, match=r"^`ax` must be one matplotlib Axes"):
        plot_history(HIST, metrics=["loss"], ax="not axes")
