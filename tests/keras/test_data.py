"""WindowDataset and to_tf_dataset: lazy batches, shuffled epochs, layouts, shards, memory."""

import os
import subprocess
import sys
import textwrap
import warnings

import keras
import numpy as np
import pandas as pd
import pytest
import tensorflow as tf

import keras_ext
import seqprep
from keras_ext import ArgumentError, ArgumentTypeError, ResetStates, WindowDataset, to_tf_dataset


def panel_windows(copy=False, **kw):
    """Three groups of unequal length, two features (row number, group number), one target."""
    rng = np.random.default_rng(1)
    parts = []
    for g, n in enumerate([120, 45, 80]):
        parts.append(pd.DataFrame({"id": g, "t": np.arange(n), "pos": np.arange(n, dtype=float),
                                   "gid": float(g), "y": rng.normal(size=n)}))
    df = pd.concat(parts, ignore_index=True).sample(frac=1, random_state=0)
    return seqprep.make_windows(df, 6, features=["pos", "gid"], targets="y", group="id", time="t",
                                copy=copy, **kw)


def rows(X):
    return [tuple(r) for r in np.asarray(X).reshape(len(X), -1).tolist()]


def epoch_of(ds):
    batches = [ds[i] for i in range(len(ds))]
    return batches


# ---------------------------------------------------------------- WindowDataset


