"""stateful_layers, reset_states (whole and by slot), get_states/set_states and
with_batch_size on nested models and Bidirectional wrappers, reading the state variables."""

import keras
import numpy as np
import pytest

import keras_ext

B, T, F = 4, 3, 1


def _nested(batch=B):
    """Functional model: nested Sequential(LSTM) -> Bidirectional(GRU) -> LSTM -> Dense."""
    keras.utils.set_random_seed(0)
    inner = keras.Sequential(
        [keras.Input(batch_shape=(batch, T, F)),
         keras.layers.LSTM(2, stateful=True, return_sequences=True, name="inner_lstm")],
        name="inner",
    )
    inp = keras.Input(batch_shape=(batch, T, F))
    h = inner(inp)
    h = keras.layers.Bidirectional(keras.layers.GRU(2, stateful=True, return_sequences=True),
                                   name="bidi")(h)
    h = keras.layers.TimeDistributed(keras.layers.Dense(2), name="td")(h)
    h = keras.layers.LSTM(3, stateful=True, name="last")(h)
    return keras.Model(inp, keras.layers.Dense(1, name="out")(h))


@pytest.fixture(scope="module")
def nested():
    return _nested()


@pytest.fixture(scope="module")
def x():
    return np.random.default_rng(0).normal(size=(2 * B, T, F)).astype("float32")


def _all_variables(model):
    """Every RNN state variable, found independently of keras_ext (incl. Bidirectional's)."""
    out = []
    for layer in model._flatten_layers(include_self=False, recursive=True):
        if isinstance(layer, keras.layers.RNN) and layer.stateful:
            out.extend(layer.states)
    return out


def test_stateful_layers_order_and_count(nested):
    layers = keras_ext.stateful_layers(nested)
    assert [layer.name for layer in layers] == ["inner_lstm", "bidi", "last"]
    # Bidirectional counted once: its forward/backward GRUs are not listed separately
    assert not any(isinstance(layer, keras.layers.GRU) for layer in layers)
    assert len(_all_variables(nested)) == 2 + 2 + 2  # h,c inner; h fwd, h bwd; h,c last


def test_reset_states_reaches_every_depth(nested, x):
    nested.predict(x, batch_size=B, verbose=0)
    variables = _all_variables(nested)
    assert all(np.abs(v.numpy()).sum() > 0 for v in variables)
    assert keras_ext.reset_states(nested) == 3
    assert all(np.all(v.numpy() == 0) for v in variables)
    bidi = nested.get_layer("bidi")
    assert np.all(bidi.forward_layer.states[0].numpy() == 0)
    assert np.all(bidi.backward_layer.states[0].numpy() == 0)


def test_stateless_models_and_wrappers():
    m = keras.Sequential([keras.Input((T, F)),
                          keras.layers.Bidirectional(keras.layers.LSTM(2, return_sequences=True)),
                          keras.layers.LSTM(2), keras.layers.Dense(1)])
    # Keras' own reset on a stateless Bidirectional raises; ours skips it
    with pytest.raises(AttributeError):
        m.layers[0].reset_state()
    assert keras_ext.stateful_layers(m) == []
    assert keras_ext.reset_states(m) == 0
    assert keras_ext.get_states(m) == []


def test_a_layer_passed_directly():
    lstm = keras.layers.LSTM(2, stateful=True)
    assert keras_ext.stateful_layers(lstm) == [lstm]
    assert keras_ext.reset_states(lstm) == 1  # unbuilt: counted, nothing to zero


def test_reset_slots_zeroes_only_those_rows(nested, x):
    keras_ext.reset_states(nested)
    nested.predict(x, batch_size=B, verbose=0)
    before = keras_ext.get_states(nested)
    assert keras_ext.reset_states(nested, slots=[1, 3]) == 3
    after = keras_ext.get_states(nested)
    for layer_before, layer_after in zip(before, after):
        for b, a in zip(layer_before, layer_after):
            assert np.all(a[[1, 3]] == 0)
            np.testing.assert_array_equal(a[[0, 2]], b[[0, 2]])
            assert np.abs(b[[1, 3]]).sum() > 0
    keras_ext.reset_states(nested, slots=np.int64(0))
    assert np.all(keras_ext.get_states(nested)[2][0][0] == 0)


@pytest.mark.parametrize(
    "slots, error, pattern",
    [
        ([4], keras_ext.ArgumentError, r"^`slots` must be below the batch size 4 of the state of"),
        ([-1], keras_ext.ArgumentError, r"^`slots` must hold batch positions >= 0"),
        ([0.5], keras_ext.ArgumentTypeError, r"^`slots` must be a sequence of integer batch positions"),
        ([True], keras_ext.ArgumentTypeError, r"^`slots` must be a sequence of integer"),
    ],
)
def test_reset_slots_checks(nested, slots, error, pattern):
    with pytest.raises(error, match=pattern):
        keras_ext.reset_states(nested, slots=slots)


