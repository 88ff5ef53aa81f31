"""predict_classes / predict_proba against a numpy oracle (Dense layers with known
weights), sequence outputs, and a stateful model with a partial last batch."""

import math

import keras
import numpy as np
import pytest
import seqprep

import keras_ext
from keras_ext import predict_classes, predict_proba

RNG = np.random.default_rng(0)
X2 = RNG.normal(size=(23, 4)).astype("float32")          # (n, features)
X3 = RNG.normal(size=(7, 5, 4)).astype("float32")         # (n, timesteps, features)


def _dense(units, activation, seq=False, wrap=False):
    keras.utils.set_random_seed(units)
    inp = keras.Input((5, 4) if seq else (4,))
    dense = keras.layers.Dense(units, activation=activation, bias_initializer="glorot_uniform")
    out = keras.layers.TimeDistributed(dense)(inp) if wrap else dense(inp)
    model = keras.Model(inp, out)
    w, b = dense.get_weights()
    return model, w, b


def _sig(z):
    return 1 / (1 + np.exp(-z))


def _soft(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def test_sigmoid_one_unit():
    model, w, b = _dense(1, "sigmoid")
    p = _sig(X2 @ w + b)
    np.testing.assert_allclose(predict_proba(model, X2), p, rtol=1e-5)
    got = predict_classes(model, X2)
    assert got.shape == (23,) and got.dtype == np.int64
    np.testing.assert_array_equal(got, (p[:, 0] > 0.5).astype(int))
    assert 0 < got.sum() < 23  # both classes occur: the test can tell them apart
    np.testing.assert_array_equal(predict_classes(model, X2, threshold=0.8), (p[:, 0] > 0.8).astype(int))


def test_sigmoid_several_units_is_multilabel():
    model, w, b = _dense(3, "sigmoid")
    got = predict_classes(model, X2, threshold=0.4)
    np.testing.assert_array_equal(got, (_sig(X2 @ w + b) > 0.4).astype(int))
    assert got.shape == (23, 3)


def test_softmax_argmax():
    model, w, b = _dense(3, "softmax")
    z = X2 @ w + b
    np.testing.assert_allclose(predict_proba(model, X2), _soft(z), rtol=1e-5, atol=1e-6)
    got = predict_classes(model, X2)
    np.testing.assert_array_equal(got, z.argmax(-1))
    assert len(np.unique(got)) > 1


def test_linear_logits_one_unit_thresholds_at_zero():
    model, w, b = _dense(1, None)
    z = (X2 @ w + b)[:, 0]
    np.testing.assert_array_equal(predict_classes(model, X2), (z > 0).astype(int))
    np.testing.assert_allclose(predict_proba(model, X2)[:, 0], _sig(z), rtol=1e-5)
    t = 0.7
    np.testing.assert_array_equal(predict_classes(model, X2, threshold=t),
                                  (z > math.log(t / (1 - t))).astype(int))
    assert predict_classes(model, X2, threshold=t).sum() < predict_classes(model, X2).sum()


def test_linear_logits_several_units():
    model, w, b = _dense(4, "linear")
    z = X2 @ w + b
    np.testing.assert_array_equal(predict_classes(model, X2), z.argmax(-1))
    proba = predict_proba(model, X2)
    np.testing.assert_allclose(proba, _soft(z), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(proba.sum(-1), 1, rtol=1e-6)


def test_sequence_outputs_give_a_class_per_timestep():
    model, w, b = _dense(3, "softmax", seq=True)
    got = predict_classes(model, X3)
    assert got.shape == (7, 5)
    np.testing.assert_array_equal(got, (X3 @ w + b).argmax(-1))
    model, w, b = _dense(1, "sigmoid", seq=True, wrap=True)  # through TimeDistributed
    got = predict_classes(model, X3)
    assert got.shape == (7, 5)
    np.testing.assert_array_equal(got, (_sig(X3 @ w + b)[..., 0] > 0.5).astype(int))


def test_activation_read_through_reshape_and_nested_models():
    model, w, b = _dense(1, "sigmoid")
    outer_in = keras.Input((4,))
    outer = keras.Model(outer_in, keras.layers.Reshape((1,))(model(outer_in)))
    assert keras_ext.output_activations(outer)[0][0] == "sigmoid"
    np.testing.assert_array_equal(predict_classes(outer, X2), (_sig(X2 @ w + b)[:, 0] > 0.5).astype(int))


def test_several_outputs_give_a_list():
    inp = keras.Input((4,))
    a = keras.layers.Dense(1, activation="sigmoid")(inp)
    c = keras.layers.Dense(3, activation="softmax")(inp)
    model = keras.Model(inp, [a, c])
    got = predict_classes(model, X2)
    pa, pc = model.predict(X2, verbose=0)
    assert isinstance(got, list) and len(got) == 2
    np.testing.assert_array_equal(got[0], (pa[:, 0] > 0.5).astype(int))
    np.testing.assert_array_equal(got[1], pc.argmax(-1))


def test_unusable_activations_refused_unless_told():
    model, w, b = _dense(1, "tanh")
    with pytest.raises(keras_ext.ModelError, match=r"^`model` must end in a sigmoid, softmax or linear \(logits\) output for predict_classes. Received: an output made by Dense .* with activation 'tanh'"):
        predict_classes(model, X2)
    np.testing.assert_array_equal(predict_classes(model, X2, activation="linear"),
                                  (np.tanh(X2 @ w + b)[:, 0] > 0).astype(int))
    inp = keras.Input((4,))
    custom = keras.Model(inp, keras.layers.Lambda(lambda t: t[:, :2] * 2.0)(inp))
    with pytest.raises(keras_ext.ModelError, match=r"^`model` must end in .*whose activation cannot be read. Pass activation="):
        predict_proba(custom, X2)
    np.testing.assert_array_equal(predict_classes(custom, X2, activation="softmax"), X2[:, :2].argmax(-1))
    one, _, _ = _dense(1, "softmax")
    with pytest.raises(keras_ext.ModelError, match=r"^`model` must not end in a softmax over one unit"):
        predict_classes(one, X2)


@pytest.mark.parametrize(
    "kwargs, error, pattern",
    [
        ({"threshold": 0}, keras_ext.ArgumentError, r"^`threshold` must be a probability strictly between 0 and 1. Received: threshold=0.0"),
        ({"threshold": 1.0}, keras_ext.ArgumentError, r"^`threshold` must be a probability"),
        ({"threshold": "0.5"}, keras_ext.ArgumentTypeError, r"^`threshold` must be a probability"),
        ({"activation": "relu"}, keras_ext.ArgumentError, r"^`activation` must be one of 'sigmoid', 'softmax', 'linear'"),
        ({"batch_size": 0}, keras_ext.ArgumentError, r"^`batch_size` must be a positive integer"),
    ],
)
def test_argument_checks(kwargs, error, pattern):
    model, _, _ = _dense(1, "sigmoid")
    with pytest.raises(error, match=pattern):
        predict_classes(model, X2, **kwargs)


# --------------------------------------------------------------- stateful model


@pytest.fixture(scope="module")
def stateful():
    keras.utils.set_random_seed(3)
    return keras.Sequential([keras.Input(batch_shape=(10, 3, 1)), keras.layers.LSTM(3, stateful=True),
                             keras.layers.Dense(1, activation="sigmoid")])


def test_stateful_partial_last_batch_gives_exactly_one_row_per_input(stateful):
    x = np.random.default_rng(1).normal(size=(91, 3, 1)).astype("float32")
    # plain Keras: 100 rows for 91 inputs (the last batch of 1 broadcasts)
    keras_ext.reset_states(stateful)
    assert stateful.predict(x, batch_size=10, verbose=0).shape[0] != 91
    # the oracle: whole batches (91 + 9 padding rows), cut to 91
    keras_ext.reset_states(stateful)
    whole = stateful.predict(np.concatenate([x, np.zeros((9, 3, 1), "float32")]), batch_size=10,
                             verbose=0)[:91]
    keras_ext.reset_states(stateful)
    proba = predict_proba(stateful, x)
    assert proba.shape == (91, 1)
    np.testing.assert_allclose(proba, whole, rtol=1e-5, atol=1e-6)
    keras_ext.reset_states(stateful)
    classes = predict_classes(stateful, x)
    assert classes.shape == (91,)
    np.testing.assert_array_equal(classes, (whole[:, 0] > 0.5).astype(int))
    # Windows are accepted in place of x
    w = seqprep.make_windows(np.arange(30, dtype="float32") / 30, 3)
    keras_ext.reset_states(stateful)
    assert predict_classes(stateful, w).shape == (28,)


def test_stateful_batch_size_must_agree(stateful):
    x = np.zeros((20, 3, 1), "float32")
    with pytest.raises(keras_ext.ArgumentError, match=r"^`batch_size` must agree with the model's static batch size 10. Received: batch_size=4"):
        predict_classes(stateful, x, batch_size=4)


def test_datasets_accepted_and_tf_data_refused(stateful):
    # a finite, unshuffled PyDataset of whole batches is read batch by batch and padded
    x = np.random.default_rng(2).normal(size=(25, 3, 1)).astype("float32")

    class Three(keras.utils.PyDataset):
        def __len__(self):
            return 3

        def __getitem__(self, i):
            return x[i * 10:(i + 1) * 10]

    keras_ext.reset_states(stateful)
    want = predict_classes(stateful, x)
    np.testing.assert_array_equal(predict_classes(stateful, Three()), want)
    import tensorflow as tf

    ds = tf.data.Dataset.from_tensor_slices(x).batch(10)
    with pytest.raises(keras_ext.ArgumentTypeError, match=r"^`x` must be arrays, windows or a keras.utils.PyDataset for predict_classes on a model with the static batch size 10"):
        predict_classes(stateful, ds)


def test_stateful_on_jax_runs_through_the_state_carrier(stateful, monkeypatch):
    # (the real JAX run is in test_backends.py): same outputs through the carrier
    x = np.random.default_rng(4).normal(size=(23, 3, 1)).astype("float32")
    want = predict_proba(stateful, x)
    monkeypatch.setattr(keras.backend, "backend", lambda: "jax")
    np.testing.assert_allclose(predict_proba(stateful, x), want, rtol=1e-5, atol=1e-6)
