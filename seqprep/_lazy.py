"""Windows over data larger than memory: numpy memmaps and Parquet files read lazily.

``open_windows`` and ``LazyWindows`` (this module is the "windows over files" room; the
Parquet listing is ``_parquet``, the plan ``_plan``).

Two routes, both giving the ``len``/``take``/``index``/``report`` interface that
:class:`keras_ext.WindowDataset` and :func:`keras_ext.to_tf_dataset` read batches through
(a Parquet source gives a :class:`LazyWindows`, which is not a full :class:`Windows`: see
there what it lacks):

**A numpy memmap** (one wide table of numbers on disk). ``make_windows(memmap, timesteps,
copy=False)`` keeps the memmap as its source without copying it, as long as the memmap
already has the ``dtype`` asked for (``float32`` by default) and every column is a
feature (or the features are evenly spaced columns of it): the operating system then
pages in only the rows that batches touch. A memmap of another dtype, features picked
unevenly, or rows that must be reordered by group and time are copied into memory
first (once), so store the table in the dtype and order you train in.
``open_windows("x.npy", ...)`` opens a ``.npy`` file that way.

**Parquet** (a file, or a folder of files, e.g. one per entity or per month).
:func:`open_windows` reads only the ``group`` and ``time`` columns up front, works out
every window exactly as :func:`make_windows` would on the rows of every file
concatenated (gaps, ordering, dropped rows), and reads feature and target columns
later, a block of row groups at a time, when a batch asks for windows in it.

Reading Parquet lazily
----------------------
- The windows are those of the **whole table**: a window never spans two groups or a
  gap (per ``on_gap``), but a group split over several files (one file per month, say;
  a folder is read in sorted path order) **continues across them**, and so do its
  windows, as :func:`make_windows` makes them on the rows concatenated.
- Where a group continues from one file to the next, the boundary is checked as
  :func:`make_windows` would check the rows concatenated: a repeated or earlier time
  raises :class:`OrderError` (overlapping files, or files named out of time order), a
  missing step is handled per ``on_gap`` (``'split'`` starts a new segment there).
- A file whose rows are already in (group, time) order within each group is read one
  **row group** at a time: the block of windows starting in row group ``g`` needs row
  group ``g`` and the first rows of the next ones. A file that is not in order is read
  whole and sorted. A window that crosses a file boundary gathers its rows from the
  block of each file it reads (two, or more when files are shorter than a window).
- Blocks are kept in a least-recently-used cache of ``cache_bytes``. Reading windows in
  order (unshuffled, or a stateful layout) touches each block once per epoch. A full
  shuffle touches many blocks per batch: fine while the dataset fits in the cache,
  slow beyond it.
"""

from __future__ import annotations

import copy
import posixpath
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import _time
from ._args import choice, integer, plural, require, show
from ._columns import (as_names, cast, check_dtype, is_label, no_duplicate_columns,
                       resolve_axis)
from ._errors import (ArgumentError, ArgumentTypeError, ColumnError, DataError, GapError,
                      OrderError, ShapeError)
from ._parquet import Listing, list_files, open_file, partitions
from ._plan import DROP_REASONS, Plan, WindowSpec, plan, report_tail, sample_positions
from ._reshape import check_batch_size
from ._indexing import positions
from ._windows import Windows, make_windows, window_view

__all__ = ["LazyWindowArray", "LazyWindows", "open_windows"]

_ACROSS = "across files"  # where notes about file boundaries are said to come from
_INFER = object()  # _across_files: infer the step from the files


# --------------------------------------------------------------------------- files


def _open(listing: Listing, f: str) -> Any:
    """``_parquet.open_file``, with the message of :func:`open_windows` (which also takes
    ``.npy``) when the one file given is not Parquet."""
    try:
        return open_file(listing, f)
    except ArgumentError:
        raise ArgumentError(
            f"`path` must be a Parquet file, a folder of Parquet files, or a .npy file. "
            f"Received: path={show(listing.root)}, which pyarrow cannot read as Parquet. For a "
            "CSV file, read it with `pandas.read_csv` and pass the frame to `make_windows`, or "
            "convert it to Parquet once: `pd.read_csv(path).to_parquet('data.parquet')`."
        ) from None


def _relative(listing: Listing, f: str) -> str:
    """File ``f`` relative to the folder opened (its name, for one file)."""
    if not listing.is_dir:
        return posixpath.basename(f.replace("\\", "/"))
    return posixpath.relpath(f.replace("\\", "/"), listing.base.replace("\\", "/"))


class _File:
    """What is known about one Parquet file after the scan."""

    def __init__(self, path: str, n_rows: int, rg_starts: np.ndarray, offset: int) -> None:
        self.path = path  # within the listing's file system
        self.n_rows = n_rows
        self.rg_starts = rg_starts  # first row of each row group, plus n_rows
        self.order: np.ndarray | None = None  # sorted row -> file row (None: read as stored)
        self.offset = offset  # rows in the files before this one


