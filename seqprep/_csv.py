"""CSV read in blocks with bounded memory, from a file, a FIFO, standard input or a URL.

:func:`open_data` opens what a user passes as DATA and refuses what cannot be read
safely: ``-`` and ``/dev/stdin`` read standard input (not a terminal); a FIFO is read
once a writer appears (waiting at most ``FIFO_WAIT`` seconds, then refused); character
and block devices and sockets are refused (``/dev/zero`` never ends). :class:`CsvChunks`
streams the rows as DataFrames of about ``chunk_rows`` rows with the column types fixed
from the first block (numbers as float64, the time and group columns as integers or
text), counting lines so every row can be given its 1-based line number (the header is
line 1) even when quoted fields hold line breaks or blank lines are skipped.
"""

from __future__ import annotations

import io
import os
import select
import stat
import sys
from collections.abc import Iterator
from typing import Any

import numpy as np

from ._errors import ArgumentError

__all__ = ["FIFO_WAIT", "NA_VALUES", "CsvChunks", "convert_options", "is_stdin", "is_stream",
           "open_data", "text_keys"]

#: Seconds to wait for a writer on a FIFO before refusing it.
FIFO_WAIT = float(os.environ.get("SEQPREP_FIFO_WAIT", "10"))
_STDIN = ("-", "/dev/stdin")
#: Cell texts read as missing values, in every column: ``pandas.read_csv``'s defaults, so a
#: CSV means the same to the command line as to ``pd.read_csv`` + the API (an empty group
#: label is a missing label, never a group named "").
NA_VALUES = ("", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND",
             "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null")


def convert_options(column_types: dict | None = None) -> Any:
    """``pyarrow.csv.ConvertOptions`` of every CSV read: :data:`NA_VALUES` are missing in
    text columns too (pyarrow's default keeps an empty text as ``""``)."""
    import pyarrow.csv as pcsv

    return pcsv.ConvertOptions(column_types=column_types or {}, null_values=list(NA_VALUES),
                               strings_can_be_null=True)


def is_stdin(path: str) -> bool:
    """Whether DATA names standard input (``-`` or ``/dev/stdin``)."""
    return str(path) in _STDIN


def is_stream(path: str) -> bool:
    """Whether DATA is read once, as a stream: standard input, a URL, or a FIFO."""
    if is_stdin(path) or "://" in str(path):
        return True
    try:
        return stat.S_ISFIFO(os.stat(path).st_mode)
    except OSError:
        return False


def open_data(path: str) -> tuple[Any, bool]:
    """A binary stream for DATA and whether it can be read again (a regular file).

    Raises
    ------
    ArgumentError
        For standard input that is a terminal, a FIFO no writer opens within
        ``FIFO_WAIT`` seconds, a device or socket, or a URL that cannot be opened.
    """
    if is_stdin(path):
        if sys.stdin is None or sys.stdin.isatty():
            raise ArgumentError(f"DATA {path!r} reads CSV from standard input, which is a "
                                "terminal: pipe the data in, e.g. `cat data.csv | seqprep "
                                "validate - --schema s.yaml`.")
        return getattr(sys.stdin, "buffer", sys.stdin), False
    if "://" in str(path):  # an fsspec URL (file://, s3://, https://...): read once, streamed
        return _open_url(str(path)), False
    mode = os.stat(path).st_mode
    if stat.S_ISREG(mode):
        return open(path, "rb"), True
    if stat.S_ISFIFO(mode):
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        ready, _, _ = select.select([fd], [], [], FIFO_WAIT)
        if not ready:
            os.close(fd)
            raise ArgumentError(f"DATA {path!r} is a FIFO with no writer after {FIFO_WAIT:g} "
                                "s; start the writer first (or set SEQPREP_FIFO_WAIT).")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb"), False
    kind = "a character device" if stat.S_ISCHR(mode) else "a block device" \
        if stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode) else "a special file"
    raise ArgumentError(f"DATA {path!r} is {kind}, which cannot be read safely (it may never "
                        "end); pass a CSV or Parquet file, or `-` to read standard input.")


#: At most this many places where a stream's lines stop being one row each are kept (16
#: bytes each); rows after the last one kept get no line number (null), never a wrong one.
MAX_LINE_BREAKS = 1 << 20


