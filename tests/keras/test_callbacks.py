"""ResetStates in real `fit` calls: state carried inside an epoch, zero after each reset,
batches in order, resets exactly on schedule, validation isolated, reusable instances.

The oracle for the state is the model itself called batch by batch outside `fit`, with
a learning rate of 0 so that the weights do not move during `fit`: after training batch
k the state must equal the state after calling the model on batches 0..k in order
(with the scheduled resets in between). A shuffled or reordered fit, a missing or
extra reset, or validation leaking into training all change it.
"""

import keras
import numpy as np
import pytest

import keras_ext
from keras_ext import ResetStates

B, T, F, N = 2, 3, 1, 8  # 4 batches per epoch


def _model(units=3, lr=0.0, name=None):
    keras.utils.set_random_seed(0)
    m = keras.Sequential(
        [keras.Input(batch_shape=(B, T, F)), keras.layers.LSTM(units, stateful=True),
         keras.layers.Dense(1)],
        name=name,
    )
    m.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss="mse")
    return m


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(N, T, F)).astype("float32")
    y = rng.normal(size=(N, 1)).astype("float32")
    return x, y


class Recorder(keras.callbacks.Callback):
    """Reads the state (h of the LSTM) at each hook; put it *before* ResetStates."""

    def __init__(self):
        super().__init__()
        self.events = []

    def _h(self):
        return keras_ext.get_states(self.model)[0][0].copy()

    def on_epoch_begin(self, epoch, logs=None):
        self.events.append(("epoch_begin", epoch, None, self._h()))

    def on_train_batch_end(self, batch, logs=None):
        self.events.append(("batch_end", self._epoch_of(), batch, self._h()))

    def on_epoch_end(self, epoch, logs=None):
        self.events.append(("epoch_end", epoch, None, self._h()))

    def _epoch_of(self):
        begins = [e for e in self.events if e[0] == "epoch_begin"]
        return begins[-1][1]

    def states(self, kind):
        return [e[3] for e in self.events if e[0] == kind]


