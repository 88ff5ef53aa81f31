"""make_windows against keras.utils.timeseries_dataset_from_array on the same data.

Keras pairs the window that starts at row ``i`` with ``targets[i]``. For the row ``gap``
rows after a window's last input row (next-step forecasting with ``gap=0``), the targets
must therefore be passed shifted: ``targets=data[span + gap:]`` with
``span = (timesteps - 1) * sampling_rate + 1``.
"""

import keras
import numpy as np
import pytest

import seqprep

pytestmark = pytest.mark.keras


def keras_windows(data, targets, timesteps, stride, sampling_rate):
    ds = keras.utils.timeseries_dataset_from_array(
        data, targets, sequence_length=timesteps, sequence_stride=stride,
        sampling_rate=sampling_rate, batch_size=1024, shuffle=False)
    xs, ys = [], []
    for batch in ds:
        x, y = batch if targets is not None else (batch, None)
        xs.append(np.asarray(x))
        if y is not None:
            ys.append(np.asarray(y))
    return np.concatenate(xs), (np.concatenate(ys) if ys else None)


@pytest.mark.parametrize("timesteps, stride, sampling_rate, gap", [
    (1, 1, 1, 0), (3, 1, 1, 0), (5, 2, 1, 0), (4, 3, 2, 0), (7, 1, 3, 0), (3, 4, 2, 2),
    (10, 5, 1, 1),
])
def test_next_step_windows_and_targets_agree_with_keras(timesteps, stride, sampling_rate, gap):
    rng = np.random.default_rng(timesteps * 100 + stride * 10 + sampling_rate)
    data = rng.normal(size=(57, 3)).astype(np.float32)
    span = (timesteps - 1) * sampling_rate + 1
    X_k, y_k = keras_windows(data, data[span + gap :, 1], timesteps, stride, sampling_rate)
    w = seqprep.make_windows(data, timesteps, gap=gap, stride=stride,
                             sampling_rate=sampling_rate, targets=1)
    assert w.X.shape == X_k.shape
    np.testing.assert_array_equal(w.X, X_k)
    np.testing.assert_array_equal(w.y[:, 0], y_k)
    np.testing.assert_array_equal(np.asarray(
        seqprep.make_windows(data, timesteps, gap=gap, stride=stride, sampling_rate=sampling_rate,
                             targets=1, copy=False).X), X_k)


@pytest.mark.parametrize("timesteps, stride, sampling_rate", [(4, 1, 1), (3, 2, 3), (6, 4, 1)])
def test_windows_without_targets_agree_with_keras(timesteps, stride, sampling_rate):
    data = np.arange(80, dtype=np.float32).reshape(40, 2)
    X_k, _ = keras_windows(data, None, timesteps, stride, sampling_rate)
    w = seqprep.make_windows(data, timesteps, stride=stride, sampling_rate=sampling_rate)
    np.testing.assert_array_equal(w.X, X_k)


def test_the_documented_keras_alignment():
    # keras3-stateful-facts: data=arange(10), targets=arange(100, 110), sequence_length=3
    data = np.arange(10)
    X_k, y_k = keras_windows(data, np.arange(100, 110)[3:], 3, 1, 1)
    w = seqprep.make_windows(data, 3, targets=0, dtype=np.int64)
    np.testing.assert_array_equal(w.X[:, :, 0], X_k)
    np.testing.assert_array_equal(w.y[:, 0] + 100, y_k)  # y 103..109 for windows [0,1,2]..


def test_y_fits_a_dense_head_without_reshaping():
    data = np.random.default_rng(0).normal(size=(64, 2)).astype(np.float32)
    w = seqprep.make_windows(data, 8, horizon=3, targets=[0, 1])
    model = keras.Sequential([
        keras.Input(shape=w.input_shape),
        keras.layers.LSTM(4),
        keras.layers.Dense(w.output_units),
    ])
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(w.X, w.y, epochs=1, batch_size=16, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    assert model.predict(w.X[:4], verbose=0).shape == (4, 6) == (4, w.output_units)