def test_get_set_round_trip_and_copies(nested, x):
    keras_ext.reset_states(nested)
    nested.predict(x[:B], batch_size=B, verbose=0)
    saved = keras_ext.get_states(nested)
    assert [[a.shape for a in s] for s in saved] == [
        [(B, 2), (B, 2)], [(B, 2), (B, 2)], [(B, 3), (B, 3)]
    ]
    nested.predict(x[B:], batch_size=B, verbose=0)
    moved = keras_ext.get_states(nested)
    assert not np.array_equal(moved[2][0], saved[2][0])
    # the arrays are copies: the variable did not drag them along
    assert not np.shares_memory(moved[0][0], saved[0][0])
    keras_ext.set_states(nested, saved)
    for s_layer, g_layer in zip(saved, keras_ext.get_states(nested)):
        for s, g in zip(s_layer, g_layer):
            np.testing.assert_array_equal(s, g)
    # restoring makes the next prediction repeat exactly
    p1 = nested.predict(x[B:], batch_size=B, verbose=0)
    keras_ext.set_states(nested, saved)
    p2 = nested.predict(x[B:], batch_size=B, verbose=0)
    np.testing.assert_array_equal(p1, p2)


def test_set_states_checks_and_assigns_nothing_on_error(nested):
    saved = keras_ext.get_states(nested)
    with pytest.raises(keras_ext.ArgumentError, match=r"^`states` must have one entry per stateful layer: the model has 3"):
        keras_ext.set_states(nested, saved[:2])
    bad = [list(s) for s in saved]
    bad[0] = [np.full((B, 2), 7.0), np.full((B, 2), 7.0)]
    bad[2] = [np.zeros((B, 2)), np.zeros((B, 3))]
    with pytest.raises(keras_ext.ArgumentError, match=r"^`states\[2\]\[0\]` must have the shape \(4, 3\)"):
        keras_ext.set_states(nested, bad)
    assert not np.any(keras_ext.get_states(nested)[0][0] == 7.0)  # nothing assigned
    with pytest.raises(keras_ext.ArgumentError, match=r"^`states\[1\]` must hold 2 arrays for Bidirectional .bidi.. Received: 1"):
        keras_ext.set_states(nested, [saved[0], saved[1][:1], saved[2]])
    with pytest.raises(keras_ext.ArgumentTypeError, match=r"^`states` must be a list"):
        keras_ext.set_states(nested, "states")


def test_unbuilt_model_has_no_state_to_read():
    m = keras.Sequential([keras.layers.LSTM(2, stateful=True)])
    with pytest.raises(keras_ext.ModelError, match=r"^`model` must be built before its state can be read"):
        keras_ext.get_states(m)


@pytest.mark.parametrize("fn", [keras_ext.stateful_layers, keras_ext.reset_states, keras_ext.get_states])
def test_not_a_model(fn):
    with pytest.raises(keras_ext.ArgumentTypeError, match=r"^`model` must be a Keras model or layer"):
        fn(np.zeros(3))


# ---------------------------------------------------------------- with_batch_size


def test_with_batch_size_nested_predictions_match(nested, x):
    one = keras_ext.with_batch_size(nested, 1)
    assert one.inputs[0].shape == (1, T, F)
    assert [layer.name for layer in keras_ext.stateful_layers(one)] == ["inner_lstm", "bidi", "last"]
    assert all(s.shape[0] == 1 for layer in keras_ext.get_states(one) for s in layer)
    for a, b in zip(one.get_weights(), nested.get_weights()):
        np.testing.assert_array_equal(a, b)
    # slot i of the batch-4 model continues across batches: samples i and i+4.
    keras_ext.reset_states(nested)
    big = nested.predict(x, batch_size=B, verbose=0)          # 2 batches of 4
    for slot in range(B):
        keras_ext.reset_states(one)
        small = one.predict(x[[slot, slot + B]], batch_size=1, verbose=0)
        np.testing.assert_allclose(small, big[[slot, slot + B]], rtol=1e-5, atol=1e-6)
    # the original is untouched
    assert nested.inputs[0].shape == (B, T, F)
    assert keras_ext.get_states(nested)[0][0].shape == (B, 2)


def test_with_batch_size_sequential_up():
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input(batch_shape=(1, T, F)), keras.layers.LSTM(2, stateful=True),
                          keras.layers.Dense(1)])
    big = keras_ext.with_batch_size(m, 3)
    xs = np.random.default_rng(1).normal(size=(3, T, F)).astype("float32")
    p = big.predict(xs, verbose=0)
    for i in range(3):
        keras_ext.reset_states(m)
        np.testing.assert_allclose(m.predict(xs[i:i + 1], verbose=0), p[i:i + 1], rtol=1e-5, atol=1e-6)


def test_with_batch_size_checks(nested):
    with pytest.raises(keras_ext.ArgumentError, match=r"^`batch_size` must be a positive integer. Received: batch_size=0"):
        keras_ext.with_batch_size(nested, 0)
    with pytest.raises(keras_ext.ArgumentTypeError, match=r"^`model` must be a keras.Model"):
        keras_ext.with_batch_size(keras.layers.LSTM(2), 2)

    class Sub(keras.Model):
        def __init__(self):
            super().__init__()
            self.rnn = keras.layers.LSTM(2, stateful=True)

        def call(self, inputs):
            return self.rnn(inputs)

    sub = Sub()
    sub(np.zeros((2, T, F), "float32"))
    with pytest.raises(keras_ext.ModelError, match=r"^`model` must be rebuildable from its config"):
        keras_ext.with_batch_size(sub, 1)
