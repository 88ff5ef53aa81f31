"""keras_ext.predict / evaluate against Keras and against hand-stepped oracles; what they
accept; fit_stateful's continuity check; the class helpers' refusals; the tutorial loop."""

import pickle
import warnings

import keras
import numpy as np
import pandas as pd
import pytest
import seqprep

import keras_ext

B, T, F = 4, 3, 1


def _stateful(batch=B, seed=0, outputs=1, lr=0.05):
    keras.utils.set_random_seed(seed)
    m = keras.Sequential([keras.Input(batch_shape=(batch, T, F)),
                          keras.layers.LSTM(3, stateful=True), keras.layers.Dense(outputs)])
    m.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss="mse", metrics=["mae"])
    return m


def _x(n, seed=1):
    return np.random.default_rng(seed).normal(size=(n, T, F)).astype("float32")


def _stepped(model, x, slots=None):
    """Oracle: reset, then one whole batch at a time through Keras, slot resets by hand."""
    keras_ext.reset_states(model)
    n = len(x)
    pad = (-n) % B
    xp = np.concatenate([x, np.repeat(x[-1:], pad, axis=0)])
    rows = []
    for k in range(len(xp) // B):
        if slots and k in slots:
            keras_ext.reset_states(model, slots=slots[k])
        rows.append(model.predict(xp[k * B:(k + 1) * B], batch_size=B, verbose=0))
    return np.concatenate(rows)[:n]


# --------------------------------------------------------------------------- predict


@pytest.mark.parametrize("n", [8, 9, 11, 1])
def test_stateful_predict_is_one_row_per_input_and_carries_state(n):
    m = _stateful()
    x = _x(n)
    got = keras_ext.predict(m, x)
    assert got.shape == (n, 1)
    np.testing.assert_allclose(got, _stepped(m, x), rtol=1e-5, atol=1e-6)
    if n > B:  # carried: batch 2 differs from the same rows predicted from a zero state
        fresh = keras_ext.predict(m, x[B:2 * B])
        assert not np.allclose(got[B:2 * B], fresh, atol=1e-6)


def test_reset_policy():
    m = _stateful()
    x = _x(8)
    first = keras_ext.predict(m, x)
    np.testing.assert_allclose(keras_ext.predict(m, x), first, rtol=1e-6)  # reset before
    on = keras_ext.predict(m, x, reset="none")                            # goes on
    assert not np.allclose(on, first, atol=1e-6)
    with pytest.raises(keras_ext.ArgumentError, match=r"^`reset` must be one of 'before', 'none'. Received: reset='after'"):
        keras_ext.predict(m, x, reset="after")


def test_multi_output_and_sequence_outputs_are_cut_too():
    keras.utils.set_random_seed(2)
    inp = keras.Input(batch_shape=(B, T, F))
    seq = keras.layers.LSTM(2, stateful=True, return_sequences=True)(inp)
    out_a = keras.layers.Dense(1, name="a")(seq)               # (B, T, 1)
    out_b = keras.layers.Dense(2, name="b")(keras.layers.Flatten()(seq))
    m = keras.Model(inp, [out_a, out_b])
    x = _x(10)
    a, b = keras_ext.predict(m, x)
    assert a.shape == (10, T, 1) and b.shape == (10, 2)
    keras_ext.reset_states(m)
    whole = m.predict(np.concatenate([x, np.repeat(x[-1:], 2, axis=0)]), batch_size=B, verbose=0)
    np.testing.assert_allclose(a, whole[0][:10], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(b, whole[1][:10], rtol=1e-5, atol=1e-6)


def test_stateless_model_gives_exactly_what_keras_gives():
    keras.utils.set_random_seed(3)
    m = keras.Sequential([keras.Input((T, F)), keras.layers.LSTM(2), keras.layers.Dense(1)])
    m.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    x, y = _x(37), np.random.default_rng(5).normal(size=(37, 1)).astype("float32")
    np.testing.assert_array_equal(keras_ext.predict(m, x, batch_size=8),
                                  m.predict(x, batch_size=8, verbose=0))
    assert keras_ext.evaluate(m, x, y, batch_size=8) == m.evaluate(x, y, batch_size=8, verbose=0)
    w = seqprep.make_windows(np.arange(40, dtype="float32") / 40, T, targets=0)
    np.testing.assert_array_equal(keras_ext.predict(m, w), m.predict(w.X, verbose=0))


def test_windows_layouts_and_datasets_are_accepted():
    m = _stateful()
    series = np.sin(np.arange(60, dtype="float32") / 4)
    w = seqprep.make_windows(series, T, targets=0, copy=False)
    want = keras_ext.predict(m, np.asarray(w.X))
    np.testing.assert_allclose(keras_ext.predict(m, w), want, rtol=1e-6)
    np.testing.assert_allclose(keras_ext.predict(m, keras_ext.WindowDataset(w, B)), want, rtol=1e-6)
    with pytest.raises(keras_ext.ArgumentError, match=r"^`x` must serve its samples in a fixed order"):
        keras_ext.predict(m, keras_ext.WindowDataset(w, B, shuffle=True, seed=0))
    with pytest.raises(keras_ext.ArgumentError, match=r"^`x` must yield batches of batch_size=4"):
        keras_ext.predict(m, keras_ext.WindowDataset(w, 5))


def test_a_layout_is_predicted_with_its_slot_resets_and_maps_back_to_time():
    m = _stateful()
    sizes = {"a": 30, "b": 12, "c": 18, "d": 12, "e": 9}      # more streams than slots
    df = pd.DataFrame({"id": np.repeat(list(sizes), list(sizes.values())),
                       "t": np.concatenate([np.arange(n) for n in sizes.values()]),
                       "v": np.random.default_rng(0).normal(size=81).astype("float32")})
    w = seqprep.make_windows(df, T, stride=T, targets="v", group="id", time="t")
    lay = seqprep.stateful_layout(w, B)
    assert any(k > 0 for k in lay.reset_slots)               # slots move to new groups
    got = keras_ext.predict(m, lay)
    assert got.shape == (len(lay), 1)
    np.testing.assert_allclose(got, _stepped(m, np.asarray(lay.X), lay.reset_slots), rtol=1e-5, atol=1e-6)
    # without the slot resets a slot that moves to another group carries its state in
    assert not np.allclose(keras_ext.predict(m, lay, reset_slots={}), got, atol=1e-6)
    frame = keras_ext.predict(m, lay, to_frame=True)
    assert frame.attrs["padding_rows_dropped"] == lay.n_padded > 0
    assert len(frame) == len(lay) - lay.n_padded
    real = ~lay.index["pad"].to_numpy()
    np.testing.assert_allclose(frame["prediction"].to_numpy(), got[real, 0], rtol=1e-6)
    assert set(frame["group"]) == set(sizes) and "time" in frame
    with pytest.raises(keras_ext.ArgumentError, match=r"^`x` must be laid out for the model's batch size 4. Received: a stateful layout of 2 slots"):
        keras_ext.predict(m, seqprep.stateful_layout(w, 2))
    with pytest.raises(keras_ext.ArgumentTypeError, match=r"^`to_frame=True` needs `x` to be a seqprep.Windows"):
        keras_ext.predict(m, np.asarray(lay.X), to_frame=True)


# --------------------------------------------------------------------------- evaluate


@pytest.mark.parametrize("n", [8, 10, 9])
def test_stateful_evaluate_scores_exactly_the_inputs(n):
    m = _stateful()
    x, y = _x(n), np.random.default_rng(7).normal(size=(n, 1)).astype("float32")
    p = keras_ext.predict(m, x)
    loss, mae = keras_ext.evaluate(m, x, y)
    np.testing.assert_allclose(loss, np.mean((p - y) ** 2), rtol=1e-5)
    np.testing.assert_allclose(mae, np.mean(np.abs(p - y)), rtol=1e-5)
    if n % B == 0:  # whole batches: Keras itself agrees
        keras_ext.reset_states(m)
        np.testing.assert_allclose(m.evaluate(x, y, batch_size=B, verbose=0), [loss, mae], rtol=1e-5)
    assert keras_ext.evaluate(m, x, y, return_dict=True).keys() == {"loss", "mae"}


def test_evaluate_on_a_layout_weighs_padding_zero():
    m = _stateful()
    data = np.random.default_rng(1).normal(size=45).astype("float32")
    lay = seqprep.stateful_layout(seqprep.make_windows(data, T, stride=T, targets=0), B)
    assert lay.n_padded > 0
    p = keras_ext.predict(m, lay)
    real = ~lay.index["pad"].to_numpy()
    got = keras_ext.evaluate(m, lay, return_dict=True)
    # Keras weighs each batch's mean loss (sum of weighted losses / rows) by its rows
    np.testing.assert_allclose(got["loss"], np.sum(((p - lay.y) ** 2)[real]) / len(lay), rtol=1e-5)
    with pytest.raises(keras_ext.ArgumentError, match=r"^`y` must be given with array `x`"):
        keras_ext.evaluate(m, np.asarray(lay.X))


# ------------------------------------------------------------------- fit continuity


def test_windows_not_laid_out_are_refused_before_any_weight_change():
    m = _stateful(batch=2)
    series = np.sin(np.arange(37, dtype="float32") / 3)
    w = seqprep.make_windows(series, T, stride=T, targets=0)       # 12 windows, in order
    before = m.get_weights()
    with pytest.raises(keras_ext.ContinuityError, match=r"^`x` must continue slot by slot for a stateful model.*Received: slot 0 of batch 1 \(window 2, starting at 6\) does not continue slot 0 of batch 0 \(window 0, starting at 0\).*stateful_layout\(windows, 2\)") as info:
        keras_ext.fit_stateful(m, w, verbose=0)
    assert (info.value.batch, info.value.slot) == (1, 0)
    assert isinstance(info.value, seqprep.ArgumentError)
    for a, b in zip(before, m.get_weights()):
        np.testing.assert_array_equal(a, b)
    stride_one = seqprep.make_windows(series, T, targets=0)
    with pytest.raises(keras_ext.ContinuityError, match=r"slot 0 of batch 1"):
        keras_ext.fit_stateful(m, stride_one, on_remainder="trim", verbose=0)
    h = keras_ext.fit_stateful(m, w, verbose=0, layout="auto")
    assert h.continuity.startswith("checked: every slot continues")
    assert h.reset_log[1][2] is not None or len(h.reset_log) >= 2
    assert keras_ext.fit_stateful(m, seqprep.stateful_layout(w, 2), verbose=0).continuity.startswith("checked")
    assert keras_ext.fit_stateful(m, w, verbose=0, continuity="ignore").continuity.startswith("ignored")
    assert keras_ext.fit_stateful(m, w, verbose=0, reset_every=1).continuity.startswith("not needed")
    assert keras_ext.fit_stateful(m, np.asarray(w.X), w.y, verbose=0).continuity.startswith("not checked")
    with pytest.raises(keras_ext.ArgumentError, match=r"^`continuity` must be one of 'check', 'ignore'"):
        keras_ext.fit_stateful(m, w, verbose=0, continuity="warn")


def test_layout_breaks_within_a_group_are_found():
    m = _stateful(batch=2)
    df = pd.DataFrame({"id": ["a"] * 24 + ["b"] * 24, "v": np.arange(48, dtype="float32")})
    w = seqprep.make_windows(df, T, stride=T, targets="v", group="id")   # 7 + 7 windows
    # a by-group interleave that is not a layout: a, b, a, b ... continues slot by slot
    order = np.ravel(np.column_stack([np.arange(7), np.arange(7, 14)]))
    assert "every slot continues" in keras_ext.fit_stateful(m, w.subset(order), verbose=0).continuity
    swapped = order.copy()
    swapped[[4, 5]] = swapped[[5, 4]]                    # batch 2 swaps its slots
    with pytest.raises(keras_ext.ContinuityError, match=r"slot 0 of batch 2 \(window 4, group 'b', .*\) does not continue slot 0 of batch 1 \(window 2, group 'a'"):
        keras_ext.fit_stateful(m, w.subset(swapped), verbose=0)


def test_tutorial_loop_reaches_the_same_weights():
    """fit_stateful(epochs=N) == the tutorial's `for i in range(N): fit(epochs=1,
    shuffle=False, batch_size=B); reset` with the same seed (TensorFlow)."""
    x, y = _x(16, seed=3), np.random.default_rng(4).normal(size=(16, 1)).astype("float32")
    manual = _stateful(seed=5)
    for _ in range(3):
        manual.fit(x, y, epochs=1, shuffle=False, batch_size=B, verbose=0)
        keras_ext.reset_states(manual)
    ours = _stateful(seed=5)
    keras_ext.fit_stateful(ours, x, y, epochs=3, verbose=0)
    for a, b in zip(manual.get_weights(), ours.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    assert not np.allclose(manual.get_weights()[0], _stateful(seed=5).get_weights()[0])


def test_accuracy_on_a_regression_warns():
    m = _stateful()
    m.compile(optimizer="sgd", loss="mse", metrics=["accuracy"])
    with pytest.warns(UserWarning, match=r"^fit_stateful: the model is compiled with the regression loss 'mse' and the metrics \['accuracy'\]"):
        keras_ext.fit_stateful(m, _x(8), np.zeros((8, 1)), verbose=0)
    m.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        keras_ext.fit_stateful(m, _x(8), np.zeros((8, 1)), verbose=0)


# ------------------------------------------------------------------- class helpers


def test_class_helpers_refuse_a_regression_model_and_nan():
    m = _stateful()                 # linear output, mse
    x = _x(6)
    with pytest.raises(keras_ext.OutputError, match=r"^`model` must be a classifier for predict_classes. Received: a model whose output is linear and whose loss is the regression loss 'mse'.*logits=True"):
        keras_ext.predict_classes(m, x)
    with pytest.raises(keras_ext.OutputError, match=r"^`model` must be a classifier for predict_proba"):
        keras_ext.predict_proba(m, x)
    z = keras_ext.predict(m, x)
    np.testing.assert_array_equal(keras_ext.predict_classes(m, x, logits=True), (z[:, 0] > 0).astype(int))
    np.testing.assert_allclose(keras_ext.predict_proba(m, x, activation="linear"), 1 / (1 + np.exp(-z)), rtol=1e-5)
    x[2, 1, 0] = np.nan
    with pytest.raises(keras_ext.OutputError, match=r"^`model` must give finite outputs for predict_classes.*NaN in 1 of 6 rows, first at row 2"):
        keras_ext.predict_classes(m, x, logits=True)


# ------------------------------------------------------------------- error tree


def test_errors_are_seqprep_errors_too_and_pickle():
    assert issubclass(keras_ext.ArgumentError, seqprep.ArgumentError)
    assert issubclass(keras_ext.ArgumentTypeError, seqprep.ArgumentTypeError)
    assert issubclass(keras_ext.MissingDependencyError, seqprep.MissingDependencyError)
    assert issubclass(keras_ext.RemainderError, seqprep.BatchSizeError)
    assert issubclass(keras_ext.ContinuityError, keras_ext.ArgumentError)
    assert issubclass(keras_ext.OutputError, keras_ext.ModelError)
    err = keras_ext.RemainderError("m", n_samples=10, batch_size=4, divisors=[2, 5])
    back = pickle.loads(pickle.dumps(err))
    assert (type(back), back.remainder, back.divisors, str(back)) == (keras_ext.RemainderError, 2, [2, 5], "m")
    back = pickle.loads(pickle.dumps(keras_ext.ContinuityError("c", batch=3, slot=1)))
    assert (back.batch, back.slot) == (3, 1)
    with pytest.raises(seqprep.ArgumentError):
        keras_ext.predict(_stateful(), _x(4), batch_size=0)


def test_windows_read_from_disk_predict_and_evaluate_like_in_memory(tmp_path):
    rng = np.random.default_rng(2)
    df = pd.concat([pd.DataFrame({"id": g, "t": np.arange(n), "a": rng.normal(size=n)})
                    for g, n in [(0, 40), (1, 31)]])
    for g, part in df.groupby("id"):
        part.to_parquet(tmp_path / f"{g}.parquet", row_group_size=10)
    kw = dict(features=["a"], targets="a", group="id", time="t", stride=T)
    lazy = seqprep.open_windows(tmp_path, T, **kw)
    eager = seqprep.make_windows(df, T, **kw)
    m = _stateful()
    np.testing.assert_allclose(keras_ext.predict(m, lazy), keras_ext.predict(m, eager), rtol=1e-6)
    np.testing.assert_allclose(keras_ext.evaluate(m, lazy), keras_ext.evaluate(m, eager), rtol=1e-6)
    lay_lazy, lay_eager = seqprep.stateful_layout(lazy, B), seqprep.stateful_layout(eager, B)
    np.testing.assert_allclose(keras_ext.predict(m, lay_lazy), keras_ext.predict(m, lay_eager),
                               rtol=1e-6)


def test_with_batch_size_refuses_a_state_that_cannot_fit_before_building():
    m = _stateful()
    with pytest.raises(keras_ext.MemoryBudgetError, match=r"^The state of the stateful layers at batch_size=8,589,934,592 of shape \(8589934592, 6\)") as info:
        keras_ext.with_batch_size(m, 2**33)
    assert isinstance(info.value, seqprep.MemoryBudgetError)
    assert keras_ext.with_batch_size(m, 2).inputs[0].shape == (2, T, F)


def test_continuity_of_a_window_dataset_and_auto_layout_of_validation():
    m = _stateful(batch=2)
    series = np.sin(np.arange(37, dtype="float32") / 3)
    w = seqprep.make_windows(series, T, stride=T, targets=0, copy=False)   # 12 windows
    with pytest.raises(keras_ext.ContinuityError, match=r"slot 0 of batch 1 \(window 2"):
        keras_ext.fit_stateful(m, keras_ext.WindowDataset(w, 2), verbose=0)
    lay = seqprep.stateful_layout(w, 2)
    h = keras_ext.fit_stateful(m, keras_ext.WindowDataset(lay, 2), verbose=0)
    assert h.continuity.startswith("checked: every slot continues")
    val = seqprep.make_windows(np.cos(np.arange(25, dtype="float32") / 3), T, stride=T, targets=0)
    h = keras_ext.fit_stateful(m, w, layout="auto", validation_data=val, verbose=0)
    # the validation windows were laid out too: their val_loss is evaluate on the layout
    np.testing.assert_allclose(h.history["val_loss"][-1],
                               keras_ext.evaluate(m, seqprep.stateful_layout(val, 2),
                                                  return_dict=True)["loss"], rtol=1e-5)
    with pytest.raises(keras_ext.ArgumentTypeError, match=r"^`layout='auto'` needs `x` to be windows"):
        keras_ext.fit_stateful(m, np.asarray(w.X), w.y, layout="auto", verbose=0)