def _open_url(url: str) -> Any:
    """A binary stream of the file at an fsspec URL, or an ArgumentError saying why not."""
    from ._args import require

    fsspec = require("fsspec", "parquet", "Reading DATA from a URL")
    try:
        return fsspec.open(url, "rb").open()
    except Exception as exc:  # any backend's error (OSError, aiohttp, botocore...): say it
        why = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise ArgumentError(f"DATA {url!r} cannot be read ({type(exc).__name__}: {why}). "
                            "Check the URL, and that the file exists and can be reached.") from None


class _Lines:
    """The 1-based start line of every row of a CSV stream read once, kept compactly.

    Fed the bytes in order, it finds the records as pyarrow does (a line break inside
    double quotes continues the record; empty lines are skipped; the first record is the
    header) and keeps only the rows where ``line - row`` changes, so memory follows the
    number of blank lines and quoted line breaks, not the rows (at most
    :data:`MAX_LINE_BREAKS`).
    """

    def __init__(self) -> None:
        self.quoted = 0          # inside double quotes after the bytes so far
        self.newlines = 0        # line breaks so far
        self.start = 1           # line where the current record starts
        self.empty = True        # the current record has no byte but line breaks so far
        self.records = 0         # non-empty records ended so far (the header is record 0)
        # line = row + 2 + offsets[k] from rows[k] on (the header is row -1)
        self.rows: list[int] = []
        self.offsets: list[int] = []
        self.known_until: int | None = None

    def feed(self, data: bytes) -> None:
        if self.known_until is not None or not data:
            return
        b = np.frombuffer(data, dtype=np.uint8)
        quoted = (self.quoted + np.cumsum(b == 34)) % 2
        nl = b == 10
        content = np.cumsum((b != 10) & (b != 13))
        lines = self.newlines + np.cumsum(nl)  # line breaks up to and including each byte
        ends = np.flatnonzero(nl & (quoted == 0))
        if len(ends):
            before = np.r_[0, content[ends[:-1]]]
            full = content[ends] - before > 0
            full[0] |= not self.empty
            self._records(np.r_[self.start, lines[ends[:-1]] + 1][full])
            self.start = int(lines[ends[-1]]) + 1
            self.empty = not bool(content[-1] - content[ends[-1]])
        else:
            self.empty = self.empty and not bool(content[-1])
        self.quoted, self.newlines = int(quoted[-1]), int(lines[-1])

    def _records(self, starts: np.ndarray) -> None:
        """Take the start lines of the next non-empty records; keep where ``line - row`` moves."""
        if self.known_until is not None or not len(starts):
            return
        rows = self.records - 1 + np.arange(len(starts))
        offsets = starts - 2 - rows
        prev = self.offsets[-1] if self.offsets else offsets[0] + 1  # the header is kept
        moved = np.flatnonzero(np.diff(np.r_[prev, offsets]) != 0)
        room = MAX_LINE_BREAKS - len(self.rows)
        self.rows.extend(rows[moved[:room]].tolist())
        self.offsets.extend(offsets[moved[:room]].tolist())
        if len(moved) > room:  # rows from the first move not kept on get no line
            self.known_until = int(rows[moved[room]])
        self.records += len(starts)

    def line_of(self, rows: np.ndarray, n_rows: int) -> np.ndarray:
        """Lines of ``rows`` of a stream read to its end with ``n_rows`` data rows; -1 when
        unknown (the records found here do not match pyarrow's, e.g. a stray quote)."""
        if not self.empty:  # a last line without a line break
            self._records(np.array([self.start]))
            self.empty = True
        if self.known_until is None and self.records != n_rows + 1:
            return np.full(len(rows), -1, np.int64)
        k = np.searchsorted(np.asarray(self.rows, np.int64), rows, side="right") - 1
        out = rows + 2 + np.asarray(self.offsets, np.int64)[np.maximum(k, 0)]
        if self.known_until is not None:
            out[rows >= self.known_until] = -1
        return out


