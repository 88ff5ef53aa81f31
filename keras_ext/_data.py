"""Feed windows to Keras a batch at a time: ``WindowDataset`` and ``to_tf_dataset``.

Materialised windows are ``timesteps`` times larger than their source (one million rows
of 16 features in windows of 64 steps: 64 MB of data, 4 GB of windows). Both loaders
here keep only the source and the window start positions, and gather each batch when
it is asked for (``Windows.take``: one numpy fancy-index of a strided view), so memory
stays at the source plus a few batches.

Epoch order
-----------
With ``shuffle=True`` epoch ``e`` reads the windows in the order
``numpy.random.default_rng([seed, e]).permutation(n)``: whole windows move, each with its
target and weight, and the same ``seed`` gives the same epochs in both loaders.
``drop_remainder=True`` leaves out the last ``n % batch_size`` windows of that order (a
different few each shuffled epoch).

Stateful layouts
----------------
Windows from :func:`seqprep.stateful_layout` must be read in order, whole batches of the
layout's ``batch_size``: both loaders refuse ``shuffle=True`` for them and yield the
layout's ``sample_weight`` (0 for padding) as a third element when it pads. Keras
shuffles the *batch order* of a ``PyDataset`` unless ``fit(..., shuffle=False)``
(``fit``'s default is ``True``); :class:`WindowDataset` warns when it sees that happen to
a layout, and :func:`keras_ext.fit_stateful` always passes ``shuffle=False``.
"""

from __future__ import annotations

import itertools
import json
import numbers
import os
import warnings
from typing import Any, cast

import keras
import numpy as np

from ._args import plural, positive_int, show
from ._errors import ArgumentError, ArgumentTypeError
from ._inputs import is_layout, is_windows, take_batch

__all__ = ["WindowDataset", "to_tf_dataset"]


# ----------------------------------------------------------------------- helpers


def epoch_order(n: int, seed: int, epoch: int) -> np.ndarray:
    """The window order of a shuffled epoch: a permutation of ``range(n)``."""
    return np.random.default_rng([int(seed), int(epoch)]).permutation(n)


def _check_windows(caller: str, windows: Any) -> int:
    if not is_windows(windows):  # seqprep.WindowSource: methods only, no index built
        raise ArgumentTypeError(
            f"`windows` must be a seqprep.Windows (from `make_windows`, `open_windows` or "
            f"`stateful_layout`). Received: windows={show(windows)} of type "
            f"{type(windows).__name__}. For arrays, pass them to `fit` directly or make "
            f"windows first: `{caller}(seqprep.make_windows(data, timesteps, "
            "copy=False), batch_size)`."
        )
    n = len(windows)
    if n == 0:
        raise ArgumentError("`windows` must hold at least one window. Received: 0 windows.")
    return n


def _check_seed(seed: Any, shuffle: Any) -> None:
    if seed is not None and (isinstance(seed, (bool, np.bool_))
                             or not isinstance(seed, numbers.Integral) or seed < 0):
        raise ArgumentTypeError(
            f"`seed` must be a non-negative integer or None. Received: seed={show(seed)}."
        )
    if not isinstance(shuffle, (bool, np.bool_)):
        raise ArgumentTypeError(
            f"`shuffle` must be True or False. Received: shuffle={show(shuffle)}. (Windows are "
            "shuffled whole; there is no 'batch' mode.)"
        )


def _resolve_seed(seed: Any, shuffle: bool) -> int | None:
    """``seed`` as an int; drawn once (and kept) when shuffling without one."""
    if seed is None:
        entropy = cast(int, np.random.SeedSequence().entropy)  # an int when drawn, not given
        return int(entropy % (1 << 63)) if shuffle else None
    return int(seed)


def _layout_batch_size(windows: Any) -> int | None:
    return int(windows.batch_size) if is_layout(windows) else None


def _check_layout(caller: str, windows: Any, batch_size: int, shuffle: bool,
                  per_shard: int = 1) -> bool:
    """Checks for a stateful layout; returns whether ``windows`` is one."""
    lb = _layout_batch_size(windows)
    if lb is None:
        return False
    if shuffle:
        raise ArgumentError(
            f"`shuffle` must be False for a stateful layout: slot i of each batch continues "
            f"slot i of the batch before. Received: shuffle=True for a layout of "
            f"batch_size={lb}. Pass shuffle=False (lay out the windows again with another "
            "order if you want variety between epochs)."
        )
    if batch_size * per_shard != lb:
        shards = f" x num_shards={per_shard}" if per_shard > 1 else ""
        raise ArgumentError(
            f"`batch_size` must match the stateful layout: batch_size{shards} must be "
            f"{lb}, the layout's batch size, or slots would shift between batches. Received: "
            f"batch_size={batch_size}{shards}. Pass batch_size={lb // per_shard}"
            f"{'' if lb % per_shard == 0 else ' (with num_shards dividing it)'}, or lay the "
            "windows out again for this batch size."
        )
    return True


