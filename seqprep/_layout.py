"""Lay out windows for stateful recurrent models: ``stateful_layout``.

A stateful LSTM carries its state from sample ``i`` of one batch to sample ``i`` of the
next. Keras cuts batches from consecutive samples, so batch ``k`` is samples
``k * B .. k * B + B - 1`` and its *slot* ``i`` is sample ``k * B + i``. For the carried
state to mean anything, slot ``i`` of batch ``k + 1`` must continue slot ``i`` of batch
``k``: same group, same segment, and its first row right after the previous window's
last. :func:`stateful_layout` reorders windows that way.

Terms
-----
*step*
    ``timesteps * sampling_rate``: how far the next window of a continuous stream starts
    after the current one. Window starts ``s`` and ``s + step`` continue each other.
*stream*
    A run of windows of one group and segment, each continuing the previous. With
    ``stride == step`` a segment is one stream; with ``stride = step / k`` it is ``k``
    interleaved streams (see ``overlap``).
*piece*
    A stream, or a part of one: streams longer than an even share of the batches are cut
    (one long series is cut into ``batch_size`` pieces). Each piece starts a slot's state
    from zero: the slot is *reset* there.
"""

from __future__ import annotations

import heapq
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ._args import choice, integer, plural, show
from ._errors import ArgumentError, ArgumentTypeError, ShapeError
from ._memory import check_fits
from ._lazy import LazyWindows
from ._windows import Windows

__all__ = ["Layout", "StatefulLazyWindows", "StatefulWindows", "stateful_layout"]


#: Bytes the layout keeps per sample (index row and bookkeeping), to bound it up front.
_BYTES_PER_SAMPLE = 128


@dataclass(frozen=True)
class Layout:
    """What :func:`stateful_layout` adds to windows: slots, batches, resets, padding."""

    batch_size: int
    n_batches: int
    n_padded: int
    n_windows_dropped: int
    layout_dropped: pd.DataFrame
    reset_mask: np.ndarray


class _Stateful:
    """The layout's attributes and report lines, on windows laid out by :func:`stateful_layout`."""

    layout: Layout
    index: pd.DataFrame

    batch_size = property(lambda self: self.layout.batch_size, doc="Slots per batch.")
    n_batches = property(lambda self: self.layout.n_batches, doc="Batches in the layout.")
    n_padded = property(lambda self: self.layout.n_padded, doc="Padding samples (weight 0).")
    n_windows_dropped = property(lambda self: self.layout.n_windows_dropped,
                                 doc="Windows left out of the layout.")
    layout_dropped = property(lambda self: self.layout.layout_dropped,
                              doc="Index rows of the windows left out, with a reason.")
    reset_mask = property(lambda self: self.layout.reset_mask,
                          doc="``(n_batches, batch_size)``: where a slot's state restarts.")

    @property
    def sample_weight(self) -> np.ndarray:
        """``1.0`` for real samples, ``0.0`` for padding: pass it to ``fit(sample_weight=...)``."""
        return np.where(self.index["pad"].to_numpy(), 0.0, 1.0).astype(np.float32)

    @property
    def reset_slots(self) -> dict[int, tuple[int, ...]]:
        """``{batch: slots}``: the slots whose state must start from zero before each batch.

        Only batches with at least one such slot are listed. Batch ``0`` lists every slot
        that holds a real sample (each starts a stream); later batches list the slots that
        move to a new group, segment or piece there.
        """
        return {
            int(k): tuple(int(i) for i in np.flatnonzero(row))
            for k, row in enumerate(self.reset_mask)
            if row.any()
        }

    def report(self) -> str:
        # a mixin: report() comes from Windows/LazyWindows after it in the MRO, which
        # mypy cannot see from here
        lines = [super().report()]  # type: ignore[misc]
        lines.append(
            f"stateful layout: {_batches(self.n_batches)} of {self.batch_size} slots, "
            f"{plural(int(self.index['stream'].max()) + 1 if len(self.index) else 0, 'stream')}"
            f" ({plural(int(self.index['reset'].sum()), 'slot reset')}), "
            f"{plural(self.n_padded, 'padding sample')} (weight 0), "
            f"{plural(self.n_windows_dropped, 'window')} left out"
        )
        if len(self.layout_dropped):
            by = self.layout_dropped.groupby("reason", sort=False).size()
            for reason, n in by.items():
                lines.append(f"  {reason}: {plural(int(n), 'window')} ({_LAYOUT_REASONS[reason]})")
        return "\n".join(lines)


