"""fit_stateful: refusals before any weight change, trimming, order, resets, validation,
seqprep.Windows, PyDataset and tf.data input, no recompiling, JAX refusal."""

import keras
import numpy as np
import pytest
import seqprep
import tensorflow as tf

import keras_ext
from keras_ext._carry import StateCarrier
from keras_ext import fit_stateful

B, T, F = 10, 3, 1


def _model(batch=B, lr=0.05, stateful=True):
    keras.utils.set_random_seed(0)
    shape = dict(batch_shape=(batch, T, F)) if stateful else dict(shape=(T, F))
    m = keras.Sequential([keras.Input(**shape), keras.layers.LSTM(2, stateful=stateful),
                          keras.layers.Dense(1)])
    m.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss="mse")
    return m


@pytest.fixture(scope="module")
def model():
    """Shared for the refusal tests, which must never change it."""
    return _model()


def _xy(n, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, T, F)).astype("float32"), rng.normal(size=(n, 1)).astype("float32")


def _unchanged(model, before):
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert int(model.optimizer.iterations.numpy()) == 0


@pytest.mark.parametrize("n, whole, remainder", [(95, 9, 5), (91, 9, 1)])
def test_remainder_refused_before_any_weight_change(model, n, whole, remainder):
    x, y = _xy(n)
    before = model.get_weights()
    with pytest.raises(keras_ext.RemainderError, match=r"^`x` must hold a whole number of batches of batch_size=10") as info:
        fit_stateful(model, x, y, verbose=0)
    err = info.value
    assert (err.n_samples, err.batch_size, err.remainder) == (n, B, remainder)
    msg = str(err)
    assert f"Received: {n} samples = {whole} whole batches and a remainder of {remainder}." in msg
    assert 'on_remainder="trim"' in msg
    assert isinstance(err, ValueError) and isinstance(err, keras_ext.KerasExtError)
    _unchanged(model, before)


def test_validation_remainder_refused_too(model):
    x, y = _xy(20)
    xv, yv = _xy(13, seed=1)
    before = model.get_weights()
    with pytest.raises(keras_ext.RemainderError, match=r"^`validation_data` must hold a whole number of batches.*remainder of 3"):
        fit_stateful(model, x, y, validation_data=(xv, yv), verbose=0)
    _unchanged(model, before)