@pytest.mark.parametrize("grouped", [False, True])
def test_lazy_batches_equal_materialised_windows(grouped):
    if grouped:
        lazy, full = panel_windows(), panel_windows(copy=True)
        assert type(lazy.X).__name__ == "WindowArray"
    else:
        data = np.random.default_rng(0).normal(size=(300, 3)).astype(np.float32)
        lazy = seqprep.make_windows(data, 7, targets=[0, 2], horizon=2, copy=False)
        full = seqprep.make_windows(data, 7, targets=[0, 2], horizon=2)
        assert not lazy.X.flags.owndata  # a view: nothing copied
    ds = WindowDataset(lazy, 32)
    batches = epoch_of(ds)
    assert len(ds) == -(-len(full) // 32) and [len(b[0]) for b in batches][:-1] == [32] * (len(ds) - 1)
    np.testing.assert_array_equal(np.concatenate([b[0] for b in batches]), full.X)
    np.testing.assert_array_equal(np.concatenate([b[1] for b in batches]), full.y)
    assert batches[0][0].dtype == np.float32 and batches[0][0].flags.c_contiguous


def test_shuffled_epochs_are_permutations_of_whole_windows():
    w = panel_windows()
    full_rows = sorted(zip(rows(np.asarray(w.X)), w.y[:, 0].tolist()))
    ds = WindowDataset(w, 16, shuffle=True, seed=7)
    epochs = []
    for _ in range(3):
        batches = epoch_of(ds)
        X = np.concatenate([b[0] for b in batches])
        y = np.concatenate([b[1] for b in batches])[:, 0]
        assert sorted(zip(rows(X), y.tolist())) == full_rows  # each window once, with its target
        epochs.append(X[:, 0, :].tolist())
        ds.on_epoch_end()
    assert epochs[0] != epochs[1] != epochs[2]
    again = WindowDataset(w, 16, shuffle=True, seed=7)
    assert np.concatenate([b[0] for b in epoch_of(again)])[:, 0, :].tolist() == epochs[0]
    other = WindowDataset(w, 16, shuffle=True, seed=8)
    assert np.concatenate([b[0] for b in epoch_of(other)])[:, 0, :].tolist() != epochs[0]
    # the documented order
    order = np.random.default_rng([7, 0]).permutation(len(w))
    np.testing.assert_array_equal(ds.indices(0), np.random.default_rng([7, 3]).permutation(len(w))[:16])
    np.testing.assert_array_equal(again.indices(1), order[16:32])
    unseeded = WindowDataset(w, 16, shuffle=True)
    assert isinstance(unseeded.seed, int)


def test_drop_remainder_static_batches_and_report():
    w = panel_windows()
    n = len(w)
    with pytest.warns(UserWarning, match=rf"^WindowDataset: drop_remainder=True leaves out {n % 32} windows of {n}"):
        ds = WindowDataset(w, 32, drop_remainder=True, shuffle=True, seed=0)
    assert ds.n_dropped == n % 32 and len(ds) == n // 32
    assert {len(ds[i][0]) for i in range(len(ds))} == {32}
    with pytest.raises(IndexError, match=r"^`index` must be a batch index in \[0, 7\)"):
        ds[len(ds)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert WindowDataset(w, n, drop_remainder=True).n_dropped == 0


def test_fit_evaluate_predict():
    data = np.random.default_rng(0).normal(size=(200, 2)).astype(np.float32)
    w = seqprep.make_windows(data, 5, targets=0, copy=False)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((5, 2)), keras.layers.Flatten(), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    hist = model.fit(WindowDataset(w, 32, shuffle=True, seed=0), epochs=2, verbose=0)
    assert len(hist.history["loss"]) == 2
    X, y = np.asarray(w.X), w.y
    loss = model.evaluate(WindowDataset(w, 64), verbose=0)
    assert loss == pytest.approx(model.evaluate(X, y, batch_size=64, verbose=0), rel=1e-5)
    np.testing.assert_allclose(model.predict(WindowDataset(w, 64), verbose=0),
                               model.predict(X, batch_size=64, verbose=0), rtol=1e-5)
    # windows without targets yield X alone
    w_x = seqprep.make_windows(data, 5, copy=False)
    ds = WindowDataset(w_x, 64)
    assert isinstance(ds[0], np.ndarray)
    assert model.predict(ds, verbose=0).shape == (len(w_x), 1)


def test_workers_and_threads_keep_batches():
    w = panel_windows()
    ds = WindowDataset(w, 16, workers=2, max_queue_size=4)
    assert ds.workers == 2 and ds.max_queue_size == 4
    model = keras.Sequential([keras.Input((6, 2)), keras.layers.Flatten(), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    np.testing.assert_allclose(model.predict(ds, verbose=0),
                               model.predict(np.asarray(w.X), verbose=0), rtol=1e-5)


def test_arguments():
    w = panel_windows()
    with pytest.raises(ArgumentTypeError, match=r"^`windows` must be a seqprep.Windows"):
        WindowDataset(np.zeros((10, 3, 1)), 2)
    with pytest.raises(ArgumentError, match=r"^`batch_size` must be a positive integer"):
        WindowDataset(w, 0)
    with pytest.raises(ArgumentTypeError, match=r"^`seed` must be a non-negative integer"):
        WindowDataset(w, 4, shuffle=True, seed=1.5)
    with pytest.raises(ArgumentTypeError, match=r"^`shuffle` must be True or False"):
        WindowDataset(w, 4, shuffle="batch")
    with pytest.raises(ArgumentTypeError, match=r"^`drop_remainder` must be True or False"):
        WindowDataset(w, 4, drop_remainder=1)
    with pytest.raises(ArgumentError, match=r"^`sample_weight` must have one weight per window"):
        WindowDataset(w, 4, sample_weight=np.ones(3))
    ds = WindowDataset(w, 4, sample_weight=np.arange(len(w)))
    assert ds[1][2].tolist() == [4, 5, 6, 7]


# ---------------------------------------------------------------- stateful layouts


def stateful_model(batch_size, features=2, timesteps=6):
    model = keras.Sequential([keras.Input(batch_shape=(batch_size, timesteps, features)),
                              keras.layers.LSTM(3, stateful=True), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def test_layout_is_served_in_order_with_weights_and_resets():
    w = panel_windows(stride=6)
    lay = seqprep.stateful_layout(w, 4)
    assert lay.n_padded > 0
    ds = WindowDataset(lay, 4)
    X, y, sw = ds[0]
    assert sw.tolist() == lay.sample_weight[:4].tolist()
    assert np.concatenate([ds[i][2] for i in range(len(ds))]).sum() == len(w)
    assert ds.reset_slots == lay.reset_slots
    with pytest.raises(ArgumentError, match=r"^`shuffle` must be False for a stateful layout"):
        WindowDataset(lay, 4, shuffle=True)
    with pytest.raises(ArgumentError, match=r"^`batch_size` must match the stateful layout"):
        WindowDataset(lay, 8)

    model = stateful_model(4)
    cb = ResetStates(reset_slots=ds.reset_slots)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.fit(ds, shuffle=False, epochs=1, verbose=0, callbacks=[cb])
    slot_resets = [(e, b, s) for e, b, s in cb.reset_log if s is not None]
    assert slot_resets == [(0, b, s) for b, s in lay.reset_slots.items()]
    assert len(slot_resets) >= 2  # a slot moved to another group mid-epoch

    # Keras's default fit(shuffle=True) permutes a PyDataset's batches: said, not silent
    with pytest.warns(UserWarning, match=r"^WindowDataset: batch \d+ of a stateful layout was read"):
        model.fit(WindowDataset(lay, 4), epochs=1, verbose=0)


def test_fit_stateful_accepts_a_window_dataset():
    w = panel_windows(stride=6)
    lay = seqprep.stateful_layout(w, 4, remainder="drop")
    assert lay.n_padded == 0
    model = stateful_model(4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = keras_ext.fit_stateful(model, WindowDataset(lay, 4), epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2


# ---------------------------------------------------------------- to_tf_dataset


def test_tf_dataset_equals_materialised_and_is_static():
    w, full = panel_windows(), panel_windows(copy=True)
    ds = to_tf_dataset(w, 32)
    assert ds.element_spec[0].shape.as_list() == [None, 6, 2]  # last batch partial
    got = list(ds.as_numpy_iterator())
    np.testing.assert_array_equal(np.concatenate([b[0] for b in got]), full.X)
    np.testing.assert_array_equal(np.concatenate([b[1] for b in got]), full.y)
    with pytest.warns(UserWarning, match=r"^to_tf_dataset: drop_remainder=True leaves out"):
        static = to_tf_dataset(w, 32, drop_remainder=True, prefetch=2)
    assert static.element_spec[0].shape.as_list() == [32, 6, 2]
    assert static.element_spec[1].shape.as_list() == [32, 1]
    assert int(static.cardinality()) == len(w) // 32
    assert static.options().experimental_distribute.auto_shard_policy == \
        tf.data.experimental.AutoShardPolicy.DATA
    one = to_tf_dataset(w, len(w))
    assert one.element_spec[0].shape[0] == len(w)  # every batch full: static anyway


def test_tf_dataset_epochs_match_window_dataset():
    w = panel_windows()
    tds = to_tf_dataset(w, 16, shuffle=True, seed=3, prefetch=False)
    pds = WindowDataset(w, 16, shuffle=True, seed=3)
    for _ in range(2):  # each pass over the tf dataset is the next epoch
        a = np.concatenate([x for x, _ in tds.as_numpy_iterator()])
        b = np.concatenate([pds[i][0] for i in range(len(pds))])
        np.testing.assert_array_equal(a, b)
        pds.on_epoch_end()


def test_tf_dataset_shards_are_disjoint_and_equal():
    w = panel_windows()
    n = len(w)
    with pytest.warns(UserWarning, match=rf"^to_tf_dataset: sharding into 3 leaves out {n % 3} window"):
        shards = [to_tf_dataset(w, 8, shuffle=True, seed=5, num_shards=3, shard_index=s)
                  for s in range(3)]
    assert shards[0].options().experimental_distribute.auto_shard_policy == \
        tf.data.experimental.AutoShardPolicy.OFF
    got = [rows(np.concatenate([x for x, _ in s.as_numpy_iterator()])) for s in shards]
    assert [len(g) for g in got] == [n // 3] * 3
    assert len(set(got[0]) | set(got[1]) | set(got[2])) == 3 * (n // 3)
    assert set(got[0]) | set(got[1]) | set(got[2]) <= set(rows(np.asarray(w.X)))
    assert len({int(s.cardinality()) for s in shards}) == 1
    with pytest.raises(ArgumentError, match=r"^`seed` must be set to shuffle a dataset read by several"):
        to_tf_dataset(w, 8, shuffle=True, num_shards=2, shard_index=0)
    with pytest.raises(ArgumentError, match=r"^`shard_index` must be an integer in \[0, num_shards=2\)"):
        to_tf_dataset(w, 8, num_shards=2, shard_index=2)
    with pytest.raises(ArgumentError, match=r"^`num_shards` and `shard_index` go together"):
        to_tf_dataset(w, 8, num_shards=2)


def test_tf_dataset_input_context_and_layout_shards():
    w = panel_windows(stride=6)
    lay = seqprep.stateful_layout(w, 4)
    ctx = tf.distribute.InputContext(num_input_pipelines=2, input_pipeline_id=1,
                                     num_replicas_in_sync=2)
    half = to_tf_dataset(lay, 2, input_context=ctx)
    X, y, sw = next(iter(half))
    assert X.shape == (2, 6, 2)
    np.testing.assert_array_equal(np.concatenate([b[0] for b in half.as_numpy_iterator()]),
                                  np.asarray(lay.X).reshape(lay.n_batches, 4, 6, 2)[:, 2:].reshape(-1, 6, 2))
    with pytest.raises(ArgumentError, match=r"^`batch_size` must match the stateful layout"):
        to_tf_dataset(lay, 4, input_context=ctx)
    with pytest.raises(ArgumentError, match=r"^`input_context` sets the shards"):
        to_tf_dataset(lay, 2, input_context=ctx, num_shards=2, shard_index=0)
    # a stateful model trains from it
    model = stateful_model(4)
    model.fit(to_tf_dataset(lay, 4), epochs=1, verbose=0, shuffle=False,
              callbacks=[ResetStates(reset_slots=lay.reset_slots)])
    # predict: windows without targets yield X alone
    wx = seqprep.make_windows(np.arange(40.0), 5, copy=False)
    assert to_tf_dataset(wx, 4).element_spec.shape.as_list() == [4, 5, 1]


# ---------------------------------------------------------------- memory


MEMORY_SCRIPT = textwrap.dedent("""
    import resource, sys, threading
    import numpy as np, seqprep, keras_ext

    def rss_mb():
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * resource.getpagesize() / 2**20

    # warm up (lazy imports are not the data's memory), then sample RSS every 2 ms
    keras_ext.WindowDataset(seqprep.make_windows(np.zeros((100, 2)), 4, targets=0,
                                                 copy=False), 8, shuffle=True, seed=0)[0]
    source = np.random.default_rng(0).random((1_000_000, 16), dtype=np.float32)  # 61 MiB
    before = rss_mb()
    top, done = [before], threading.Event()

    def watch():
        while not done.wait(0.002):
            top[0] = max(top[0], rss_mb())

    watcher = threading.Thread(target=watch)
    watcher.start()
    w = seqprep.make_windows(source, 64, targets=0, copy=False)
    ds = keras_ext.WindowDataset(w, 1024, shuffle=True, seed=0)
    seen, nbytes, check = 0, 0, 0.0
    for i in range(len(ds)):
        X, y = ds[i]
        seen += len(X)
        nbytes += X.nbytes
        check += float(X[:, -1, 0].sum(dtype=np.float64))
    done.set()
    watcher.join()
    growth = max(top[0], rss_mb()) - before
    expect = float(source[63:len(w) + 63, 0].sum(dtype=np.float64))
    print(len(w), seen, nbytes / 2**30, growth, abs(check - expect) / expect)
""")



def test_streaming_epoch_of_a_million_rows_stays_small():
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", TF_ENABLE_ONEDNN_OPTS="0")
    out = subprocess.run([sys.executable, "-c", MEMORY_SCRIPT], capture_output=True, text=True,
                         env=env, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    n, seen, gib, growth_mb, rel = out.stdout.split()
    assert int(n) == int(seen) == 1_000_000 - 64  # windows with a next-row target
    assert float(gib) > 3.5  # the windows would take ~3.8 GiB if materialised
    # the source is 61 MiB; the order 8 MB, the index (if built) 32 MB, a batch 4 MiB
    assert float(growth_mb) < 150, f"peak memory grew by {float(growth_mb):.0f} MiB"
    assert float(rel) < 1e-6  # every window was read once


# ---------------------------------------------------------------- lazy Parquet sources


def test_loaders_over_parquet_windows(tmp_path):
    rng = np.random.default_rng(2)
    df = pd.concat([pd.DataFrame({"id": g, "t": np.arange(n), "a": rng.normal(size=n),
                                  "b": np.arange(n, dtype=float)}) for g, n in [(0, 90), (1, 70)]])
    for g, part in df.groupby("id"):
        part.to_parquet(tmp_path / f"{g}.parquet", row_group_size=25)
    lazy = seqprep.open_windows(tmp_path, 6, features=["a", "b"], targets="a", group="id", time="t")
    eager = seqprep.make_windows(df, 6, features=["a", "b"], targets="a", group="id", time="t")
    ds = WindowDataset(lazy, 16, shuffle=True, seed=1)
    got = np.concatenate([ds[i][0] for i in range(len(ds))])
    assert sorted(rows(got)) == sorted(rows(np.asarray(eager.X)))
    tds = to_tf_dataset(lazy, 16)  # gathered in parallel threads through the block cache
    np.testing.assert_array_equal(np.concatenate([x for x, _ in tds.as_numpy_iterator()]),
                                  np.asarray(eager.X))
    model = keras.Sequential([keras.Input((6, 2)), keras.layers.Flatten(), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(ds, epochs=1, verbose=0)
    lay = seqprep.stateful_layout(seqprep.open_windows(tmp_path, 6, stride=6, features=["a", "b"],
                                                       targets="a", group="id", time="t"), 2)
    assert (lay.n_batches, lay.n_padded) == (13, 1)  # 14 + 11 windows; the 14 are cut 13 + 1
    cb = ResetStates(reset_slots=lay.reset_slots)
    stateful_model(2).fit(WindowDataset(lay, 2), shuffle=False, verbose=0, callbacks=[cb])
    assert [(b, s) for _, b, s in cb.reset_log if s is not None] == [(0, (0, 1)), (11, (1,))]
    # fit_stateful finds the slot resets of a lazy layout through its WindowDataset too
    h = keras_ext.fit_stateful(stateful_model(2), WindowDataset(lay, 2), verbose=0)
    assert [(b, s) for _, b, s in h.reset_log if s is not None] == [(0, (0, 1)), (11, (1,))]
