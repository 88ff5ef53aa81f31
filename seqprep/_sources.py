"""Parquet read in chunks for validation: ``parquet_chunks`` and ``validate_parquet``.

Windows over files (``open_windows``, ``LazyWindows``) live in ``_lazy``; listing and
opening Parquet files in ``_parquet``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd

from ._args import integer, show
from ._errors import ArgumentTypeError

__all__ = ["parquet_chunks", "validate_parquet"]


# --------------------------------------------------------------------------- streaming validation


def parquet_chunks(path: Any, *, columns: list | None = None,
                   chunk_rows: int = 1_000_000) -> Iterator[pd.DataFrame]:
    """The rows of a Parquet file or folder as DataFrames of at most ``chunk_rows`` rows.

    Files are read one after the other (a folder in sorted path order, as
    :func:`open_windows` lists it), each in its stored order, one row group at a time;
    only ``columns`` (those present in each file) are decoded. Memory: one row group as
    written (Parquet's unit of reading) and one chunk. A chunk never spans two row
    groups, so it may hold fewer than ``chunk_rows`` rows.
    """
    from ._parquet import chunks, list_files

    chunk_rows = integer("chunk_rows", chunk_rows)
    for _, frame in chunks(list_files(path), columns=columns, chunk_rows=chunk_rows):
        yield frame


def validate_parquet(path: Any, schema: Any, *, chunk_rows: int = 1_000_000,
                     allow_skipped: bool = False) -> int:
    """Validate a Parquet file or folder against a :class:`SeriesSchema`, a chunk at a time.

    Memory stays at one row group and one chunk of at most ``chunk_rows`` rows (of the
    schema's columns only, or of every column with ``strict=True``), plus each group's
    carried state and the failures:
    :meth:`SeriesSchema.validate_chunks` carries each group's last time across chunk and
    file boundaries, so a gap, a step back in time or a repeat at a boundary is found.

    Parameters
    ----------
    path : str or pathlib.Path
        A Parquet file, or a folder of them (read in sorted path order, each file in its
        stored order: a group that continues in the next file is checked across the
        boundary).
    schema : SeriesSchema
    chunk_rows : int, keyword-only
        Rows per chunk. Defaults to 1,000,000.
    allow_skipped : bool, keyword-only
        Pass even if files of the folder were skipped by the listing rule of
        :func:`seqprep._parquet.list_files` (hidden, ``_``-prefixed, not Parquet). Defaults
        to ``False``: each skipped file is a ``file_skipped`` failure, so nothing is passed
        over unsaid.

    Returns
    -------
    int
        The number of rows checked.

    Raises
    ------
    ValidationError
        After the last chunk, with every failure; ``row`` counts rows across files, and
        ``file`` and ``file_row`` say where each row is.
    ArgumentError, ArgumentTypeError
        For a missing path or a ``schema`` that is not a ``SeriesSchema``.

    Notes
    -----
    What differs from validating the whole table at once is what
    :meth:`SeriesSchema.validate_chunks` says: a repeated time that is not its group's
    latest so far is found only within one chunk, and without ``freq`` the step is inferred
    from the first chunk that has one.

    Examples
    --------
    >>> import pandas as pd, seqprep, tempfile, pathlib
    >>> from seqprep._sources import validate_parquet
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "d.parquet"
    >>> pd.DataFrame({"t": [0, 1, 2, 4, 5, 6], "x": 1.0}).to_parquet(f)
    >>> schema = seqprep.SeriesSchema("t", features="x", freq=1)
    >>> try:
    ...     validate_parquet(f, schema, chunk_rows=3)  # the gap is at the chunk boundary
    ... except seqprep.ValidationError as err:
    ...     print(err.failures[["check", "row", "value"]].to_numpy().tolist())
    [['regular_freq', 3, 2]]
    """
    if not callable(getattr(schema, "validate_chunks", None)):
        raise ArgumentTypeError(
            f"`schema` must be a seqprep.SeriesSchema. Received: schema={show(schema)} of type "
            f"{type(schema).__name__}. Load one with `SeriesSchema.from_yaml(path)`."
        )
    chunk_rows = integer("chunk_rows", chunk_rows)
    from ._errors import ValidationError
    from ._failures import Source, combine, error_message, failure_frame, locate
    from ._parquet import chunks, list_files, row_counts

    listing = list_files(path)  # a missing path fails now, not at the first chunk
    rows = row_counts(listing)  # so does a file that is not Parquet
    columns = None if getattr(schema, "strict", False) else list(schema.columns)
    failures, notes, shape = schema.check_chunks(
        frame for _, frame in chunks(listing, columns=columns, chunk_rows=chunk_rows))
    failures = locate(failures, [Source(listing.name(f), n) for f, n in zip(listing.files, rows)])
    if listing.skipped and not allow_skipped:
        failures = combine([failures, failure_frame(
            "file_skipped", None, None, None, None, [why for _, why in listing.skipped],
            file=[f for f, _ in listing.skipped])])
    if len(failures):
        raise ValidationError(error_message(failures, notes, shape, lead="The data"),
                              failures=failures, notes=notes)
    return shape[0]