class _Counting(io.RawIOBase):
    """A read-only stream that counts bytes and line breaks (and remembers the last byte);
    with ``lines``, it also feeds every byte read to a :class:`_Lines`."""

    def __init__(self, fh: Any, on_read: Any = None, lines: _Lines | None = None) -> None:
        self._fh = fh
        self._on_read = on_read
        self.lines = lines
        self.newlines = 0
        self.nbytes = 0
        self.last = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._fh.read(len(buffer))
        n = len(data)
        if n:
            buffer[:n] = data
            self.newlines += data.count(b"\n")
            self.nbytes += n
            self.last = data[-1:]
            if self.lines is not None:
                self.lines.feed(data)
            if self._on_read is not None:
                self._on_read(n)
        return n


class CsvChunks:
    """The rows of a CSV stream as DataFrames, with the types fixed from the first block.

    Iterate it once; then :attr:`rows` is the number of data rows and :meth:`line_of`
    maps 0-based data rows to 1-based lines. ``numeric`` columns are read as float64;
    ``keys`` (time and group) keep an integer type if the first block has one, else are
    read as text and parsed by the checks.
    """

    def __init__(self, fh: Any, *, path: str, reopen: bool, numeric=(), keys=(),
                 chunk_rows: int = 1_000_000, block_size: int = 4 << 20,
                 on_read: Any = None) -> None:
        self.path = path
        self.reopen = reopen
        self.numeric = set(numeric)
        self.keys = set(keys)
        self.chunk_rows = chunk_rows
        self.block_size = block_size
        self.rows = 0
        self.columns: list = []
        self._raw = _Counting(fh, on_read, None if reopen else _Lines())
        self._lines: dict[int, int] | None = None
        self._newlines: int | None = None

    def _types(self, head: bytes) -> dict:
        import pyarrow as pa
        import pyarrow.csv as pcsv

        if head[:4] == b"PAR1":
            raise ArgumentError(f"DATA {self.path!r} holds Parquet, which cannot be read as a "
                                "stream (its footer is at the end): pass the file's path.")
        sample, nbytes = _sample(pa, pcsv, head)
        # blocks of about chunk_rows rows (64 KiB to block_size): a block is decoded whole
        per_row = nbytes / max(sample.num_rows + 1, 1)
        self.block_size = int(min(self.block_size, max(1 << 16, self.chunk_rows * per_row)))
        self.columns = list(sample.column_names)
        binary = [f.name for f in sample.schema
                  if pa.types.is_binary(f.type) or pa.types.is_large_binary(f.type)]
        if binary or any("\ufffd" == c for c in self.columns):
            raise ArgumentError(f"DATA {self.path!r} is not UTF-8 text (column "
                                f"{(binary or self.columns)[0]!r}); convert it first, e.g. "
                                "`iconv -f latin1 -t utf-8 in.csv > out.csv`.")
        if len(self.columns) == 1:
            name = self.columns[0]
            sep = next((c for c in (";", "\t", "|") if c in name), None)
            if sep is not None:
                raise ArgumentError(
                    f"DATA {self.path!r} looks {sep!r}-separated: its one column is named "
                    f"{name!r}. seqprep reads comma-separated CSV; convert it first, e.g. "
                    f"pandas.read_csv(path, sep={sep!r}).to_csv(new_path, index=False).")
        types = {}
        for f in sample.schema:
            t = f.type
            if f.name in self.keys:
                types[f.name] = pa.int64() if pa.types.is_integer(t) else pa.string()
            elif f.name in self.numeric or pa.types.is_integer(t) or pa.types.is_floating(t):
                types[f.name] = pa.float64() if (pa.types.is_integer(t) or pa.types.is_floating(t)
                                                 or pa.types.is_null(t)) else pa.string()
            elif pa.types.is_boolean(t):
                types[f.name] = t
            else:
                types[f.name] = pa.string()
        return types

    def __iter__(self) -> Iterator[Any]:
        import pyarrow as pa
        import pyarrow.csv as pcsv

        stream = io.BufferedReader(self._raw, buffer_size=1 << 16)
        head = stream.peek(self.block_size)[: self.block_size]
        if not head.strip():
            return
        types = self._types(head)
        if self.reopen:  # a regular file: pyarrow reads it itself, no Python callbacks
            stream.close()
            stream = pa.OSFile(self.path)
        reader = pcsv.open_csv(stream, read_options=pcsv.ReadOptions(block_size=self.block_size),
                               parse_options=_PARSE, convert_options=convert_options(types))
        try:
            pending, n = [], 0
            for batch in reader:
                pending.append(batch)
                n += batch.num_rows
                if n >= self.chunk_rows:
                    yield self._frame(pa, pending)
                    pending, n = [], 0
            if pending or self.rows == 0:
                yield self._frame(pa, pending, reader.schema)
        finally:
            reader.close()
            stream.close()

    def _frame(self, pa: Any, batches: list, schema: Any = None) -> Any:
        table = pa.Table.from_batches(batches, schema=schema)
        frame = table.to_pandas(date_as_object=False)
        frame.index = frame.index + self.rows
        self.rows += len(frame)
        return frame

    # -- line numbers ----------------------------------------------------------

    @property
    def regular(self) -> bool:
        """Whether every line after the header is one data row (no blank lines, no line
        breaks inside quotes): then row ``r`` is on line ``r + 2``."""
        if self.reopen and self._newlines is None:
            self._newlines = _count_lines(self.path)
        lines = self._newlines if self.reopen else \
            self._raw.newlines + (1 if self._raw.last not in (b"", b"\n") else 0)
        return lines == self.rows + 1

    def line_of(self, rows: np.ndarray) -> np.ndarray:
        """1-based lines of 0-based data rows (-1 where unknown)."""
        rows = np.asarray(rows, dtype=np.int64)
        if self.regular:
            return rows + 2
        if self._raw.lines is not None:  # a stream read once: its lines were found as read
            return self._raw.lines.line_of(rows, self.rows)
        if self._lines is None or not set(rows.tolist()) <= set(self._lines):
            self._lines = _lines_of(self.path, set(rows.tolist()) | set(self._lines or {}))
        return np.array([self._lines.get(int(r), -1) for r in rows], np.int64)