def test_trim_drops_the_tail_and_says_so():
    m = _model()
    x, y = _xy(91)
    xv, yv = _xy(23, seed=1)
    with pytest.warns(UserWarning) as rec:
        h = fit_stateful(m, x, y, epochs=2, on_remainder="trim", validation_data=(xv, yv), verbose=0)
    messages = [str(w.message) for w in rec]
    assert any("dropped the last 1 sample of the 91 in `x`" in s for s in messages)
    assert any("dropped the last 3 samples of the 23 in `validation_data`" in s for s in messages)
    assert h.trimmed == {"x": 1, "validation_data": 3}
    assert all(w.filename == __file__ for w in rec if "dropped" in str(w.message))
    assert int(m.optimizer.iterations.numpy()) == 2 * 9
    assert len(h.history["val_loss"]) == 2
    # trimming kept the first 90: same result as fitting x[:90] yourself
    m2 = _model()
    fit_stateful(m2, x[:90], y[:90], epochs=2, validation_data=(xv[:20], yv[:20]), verbose=0)
    for a, b in zip(m.get_weights(), m2.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_fewer_samples_than_a_batch(model):
    x, y = _xy(7)
    with pytest.raises(keras_ext.ArgumentError, match=r"^`x` must hold at least one whole batch of batch_size=10"):
        fit_stateful(model, x, y, on_remainder="trim", verbose=0)


@pytest.mark.parametrize(
    "kwargs, pattern",
    [
        ({"shuffle": True}, r"^`shuffle` must be False for a stateful model"),
        ({"shuffle": "batch"}, r"^`shuffle` must be False for a stateful model.*shuffle='batch'"),
        ({"validation_split": 0.2}, r"^`validation_split` is not supported by fit_stateful"),
        ({"steps_per_epoch": 2}, r"^`steps_per_epoch` is not supported by fit_stateful"),
        ({"batch_size": 5}, r"^`batch_size` must agree with the model's static batch size 10. Received: batch_size=5"),
        ({"validation_batch_size": 5}, r"^`validation_batch_size` must equal the model's batch size 10"),
        ({"on_remainder": "pad"}, r"^`on_remainder` must be 'error' or 'trim'"),
        ({"reset_every": 0}, r"^`reset_every` must be a positive integer"),
        ({"reset_every": "step"}, r"^`reset_every` must be 'epoch' or a positive integer"),
        ({"epochs": 0}, r"^`epochs` must be a positive integer"),
        ({"callbacks": [keras_ext.ResetStates()]}, r"^`callbacks` must not include a ResetStates"),
    ],
)
def test_argument_refusals(model, kwargs, pattern):
    x, y = _xy(20)
    before = model.get_weights()
    with pytest.raises(keras_ext.ArgumentError, match=pattern):
        fit_stateful(model, x, y, verbose=0, **kwargs)
    _unchanged(model, before)


def test_mismatched_lengths(model):
    x, y = _xy(20)
    with pytest.raises(keras_ext.ArgumentError, match=r"^`y` must have one row per sample of `x`. Received: 19 rows for 20 samples"):
        fit_stateful(model, x, y[:19], verbose=0)


def test_model_refusals():
    x, y = _xy(20)
    stateless = _model(stateful=False)
    with pytest.raises(keras_ext.ModelError, match=r"^`model` must have at least one stateful recurrent layer"):
        fit_stateful(stateless, x, y, verbose=0)
    raw = keras.Sequential([keras.Input(batch_shape=(B, T, F)), keras.layers.LSTM(2, stateful=True)])
    with pytest.raises(keras_ext.ModelError, match=r"^`model` must be compiled before fit_stateful"):
        fit_stateful(raw, x, y, verbose=0)
    with pytest.raises(keras_ext.ArgumentTypeError, match=r"^`model` must be a keras.Model"):
        fit_stateful(keras.layers.LSTM(2), x, y)
    with pytest.raises(keras_ext.ArgumentTypeError, match=r"^`x` must be a numpy array"):
        fit_stateful(_model(), (row for row in x), verbose=0)


def test_jax_backend_runs_through_the_state_carrier(model, monkeypatch):
    # Keras's JAX trainer drops the untracked RNN state; fit_stateful then fits a
    # StateCarrier that tracks it (the real JAX run is in test_backends.py)
    x, y = _xy(20)
    seen = []

    class Spy(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            seen.append(self.model)

    monkeypatch.setattr(keras.backend, "backend", lambda: "jax")
    fit_stateful(model, x, y, verbose=0, callbacks=[Spy()])
    assert isinstance(seen[0], StateCarrier) and seen[0].inner is model
    assert len(seen[0].trainable_variables) == len(model.trainable_variables)


def test_fits_in_order_resets_and_isolates_validation(monkeypatch):
    m = _model(batch=2)
    x, y = _xy(8)
    xv, yv = _xy(4, seed=2)

    # never recompiles the user's model
    def no_compile(*args, **kwargs):
        raise AssertionError("fit_stateful called compile")

    monkeypatch.setattr(m, "compile", no_compile)
    optimizer = m.optimizer
    seen = []

    class Batches(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append((batch, keras_ext.get_states(self.model)[0][0].copy()))

    h = fit_stateful(m, x, y, epochs=2, reset_every=2, validation_data=(xv, yv),
                     callbacks=[Batches()], verbose=0)
    assert m.optimizer is optimizer
    assert h.reset_log == [(None, None, None), (0, 1, None), (0, 3, None), (1, 1, None), (1, 3, None)]
    assert [b for b, _ in seen] == [0, 1, 2, 3, 0, 1, 2, 3]
    assert all(np.all(s == 0) for s in keras_ext.get_states(m)[0])
    keras_ext.reset_states(m)
    assert h.history["val_loss"][-1] == pytest.approx(m.evaluate(xv, yv, batch_size=2, verbose=0), rel=1e-5)


def test_windows_in_place_of_x_y():
    series = np.sin(np.arange(64, dtype="float32") / 4)
    w = seqprep.make_windows(series, T, targets=0)  # 61 windows
    m = _model()
    with pytest.raises(keras_ext.RemainderError, match=r"^`x` must hold a whole number of batches.*61 samples"):
        fit_stateful(m, w, verbose=0)
    with pytest.warns(UserWarning, match="dropped the last 1 sample"):
        # stride-1 windows do not continue slot by slot: trained as is only when told
        h = fit_stateful(m, w, on_remainder="trim", validation_data=w, verbose=0,
                         continuity="ignore")
    assert h.trimmed == {"x": 1, "validation_data": 1}
    assert h.continuity == "ignored (continuity='ignore')"
    assert int(m.optimizer.iterations.numpy()) == 6
    with pytest.raises(keras_ext.ArgumentError, match=r"^`x` is a seqprep.Windows, which carries its own targets"):
        fit_stateful(m, w, np.zeros((61, 1)), verbose=0)
    no_targets = seqprep.make_windows(series, T)
    with pytest.raises(keras_ext.ArgumentError, match=r"^`x` must have targets to fit on"):
        fit_stateful(m, no_targets, verbose=0)


class Recording(keras.utils.PyDataset):
    def __init__(self, x, y, batch, n_batches=None):
        super().__init__()
        self.x, self.y, self.batch = x, y, batch
        self.n = n_batches if n_batches is not None else -(-len(x) // batch)
        self.asked = []

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        self.asked.append(i)
        s = slice(i * self.batch, (i + 1) * self.batch)
        return self.x[s], self.y[s]


def test_pydataset_keeps_batch_order():
    m = _model(batch=2)
    x, y = _xy(12)
    ds = Recording(x, y, 2)
    fit_stateful(m, ds, epochs=2, verbose=0)
    # fit_stateful checks batches 0 and 5, Keras peeks at 0 and 1, then two epochs in order
    # (plain `m.fit(ds)` asks for a permutation, e.g. [0, 1, 4, 1, 5, 2, 0, 3, ...])
    assert ds.asked[:2] == [0, 5]
    assert ds.asked[-12:] == [0, 1, 2, 3, 4, 5] * 2
    assert int(m.optimizer.iterations.numpy()) == 12


def test_pydataset_partial_last_batch_refused():
    m = _model(batch=2)
    x, y = _xy(11)
    with pytest.raises(keras_ext.RemainderError, match=r"^`x` must yield only whole batches of batch_size=2.*last batch \(index 5\) has 1 row"):
        fit_stateful(m, Recording(x, y, 2), verbose=0)
    with pytest.raises(keras_ext.ArgumentError, match=r"^`x` must yield batches of batch_size=2, the model's batch size. Received: a PyDataset whose batch 0 has 3 rows"):
        fit_stateful(m, Recording(x, y, 3), verbose=0)
    assert int(m.optimizer.iterations.numpy()) == 0


def test_tf_dataset_needs_a_static_batch():
    m = _model(batch=2)
    x, y = _xy(8)
    loose = tf.data.Dataset.from_tensor_slices((x, y)).batch(2)
    with pytest.raises(keras_ext.ArgumentError, match=r"^`x` must be a tf.data.Dataset batched with a static batch size of 2. Received: a dataset whose batch dimension is None"):
        fit_stateful(m, loose, verbose=0)
    fixed = tf.data.Dataset.from_tensor_slices((x, y)).batch(2, drop_remainder=True)
    fit_stateful(m, fixed, verbose=0)
    assert int(m.optimizer.iterations.numpy()) == 4


def test_stateful_layout_brings_its_slot_resets():
    data = np.arange(60, dtype="float32")
    group = np.repeat([0, 1, 2], [30, 12, 18])
    w = seqprep.make_windows(data, T, stride=T, targets=0, group=group)
    layout = seqprep.stateful_layout(w, 2)
    assert layout.reset_slots[5] == (1,)  # slot 1 moves to a new group at batch 5
    m = _model(batch=2)
    h = fit_stateful(m, layout, sample_weight=layout.sample_weight, verbose=0)
    assert (0, 5, (1,)) in h.reset_log
    h = fit_stateful(m, layout, reset_slots={}, verbose=0)  # explicit: no slot resets
    assert all(slots is None for _, _, slots in h.reset_log)
    with pytest.raises(keras_ext.ArgumentError, match=r"^`x` must be laid out for the model's batch size 10. Received: a stateful layout of 2 slots"):
        fit_stateful(_model(), layout, verbose=0)


def test_a_layouts_padding_weighs_nothing_without_being_asked():
    data = np.arange(60, dtype="float32")
    group = np.repeat([0, 1, 2], [30, 12, 18])
    layout = seqprep.stateful_layout(seqprep.make_windows(data, T, stride=T, targets=0,
                                                          group=group), 2)
    assert layout.n_padded > 0
    start = _model(batch=2)
    losses = {}
    for name, args in [("auto", (layout,)), ("explicit", (layout,)),
                       ("arrays, padding counted", (layout.X, layout.y))]:
        m = _model(batch=2)
        m.set_weights(start.get_weights())
        kwargs = {"sample_weight": layout.sample_weight} if name == "explicit" else {}
        losses[name] = fit_stateful(m, *args, verbose=0, **kwargs).history["loss"][0]
    assert losses["auto"] == pytest.approx(losses["explicit"], rel=1e-6)
    assert losses["auto"] != pytest.approx(losses["arrays, padding counted"], rel=1e-3)


def test_window_dataset_of_a_layout_and_shuffled_ones():
    data = np.arange(60, dtype="float32")
    group = np.repeat([0, 1, 2], [30, 12, 18])
    w = seqprep.make_windows(data, T, stride=T, targets=0, group=group, copy=False)
    layout = seqprep.stateful_layout(w, 2)
    m = _model(batch=2)
    h = fit_stateful(m, keras_ext.WindowDataset(layout, 2), verbose=0)
    assert (0, 5, (1,)) in h.reset_log
    shuffled = keras_ext.WindowDataset(w, 2, shuffle=True, seed=0)
    with pytest.raises(keras_ext.ArgumentError, match=r"^`x` must serve its samples in order for a stateful model. Received: a WindowDataset with shuffle=True"):
        fit_stateful(m, shuffled, verbose=0)


def test_windows_read_from_disk_must_be_wrapped(model):
    class DiskWindows:  # seqprep.WindowSource, as seqprep's LazyWindows is
        input_shape = (T, F)

        def __len__(self):
            return 20

        def take(self, idx):
            raise AssertionError("must not be read")

        subset = derive = batch_input_shape = report = take

    with pytest.raises(keras_ext.ArgumentTypeError, match=r"^`x` must be in memory to be fitted directly. Received: a DiskWindows.*WindowDataset"):
        fit_stateful(model, DiskWindows(), verbose=0)


def test_arrays_without_targets_or_of_the_wrong_rank_get_a_clear_error():
    m = _model(batch=2)
    x, y = _xy(8)
    with pytest.raises(keras_ext.ArgumentError, match=r"^`y` must be given with array `x`: a model is fitted on targets. Received: y=None"):
        fit_stateful(m, x, verbose=0)
    with pytest.raises(keras_ext.ArgumentError, match=r"^`x` must have the shape the model's input takes: \(samples, \d+, \d+\). Received: x of shape \(8, \d+\). Reshape it"):
        fit_stateful(m, x[:, :, 0], y, verbose=0)
    with pytest.raises(keras_ext.ArgumentError, match=r"^`validation_data` must have the shape the model's input takes"):
        fit_stateful(m, x, y, validation_data=(x[:, :, 0], y), verbose=0)
    with pytest.raises(keras_ext.ArgumentError, match=r"^`x` must have the shape the model's input takes"):
        keras_ext.predict_proba(m, x[:, :, 0])


def test_your_sample_weight_is_multiplied_by_the_layouts_padding_weights():
    data = np.arange(60, dtype="float32")
    group = np.repeat([0, 1, 2], [30, 12, 18])
    layout = seqprep.stateful_layout(seqprep.make_windows(data, T, stride=T, targets=0,
                                                          group=group), 2)
    start = _model(batch=2)
    losses = []
    for sw in (layout.sample_weight, np.ones(len(layout), "float32")):
        m = _model(batch=2)
        m.set_weights(start.get_weights())
        losses.append(fit_stateful(m, layout, sample_weight=sw, verbose=0).history["loss"][0])
    assert losses[0] == pytest.approx(losses[1], rel=1e-6)  # padding stays at weight 0


def _grouped_layout(batch=2):
    """18 samples over 3 groups; with 2 slots, slot 1 moves to a new group at batch 5
    and the last sample is padding."""
    data = np.sin(np.arange(60, dtype="float32") / 5)
    group = np.repeat([0, 1, 2], [30, 12, 18])
    w = seqprep.make_windows(data, T, stride=T, targets=0, group=group, copy=False)
    return seqprep.stateful_layout(w, batch)


def _val_loss_by_hand(m, layout, slot_resets=True, weights=True):
    """Zero state, the layout's slot resets before each batch, then Keras's mse with
    weights: sum(w * squared error) / number of samples (padding adds 0)."""
    keras_ext.reset_states(m)
    se = []
    for k in range(layout.n_batches):
        if slot_resets and k in layout.reset_slots:
            keras_ext.reset_states(m, slots=layout.reset_slots[k])
        pred = np.asarray(m(layout.X[k * 2:(k + 1) * 2]))
        se.append(((pred - layout.y[k * 2:(k + 1) * 2]) ** 2)[:, 0])
    keras_ext.reset_states(m)
    se = np.concatenate(se)
    w = layout.sample_weight if weights else np.ones_like(se)
    return float(np.sum(w * se) / len(se))


def test_a_validation_layout_brings_its_slot_resets_and_padding_weights():
    layout = _grouped_layout()
    assert layout.reset_slots[5] == (1,) and layout.n_padded == 1
    assert layout.sample_weight[-1] == 0
    start = _model(batch=2)
    val_losses = []
    for val in (layout, keras_ext.WindowDataset(layout, 2)):
        m = _model(batch=2)
        m.set_weights(start.get_weights())
        h = fit_stateful(m, layout, validation_data=val, verbose=0)
        assert h.reset_log == [
            (None, None, None), (0, 0, (0, 1)), (0, 5, (1,)),
            (0, ("val", 0), (0, 1)), (0, ("val", 5), (1,)), (0, None, None),
        ]
        val_losses.append(h.history["val_loss"][0])
        # one epoch: validation ran with the final weights
        assert val_losses[-1] == pytest.approx(_val_loss_by_hand(m, layout), rel=1e-5)
        # the oracle can fail: without the slot reset, or with the padding counted
        assert val_losses[-1] != pytest.approx(_val_loss_by_hand(m, layout, slot_resets=False), rel=1e-4)
        assert val_losses[-1] != pytest.approx(_val_loss_by_hand(m, layout, weights=False), rel=1e-4)
    assert val_losses[0] == pytest.approx(val_losses[1], rel=1e-6)


def test_explicit_validation_reset_slots_win_over_the_layouts():
    layout = _grouped_layout()
    m = _model(batch=2)
    h = fit_stateful(m, layout, validation_data=layout, validation_reset_slots={}, verbose=0)
    assert not any(isinstance(batch, tuple) for _, batch, _ in h.reset_log)
    assert h.history["val_loss"][0] == pytest.approx(_val_loss_by_hand(m, layout, slot_resets=False), rel=1e-5)
    x, y = _xy(8)
    h = fit_stateful(m, x, y, validation_data=(x, y), validation_reset_slots={3: [0]}, verbose=0)
    assert (0, ("val", 3), (0,)) in h.reset_log


def test_a_validation_layout_for_another_batch_size_is_refused():
    m = _model(batch=2)
    before = m.get_weights()
    wrong = _grouped_layout(batch=3)
    for val in (wrong, keras_ext.WindowDataset(wrong, 3)):
        with pytest.raises(keras_ext.ArgumentError, match=r"^`validation_data` must be laid out for the model's batch size 2. Received: a stateful layout of 3 slots.*stateful_layout\(windows, 2\)"):
            fit_stateful(m, _grouped_layout(), validation_data=val, verbose=0)
    _unchanged(m, before)