def _check_weights(windows: Any, n: int, sample_weight: Any) -> np.ndarray | None:
    if sample_weight is None:
        if is_layout(windows) and windows.n_padded:
            return np.asarray(windows.sample_weight, dtype=np.float32)
        return None
    w = np.asarray(sample_weight, dtype=np.float32)
    if w.shape != (n,):
        raise ArgumentError(
            f"`sample_weight` must have one weight per window, shape ({n},). Received: "
            f"{show(sample_weight)}."
        )
    return w


def _report_dropped(caller: str, n_dropped: int, n: int, why: str) -> None:
    if n_dropped:
        warnings.warn(
            f"{caller}: {why} leaves out {plural(n_dropped, 'window')} of {n:,} each epoch "
            "(the last of each epoch's order; a different few when shuffled).",
            UserWarning,
            stacklevel=3,
        )


# ----------------------------------------------------------------------- WindowDataset


class WindowDataset(keras.utils.PyDataset):
    """A ``keras.utils.PyDataset`` that gathers each batch of windows when Keras asks for it.

    Parameters
    ----------
    windows : seqprep.Windows
        From ``make_windows(..., copy=False)``, ``open_windows`` or ``stateful_layout``.
        Only the source and the window starts are held; ``X`` is never materialised.
    batch_size : int
        Windows per batch. For a stateful layout it must be the layout's batch size.
    shuffle : bool, keyword-only
        Permute whole windows (each keeps its target and weight) at every epoch.
        Defaults to ``False``. Refused for a stateful layout.
    seed : int, optional
        Seed of the epoch permutations: epoch ``e`` reads
        ``default_rng([seed, e]).permutation(n)``. Defaults to ``None``: a seed drawn once
        per dataset (kept in ``seed``).
    drop_remainder : bool, keyword-only
        Leave out the last ``n % batch_size`` windows of each epoch so every batch has
        ``batch_size`` samples (what a stateful model needs). The count is in
        ``n_dropped`` and a warning says it. Defaults to ``False``: the last batch is
        smaller.
    sample_weight : array of shape ``(n,)``, optional
        A weight per window, yielded as the third element of each batch. Defaults to the
        layout's ``sample_weight`` for a stateful layout with padding, else none.
    **kwargs
        ``workers``, ``use_multiprocessing``, ``max_queue_size``: passed to
        ``keras.utils.PyDataset``.

    Attributes
    ----------
    n_windows : int
        Windows in ``windows``.
    n_dropped : int
        Windows left out of each epoch by ``drop_remainder``.
    epoch : int
        The epoch whose order ``__getitem__`` serves; ``on_epoch_end`` adds one (and
        only it: changing the order at ``on_epoch_begin`` would race with Keras's worker
        threads and processes, which start first). Keras's ``fit`` also calls
        ``on_epoch_end`` once before its first epoch, so in a fresh dataset ``fit``'s
        epoch ``k`` reads order ``k + 1``: still a function of ``seed`` alone.

    Notes
    -----
    Each batch is ``(X, y)``, ``(X, y, sample_weight)`` or, for windows without targets,
    ``X`` alone (for ``predict``). ``X`` has shape ``(b, timesteps, n_features)``; for
    windows with covariates (``make_windows(static=, known_future=)``) it is the dict of
    ``Windows.inputs`` (``"past"``, ``"static"``, ``"future"``), for a model whose
    ``keras.Input`` s carry those names.

    Keras shuffles a ``PyDataset``'s batch order in ``fit`` unless ``shuffle=False`` is
    passed to ``fit``. Batch-order shuffling is harmless on top of window shuffling, but it
    breaks a stateful layout; for those, pass ``fit(..., shuffle=False)`` or use
    :func:`keras_ext.fit_stateful`. The dataset warns if it is read out of order within an
    epoch (checked with ``workers=1`` and threads only).

    Memory: the source, the ``n``-long order (8 bytes a window) and ``max_queue_size``
    batches in flight with ``workers > 1``.

    Examples
    --------
    >>> import numpy as np, seqprep, keras_ext
    >>> w = seqprep.make_windows(np.arange(100.0), 8, targets=0, copy=False)
    >>> ds = keras_ext.WindowDataset(w, 32, shuffle=True, seed=0)
    >>> len(w), len(ds)
    (92, 3)
    >>> X, y = ds[0]
    >>> X.shape, y.shape
    ((32, 8, 1), (32, 1))
    >>> bool((y[:, 0] == X[:, -1, 0] + 1).all())  # each window keeps its own target
    True
    """

    def __init__(
        self,
        windows: Any,
        batch_size: int,
        *,
        shuffle: bool = False,
        seed: int | None = None,
        drop_remainder: bool = False,
        sample_weight: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        n = _check_windows("WindowDataset", windows)
        batch_size = positive_int("batch_size", batch_size)
        _check_seed(seed, shuffle)
        self.seed = _resolve_seed(seed, bool(shuffle))
        if not isinstance(drop_remainder, (bool, np.bool_)):
            raise ArgumentTypeError(
                f"`drop_remainder` must be True or False. Received: "
                f"drop_remainder={show(drop_remainder)}."
            )
        self._stateful = _check_layout("WindowDataset", windows, batch_size, bool(shuffle))
        self.windows = windows
        self.batch_size = batch_size
        self.shuffle = bool(shuffle)
        self.drop_remainder = bool(drop_remainder)
        self.n_windows = n
        self.n_dropped = n % batch_size if drop_remainder else 0
        self.epoch = 0
        self._weights = _check_weights(windows, n, sample_weight)
        self._has_targets = getattr(windows, "output_units", None) is not None
        self._order_epoch: int | None = None
        self._order: np.ndarray | None = None
        self._reads: list[int] | None = None  # batch indices read in this epoch (layouts)
        self._warned = False
        _report_dropped("WindowDataset", self.n_dropped, n, "drop_remainder=True")

    # -- PyDataset protocol -----------------------------------------------------------

    def __len__(self) -> int:
        n, b = self.n_windows, self.batch_size
        return n // b if self.drop_remainder else -(-n // b)

    def _epoch_positions(self) -> np.ndarray | None:
        if not self.shuffle:
            return None
        if self._order_epoch != self.epoch:
            self._order = epoch_order(self.n_windows, cast(int, self.seed),  # set when shuffling
                                      self.epoch)
            self._order_epoch = self.epoch
        return self._order

    def indices(self, index: int) -> np.ndarray:
        """Positions in ``windows`` of the samples of batch ``index`` in the current epoch."""
        if isinstance(index, (bool, np.bool_)) or not isinstance(index, numbers.Integral):
            raise ArgumentTypeError(
                f"`index` must be an integer batch index. Received: index={show(index)}."
            )
        n_batches = len(self)
        if not -n_batches <= index < n_batches:
            raise IndexError(
                f"`index` must be a batch index in [0, {n_batches}). Received: index={index}."
            )
        index = int(index) % n_batches
        lo = index * self.batch_size
        hi = min(lo + self.batch_size, self.n_windows)
        order = self._epoch_positions()
        return np.arange(lo, hi) if order is None else order[lo:hi]

    def __getitem__(self, index: int) -> Any:
        idx = self.indices(index)
        if self._reads is not None:
            self._check_order(int(index) % len(self))
        X, y = take_batch(self.windows, idx)
        if not self._has_targets:
            return X
        if self._weights is not None:
            return X, y, self._weights[idx]
        return X, y

    def on_epoch_begin(self) -> None:
        if self._stateful and self.workers <= 1 and not self.use_multiprocessing:
            self._reads = []

    def on_epoch_end(self) -> None:
        self.epoch += 1
        self._reads = None

    def _check_order(self, index: int) -> None:
        reads = self._reads
        if reads is None:  # not tracking this epoch
            return
        expected = reads[-1] + 1 if reads else 0
        reads.append(index)
        if index != expected and not self._warned:
            self._warned = True
            after = f"right after batch {reads[-2]}" if len(reads) > 1 else "first in the epoch"
            warnings.warn(
                f"WindowDataset: batch {index} of a stateful layout was read {after}. Slot i "
                "of each batch continues slot i of the batch before only when batches are "
                "read in order. Keras shuffles a PyDataset's batches unless fit(..., "
                "shuffle=False): pass shuffle=False, or use keras_ext.fit_stateful.",
                UserWarning,
                stacklevel=2,
            )

    @property
    def reset_slots(self) -> dict[int, tuple[int, ...]] | None:
        """For a stateful layout, its ``reset_slots`` (``{batch: slots}``), else ``None``.

        Pass it to ``keras_ext.ResetStates(reset_slots=...)`` so each slot's state starts
        from zero where the slot moves to a new group or piece.
        """
        return self.windows.reset_slots if self._stateful else None

    def __repr__(self) -> str:
        return (
            f"WindowDataset(windows={self.n_windows:,}, batch_size={self.batch_size}, "
            f"batches={len(self)}, shuffle={self.shuffle}, drop_remainder={self.drop_remainder})"
        )


# ----------------------------------------------------------------------- to_tf_dataset


def _batch_loader(tf: Any, windows: Any, weights: np.ndarray | None, b: int | None) -> Any:
    """``load(batch positions) -> element``: a ``tf.numpy_function`` over ``take_batch``
    (flat tensors inside, the input dict of windows with covariates rebuilt outside)."""
    X0, y0 = take_batch(windows, np.zeros(1, dtype=np.int64))
    keys = list(X0) if isinstance(X0, dict) else None
    xs0 = [X0[k] for k in keys] if keys is not None else [X0]
    specs = [tf.TensorSpec((b, *a.shape[1:]), tf.as_dtype(a.dtype)) for a in xs0]
    if y0 is not None:
        specs.append(tf.TensorSpec((b, *y0.shape[1:]), tf.as_dtype(y0.dtype)))
        if weights is not None:
            specs.append(tf.TensorSpec((b,), tf.float32))

    def gather(idx: np.ndarray) -> tuple:
        X, y = take_batch(windows, idx)
        out = [X[k] for k in keys] if keys is not None else [X]
        if y is not None:
            out.append(y)
            if weights is not None:
                out.append(weights[idx])
        return tuple(out)

    def load(idx: Any) -> Any:
        out = tf.numpy_function(gather, [idx], [spec.dtype for spec in specs], stateful=False)
        for tensor, spec in zip(out, specs):
            tensor.set_shape(spec.shape)
        nx = len(xs0)
        x = dict(zip(keys, out[:nx])) if keys is not None else out[0]
        return x if len(out) == nx else (x, *out[nx:])

    return load


def _tf_config_workers() -> int:
    try:
        cluster = json.loads(os.environ.get("TF_CONFIG", "") or "{}").get("cluster", {})
    except ValueError:
        return 1
    return sum(len(v) for k, v in cluster.items() if k in ("worker", "chief"))


def to_tf_dataset(
    windows: Any,
    batch_size: int,
    *,
    shuffle: bool = False,
    seed: int | None = None,
    drop_remainder: bool = False,
    prefetch: bool | int = True,
    num_shards: int | None = None,
    shard_index: int | None = None,
    input_context: Any = None,
    sample_weight: Any = None,
) -> Any:
    """The windows as a ``tf.data.Dataset`` of batches gathered on demand, optionally sharded.

    Parameters
    ----------
    windows : seqprep.Windows
        From ``make_windows(..., copy=False)``, ``open_windows`` or ``stateful_layout``.
    batch_size : int
        Windows per batch of this dataset (with ``input_context``, the per-replica batch
        size: ``input_context.get_per_replica_batch_size(global_batch_size)``).
    shuffle, seed : keyword-only
        As :class:`WindowDataset`: whole windows, epoch ``e`` in the order
        ``default_rng([seed, e]).permutation(n)``. Every shard must use the same ``seed``
        (shards are cut from that common order), so ``seed`` is required when sharding a
        shuffled dataset.
    drop_remainder : bool, keyword-only
        Leave out the last ``m % batch_size`` windows of each epoch of the shard so every
        batch is full and the batch dimension is static. Defaults to ``False``. The batch
        dimension is static anyway when every batch is full.
    prefetch : bool or int, keyword-only
        ``True`` (the default) prefetches ``tf.data.AUTOTUNE`` batches, an integer that
        many, ``False`` none.
    num_shards, shard_index : int, optional, keyword-only
        Read only part ``shard_index`` of ``num_shards``: a contiguous block of
        ``n // num_shards`` windows of each epoch's order (the last ``n % num_shards``
        windows of the order are left out, so every shard yields the same number of
        batches). For a stateful layout, shard ``s`` reads slots
        ``s * batch_size .. (s + 1) * batch_size - 1`` of every layout batch, so slot
        continuity holds within each shard. The dataset's ``AutoShardPolicy`` is then
        ``OFF`` (it is sharded already); without sharding it is ``DATA``.
    input_context : tf.distribute.InputContext, optional, keyword-only
        From ``strategy.distribute_datasets_from_function``: sets ``num_shards`` and
        ``shard_index`` to its ``num_input_pipelines`` and ``input_pipeline_id``.
    sample_weight : array of shape ``(n,)``, optional, keyword-only
        A weight per window, yielded third. Defaults to the layout's ``sample_weight``
        for a stateful layout with padding.

    Returns
    -------
    tf.data.Dataset
        Elements ``(X, y)``, ``(X, y, w)`` or ``X`` alone without targets, with
        ``X`` of shape ``(batch_size, timesteps, n_features)`` (batch dimension ``None``
        when the last batch is partial); for windows with covariates ``X`` is a dict
        keyed like ``Windows.inputs`` (``"past"``, ``"static"``, ``"future"``).

    Raises
    ------
    ArgumentError, ArgumentTypeError
        For bad arguments, a shuffled stateful layout, or sharding a shuffled dataset
        without a ``seed`` (every worker would draw its own order).

    Notes
    -----
    Built as a ``tf.data.Dataset.from_generator`` of batch positions (one pass over the
    dataset is the next epoch of the order) mapped in parallel through ``Windows.take``
    (a ``tf.numpy_function``): the source stays in numpy, and TensorFlow holds only the
    batches in flight. Such a dataset cannot be serialised (no ``tf.data`` service, no
    ``save``).

    Multi-worker training: each worker builds its own dataset for its own shard, e.g.
    ``strategy.distribute_datasets_from_function(lambda ctx: to_tf_dataset(w, b,
    shuffle=True, seed=0, input_context=ctx))``, so each worker gathers only its windows.
    On Keras 3.15 ``model.fit`` under ``MultiWorkerMirroredStrategy`` fails for every
    dataset (keras-team/keras#20585: it averages scalar metrics over axis 0); train with a
    custom loop (``strategy.run``) as ``tests/keras/_mw_worker.py`` does.

    Examples
    --------
    >>> import numpy as np, seqprep, keras_ext
    >>> w = seqprep.make_windows(np.arange(100.0), 8, targets=0, copy=False)
    >>> ds = keras_ext.to_tf_dataset(w, 23, drop_remainder=True)
    >>> ds.element_spec[0].shape
    TensorShape([23, 8, 1])

    Half of the windows, for the second of two workers:

    >>> half = keras_ext.to_tf_dataset(w, 16, num_shards=2, shard_index=1)
    >>> [int(X.shape[0]) for X, y in half], float(half.take(1).get_single_element()[0][0, 0, 0])
    ([16, 16, 14], 46.0)
    """
    import tensorflow as tf

    n = _check_windows("to_tf_dataset", windows)
    batch_size = positive_int("batch_size", batch_size)
    _check_seed(seed, shuffle)
    _check_flags(drop_remainder, prefetch)
    num_shards, shard_index, sharded = _shards(num_shards, shard_index, input_context)
    if shuffle and seed is None and (sharded and num_shards > 1 or _tf_config_workers() > 1):
        raise ArgumentError(
            "`seed` must be set to shuffle a dataset read by several workers: shards are cut "
            "from one common order, and without a seed each worker would draw its own, so "
            f"windows would be read twice or never. Received: shuffle=True, seed=None, "
            f"num_shards={num_shards}. Pass the same seed=<int> on every worker."
        )
    seed = _resolve_seed(seed, bool(shuffle))
    stateful = _check_layout("to_tf_dataset", windows, batch_size, bool(shuffle), num_shards)
    weights = _check_weights(windows, n, sample_weight)
    plan = _ShardPlan(n, batch_size, (num_shards, shard_index, sharded), stateful,
                      bool(drop_remainder))
    _report_dropped("to_tf_dataset", plan.shard_left, n, f"sharding into {num_shards}")
    _report_dropped("to_tf_dataset", plan.batch_left, plan.per,
                    f"drop_remainder=True{' (in this shard)' if sharded else ''}")
    epochs = itertools.count()

    def index_batches():
        pos = plan.positions(next(epochs), seed, bool(shuffle))  # one pass = one epoch
        for lo in range(0, len(pos), batch_size):
            yield pos[lo:lo + batch_size]

    b = batch_size if plan.static else None
    load = _batch_loader(tf, windows, weights, b)
    ds = tf.data.Dataset.from_generator(index_batches,
                                        output_signature=tf.TensorSpec((b,), tf.int64))
    # numpy releases the GIL while it copies, so batches can be gathered in parallel
    ds = ds.map(load, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    ds = ds.apply(tf.data.experimental.assert_cardinality(plan.n_batches))
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = (
        tf.data.experimental.AutoShardPolicy.OFF if sharded
        else tf.data.experimental.AutoShardPolicy.DATA
    )
    ds = ds.with_options(options)
    if prefetch is True:
        ds = ds.prefetch(tf.data.AUTOTUNE)
    elif prefetch:
        ds = ds.prefetch(int(prefetch))
    return ds


def _check_flags(drop_remainder: Any, prefetch: Any) -> None:
    if not isinstance(drop_remainder, (bool, np.bool_)):
        raise ArgumentTypeError(
            f"`drop_remainder` must be True or False. Received: "
            f"drop_remainder={show(drop_remainder)}."
        )
    if not (isinstance(prefetch, (bool, np.bool_)) or
            (isinstance(prefetch, numbers.Integral) and int(prefetch) >= 0)):
        raise ArgumentTypeError(
            f"`prefetch` must be True, False or a number of batches >= 0. Received: "
            f"prefetch={show(prefetch)}."
        )


def _shards(num_shards: Any, shard_index: Any, input_context: Any) -> tuple[int, int, bool]:
    """``(num_shards, shard_index, sharded)`` from the arguments (or ``input_context``)."""
    if input_context is not None:
        if num_shards is not None or shard_index is not None:
            raise ArgumentError(
                "`input_context` sets the shards; `num_shards` and `shard_index` must then be "
                f"None. Received: num_shards={num_shards}, shard_index={shard_index}."
            )
        num_shards = int(input_context.num_input_pipelines)
        shard_index = int(input_context.input_pipeline_id)
    if (num_shards is None) != (shard_index is None):
        raise ArgumentError(
            "`num_shards` and `shard_index` go together. Received: num_shards="
            f"{num_shards}, shard_index={shard_index}. Pass both (or `input_context`)."
        )
    if num_shards is None:
        return 1, 0, False
    num_shards = positive_int("num_shards", num_shards)
    if isinstance(shard_index, (bool, np.bool_)) or not isinstance(shard_index, numbers.Integral) \
            or not 0 <= int(shard_index) < num_shards:
        raise ArgumentError(
            f"`shard_index` must be an integer in [0, num_shards={num_shards}). Received: "
            f"shard_index={show(shard_index)}."
        )
    return num_shards, int(shard_index), True


class _ShardPlan:
    """Which windows one shard reads, epoch by epoch, and how many batches that makes."""

    def __init__(self, n: int, batch_size: int, shards: tuple[int, int, bool], stateful: bool,
                 drop_remainder: bool) -> None:
        num_shards, shard_index, sharded = shards
        self.n, self.num_shards, self.shard_index = n, num_shards, shard_index
        if stateful:  # a layout: each shard takes its own slots of every batch
            lb = batch_size * num_shards
            grid = np.arange(n).reshape(n // lb, lb)
            self.mine: np.ndarray | None = grid[:, shard_index * batch_size:
                                                (shard_index + 1) * batch_size].ravel()
            self.per, self.shard_left = len(self.mine), 0
        else:
            self.per = n // num_shards
            self.shard_left = n - self.per * num_shards
            self.mine = None
        self.n_batches = (self.per // batch_size if drop_remainder
                          else -(-self.per // batch_size))
        self.batch_left = self.per % batch_size if drop_remainder else 0
        if self.n_batches == 0:
            raise ArgumentError(
                f"`batch_size` must leave at least one batch: the shard holds "
                f"{plural(self.per, 'window')}. Received: batch_size={batch_size}, "
                f"drop_remainder=True{f', num_shards={num_shards}' if sharded else ''}. "
                "Pass a smaller batch_size or drop_remainder=False."
            )
        self.full = self.per - self.batch_left
        self.static = drop_remainder or self.full % batch_size == 0

    def positions(self, epoch: int, seed: int | None, shuffle: bool) -> np.ndarray:
        """The positions in ``windows`` this shard reads in ``epoch``, whole batches only."""
        if self.mine is not None:
            return self.mine[:self.full]
        order = epoch_order(self.n, cast(int, seed), epoch) if shuffle else np.arange(self.n)
        return order[self.shard_index * self.per:(self.shard_index + 1) * self.per][:self.full]