_PARSE = None


def _sample(pa: Any, pcsv: Any, head: bytes) -> tuple[Any, int]:
    """The first block's rows as a table (to fix the column types from), and its bytes.

    The block is cut at a line break; a cut inside a quoted field that holds line breaks
    fails to parse, so earlier line breaks are tried (a few), then the whole block.
    """
    global _PARSE
    if _PARSE is None:
        _PARSE = pcsv.ParseOptions(newlines_in_values=True)
    cut = len(head)
    for _ in range(8):
        cut = head.rfind(b"\n", 0, cut)
        if cut <= 0:
            break
        try:
            return pcsv.read_csv(io.BytesIO(head[: cut + 1]), parse_options=_PARSE), cut + 1
        except pa.ArrowInvalid:
            continue
    return pcsv.read_csv(io.BytesIO(head), parse_options=_PARSE), len(head)


def text_keys(head: bytes, keys: list) -> list:
    """Those of the ``keys`` columns not typed as integers in the CSV's first block.

    They are read as text and parsed by :func:`seqprep._time.parse_column` (pyarrow's own
    timestamp inference would normalise mixed UTC offsets and wrap far-future times).
    """
    import pyarrow as pa
    import pyarrow.csv as pcsv

    if not keys:
        return []
    try:
        sample, _ = _sample(pa, pcsv, head)
    except pa.ArrowException:
        return list(keys)  # the real read reports the fault
    names = set(sample.column_names)
    return [k for k in keys if k not in names
            or not pa.types.is_integer(sample.schema.field(k).type)]


def _count_lines(path: str) -> int:
    """Lines of a file: its line breaks, plus one for a last line without one."""
    n, last = 0, b""
    with open(path, "rb") as fh:
        while True:
            block = fh.read(1 << 22)
            if not block:
                break
            n += block.count(b"\n")
            last = block[-1:]
    return n + (1 if last not in (b"", b"\n") else 0)


def _lines_of(path: str, wanted: set) -> dict[int, int]:
    """Start lines of the wanted data rows, by parsing the file with the csv module."""
    import csv

    out: dict[int, int] = {}
    last = max(wanted) if wanted else -1
    with open(path, newline="", encoding="utf-8", errors="replace") as fh:
        reader = csv.reader(fh)
        prev, row = 0, -1  # row -1 is the header
        for record in reader:
            start, prev = prev + 1, reader.line_num
            if not record:
                continue
            if row in wanted:
                out[row] = start
            row += 1
            if row > last:
                break
    return out