_LAYOUT_REASONS = {
    "remainder": "slots cut to the shortest with remainder='drop'",
    "overlap": "windows between the streams kept with overlap='thin'",
}

class StatefulWindows(_Stateful, Windows):
    """A :class:`Windows` laid out by :func:`stateful_layout`."""

    def __init__(self, spec: Any, *, layout: Layout, **fields: Any) -> None:
        super().__init__(spec, **fields)
        self.layout = layout


class StatefulLazyWindows(_Stateful, LazyWindows):
    """A :class:`LazyWindows` laid out by :func:`stateful_layout`."""

    def __init__(self, spec: Any, *, layout: Layout, **fields: Any) -> None:
        super().__init__(spec, **fields)
        self.layout = layout


def _stream_keys(index: pd.DataFrame) -> list[str]:
    # not "file": open_windows' windows continue across the files of a group
    return [c for c in ("group", "segment") if c in index.columns]


def stateful_layout(
    windows: Windows | LazyWindows,
    batch_size: int,
    *,
    remainder: str = "pad",
    overlap: str | None = None,
) -> StatefulWindows | StatefulLazyWindows:
    """Reorder windows so that slot ``i`` of batch ``k + 1`` continues slot ``i`` of batch ``k``.

    Parameters
    ----------
    windows : Windows
        From :func:`make_windows` (or :func:`open_windows`). Their ``stride`` must be the
        continuation step ``timesteps * sampling_rate`` or a divisor of it (see
        ``overlap``).
    batch_size : int
        The static batch size of the stateful model: the number of slots.
    remainder : {"pad", "drop"}, keyword-only
        Slots rarely hold the same number of windows. ``"pad"`` (the default) fills the
        shorter ones at their end with copies of their last window, marked ``pad`` in the
        index and weighted 0 in :attr:`sample_weight`, so no window is left out.
        ``"drop"`` cuts every slot to the shortest; the windows left out are listed in
        ``layout_dropped`` and counted in ``report()``.
    overlap : {"split", "thin", "error"}, optional
        What to do when windows overlap (``stride < timesteps * sampling_rate``, so
        ``k = step / stride`` windows start within one step). ``"split"`` lays them out
        as ``k`` interleaved streams per segment, each continuous on its own (every row
        is then seen ``k`` times per epoch, at ``k`` phases); ``"thin"`` keeps one stream
        per segment (every ``k``-th window) and leaves the others out; ``"error"`` raises.
        Defaults to ``None``: ``"split"`` with a warning that says so.

    Returns
    -------
    Windows
        The same class as ``windows``, sharing its source, with ``n_batches * batch_size``
        samples in batch-major order, and these additions:

        - ``index`` columns ``batch``, ``slot`` (sample ``k * batch_size + i`` is slot
          ``i`` of batch ``k``), ``stream`` (the piece it belongs to; ``-1`` for padding),
          ``step`` (its position in that piece), ``reset`` (``True`` where the slot starts
          a new piece: its state must start from zero) and ``pad``;
        - ``batch_size``, ``n_batches``, ``n_padded``, ``n_windows_dropped``;
        - ``reset_mask``: a ``(n_batches, batch_size)`` boolean array, and
          ``reset_slots``: ``{batch: slots}`` for the batches where some slot resets;
        - ``sample_weight``: 0 for padding, 1 otherwise;
        - ``layout_dropped``: the index rows of windows left out, with a ``reason``.

    Raises
    ------
    ArgumentError
        For a bad ``batch_size``, ``remainder`` or ``overlap``; if no window continues
        another (``stride`` not a divisor of the step); or if ``remainder="drop"`` would
        leave no whole batch.
    ArgumentTypeError
        If ``windows`` is not a windows object.

    See Also
    --------
    make_windows : make the windows, typically with ``stride=timesteps`` for this.
    keras_ext.ResetStates : resets the slots in ``reset_slots`` during ``fit``.

    Notes
    -----
    The layout, in order:

    1. **Streams.** Windows are grouped by ``group`` and ``segment`` (a group read by
       :func:`open_windows` continues across its files), and sorted by first row. A window continues the
       previous one of its stream if it starts exactly ``step`` rows later.
    2. **Pieces.** A stream longer than an even share ``ceil(n / batch_size)`` windows
       (``floor`` with ``remainder="drop"``) is cut into pieces of that length. One long
       series therefore becomes ``batch_size`` contiguous pieces, as a language-model
       ``batchify`` does.
    3. **Slots.** Pieces are dealt longest first, each to the slot with the fewest windows
       so far (ties to the lowest slot), and a slot's pieces follow each other in the
       order dealt. This keeps slot lengths close (little padding) and keeps each group's
       windows in time order.
    4. **Batches.** ``n_batches`` is the longest slot (``"pad"``) or the shortest
       (``"drop"``).

    Cost: ``O(n log n)`` on the index; no window is copied (the result shares the
    source, with ``copy=False`` its ``X`` stays lazy).

    Examples
    --------
    One series of 12 rows, windows of 2 steps that do not overlap, 2 slots: slot 0 reads
    rows 0..5 and slot 1 rows 6..11, each continuing across the 3 batches.

    >>> import numpy as np, seqprep
    >>> w = seqprep.make_windows(np.arange(12.0), 2, stride=2, copy=False)
    >>> lay = seqprep.stateful_layout(w, 2)
    >>> lay.X[:, :, 0]
    array([[ 0.,  1.],
           [ 6.,  7.],
           [ 2.,  3.],
           [ 8.,  9.],
           [ 4.,  5.],
           [10., 11.]], dtype=float32)
    >>> lay.index[["batch", "slot", "reset"]].to_numpy().tolist()
    [[0, 0, True], [0, 1, True], [1, 0, False], [1, 1, False], [2, 0, False], [2, 1, False]]

    Three groups of unequal length in 2 slots: the longest gets a slot of its own, the
    two short ones share the other, which resets where it moves to the second group.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"id": ["a"] * 8 + ["b"] * 4 + ["c"] * 4, "v": np.arange(16.0)})
    >>> w = seqprep.make_windows(df, 2, stride=2, group="id", copy=False)
    >>> lay = seqprep.stateful_layout(w, 2)
    >>> lay.index.pivot(index="batch", columns="slot", values="group").to_numpy().tolist()
    [['a', 'b'], ['a', 'b'], ['a', 'c'], ['a', 'c']]
    >>> lay.reset_slots
    {0: (0, 1), 2: (1,)}
    """
    batch_size, remainder, overlap, k = _check(windows, batch_size, remainder, overlap)
    index = windows.index
    starts = np.asarray(_starts_of(windows), dtype=np.int64)
    notes: list[str] = []
    order, streams, left_out = _streams(index, starts, windows.stride, k, overlap, notes)
    n = len(order)
    share = -(-n // batch_size) if remainder == "pad" else n // batch_size
    if share == 0:
        raise ArgumentError(
            f"`remainder='drop'` leaves no whole batch: {plural(n, 'window')} cannot fill "
            f"{batch_size} slots. Received: batch_size={batch_size}. Pass remainder='pad', "
            "or a batch_size of at most the number of windows."
        )
    pieces, n_cut = _cut(streams, share)
    slot_pieces, loads = _deal(pieces, batch_size)
    n_batches = int(loads.max()) if remainder == "pad" else int(loads.min())
    check_fits(n_batches * batch_size * _BYTES_PER_SAMPLE,
               f"`batch_size={batch_size}`: a layout of {n_batches:,} batches of {batch_size:,} "
               "slots", f"Pass a smaller batch_size (the windows number {n:,}).")
    grid = _fill(pieces, slot_pieces, n_batches, batch_size, order[0])
    dropped_idx = np.concatenate(grid.cut_off) if grid.cut_off else np.empty(0, np.int64)
    layout_dropped = pd.concat(
        [
            index.iloc[np.flatnonzero(left_out)].assign(reason="overlap"),
            index.iloc[dropped_idx].assign(reason="remainder"),
        ],
        ignore_index=True,
    ) if (left_out.any() or len(dropped_idx)) else index.iloc[:0].assign(reason=pd.Series(dtype=str))
    new_index, n_streams = _grid_index(index, grid, batch_size, len(pieces))
    n_padded = int(grid.pad.sum())
    cut = f" ({plural(n_cut, 'stream')} cut into pieces)" if n_cut else ""
    summary = (
        f"stateful_layout(batch_size={batch_size}, remainder={remainder!r}): "
        f"{_batches(n_batches)}, {plural(n_streams, 'stream')}{cut}, "
        f"{plural(n_padded, 'padding sample')}, {plural(len(dropped_idx), 'window')} dropped"
    )
    layout = Layout(batch_size=batch_size, n_batches=n_batches, n_padded=n_padded,
                    n_windows_dropped=int(left_out.sum()) + len(dropped_idx),
                    layout_dropped=layout_dropped,
                    reset_mask=grid.reset.reshape(n_batches, batch_size))
    note = "; ".join(notes + [summary])
    out: Windows | LazyWindows
    if isinstance(windows, Windows):
        out = windows.derive(indices=grid.take, index=new_index, note=note,
                             as_type=StatefulWindows, layout=layout)
    else:
        out = windows.derive(indices=grid.take, index=new_index, note=note,
                             as_type=StatefulLazyWindows, layout=layout)
    assert isinstance(out, (StatefulWindows, StatefulLazyWindows))
    return out


def _check(windows: Any, batch_size: Any, remainder: Any,
           overlap: Any) -> tuple[int, str, str | None, int]:
    """Check the arguments; ``k`` is the number of interleaved streams per segment."""
    if not isinstance(windows, (Windows, LazyWindows)):
        raise ArgumentTypeError(
            f"`windows` must be a Windows object from `make_windows` or `open_windows`. "
            f"Received: windows={show(windows)} of type {type(windows).__name__}."
        )
    batch_size = integer("batch_size", batch_size,
                         fix="It is the static batch size of the stateful model.")
    choice("remainder", remainder, ("pad", "drop"))
    if overlap is not None:
        choice("overlap", overlap, ("split", "thin", "error"))
    if isinstance(windows, _Stateful):
        raise ArgumentError(
            "`windows` must not already be a stateful layout (its index has a `slot` "
            f"column). Received: a layout of batch_size={windows.batch_size}. Lay out the "
            "original windows instead."
        )
    n_in = len(windows)
    if n_in == 0:
        raise ShapeError("`windows` must hold at least one window. Received: 0 windows.")
    # the layout holds n_batches * batch_size samples, at least batch_size: bound it first
    check_fits(max(batch_size, n_in) * _BYTES_PER_SAMPLE,
               f"`batch_size={batch_size}`: a layout of at least {batch_size:,} samples",
               "Pass a batch_size of at most the number of windows "
               f"({n_in:,}); slots beyond it hold only padding.")
    step = int(windows.timesteps) * int(windows.sampling_rate)
    stride = int(windows.stride)
    if stride > step or step % stride:
        raise ArgumentError(
            "`windows` must come in continuing streams for a stateful layout: `stride` must "
            f"be timesteps * sampling_rate = {step} or a divisor of it, so that a window "
            f"starting {step} rows after another continues it. Received: stride={stride}, "
            f"timesteps={windows.timesteps}, sampling_rate={windows.sampling_rate}. Make the "
            f"windows with stride={step}."
        )
    k = step // stride
    return batch_size, remainder, _overlap(overlap, k, stride, step), k


def _overlap(overlap: str | None, k: int, stride: int, step: int) -> str | None:
    if k == 1:
        return overlap
    if overlap == "error":
        raise ArgumentError(
            f"`overlap='error'`: the windows overlap (stride={stride} < timesteps * "
            f"sampling_rate = {step}), so each segment holds {k} interleaved streams. "
            f"Received: stride={stride}. Make the windows with stride={step}, or pass "
            "overlap='split' (keep all windows as separate streams) or 'thin' (keep one)."
        )
    if overlap is None:
        warnings.warn(
            f"stateful_layout: the windows overlap (stride={stride} < timesteps * "
            f"sampling_rate = {step}), so they are laid out as {k} interleaved streams "
            f"per segment, each row seen {k} times per epoch. Pass overlap='split' to "
            f"silence this, overlap='thin' to keep one stream, or make the windows with "
            f"stride={step}.",
            UserWarning,
            stacklevel=4,
        )
        overlap = "split"
    return overlap


def _streams(index: pd.DataFrame, starts: np.ndarray, stride: int, k: int,
             overlap: str | None, notes: list[str]) -> tuple[np.ndarray, list, np.ndarray]:
    """1. Streams: the kept windows in stream order, the streams, the windows left out."""
    n_in = len(starts)
    step = stride * k
    keys = _stream_keys(index)
    if keys:
        codes = pd.MultiIndex.from_frame(index[keys]).factorize()[0] if len(keys) > 1 \
            else pd.factorize(index[keys[0]])[0]
    else:
        codes = np.zeros(n_in, dtype=np.int64)
    codes = np.asarray(codes, dtype=np.int64)
    # phase within the step: windows of one stream share it
    seg_min = pd.Series(starts).groupby(codes).transform("min").to_numpy()
    phase = ((starts - seg_min) // stride) % k
    left_out = np.zeros(n_in, dtype=bool)
    if k > 1 and overlap == "thin":
        left_out = phase != 0
        notes.append(f"overlap='thin': kept 1 of {k} interleaved streams per segment, "
                     f"{plural(int(left_out.sum()), 'window')} left out")
    elif k > 1:
        notes.append(f"overlap='split': {k} interleaved streams per segment")
    keep = np.flatnonzero(~left_out)
    order = keep[np.lexsort((starts[keep], phase[keep], codes[keep]))]
    s_sorted = starts[order]
    new_stream = np.ones(len(order), dtype=bool)
    if len(order) > 1:
        same = (codes[order][1:] == codes[order][:-1]) & (phase[order][1:] == phase[order][:-1])
        new_stream[1:] = ~(same & (np.diff(s_sorted) == step))
    bounds = np.append(np.flatnonzero(new_stream), len(order))
    return order, [order[a:b] for a, b in zip(bounds[:-1], bounds[1:])], left_out


def _cut(streams: list[np.ndarray], share: int) -> tuple[list[np.ndarray], int]:
    """2. Pieces: streams longer than ``share`` windows cut into pieces of that length."""
    pieces: list[np.ndarray] = []
    n_cut = 0
    for s in streams:
        if len(s) > share:
            n_cut += 1
            pieces.extend(s[i : i + share] for i in range(0, len(s), share))
        else:
            pieces.append(s)
    return pieces, n_cut


def _deal(pieces: list[np.ndarray], batch_size: int) -> tuple[list[list[int]], np.ndarray]:
    """3. Slots: pieces dealt longest first, each to the least-filled slot.

    Only the slots that get a piece are listed (at most ``len(pieces)``, so a huge
    ``batch_size`` costs nothing here); ``loads`` counts windows per listed slot.
    """
    rank = sorted(range(len(pieces)), key=lambda p: (-len(pieces[p]), p))
    used = min(batch_size, len(pieces))  # the slots after these hold only padding
    heap = [(0, slot) for slot in range(used)]
    slot_pieces: list[list[int]] = [[] for _ in range(used)]
    for p in rank:
        load, slot = heapq.heappop(heap)
        slot_pieces[slot].append(p)
        heapq.heappush(heap, (load + len(pieces[p]), slot))
    loads = np.array([sum(len(pieces[p]) for p in ps) for ps in slot_pieces])
    return slot_pieces, loads


@dataclass
class _Grid:
    """4. Batches: per sample of the layout (batch-major), the window it takes and more."""

    take: np.ndarray
    piece_of: np.ndarray
    step_in: np.ndarray
    reset: np.ndarray
    pad: np.ndarray
    cut_off: list


def _fill(pieces: list[np.ndarray], slot_pieces: list[list[int]], n_batches: int,
          batch_size: int, first: int) -> _Grid:
    total = n_batches * batch_size
    g = _Grid(np.empty(total, dtype=np.int64), np.full(total, -1, dtype=np.int64),
              np.full(total, -1, dtype=np.int64), np.zeros(total, dtype=bool),
              np.zeros(total, dtype=bool), [])
    empty = np.empty(0, np.int64)
    for slot, ps in enumerate(slot_pieces):
        seq = np.concatenate([pieces[p] for p in ps]) if ps else empty
        pid = np.concatenate([np.full(len(pieces[p]), p) for p in ps]) if ps else empty
        pos = np.concatenate([np.arange(len(pieces[p])) for p in ps]) if ps else empty
        if len(seq) > n_batches:
            g.cut_off.append(seq[n_batches:])
            seq, pid, pos = seq[:n_batches], pid[:n_batches], pos[:n_batches]
        m = len(seq)
        at = np.arange(n_batches) * batch_size + slot
        g.take[at[:m]] = seq
        g.piece_of[at[:m]] = pid
        g.step_in[at[:m]] = pos
        g.reset[at[:m]] = pos == 0
        if m < n_batches:
            g.take[at[m:]] = seq[-1] if m else first
            g.pad[at[m:]] = True
    if len(slot_pieces) < batch_size:  # slots that got no piece: padding only
        g.take.reshape(n_batches, batch_size)[:, len(slot_pieces):] = first
        g.pad.reshape(n_batches, batch_size)[:, len(slot_pieces):] = True
    return g


def _grid_index(index: pd.DataFrame, g: _Grid, batch_size: int,
                n_pieces: int) -> tuple[pd.DataFrame, int]:
    """The layout's index, with pieces numbered in order of first appearance."""
    real = g.piece_of >= 0
    first_seen = pd.unique(g.piece_of[real])
    renumber = np.full(n_pieces, -1, dtype=np.int64)
    renumber[first_seen] = np.arange(len(first_seen))
    g.piece_of[real] = renumber[g.piece_of[real]]
    total = len(g.take)
    new_index = index.iloc[g.take].reset_index(drop=True)
    new_index["batch"] = np.arange(total) // batch_size
    new_index["slot"] = np.arange(total) % batch_size
    new_index["stream"] = g.piece_of
    new_index["step"] = g.step_in
    new_index["reset"] = g.reset
    new_index["pad"] = g.pad
    return new_index, len(first_seen)


def _batches(n: int) -> str:
    return f"{n:,} batch{'' if n == 1 else 'es'}"


def _starts_of(windows: Windows | LazyWindows) -> np.ndarray:
    """Start row of each window, comparable within a stream key (sorted-row positions)."""
    return windows.starts
