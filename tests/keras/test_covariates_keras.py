"""Windows with static and known-future covariates feed a multi-input Keras model built from
seqprep's shapes alone: model.fit on Windows.inputs, WindowDataset, to_tf_dataset,
fit_stateful and keras_ext.predict all pass the dict of named inputs (issue 14)."""

import keras
import numpy as np
import pandas as pd
import pytest

import keras_ext
import seqprep


@pytest.fixture(scope="module")
def w():
    """Two stores of 40 rows: a static size, a known-future promo flag, horizon 2."""
    parts = []
    for store, size in ((0, 1.0), (1, 2.0)):
        t = np.arange(40)
        parts.append(pd.DataFrame({"store": store, "t": t, "load": np.sin(t / 3.0) * size,
                                   "size": size, "promo": (t % 5 == 0).astype(float)}))
    df = pd.concat(parts, ignore_index=True)
    return seqprep.make_windows(df, 4, targets="load", group="store", time="t",
                                static=["size"], known_future=["promo"], horizon=2, copy=False)


def build(shapes, units, batch_size=None, stateful=False):
    """LSTM over the past, Dense over static, the known future flattened, one head."""
    def inp(name):
        if batch_size is None:
            return keras.Input(shape=shapes[name], name=name)
        return keras.Input(batch_shape=(batch_size, *shapes[name]), name=name)

    past, static, future = inp("past"), inp("static"), inp("future")
    h = keras.layers.LSTM(3, stateful=stateful, seed=0)(past)
    s = keras.layers.Dense(2)(static)
    f = keras.layers.Flatten()(future)
    out = keras.layers.Dense(units)(keras.layers.Concatenate()([h, s, f]))
    model = keras.Model([past, static, future], out)
    model.compile(loss="mse", optimizer=keras.optimizers.SGD(0.01))
    return model


def test_model_built_from_input_shapes_fits_the_inputs_dict(w):
    keras.utils.set_random_seed(0)
    model = build(w.input_shapes, w.output_units)
    assert [tuple(i.shape[1:]) for i in model.inputs] == [(4, 1), (1,), (2, 1)]
    before = model.predict(w.inputs, verbose=0)
    model.fit(w.inputs, w.y, epochs=1, batch_size=16, verbose=0)
    assert before.shape == (len(w), 2)
    # the static input really reaches the model: changing it changes the prediction
    other = dict(w.inputs, static=w.inputs["static"] + 5.0)
    assert not np.allclose(model.predict(other, verbose=0), model.predict(w.inputs, verbose=0))


def test_window_dataset_batches_are_the_named_inputs(w):
    ds = keras_ext.WindowDataset(w, 16, shuffle=True, seed=3)
    idx = ds.indices(1)
    x, y = ds[1]
    assert set(x) == {"past", "static", "future"}
    for k in x:
        np.testing.assert_array_equal(x[k], w.inputs[k][idx])
    np.testing.assert_array_equal(y, w.y[idx])
    keras.utils.set_random_seed(0)
    model = build(w.input_shapes, w.output_units)
    assert np.isfinite(model.fit(ds, epochs=1, verbose=0).history["loss"][0])


def test_to_tf_dataset_yields_dicts_with_static_shapes(w):
    assert len(w) % 7 == 0
    ds = keras_ext.to_tf_dataset(w, 7, drop_remainder=True)
    x_spec, y_spec = ds.element_spec
    assert {k: tuple(s.shape) for k, s in x_spec.items()} == {
        "past": (7, 4, 1), "static": (7, 1), "future": (7, 2, 1)}
    assert tuple(y_spec.shape) == (7, 2)
    x, y = next(iter(ds))
    for k in x_spec:
        np.testing.assert_array_equal(x[k].numpy(), w.inputs[k][:7])
    np.testing.assert_array_equal(y.numpy(), w.y[:7])
    keras.utils.set_random_seed(0)
    model = build(w.input_shapes, w.output_units)
    assert np.isfinite(model.fit(ds, epochs=1, shuffle=False, verbose=0).history["loss"][0])


def test_to_tf_dataset_with_weights_keeps_the_third_element(w):
    weights = np.arange(len(w), dtype=np.float32)
    ds = keras_ext.to_tf_dataset(w, 8, sample_weight=weights, prefetch=False)
    x, _, sw = next(iter(ds))
    assert set(x) == {"past", "static", "future"}
    np.testing.assert_array_equal(sw.numpy(), weights[:8])


def test_fit_stateful_feeds_the_layouts_inputs_in_order(w):
    """fit_stateful on a layout with covariates reaches the weights of a hand-written loop
    over the layout's own inputs dict (reset after every batch, as reset_every=1 does)."""
    lay = seqprep.stateful_layout(w, 4, overlap="split")
    keras.utils.set_random_seed(0)
    model = build(lay.input_shapes, lay.output_units, batch_size=4, stateful=True)
    twin = build(lay.input_shapes, lay.output_units, batch_size=4, stateful=True)
    twin.set_weights(model.get_weights())
    history = keras_ext.fit_stateful(model, lay, epochs=1, reset_every=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    inputs, weights = lay.inputs, lay.sample_weight
    for k in range(lay.n_batches):
        sl = slice(4 * k, 4 * (k + 1))
        twin.train_on_batch({n: a[sl] for n, a in inputs.items()}, lay.y[sl],
                            sample_weight=weights[sl])
        keras_ext.reset_states(twin)
    for a, b in zip(model.get_weights(), twin.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_predict_reads_the_inputs_dict_of_a_layout(w):
    """keras_ext.predict on the layout equals predict on its inputs dict as arrays, with
    the same slot resets (the arrays path is the oracle for what the windows feed)."""
    lay = seqprep.stateful_layout(w, 4, overlap="split")
    keras.utils.set_random_seed(0)
    model = build(lay.input_shapes, lay.output_units, batch_size=4, stateful=True)
    got = keras_ext.predict(model, lay)
    want = keras_ext.predict(model, lay.inputs, reset_slots=lay.reset_slots)
    assert got.shape == want.shape == (len(lay), 2)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