def _oracle(model, x, reset_after=(), slot_resets=None):
    """h after each batch, calling the model batch by batch in order."""
    keras_ext.reset_states(model)
    out = []
    for k in range(len(x) // B):
        if slot_resets and k in slot_resets:
            keras_ext.reset_states(model, slots=slot_resets[k])
        model(x[k * B:(k + 1) * B])
        out.append(keras_ext.get_states(model)[0][0].copy())
        if k in reset_after:
            keras_ext.reset_states(model)
    keras_ext.reset_states(model)
    return out


def test_epoch_resets_state_carried_in_order(data):
    x, y = data
    m = _model()
    # leave state behind, as an earlier predict would: the fit must still start clean
    m.predict(x, batch_size=B, verbose=0)
    rec, cb = Recorder(), ResetStates()
    m.fit(x, y, batch_size=B, epochs=2, shuffle=False, verbose=0, callbacks=[rec, cb])
    after_fit = keras_ext.get_states(m)[0]

    expected = _oracle(m, x)
    got = rec.states("batch_end")
    assert len(got) == 8
    for k, h in enumerate(got):
        np.testing.assert_allclose(h, expected[k % 4], rtol=1e-5, atol=1e-6)
    # the state is carried: batch 1 does not start from zero
    keras_ext.reset_states(m)
    m(x[B:2 * B])
    assert not np.allclose(keras_ext.get_states(m)[0][0], expected[1], atol=1e-4)
    # zero at each epoch start, non-zero before each epoch-end reset, zero after fit
    for h in rec.states("epoch_begin"):
        assert np.all(h == 0)
    for h in rec.states("epoch_end"):
        assert np.abs(h).sum() > 0
    assert all(np.all(s == 0) for s in after_fit)
    assert cb.reset_log == [(None, None, None), (0, None, None), (1, None, None)]


def test_shuffled_fit_breaks_the_oracle(data):
    """The oracle can fail: a shuffled fit does not match it."""
    x, y = data
    m = _model()
    keras.utils.set_random_seed(1)
    rec = Recorder()
    m.fit(x, y, batch_size=B, epochs=1, shuffle=True, verbose=0,
          callbacks=[rec, ResetStates()])
    expected = _oracle(m, x)
    got = rec.states("batch_end")
    assert not all(np.allclose(g, e, atol=1e-5) for g, e in zip(got, expected))


def test_every_n_batches_resets_exactly_on_schedule(data):
    x, y = data
    m = _model()
    rec, cb = Recorder(), ResetStates(every=2)
    m.fit(x, y, batch_size=B, epochs=2, shuffle=False, verbose=0, callbacks=[rec, cb])
    expected = _oracle(m, x, reset_after=(1,))
    for k, h in enumerate(rec.states("batch_end")):
        np.testing.assert_allclose(h, expected[k % 4], rtol=1e-5, atol=1e-6)
    # batch 2 starts from zero: its state equals batch 0's state on batch 2's data alone
    assert cb.reset_log == [
        (None, None, None), (0, 1, None), (0, 3, None), (1, 1, None), (1, 3, None)
    ]


def test_every_not_dividing_the_epoch_warns_and_still_resets_at_epoch_end(data):
    x, y = data
    m = _model()
    cb = ResetStates(every=3)
    with pytest.warns(UserWarning, match=r"an epoch has 4 batches, not a multiple of 3"):
        m.fit(x, y, batch_size=B, epochs=1, shuffle=False, verbose=0, callbacks=[cb])
    assert cb.reset_log == [(None, None, None), (0, 2, None), (0, None, None)]


def test_slot_resets_zero_only_the_given_rows(data):
    x, y = data
    m = _model()
    rec = Recorder()
    cb = ResetStates(reset_slots={2: [1]})
    m.fit(x, y, batch_size=B, epochs=1, shuffle=False, verbose=0, callbacks=[rec, cb])
    expected = _oracle(m, x, slot_resets={2: [1]})
    plain = _oracle(m, x)
    got = rec.states("batch_end")
    for k, h in enumerate(got):
        np.testing.assert_allclose(h, expected[k], rtol=1e-5, atol=1e-6)
    # slot 0 is untouched by the slot reset, slot 1 differs from a run without it
    np.testing.assert_allclose(got[2][0], plain[2][0], rtol=1e-5, atol=1e-6)
    assert not np.allclose(got[2][1], plain[2][1], atol=1e-4)
    assert cb.reset_log == [(None, None, None), (0, 2, (1,)), (0, None, None)]


def test_slot_resets_from_a_callable(data):
    x, y = data
    m = _model()
    seen = []

    def slots(batch):
        seen.append(batch)
        return [0] if batch == 1 else None

    cb = ResetStates(reset_slots=slots)
    m.fit(x, y, batch_size=B, epochs=1, shuffle=False, verbose=0, callbacks=[cb])
    assert seen == [0, 1, 2, 3]
    assert (0, 1, (0,)) in cb.reset_log


def test_validation_starts_clean_and_training_state_is_restored(data):
    x, y = data
    m = _model(lr=0.05)
    xv, yv = x[:4] + 1.0, y[:4]
    rec = Recorder()
    h = m.fit(x, y, batch_size=B, epochs=2, shuffle=False, verbose=0,
              validation_data=(xv, yv), callbacks=[rec, ResetStates()])
    # the last batch's state is still there at epoch end (validation ran in between)
    ends = rec.states("batch_end")
    epoch_ends = rec.states("epoch_end")
    np.testing.assert_array_equal(epoch_ends[0], ends[3])
    np.testing.assert_array_equal(epoch_ends[1], ends[7])
    # val_loss equals evaluate from a clean state with the final weights
    keras_ext.reset_states(m)
    clean = m.evaluate(xv, yv, batch_size=B, verbose=0)
    assert h.history["val_loss"][-1] == pytest.approx(clean, rel=1e-5)


def test_standalone_evaluate_is_isolated_too(data):
    x, y = data
    m = _model()
    keras_ext.reset_states(m)
    clean = m.evaluate(x, y, batch_size=B, verbose=0)
    m.predict(x[:B], verbose=0)  # some state
    before = keras_ext.get_states(m)
    got = m.evaluate(x, y, batch_size=B, verbose=0, callbacks=[ResetStates()])
    assert got == pytest.approx(clean, rel=1e-6)
    for a, b in zip(before[0], keras_ext.get_states(m)[0]):
        np.testing.assert_array_equal(a, b)


class ValRecorder(keras.callbacks.Callback):
    """Reads every state variable at each validation batch begin; put it *after* ResetStates."""

    def __init__(self):
        super().__init__()
        self.before = []

    def on_test_batch_begin(self, batch, logs=None):
        self.before.append((batch, [v.copy() for v in keras_ext.get_states(self.model)[0]]))


def _val_oracle(model, x, y, slot_resets):
    """Validation loss by hand: zero state, slot resets before the given batches, mse."""
    keras_ext.reset_states(model)
    se = []
    for k in range(len(x) // B):
        if k in slot_resets:
            keras_ext.reset_states(model, slots=slot_resets[k])
        pred = np.asarray(model(x[k * B:(k + 1) * B]))
        se.append((pred - y[k * B:(k + 1) * B]) ** 2)
    keras_ext.reset_states(model)
    return float(np.mean(np.concatenate(se)))


def test_validation_slot_resets_zero_those_rows_before_the_batch(data):
    x, y = data
    m = _model()
    rec_train, cb, rec_val = Recorder(), ResetStates(validation_reset_slots={2: [1]}), ValRecorder()
    h = m.fit(x, y, batch_size=B, epochs=2, shuffle=False, verbose=0, validation_data=(x, y),
              callbacks=[rec_train, cb, rec_val])
    assert [b for b, _ in rec_val.before] == [0, 1, 2, 3] * 2
    for batch, states in rec_val.before:
        for v in states:  # h and c of the LSTM
            if batch == 0:
                assert np.all(v == 0)  # isolated: validation starts from zero
            elif batch == 2:
                assert np.all(v[1] == 0) and np.abs(v[0]).sum() > 0  # only slot 1 reset
            else:
                assert np.abs(v[1]).sum() > 0
    # exact oracle for the loss, which a run without the slot reset does not meet
    expected = _val_oracle(m, x, y, {2: [1]})
    assert h.history["val_loss"][-1] == pytest.approx(expected, rel=1e-5)
    assert h.history["val_loss"][-1] != pytest.approx(_val_oracle(m, x, y, {}), rel=1e-4)
    # logged apart from the training resets, whose format is unchanged
    assert cb.reset_log == [
        (None, None, None), (0, ("val", 2), (1,)), (0, None, None),
        (1, ("val", 2), (1,)), (1, None, None),
    ]
    # the training state is still restored after validation
    np.testing.assert_array_equal(rec_train.states("epoch_end")[0], rec_train.states("batch_end")[3])


def test_validation_slot_resets_in_a_standalone_evaluate(data):
    x, y = data
    m = _model()
    m.predict(x[:B], verbose=0)  # some state, restored afterwards
    before = keras_ext.get_states(m)
    seen = []
    cb = ResetStates(validation_reset_slots=lambda k: seen.append(k) or ([0] if k == 1 else None))
    got = m.evaluate(x, y, batch_size=B, verbose=0, callbacks=[cb])
    for a, b in zip(before[0], keras_ext.get_states(m)[0]):
        np.testing.assert_array_equal(a, b)
    assert seen == [0, 1, 2, 3]
    assert cb.reset_log == [(None, ("val", 1), (0,))]
    assert got == pytest.approx(_val_oracle(m, x, y, {1: [0]}), rel=1e-5)


def test_validation_slot_resets_refused_with_steps_per_execution(data):
    x, y = data
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input(batch_shape=(B, T, F)), keras.layers.LSTM(2, stateful=True),
                          keras.layers.Dense(1)])
    m.compile(optimizer="sgd", loss="mse", steps_per_execution=2)
    before = m.get_weights()
    pattern = r"^`ResetStates\(every='epoch', validation_reset_slots=...\)` needs a model compiled with steps_per_execution=1"
    with pytest.raises(keras_ext.ModelError, match=pattern):
        m.fit(x, y, batch_size=B, epochs=1, shuffle=False, verbose=0, validation_data=(x, y),
              callbacks=[ResetStates(validation_reset_slots={1: [0]})])
    with pytest.raises(keras_ext.ModelError, match=pattern):
        m.evaluate(x, y, batch_size=B, verbose=0, callbacks=[ResetStates(validation_reset_slots={1: [0]})])
    for a, b in zip(before, m.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_isolate_validation_false_lets_validation_run_on(data):
    x, y = data
    m = _model()
    rec = Recorder()
    m.fit(x, y, batch_size=B, epochs=1, shuffle=False, verbose=0, validation_data=(x[:4], y[:4]),
          callbacks=[rec, ResetStates(isolate_validation=False)])
    assert not np.array_equal(rec.states("epoch_end")[0], rec.states("batch_end")[-1])


def test_one_instance_reused_across_fits_and_models(data):
    x, y = data
    cb = ResetStates(every=2)
    m1, m2 = _model(), _model(units=2)
    m1.fit(x, y, batch_size=B, epochs=1, shuffle=False, verbose=0, callbacks=[cb])
    first = list(cb.reset_log)
    rec = Recorder()
    m2.fit(x, y, batch_size=B, epochs=1, shuffle=False, verbose=0, callbacks=[rec, cb])
    assert cb.model is m2
    assert cb.reset_log == first == [(None, None, None), (0, 1, None), (0, 3, None)]
    expected = _oracle(m2, x, reset_after=(1,))
    for k, h in enumerate(rec.states("batch_end")):
        np.testing.assert_allclose(h, expected[k], rtol=1e-5, atol=1e-6)


def test_model_without_stateful_layer_refused_before_any_weight_change(data):
    x, y = data
    m = keras.Sequential([keras.Input((T, F)), keras.layers.LSTM(2), keras.layers.Dense(1)])
    m.compile(optimizer="sgd", loss="mse")
    before = m.get_weights()
    with pytest.raises(keras_ext.ModelError, match=r"^`ResetStates` needs a model with at least one stateful"):
        m.fit(x, y, batch_size=B, epochs=1, verbose=0, callbacks=[ResetStates()])
    for a, b in zip(before, m.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert int(m.optimizer.iterations.numpy()) == 0


def test_jax_backend_refused_at_train_begin(data, monkeypatch):
    x, y = data
    m = _model(lr=0.1)
    before = m.get_weights()
    monkeypatch.setattr(keras.backend, "backend", lambda: "jax")
    with pytest.raises(keras_ext.BackendError, match=r"^`ResetStates` needs a Keras backend .* 'jax'"):
        m.fit(x, y, batch_size=B, epochs=1, shuffle=False, verbose=0, callbacks=[ResetStates()])
    for a, b in zip(before, m.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_batch_resets_refused_with_steps_per_execution(data):
    x, y = data
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input(batch_shape=(B, T, F)), keras.layers.LSTM(2, stateful=True),
                          keras.layers.Dense(1)])
    m.compile(optimizer="sgd", loss="mse", steps_per_execution=2)
    with pytest.raises(keras_ext.ModelError, match=r"^`ResetStates\(every=2\)` needs a model compiled with steps_per_execution=1"):
        m.fit(x, y, batch_size=B, epochs=1, shuffle=False, verbose=0, callbacks=[ResetStates(every=2)])


@pytest.mark.parametrize(
    "kwargs, error, pattern",
    [
        ({"every": "batch"}, keras_ext.ArgumentError, r"^`every` must be 'epoch' or a positive integer"),
        ({"every": 0}, keras_ext.ArgumentError, r"^`every` must be a positive integer. Received: every=0"),
        ({"every": 1.5}, keras_ext.ArgumentTypeError, r"^`every` must be a positive integer"),
        ({"reset_slots": 3}, keras_ext.ArgumentTypeError, r"^`reset_slots` must be a mapping"),
        ({"reset_slots": {-1: [0]}}, keras_ext.ArgumentError, r"^`reset_slots` keys must be batch indices >= 0"),
        ({"validation_reset_slots": [1]}, keras_ext.ArgumentTypeError, r"^`validation_reset_slots` must be a mapping \{batch_index: slots\} or a callable"),
        ({"validation_reset_slots": {"1": [0]}}, keras_ext.ArgumentError, r"^`validation_reset_slots` keys must be batch indices >= 0, counted from 0 in each evaluation. Received: the key '1'"),
        ({"isolate_validation": "yes"}, keras_ext.ArgumentTypeError, r"^`isolate_validation` must be True or False"),
    ],
)
def test_constructor_checks(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        ResetStates(**kwargs)


def test_is_a_keras_callback():
    assert isinstance(ResetStates(), keras.callbacks.Callback)
    assert "every=2" in repr(ResetStates(every=2))
    assert "validation_reset_slots=..." in repr(ResetStates(validation_reset_slots={0: [0]}))
