"""Stream continuity: does slot ``i`` of each batch continue slot ``i`` of the batch before?

A stateful model carries the state of row ``i`` of batch ``k`` into row ``i`` of batch
``k + 1``. That state means something only when the window in that slot continues the
one before it: same group, same segment (no gap between them), and its first row
``timesteps * sampling_rate`` rows after the previous window's first row. Windows made
by ``make_windows`` with ``stride=1`` (or ``stride=timesteps`` but not interleaved by
``seqprep.stateful_layout``) break that at every batch: with ``batch_size=B``, slot 0 of
batch 1 is window ``B``, which starts ``B * stride`` rows after window 0.

:func:`check_continuity` reads this from the windows' index before any weight changes.
A slot that a ``stateful_layout`` resets at that batch (a new stream starts there), and
its padding samples, are not breaks.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ._args import plural
from ._errors import ContinuityError
from ._inputs import is_layout, windows_behind

__all__ = ["check_continuity"]


def _stream_codes(index: pd.DataFrame) -> np.ndarray:
    """One integer per window: equal for windows of the same group and segment."""
    keys = [c for c in ("group", "segment") if c in index.columns]
    if not keys:
        return np.zeros(len(index), dtype=np.int64)
    frame = index[keys]
    return np.asarray(pd.MultiIndex.from_frame(frame).factorize()[0] if len(keys) > 1
                      else pd.factorize(frame[keys[0]])[0], dtype=np.int64)


def _starts(windows: Any) -> np.ndarray:
    """Each window's first row: ``windows.starts`` (seqprep's window-source protocol), or
    the index's ``first_row`` for windows that do not have it."""
    starts = getattr(windows, "starts", None)
    if starts is None:
        starts = windows.index["first_row"]
    return np.asarray(starts, dtype=np.int64)


def _where(index: pd.DataFrame, pos: int) -> str:
    row = index.iloc[pos]
    parts = [f"window {pos}"]
    if "group" in index.columns:
        parts.append(f"group {row['group']!r}")
    when = row["first_time"] if "first_time" in index.columns else row.get("first_row")
    parts.append(f"starting at {when}")
    return ", ".join(parts)


def check_continuity(name: str, data: Any, batch_size: int) -> str:
    """Raise :class:`ContinuityError` at the first slot that does not continue; else say what was checked.

    Returns a one-line note for ``history.continuity``: what was checked, or why it
    could not be (arrays and datasets other than a ``WindowDataset`` carry no index).
    """
    windows = windows_behind(data)
    if windows is None:
        return ("not checked: arrays and datasets carry no window index (pass seqprep.Windows "
                "or a WindowDataset to have it checked)")
    index = windows.index
    n_batches = len(index) // batch_size
    if n_batches < 2:
        return "checked: fewer than two whole batches, nothing to continue"
    used = n_batches * batch_size
    step = int(windows.timesteps) * int(windows.sampling_rate)
    starts = _starts(windows)[:used].reshape(n_batches, batch_size)
    codes = _stream_codes(index)[:used].reshape(n_batches, batch_size)
    ok = (codes[1:] == codes[:-1]) & (starts[1:] == starts[:-1] + step)
    if is_layout(windows):
        ok |= np.asarray(windows.reset_mask, dtype=bool)[1:n_batches]
        ok |= np.asarray(index["pad"], dtype=bool)[:used].reshape(n_batches, batch_size)[1:]
    broken = np.argwhere(~ok)
    if len(broken) == 0:
        return f"checked: every slot continues across {n_batches:,} batches"
    k, slot = int(broken[0][0]) + 1, int(broken[0][1])
    raise ContinuityError(
        f"`{name}` must continue slot by slot for a stateful model: the window in slot i of "
        f"batch k+1 must be the next window of the same group and segment as slot i of "
        f"batch k (starting {step} rows later). Received: slot {slot} of batch {k} "
        f"({_where(index, k * batch_size + slot)}) does not continue slot {slot} of batch "
        f"{k - 1} ({_where(index, (k - 1) * batch_size + slot)}); "
        f"{plural(len(broken), 'slot')} of {(n_batches - 1) * batch_size:,} break. Lay the "
        f"windows out with `seqprep.stateful_layout(windows, {batch_size})` or pass "
        "layout='auto'; if every window is an independent sequence, pass reset_every=1 "
        "(or continuity='ignore' to train as is).",
        batch=k,
        slot=slot,
    )