class _Reader:
    """Decodes blocks of rows (features, targets) from Parquet files, with an LRU cache."""

    def __init__(self, listing: Listing, files: list[_File], features: list,
                 targets: list | None, dtype: np.dtype, need: int, cache_bytes: int,
                 runs: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
        self.listing = listing
        self.files = files
        # Runs of the rows in window order (every group's rows, file after file) that are
        # consecutive rows of one file: first row (in window order), file, first file row
        # (a row of the file as stored, or of the file sorted when ``order`` is set).
        self.run_start, self.run_file, self.run_row = runs
        self.features = features
        self.targets = targets
        self.dtype = dtype
        self.need = need
        self.cache_bytes = cache_bytes
        self._cache: OrderedDict[tuple[int, int], tuple] = OrderedDict()
        self._held = 0
        self._lock = threading.Lock()
        self.blocks_read = 0  # how many blocks were decoded (a cache miss each)

    def locate(self, start: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(run, file, file row)`` of rows ``start`` (in window order)."""
        run = np.searchsorted(self.run_start, start, side="right") - 1
        return run, self.run_file[run], self.run_row[run] + (start - self.run_start[run])

    def rows(self, start: int, n: int) -> tuple[np.ndarray, np.ndarray | None]:
        """Rows ``start .. start + n - 1`` (in window order) gathered from the files they are in."""
        feats, targs = [], []
        run = int(np.searchsorted(self.run_start, start, side="right") - 1)
        at = start
        while at < start + n:
            end = int(self.run_start[run + 1]) if run + 1 < len(self.run_start) else None
            f = int(self.run_file[run])
            row = int(self.run_row[run]) + at - int(self.run_start[run])
            take = start + n - at if end is None else min(end, start + n) - at
            lo, fb, tb = self.block(f, int(self.block_of(f, np.array([row]))[0]))
            feats.append(fb[row - lo : row - lo + take])
            if tb is not None:
                targs.append(tb[row - lo : row - lo + take])
            at += take
            run += 1
        return np.concatenate(feats), (np.concatenate(targs) if targs else None)

    def block_of(self, f: int, start: np.ndarray) -> np.ndarray:
        """Block (row group, or 0 for a file read whole) of windows starting at ``start``."""
        info = self.files[f]
        if info.order is not None:
            return np.zeros(len(start), dtype=np.int64)
        return np.searchsorted(info.rg_starts, start, side="right") - 1

    def block(self, f: int, b: int) -> tuple[int, np.ndarray, np.ndarray | None]:
        """``(first sorted row, features, targets)`` of block ``b`` of file ``f``."""
        key = (f, b)
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
        out = self._read(f, b)
        size = out[1].nbytes + (0 if out[2] is None else out[2].nbytes)
        with self._lock:
            if key not in self._cache:
                self._cache[key] = out
                self._held += size
                self.blocks_read += 1
                while self._held > self.cache_bytes and len(self._cache) > 1:
                    _, old = self._cache.popitem(last=False)
                    self._held -= old[1].nbytes + (0 if old[2] is None else old[2].nbytes)
        return out

    def _read(self, f: int, b: int) -> tuple[int, np.ndarray, np.ndarray | None]:
        info = self.files[f]
        columns = list(dict.fromkeys(self.features + (self.targets or [])))
        pf = open_file(self.listing, info.path)
        rows: np.ndarray | slice  # the rows of the block to keep, in order
        if info.order is not None:  # out of order: read whole, then sort
            table = pf.read(columns=columns)
            lo, rows = 0, info.order
        else:
            lo = int(info.rg_starts[b])
            hi = min(int(info.rg_starts[b + 1]) + self.need - 1, info.n_rows)
            last = int(np.searchsorted(info.rg_starts, hi - 1, side="right") - 1)
            table = pf.read_row_groups(list(range(b, last + 1)), columns=columns)
            rows = slice(0, hi - lo)

        def block(names: list, role: str) -> np.ndarray:
            out = np.empty((table.num_rows, len(names)), dtype=self.dtype)
            for j, name in enumerate(names):
                values = table.column(name).to_numpy(zero_copy_only=False)
                try:
                    out[:, j] = cast(values, self.dtype, role=role)  # the one casting rule
                except ArgumentTypeError as exc:
                    raise ArgumentTypeError(f"{_relative(self.listing, info.path)}, column "
                                            f"{show(name)}: {exc}") from None
            return out[rows]

        feats = block(self.features, "features")
        targs = None if self.targets is None else block(self.targets, "targets")
        return lo, feats, targs


# --------------------------------------------------------------------------- lazy X


class LazyWindowArray:
    """``X`` of a :class:`LazyWindows`: indexing reads the windows asked for from disk.

    ``np.asarray`` reads them all, so only do that for data that fits in memory.
    """

    def __init__(self, windows: LazyWindows) -> None:
        self._windows = windows

    @property
    def shape(self) -> tuple[int, int, int]:
        return (len(self._windows), *self._windows.input_shape)

    @property
    def dtype(self) -> np.dtype:
        return self._windows.dtype

    ndim = 3

    def __len__(self) -> int:
        return len(self._windows)

    def __getitem__(self, key: Any) -> np.ndarray:
        first, rest = (key[0], key[1:]) if isinstance(key, tuple) else (key, ())
        idx = np.arange(len(self._windows))[first]
        X = self._windows.take(np.atleast_1d(idx))[0]
        if np.ndim(idx) == 0:
            X = X[0]
        return X[(slice(None),) * (np.ndim(idx)) + rest] if rest else X

    def __array__(self, dtype=None, copy=None):
        X = self._windows.take(np.arange(len(self._windows)))[0]
        return X if dtype is None else X.astype(dtype, copy=False)

    def __repr__(self) -> str:
        return f"LazyWindowArray(shape={self.shape}, dtype={self.dtype})"


# --------------------------------------------------------------------------- LazyWindows


class LazyWindows:
    """Windows over Parquet files, read from disk a block at a time. Made by :func:`open_windows`.

    It has the part of the :class:`Windows` interface that batch loaders and
    :func:`stateful_layout` use: ``len``, ``take(indices) -> (X, y)``, ``subset``,
    ``index``, ``dropped``, ``report()``, ``input_shape``, ``output_units``,
    ``batch_input_shape``, ``timesteps``, ``horizon``, ``gap``, ``stride``,
    ``sampling_rate``, ``feature_names``, ``target_names``, ``notes``, ``n_rows``, and the
    accessors ``spec``, ``starts`` and ``derive`` (a :class:`WindowSource`).
    It works with :func:`stateful_layout`, ``keras_ext.WindowDataset`` and
    ``keras_ext.to_tf_dataset``. It does **not** work with :func:`split_by_time` or
    :class:`Scaler` (both refuse it with an error): split or scale the data before
    writing the files, or subset it by ``index`` yourself.

    What differs from :class:`Windows`:

    - ``X`` is a :class:`LazyWindowArray`: indexing it reads from disk, and ``y`` reads
      the target columns of every file when first asked for (``samples x output_units``
      values, kept).
    - ``index`` has a ``file`` column (the file of the window's first row, relative to
      the folder opened; a window may go on into the next files of its group), and
      ``first_row``, ``last_row``, ``target_row`` count rows across all files in the
      order listed in ``files`` (file by file, each in its stored order).
    - ``dropped`` has a ``file`` column too (the file of the first of the rows, or of
      the first row of the stretch that skipped rows lie in).
    - There is no ``to_frame``, ``y_steps`` or ``copy``; pass it to
      ``keras_ext.WindowDataset`` or ``keras_ext.to_tf_dataset`` rather than to ``fit``.

    Examples
    --------
    >>> import numpy as np, pandas as pd, seqprep, tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "x.parquet"
    >>> pd.DataFrame({"v": np.arange(8.0)}).to_parquet(f)
    >>> w = seqprep.open_windows(f, 3, targets="v")
    >>> isinstance(w, seqprep.WindowSource), len(w), w.starts[:3].tolist()
    (True, 5, [0, 1, 2])
    >>> w.derive(indices=[4]).take([0])[1].tolist()
    [[7.0]]
    """

    def __init__(self, spec: WindowSpec, *, reader: _Reader, starts: np.ndarray,
                 feature_names: tuple, target_names: tuple | None, index: pd.DataFrame,
                 dropped: pd.DataFrame, n_rows: int, notes: list[str], files: list[str],
                 root: Path) -> None:
        self.spec = spec
        self._reader = reader
        # first row of each window, counted in window order (each group's rows, file
        # after file): comparable within a group, across files too
        self._starts = np.asarray(starts, dtype=np.int64)
        self.feature_names = tuple(feature_names)
        self.target_names = tuple(target_names or ())
        self._has_targets = target_names is not None
        self.index = index
        self.dropped = dropped
        self.n_rows = n_rows
        self.notes = list(notes)
        self.files = list(files)
        self.root = root
        self._y: np.ndarray | None = None

    timesteps = property(lambda self: self.spec.timesteps, doc="Time steps per window.")
    horizon = property(lambda self: self.spec.horizon, doc="Target rows per window.")
    gap = property(lambda self: self.spec.gap, doc="Rows between inputs and targets.")
    stride = property(lambda self: self.spec.stride, doc="Rows between window starts.")
    sampling_rate = property(lambda self: self.spec.sampling_rate,
                             doc="Every how many rows a window reads.")

    # -- shapes ---------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._starts)

    def __getitem__(self, key: Any) -> LazyWindows:
        """``windows[key]``: a new LazyWindows of the samples ``key`` picks, as
        :meth:`Windows.__getitem__` (an integer, a slice, a boolean mask, positions);
        nothing is read from the files until the arrays are asked for."""
        idx = positions(key, len(self))
        return self.subset(idx, note=f"{plural(len(idx), 'sample')} of {len(self):,} "
                                     "selected by windows[...]")

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        """``np.asarray(windows)`` is ``X``, every window read from the files."""
        return self.X.__array__(dtype, copy)

    @property
    def starts(self) -> np.ndarray:
        """First row of each window, counted in window order (each group's rows, file after
        file): comparable within a group, across files too."""
        return self._starts

    @property
    def dtype(self) -> np.dtype:
        return self._reader.dtype

    @property
    def span(self) -> int:
        """Rows from a window's first input row to its last: ``(timesteps - 1) * sampling_rate + 1``."""
        return self.spec.span

    @property
    def target_offset(self) -> int:
        """Rows from a window's first input row to its first target row: ``span + gap``."""
        return self.spec.target_offset

    @property
    def input_shape(self) -> tuple[int, int]:
        """``(timesteps, n_features)``, for ``keras.Input(shape=...)``."""
        return (self.timesteps, len(self.feature_names))

    @property
    def output_units(self) -> int | None:
        """Units of a ``Dense`` head that fits ``y``: ``horizon * n_targets``."""
        return self.horizon * len(self.target_names) if self._has_targets else None

    def batch_input_shape(self, batch_size: int) -> tuple[int, int, int]:
        """``(batch_size, timesteps, n_features)``; ``batch_size`` must divide ``len(self)``."""
        return (check_batch_size(len(self), batch_size), *self.input_shape)

    # -- data -----------------------------------------------------------------

    def take(self, indices: Any) -> tuple[np.ndarray, np.ndarray | None]:
        """Read the windows at ``indices`` as new arrays ``(X, y)``; ``y`` is None without targets."""
        idx = sample_positions(indices, len(self)).reshape(-1)
        n = len(idx)
        T, F = self.input_shape
        X = np.empty((n, T, F), dtype=self.dtype)
        units = self.output_units  # None exactly without targets
        y = np.empty((n, units), dtype=self.dtype) if units is not None else None
        if n == 0:
            return X, y
        reader, toff, H = self._reader, self.target_offset, self.horizon
        need = reader.need
        starts = self._starts[idx]
        run, files, local = reader.locate(starts)
        run_end = np.append(reader.run_start[1:], np.iinfo(np.int64).max)[run]
        across = np.flatnonzero(starts + need > run_end)  # rows from two files (or more)
        for i in across:
            feats, targs = reader.rows(int(starts[i]), need)
            X[i] = feats[: self.span : self.sampling_rate]
            if y is not None:
                assert targs is not None  # with targets, the reader reads them
                y[i] = targs[toff : toff + H].reshape(-1)
        within = np.flatnonzero(starts + need <= run_end)
        files, local = files[within], local[within]
        blocks = np.zeros(len(within), dtype=np.int64)
        for f in np.unique(files):
            at = files == f
            blocks[at] = reader.block_of(int(f), local[at])
        key = files.astype(np.int64) * (1 << 32) + blocks
        order = np.argsort(key, kind="stable")
        cuts = np.flatnonzero(np.diff(key[order])) + 1
        for part in np.split(order, cuts) if len(order) else ():
            f, b = int(files[part[0]]), int(blocks[part[0]])
            lo, feats, targs = reader.block(f, b)
            rel = local[part] - lo
            X[within[part]] = window_view(feats, T, self.sampling_rate)[rel]
            if y is not None:
                assert targs is not None  # with targets, the reader reads them
                rows = rel[:, None] + toff + np.arange(H)[None, :]
                y[within[part]] = targs[rows].reshape(len(part), -1)
        return X, y

    @property
    def X(self) -> LazyWindowArray:
        return LazyWindowArray(self)

    @property
    def y(self) -> np.ndarray | None:
        if not self._has_targets:
            return None
        if self._y is None:
            self._y = self.take(np.arange(len(self)))[1]
        return self._y

    def subset(self, indices: Any, *, index: pd.DataFrame | None = None,
               note: str | None = None) -> LazyWindows:
        """A new :class:`LazyWindows` holding the windows at ``indices``, in that order (same files, same cache)."""
        return self.derive(indices=indices, index=index, note=note)

    def derive(self, *, indices: Any = None, index: pd.DataFrame | None = None,
               note: str | None = None, as_type: type[LazyWindows] | None = None,
               **extra: Any) -> LazyWindows:
        """A new LazyWindows over the same files: the windows at ``indices`` (all by
        default), with ``index`` and one more ``note``; ``as_type`` (a subclass) and
        ``extra`` (its own arguments) make a subclass. The one way to derive."""
        idx = np.arange(len(self)) if indices is None else sample_positions(indices, len(self))
        if index is None:
            index = self.index if indices is None else self.index.iloc[idx].reset_index(drop=True)
        return (as_type or LazyWindows)(
            self.spec, reader=self._reader, starts=self._starts[idx],
            feature_names=self.feature_names,
            target_names=self.target_names if self._has_targets else None, index=index,
            dropped=self.dropped, n_rows=self.n_rows, notes=self.notes + ([note] if note else []),
            files=self.files, root=self.root, **extra)

    # -- report ---------------------------------------------------------------

    @property
    def n_dropped(self) -> int:
        """Rows of the input that are in no sample."""
        return int(self.dropped["rows"].sum()) if len(self.dropped) else 0

    @property
    def blocks_read(self) -> int:
        """Blocks decoded from disk so far (each a cache miss), shared by subsets."""
        return self._reader.blocks_read

    def report(self) -> str:
        """A plain-text account: samples and shapes, files, rows in no sample and why, notes."""
        y = "no targets" if not self._has_targets else f"y {(len(self), self.output_units)}"
        lines = [
            f"{plural(len(self), 'sample')}: X {(len(self), *self.input_shape)}, {y}",
            f"{plural(self.n_rows, 'row')} in {plural(len(self.files), 'file')}, "
            f"{plural(self.n_dropped, 'row')} in no sample",
        ]
        lines.extend(report_tail(self.dropped, DROP_REASONS, self.notes))
        return "\n".join(lines)

    def __repr__(self) -> str:
        y = (len(self), self.output_units) if self._has_targets else None
        return (
            f"LazyWindows(samples={len(self)}, input_shape={self.input_shape}, y_shape={y}, "
            f"files={len(self.files)}, dropped_rows={self.n_dropped})"
        )


# --------------------------------------------------------------------------- open_windows


def open_windows(
    path: Any,
    timesteps: int,
    *,
    horizon: int = 1,
    gap: int = 0,
    stride: int = 1,
    sampling_rate: int = 1,
    features: Any = None,
    targets: Any = None,
    group: Any = None,
    time: Any = None,
    freq: Any = None,
    on_gap: str = "error",
    sort: bool = True,
    dtype: Any = np.float32,
    cache_bytes: int = 256 * 2**20,
) -> LazyWindows | Windows:
    """Windows over a Parquet file or folder (or a ``.npy`` file), read lazily from disk.

    Parameters
    ----------
    path : str or pathlib.Path
        A Parquet file, a folder of Parquet files (searched recursively, in sorted path
        order; names starting with ``.`` or ``_`` are skipped), or a ``.npy`` file, which is
        memory-mapped and windowed with ``make_windows(..., copy=False)``.
    timesteps, horizon, gap, stride, sampling_rate, features, targets, freq, on_gap, sort, dtype
        As for :func:`make_windows`. ``features`` and ``targets`` are column names
        (positions for ``.npy``); ``features`` defaults to every column but ``group``,
        ``time`` and a pandas index stored by ``to_parquet`` (``__index_level_0__``).
    group, time : str, optional
        Column names of the entity and the time of each row. Windows never cross a
        group or a gap (per ``on_gap``); a group that continues from one file to the
        next is one series, its boundaries checked (see Notes).
    cache_bytes : int, keyword-only
        Decoded blocks kept in memory, least recently used first out. Defaults to
        256 MiB. At least one block is always kept.

    Returns
    -------
    LazyWindows or Windows
        For Parquet, a :class:`LazyWindows` (see it for what differs from ``Windows``);
        for ``.npy``, a :class:`Windows` over the memory map.

    Raises
    ------
    ArgumentError, ArgumentTypeError, ColumnError
        For a bad argument, a missing file or column, a ``path`` that is not Parquet
        (nor a folder of it, nor ``.npy``), or non-numeric feature columns.
    GapError, OrderError, ShapeError
        As :func:`make_windows` raises them, naming the file; also for a repeated or
        earlier time (``OrderError``) or a missing step (``GapError``, with
        ``on_gap='error'``) where a group continues from one file to the next.
    DataError
        A ``*.parquet`` file in the folder that is not Parquet, or time columns of
        different types in different files.
    MissingDependencyError
        Without pyarrow (``pip install 'seqprep[parquet]'``).

    Notes
    -----
    Up front, only the ``group`` and ``time`` columns are read (every file's) and
    windowed with :func:`make_windows` as one table, so the scan costs those two columns
    plus the index (one row per window). Features and targets are read when ``take`` asks
    for them; see the module notes for blocks, row groups and the cache. Files may have
    row groups of any size; a file already in (group, time) order is read one row group
    at a time. Files of a folder that the listing rule leaves out (hidden, ``_``-prefixed
    such as ``_SUCCESS``, not a Parquet name) are not read, and named in ``notes``.

    **A group split over several files** (one file per month, say) continues across
    them: the windows, targets, ``index`` (but for ``file``) and ``dropped`` (but for
    ``file``) are those :func:`make_windows` gives on the rows of every file
    concatenated, and a window may read rows of two files or more. The boundary between
    consecutive files of a group (in the order its rows are read: files in sorted path
    order) is checked as :func:`make_windows` checks the rows concatenated: a repeated or
    earlier time raises :class:`OrderError` naming the group, the files and the times
    (overlapping files, or names that do not sort in time order); a missing step raises
    :class:`GapError` with ``on_gap='error'``, starts a new segment with ``'split'`` and
    is windowed across with ``'ignore'`` (both said in ``notes``).

    Examples
    --------
    Two entities written to two files; the windows are those of the whole table.

    >>> import numpy as np, pandas as pd, seqprep, tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> for name in ("a", "b"):
    ...     pd.DataFrame({"id": name, "t": np.arange(6), "v": np.arange(6.0)}).to_parquet(
    ...         folder / f"{name}.parquet")
    >>> w = seqprep.open_windows(folder, 3, targets="v", group="id", time="t")
    >>> w
    LazyWindows(samples=6, input_shape=(3, 1), y_shape=(6, 1), files=2, dropped_rows=0)
    >>> X, y = w.take([0, 5])
    >>> X[:, :, 0], y[:, 0]
    (array([[0., 1., 2.],
           [2., 3., 4.]], dtype=float32), array([3., 5.], dtype=float32))
    >>> w.index[["file", "group", "first_row"]].iloc[[0, 5]].to_numpy().tolist()
    [['a.parquet', 'a', 0], ['b.parquet', 'b', 8]]

    One entity over two monthly files: the boundary is checked, and the windows
    continue across it.

    >>> months = pathlib.Path(tempfile.mkdtemp())
    >>> df = pd.DataFrame({"id": "a", "day": pd.date_range("2024-01-29", periods=7),
    ...                    "v": np.arange(7.0)})
    >>> df.iloc[:3].to_parquet(months / "2024-01.parquet")
    >>> df.iloc[3:].to_parquet(months / "2024-02.parquet")
    >>> w = seqprep.open_windows(months, 2, targets="v", group="id", time="day")
    >>> len(w), len(seqprep.make_windows(df, 2, targets="v", group="id", time="day"))
    (5, 5)
    >>> X, y = w.take([1])  # 30 and 31 January, then 1 February
    >>> X[0, :, 0], y[0]
    (array([1., 2.], dtype=float32), array([3.], dtype=float32))
    >>> w.index["file"].tolist()
    ['2024-01.parquet', '2024-01.parquet', '2024-01.parquet', '2024-02.parquet',
     '2024-02.parquet']
    >>> print(w.notes[-1])
    across files: group 'a' continues across 2 files: the boundaries are checked and windows
    continue across them
    """
    spec = WindowSpec.checked(timesteps, horizon=horizon, gap=gap, stride=stride,
                              sampling_rate=sampling_rate, with_targets=targets is not None)
    choice("on_gap", on_gap, ("error", "split", "ignore"))
    if not isinstance(sort, (bool, np.bool_)):
        raise ArgumentTypeError(f"`sort` must be True or False. Received: sort={show(sort)}.")
    cache_bytes = integer("cache_bytes", cache_bytes, minimum=0)
    if not isinstance(path, (str, Path)) and not hasattr(path, "__fspath__"):
        raise ArgumentTypeError(
            f"`path` must be a file or folder path. Received: path={show(path)} of type "
            f"{type(path).__name__}. For arrays or DataFrames in memory use `make_windows`."
        )
    root = Path(path)
    if root.suffix == ".npy":
        return _open_npy(root, spec, features=features, targets=targets, group=group,
                         time=time, freq=freq, on_gap=on_gap, sort=sort, dtype=dtype)
    dtype = check_dtype(dtype)
    require("pyarrow.parquet", "parquet", "Reading Parquet with `open_windows`")
    listing = list_files(root)  # the one listing rule (D4), as the command line lists
    parts = partitions(listing)  # hive partition values (folder names), per file
    first = listing.files[0]
    cols = _columns_of(_open(listing, first).schema_arrow, sorted(parts.get(first, {})),
                       features, targets, group, time)
    scan = _scan(listing, parts, cols, group=group, time=time, freq=freq)
    wf = _plan_files(scan, spec, root, group=group, time=time, freq=freq, on_gap=on_gap,
                     sort=sort)
    across = scan.boundaries(on_gap, _step_used(wf, freq, scan.timed))
    reader, file_of = _lay_out(wf, listing, scan.files, cols.features, cols.targets, dtype,
                               spec.need, cache_bytes)
    starts = wf.starts_array()
    idx = wf.index()
    idx.insert(0, "file", pd.Categorical.from_codes(file_of[starts], categories=scan.rels))
    dropped = wf.dropped()
    first_rows = np.asarray(wf.dropped(label=lambda rows: rows)["first"], dtype=np.int64)
    dropped.insert(0, "file", pd.Categorical.from_codes(
        file_of[first_rows] if len(dropped) else [], categories=scan.rels))
    notes = [n for n in wf.notes if not n.startswith(("sorted by time", "rows regrouped"))]
    unsorted = [f"{rel}: rows not in (group, time) order: read whole and sorted"
                for rel, f in zip(scan.rels, scan.files) if f.order is not None]
    notes.extend(_condense(unsorted))
    notes.extend(f"{_ACROSS}: {note}" for note in across)
    skipped = listing.skipped_note()  # files not read are said, never silent
    if skipped is not None:
        notes.append(skipped)
    return LazyWindows(spec, reader=reader, starts=starts, feature_names=tuple(cols.features),
                       target_names=None if cols.targets is None else tuple(cols.targets),
                       index=idx, dropped=dropped, n_rows=scan.n_rows, notes=notes,
                       files=scan.rels, root=root)


def _open_npy(root: Path, spec: WindowSpec, **kw: Any) -> Windows:
    """A ``.npy`` file, memory-mapped and windowed by :func:`make_windows` (``copy=False``)."""
    if not root.exists():
        list_files(root)  # raises "does not exist"
    try:
        data = np.load(root, mmap_mode="r", allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        why = str(exc).split("\n")[0][:200]
        raise DataError(
            f"`path` must be a readable .npy file of numbers. Received: path={show(str(root))}, "
            f"which numpy cannot read ({why}). Write it again with `np.save(path, array)`."
        ) from None
    return make_windows(data, spec.timesteps, horizon=spec.horizon, gap=spec.gap,
                        stride=spec.stride, sampling_rate=spec.sampling_rate, copy=False, **kw)


@dataclass
class _Columns:
    features: list
    targets: list | None
    reserved: list


def _columns_of(schema: Any, partitioned: list, features: Any, targets: Any, group: Any,
                time: Any) -> _Columns:
    """The feature, target and reserved (group, time) columns of the first file's schema;
    ``group`` and ``time`` may also be hive partition columns (``partitioned``)."""
    pa = require("pyarrow", "parquet", "Reading Parquet with `open_windows`")
    columns = list(schema.names)
    if len(set(columns)) != len(columns):
        no_duplicate_columns(pd.DataFrame(columns=columns))  # raises ColumnError
    for name, value in (("group", group), ("time", time)):
        if value is not None:
            as_names(name, value, columns + [c for c in partitioned if c not in columns],
                     where="the Parquet data")
    reserved = [c for c in (group, time) if c is not None]
    _not_partitions(features, targets, [c for c in partitioned if c not in columns])
    target_cols = as_names("targets", targets, columns, where="the Parquet data")
    if features is None:  # every column but group, time and a stored pandas index
        meta = schema.pandas_metadata or {}
        stored_index = {c for c in meta.get("index_columns", []) if isinstance(c, str)}
        feature_cols = [c for c in columns if c not in reserved and c not in stored_index]
    else:  # a list: as_names gives None only for features=None
        feature_cols = as_names("features", features, columns, where="the Parquet data") or []
    numeric = (pa.types.is_integer, pa.types.is_floating, pa.types.is_boolean)
    bad = [c for c in feature_cols + (target_cols or [])
           if not any(is_kind(schema.field(c).type) for is_kind in numeric)]
    if bad:
        kinds = ", ".join(f"{show(c)} ({schema.field(c).type})" for c in bad)
        raise ArgumentTypeError(
            f"`features` and `targets` must be numeric columns. Received non-numeric: {kinds}. "
            "Name the numeric columns with `features=`, or encode those as numbers first."
        )
    clash = [c for c in feature_cols + (target_cols or []) if c in reserved]
    if clash:
        raise ColumnError(f"`features` and `targets` must not include the group or time column. "
                          f"Received: {show(clash)}.")
    return _Columns(feature_cols, target_cols, reserved)


def _not_partitions(features: Any, targets: Any, partitioned: list) -> None:
    """Refuse, saying why, features or targets that are hive partition columns: those live
    in folder names (text, one value per file), read as ``group``/``time`` only."""
    for name, value in (("features", features), ("targets", targets)):
        if value is None or not partitioned:
            continue
        named = [value] if is_label(value) else list(value) if isinstance(
            value, (list, tuple)) else []
        hit = [c for c in named if c in partitioned]
        if hit:
            raise ColumnError(
                f"`{name}` names {plural(len(hit), 'column')} not in the Parquet data: "
                f"{show(hit[0])} is a hive partition column (a folder name such as "
                f"{hit[0]}=...), its values text in the paths, one per file. Received: "
                f"{name}={show(value)}. Use it as `group` (or `time`), or write it into the "
                "files as a numeric column to use it as an input.")


@dataclass
class _Scan:
    """What the scan of the files found: the files, their group and time columns (``whole``,
    file after file) and each group's first and last time per file (``pieces``)."""

    files: list[_File]
    rels: list[str]
    whole: pd.DataFrame
    pieces: list[dict]
    timed: tuple | None
    inferred: dict
    grouped: bool
    freq: Any

    @property
    def n_rows(self) -> int:
        return len(self.whole)

    def boundaries(self, on_gap: str, step: Any = _INFER) -> list[str]:
        """Check each group where it continues from one file to the next; notes."""
        if len(self.files) == 1:
            return []
        return _across_files(self.pieces, grouped=self.grouped, timed=self.timed,
                             freq=self.freq, inferred=self.inferred, on_gap=on_gap, step=step)


def _scan(listing: Listing, parts: dict, cols: _Columns, *, group: Any, time: Any,
          freq: Any) -> _Scan:
    """Read the group and time columns of every file (only those; a hive partition column
    is the file's constant value)."""
    files: list[_File] = []
    frames: list[pd.DataFrame] = []
    pieces: list[dict] = []  # per file: each group's rows there, for the checks across files
    timed: tuple | None = None  # (kind, zone) of the first file's times
    inferred: dict = {}  # step inferred in a file -> steps it was inferred from
    offset = 0
    rels = [_relative(listing, f) for f in listing.files]
    for f, rel in zip(listing.files, rels):
        pf = _open(listing, f)
        names = list(pf.schema_arrow.names)
        constant = {c: v for c, v in parts.get(f, {}).items() if c not in names}
        missing = [c for c in cols.reserved + cols.features + (cols.targets or [])
                   if c not in names and c not in constant]
        if missing:
            raise ColumnError(
                f"Every Parquet file must have the columns of the first one. Received: "
                f"{rel} lacks {', '.join(show(c) for c in missing)} (the first file, "
                f"{rels[0]}, has them)."
            )
        meta = pf.metadata
        n = meta.num_rows
        rg = np.cumsum([0] + [meta.row_group(g).num_rows for g in range(meta.num_row_groups)])
        stored = [c for c in cols.reserved if c in names]
        frame = pf.read(columns=stored).to_pandas() if stored else pd.DataFrame(index=range(n))
        for c in cols.reserved:
            if c in constant:
                frame[c] = constant[c]
        if len(listing.files) > 1 and n:
            timed = _add_pieces(pieces, inferred, timed, frame, rel, group, time, freq)
        files.append(_File(f, n, rg, offset))
        frames.append(frame[cols.reserved] if cols.reserved else frame)
        offset += n
    # every group's rows, file after file: planned as make_windows plans them
    whole = pd.concat(frames, ignore_index=True) if cols.reserved else pd.DataFrame(index=range(offset))
    return _Scan(files, rels, whole, pieces, timed, inferred, group is not None, freq)


def _plan_files(scan: _Scan, spec: WindowSpec, root: Path, **how: Any) -> Plan:
    """The plan of every file's rows, as one table; an error names the file or boundary."""
    try:
        return _plan_rows(scan.whole, spec, **how)
    except ShapeError:
        scan.boundaries("ignore")  # a repeated or earlier time at a boundary is still refused
        raise ShapeError(
            f"No window fits: each needs {spec.need} rows, and no group or segment of the "
            f"{plural(scan.n_rows, 'row')} in {plural(len(scan.files), 'file')} under "
            f"{show(str(root))} has that many. Received: timesteps={spec.timesteps}, "
            f"sampling_rate={spec.sampling_rate}, gap={spec.gap}, horizon={spec.horizon}. "
            "Use a smaller `timesteps`."
        ) from None
    except ValueError as exc:  # GapError, OrderError, ...: say which file, or which boundary
        for rel, info in zip(scan.rels, scan.files):
            bad = exc if len(scan.files) == 1 else _file_error(scan, info, spec, how)
            if bad is not None:
                named = copy.copy(bad)
                named.args = (f"{rel}: {bad}",)
                raise named from None
        scan.boundaries(how["on_gap"])
        raise


def _file_error(scan: _Scan, info: _File, spec: WindowSpec, how: dict) -> Exception | None:
    """The error planning one file's rows alone raises (None: none, or no window fits)."""
    if info.n_rows == 0:
        return None
    try:
        _plan_rows(scan.whole.iloc[info.offset : info.offset + info.n_rows], spec, **how)
    except ShapeError:
        return None
    except ValueError as err:
        return err
    return None


def _lay_out(wf: Plan, listing: Listing, files: list[_File], features: list,
             targets: list | None, dtype: np.dtype, need: int,
             cache_bytes: int) -> tuple[_Reader, np.ndarray]:
    """Where each row of ``wf`` (in its sorted order) is on disk: the :class:`_Reader` (with its
    runs of consecutive file rows) and the file of each sorted row.

    A file whose rows come in their stored order within each group is read by row groups;
    any other is read whole and sorted (``_File.order``).
    """
    n = wf.n_rows
    in_row = np.arange(n, dtype=np.int64) if wf.order is None else np.asarray(wf.order, np.int64)
    first = np.array([f.offset for f in files], dtype=np.int64)
    ends = first + np.array([f.n_rows for f in files], dtype=np.int64)
    file_of = np.searchsorted(ends, in_row, side="right").astype(np.int32)
    file_row = in_row - first[file_of]
    if wf.group_sorted is None:
        codes = np.zeros(n, dtype=np.int64)
    else:
        codes = pd.factorize(wf.group_sorted)[0]
    by_file = np.argsort(file_of, kind="stable")  # each file's rows, in sorted order
    row = np.empty(n, dtype=np.int64)
    at = 0
    for f, info in enumerate(files):
        part = by_file[at : at + info.n_rows]
        at += info.n_rows
        seq = file_row[part]
        same = codes[part][1:] == codes[part][:-1]
        if (same & (np.diff(seq) != 1)).any():  # out of order within a group: sort the file
            info.order = seq
            row[part] = np.arange(info.n_rows)
        else:
            row[part] = seq
    cut = np.flatnonzero((file_of[1:] != file_of[:-1]) | (row[1:] != row[:-1] + 1)) + 1
    run_start = np.concatenate([[0], cut]).astype(np.int64)
    runs = (run_start, file_of[run_start], row[run_start])
    return _Reader(listing, files, features, targets, dtype, need, cache_bytes, runs), file_of


def _plan_rows(frame: pd.DataFrame, spec: WindowSpec, *, group: Any, time: Any, freq: Any,
               on_gap: str, sort: bool) -> Plan:
    """The plan of the rows of ``frame`` (its group and time columns), as make_windows plans."""
    n = len(frame)
    if n == 0:
        raise ShapeError("no rows")
    groups, _ = resolve_axis("group", group, frame, n)
    times, _ = resolve_axis("time", time, frame, n)

    def no_window(need: int, longest: int, where: str) -> str:
        return f"no window fits in the longest {where} ({longest} rows)"

    return plan(spec, n, groups=groups, times=times, freq=freq, on_gap=on_gap, sort=sort,
                no_window=no_window)


def _step_used(wf: Plan, freq: Any, timed: tuple | None) -> Any:
    """The step :func:`make_windows` found gaps with (``None``: none), for the checks across files."""
    if freq is not None or timed is None:
        return _INFER  # `freq` given (used as is), or no time: nothing to infer
    if wf.freq is None:
        return None
    if timed[0] == "number":
        value = float(wf.freq)
        return _time.step(int(value) if value.is_integer() else value, *timed)
    return _time.step(wf.freq, *timed)


def _add_pieces(pieces: list, inferred: dict, timed: tuple | None, frame: pd.DataFrame, rel: str,
                group: Any, time: Any, freq: Any) -> tuple | None:
    """Summarise one file's groups (see :func:`_pieces`); check its times match the first file's.

    Only called when there are several files: one file has no boundaries to check.
    """
    found, kind_tz, step, n_steps = _pieces(frame, rel, group, time, freq)
    pieces.append(found)
    if step is not None:
        inferred[step] = inferred.get(step, 0) + n_steps
    if kind_tz is None:
        return timed
    if timed is not None and (kind_tz[0], str(kind_tz[1])) != (timed[0], str(timed[1])):
        first = next(iter(pieces[0].values())).file
        raise DataError(
            f"`time` must have one type in every file. Received: {rel} has {_kind(kind_tz)} "
            f"times, {first} has {_kind(timed)}. Write every file with the same time type."
        )
    return timed or kind_tz


def _kind(kind_tz: tuple) -> str:
    kind, tz = kind_tz
    return "numeric" if kind == "number" else (f"datetime ({tz})" if tz is not None else "naive datetime")


def _condense(notes: list[str]) -> list[str]:
    """Notes repeated for many files, said once with a count."""
    by_text: dict[str, list[str]] = {}
    for note in notes:
        rel, _, text = note.partition(": ")
        by_text.setdefault(text, []).append(rel)
    out = []
    for text, rels in by_text.items():
        out.append(f"{rels[0]}: {text}" if len(rels) == 1 else f"{plural(len(rels), 'file')}: {text}")
    return out


# --------------------------------------------------------------------------- across files


class _Piece:
    """One group's rows in one file: what the checks across files need."""

    __slots__ = ("file", "first", "last")

    def __init__(self, file: str, first: Any, last: Any) -> None:
        self.file = file
        self.first = first  # first and last time (sortable values), None without `time`
        self.last = last


def _pieces(frame: pd.DataFrame, rel: str, group: Any, time: Any,
            freq: Any) -> tuple[dict, tuple | None, Any, int]:
    """Each group's :class:`_Piece` of one file, the file's ``(time kind, zone)``, its inferred
    step and how many steps that is inferred from, found as :func:`make_windows` finds them."""
    n = len(frame)
    if group is not None:
        codes, labels = pd.factorize(frame[group], sort=False)
    else:
        codes, labels = np.zeros(n, dtype=np.int64), [None]
    tv = kind = tz = None
    if time is not None:
        tv, kind, tz = _time.time_values(frame[time])
        order = np.lexsort((tv, codes))
        tv = tv[order]
    else:
        order = np.argsort(codes, kind="stable")
    codes = codes[order]
    cut = np.flatnonzero(np.diff(codes) != 0) + 1
    bounds = np.concatenate([[0], cut, [n]]).astype(np.int64)
    inferred, n_steps = None, 0
    if tv is not None and kind is not None and n > 1 and freq is None:  # kind: set with tv
        inner = np.ones(n - 1, dtype=bool)
        inner[cut - 1] = False
        n_steps = int(inner.sum())
        inferred = _time.infer_freq(tv, kind, tz, inner, bounds)
    pieces = {}
    for g in range(len(bounds) - 1):
        b0, b1 = int(bounds[g]), int(bounds[g + 1])
        pieces[labels[codes[b0]]] = _Piece(rel, None if tv is None else tv[b0],
                                           None if tv is None else tv[b1 - 1])
    return pieces, None if tv is None else (kind, tz), inferred, n_steps


def _who(label: Any, grouped: bool) -> str:
    return f"group {show(label)}" if grouped else "the series"


def _across_files(pieces: list[dict], *, grouped: bool, timed: tuple | None, freq: Any,
                  inferred: dict, on_gap: str, step: Any = _INFER) -> list[str]:
    """Check each group where it continues from one file to the next; return notes.

    A repeated or earlier time raises :class:`OrderError`; a missing step (per ``freq``, or
    ``step`` as :func:`seqprep._time.step` gives it, ``None`` for none, or else inferred from the files)
    follows ``on_gap``.
    """
    by_group: dict[Any, list[_Piece]] = {}
    for file_pieces in pieces:
        for label, piece in file_pieces.items():
            by_group.setdefault(label, []).append(piece)
    going = {g: ps for g, ps in by_group.items() if len(ps) > 1}
    if not going:
        return []
    bounds = [(g, a, b) for g, ps in going.items() for a, b in zip(ps[:-1], ps[1:])]
    if len(going) == 1:
        g, ps = next(iter(going.items()))
        said = f"{_who(g, grouped)} continues across {len(ps)} files"
    else:
        listed = ", ".join(f"{_who(g, grouped)} across {len(ps)} files"
                           for g, ps in list(going.items())[:3])
        said = f"{len(going)} groups continue across files ({listed}{', ...' if len(going) > 3 else ''})"
    notes = [f"{said}: the boundaries are checked and windows continue across them"]
    if timed is not None:
        kind, tz = timed

        def at(value: Any) -> str:
            return str(_time.time_labels(np.array([value]), kind, tz)[0])

        def shown(pairs: list) -> str:  # the first five boundaries, for a message
            return "; ".join(f"{_who(g, grouped)}: {a.file} ends at {at(a.last)}, {b.file} "
                             f"starts at {at(b.first)}" for g, a, b in pairs[:5])

        back = [(g, a, b) for g, a, b in bounds if b.first <= a.last]
        tv = np.array([v for _, a, b in bounds for v in (a.last, b.first)])  # end, start, ...
        if back:
            raise OrderError(
                f"`time` must increase from one file to the next within each group (a folder is "
                f"read in sorted path order). Received: {len(back):,} file "
                f"{'boundary' if len(back) == 1 else 'boundaries'} "
                f"where time repeats or goes back ({shown(back)}{' ...' if len(back) > 5 else ''}). "
                "Drop the rows repeated in several files (`df.drop_duplicates([group, time])`), "
                "or name the files so that they sort in time order (e.g. 2024-01.parquet, "
                "2024-02.parquet)."
            )
        if step is not _INFER:
            pass  # the step make_windows used on the rows concatenated
        elif freq is not None:
            step = _time.step(freq, kind, tz)
        elif inferred:  # the step inferred from the most steps within files
            step = _time.step(max(inferred, key=inferred.__getitem__), kind, tz)
        else:  # no file has two rows of a group: infer from the steps between files
            inner = np.arange(len(tv) - 1) % 2 == 0
            guess = _time.infer_freq(tv, kind, tz, inner, np.array([0, len(tv)]))
            step = None if guess is None else _time.step(guess, kind, tz)
        if step is not None:
            freq_str = step.name
            off = np.zeros(len(tv) - 1, dtype=bool)
            off[::2] = _time.off_grid(tv, step, tz)[::2]
            if off.any():
                codes = np.repeat(np.arange(len(bounds)), 2)
                gaps = _time.gap_table(tv, off, codes, [g for g, _, _ in bounds], kind, tz, step)
                hit = [bounds[i] for i in np.flatnonzero(off[::2])]
                gaps["after_file"] = [a.file for _, a, _ in hit]
                gaps["before_file"] = [b.file for _, _, b in hit]
                if not grouped:
                    gaps["group"] = None
                if on_gap == "error":
                    raise GapError(
                        f"`on_gap='error'`: time must advance by freq={freq_str} within each "
                        f"group, also from one file to the next. Received: "
                        f"{plural(len(hit), 'gap')} between files ({shown(hit)}"
                        f"{' ...' if len(hit) > 5 else ''}). Pass on_gap='split' to start new "
                        "windows after each gap, fill the missing steps, or pass the right `freq`.",
                        gaps=gaps,
                    )
                if on_gap == "split":
                    notes.append(f"split at {plural(len(hit), 'gap')} between files")
                else:
                    notes.append(f"{plural(len(hit), 'gap')} between files ignored")

    return notes


