"""The one place that finds, opens, partitions and chunks Parquet files.

:func:`list_files` is the listing rule the library (:func:`seqprep.open_windows`,
``validate_parquet``) and the command line share: a file is data when its name ends in
``.parquet``, ``.pq`` or ``.parq`` (any case) and no part of its path under the folder
starts with ``.`` or ``_`` (hidden files, ``_SUCCESS``, ``_temporary/``). Every other file
in the folder is *skipped*, and listed in :attr:`Listing.skipped` with the reason, so a
caller can say so (the command line fails the run unless ``--allow-skipped``): nothing
is counted that is not checked.

Folders written with ``df.to_parquet(path, partition_cols=[...])`` (hive layout,
``store=a/part-0.parquet``) keep their partition columns: :func:`chunks` adds them to
every chunk, with the types ``pyarrow.dataset`` infers for them.

``path`` may also be an fsspec URL (``memory://``, ``file://``, ``s3://bucket/key`` with
``s3fs`` installed): it is opened through ``pyarrow.fs.FSSpecHandler``.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ._args import plural, require
from ._errors import ArgumentError, DataError

__all__ = ["SUFFIXES", "Listing", "chunks", "file_rows", "is_parquet_name", "is_url",
           "list_files", "open_file", "partitions", "row_counts"]

#: File name endings read as Parquet (compared case-insensitively).
SUFFIXES = (".parquet", ".pq", ".parq")


def is_parquet_name(name: str) -> bool:
    """Whether ``name`` ends in a Parquet suffix, in any case.

    Examples
    --------
    >>> from seqprep._parquet import is_parquet_name
    >>> [is_parquet_name(n) for n in ("a.parquet", "b.PQ", "c.Parq", "d.csv")]
    [True, True, True, False]
    """
    return str(name).lower().endswith(SUFFIXES)


def is_url(path: Any) -> bool:
    """Whether ``path`` is an fsspec URL such as ``memory://d`` or ``s3://b/k``."""
    return isinstance(path, str) and "://" in path


def _filesystem(path: Any) -> tuple[Any, str]:
    """``(pyarrow filesystem, path within it)`` for a local path or an fsspec URL."""
    import os

    fs_mod = require("pyarrow.fs", "parquet", "Reading Parquet")
    if is_url(path):
        fsspec = require("fsspec", "remote", f"Reading the URL {path!r}")
        try:
            fs, inner = fsspec.core.url_to_fs(path)
        except (ValueError, ImportError) as exc:
            raise ArgumentError(
                f"`path` must be a local path or an fsspec URL fsspec can open. Received: "
                f"path={path!r} ({' '.join(str(exc).split())}). For s3:// install s3fs."
            ) from None
        return fs_mod.PyFileSystem(fs_mod.FSSpecHandler(fs)), inner
    return fs_mod.LocalFileSystem(), os.fspath(path)


@dataclass(frozen=True)
class Listing:
    """The files of a Parquet source, as :func:`list_files` found them.

    Attributes
    ----------
    root : str
        The path or URL as given.
    files : tuple of str
        The data files in reading order (sorted paths), as paths within ``filesystem``.
    skipped : tuple of (str, str)
        Files in the folder that are not read, as (name, reason); the name is shown the way
        :meth:`name` shows a data file (``root`` joined with the path within it).
    is_dir : bool
    filesystem : pyarrow.fs.FileSystem
    """

    root: str
    files: tuple
    skipped: tuple = ()
    is_dir: bool = False
    filesystem: Any = field(default=None, repr=False, compare=False)
    base: str = ""

    def name(self, f: str) -> str:
        """How to show file ``f`` to a user: the root joined with its relative path."""
        if not self.is_dir:
            return str(self.root)
        return _shown(self.root, posixpath.relpath(f.replace("\\", "/"),
                                                   self.base.replace("\\", "/")))

    def skipped_note(self, most: int = 5) -> str | None:
        """One line naming the files of the folder that are not read, and why (None if none).

        For the notes and reports of readers that go on without them (``open_windows``);
        the first ``most`` are named, the rest counted.
        """
        if not self.skipped:
            return None
        named = "; ".join(f"{name}: {why}" for name, why in self.skipped[:most])
        more = len(self.skipped) - most
        return (f"skipped {plural(len(self.skipped), 'file')} of the folder, not read: {named}"
                + (f" and {more} more" if more > 0 else ""))


def _shown(root: Any, rel: str) -> str:
    """A file of folder ``root`` as users see it: the root joined with its relative path."""
    return posixpath.join(str(root).rstrip("/"), rel)


def _skip_reason(rel: str, kind: Any, fs_mod: Any) -> str | None:
    parts = rel.replace("\\", "/").split("/")
    if any(p.startswith(".") for p in parts):
        return "hidden (a name starts with '.')"
    if any(p.startswith("_") for p in parts):
        return "metadata (a name starts with '_')"
    if kind != fs_mod.FileType.File:
        return "not a regular file"
    if not is_parquet_name(parts[-1]):
        return f"not a Parquet name ({', '.join(SUFFIXES)})"
    return None


def list_files(path: Any) -> Listing:
    """The Parquet files of ``path`` (a file, a folder searched recursively, or a URL).

    Raises
    ------
    ArgumentError
        If ``path`` does not exist, or is a folder with no Parquet file.

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> from seqprep._parquet import list_files
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> pd.DataFrame({"t": [0, 1]}).to_parquet(d / "a.parquet")
    >>> pd.DataFrame({"t": [2, 3]}).to_parquet(d / "b.PQ")
    >>> (d / "_SUCCESS").write_text("")
    0
    >>> lst = list_files(d)
    >>> [lst.name(f).rsplit("/", 1)[-1] for f in lst.files]
    ['a.parquet', 'b.PQ']
    >>> [(name == f"{d}/_SUCCESS", why) for name, why in lst.skipped]
    [(True, "metadata (a name starts with '_')")]
    """
    fs_mod = require("pyarrow.fs", "parquet", "Reading Parquet")
    fs, inner = _filesystem(path)
    info = fs.get_file_info(inner)
    if info.type == fs_mod.FileType.NotFound:
        raise ArgumentError(f"`path` must name an existing Parquet file or folder. Received: "
                            f"path={str(path)!r}, which does not exist.")
    if info.type != fs_mod.FileType.Directory:
        return Listing(str(path), (inner,), (), False, fs, inner)
    files, skipped = [], []
    for entry in fs.get_file_info(fs_mod.FileSelector(inner, recursive=True)):
        if entry.type == fs_mod.FileType.Directory:
            continue
        rel = posixpath.relpath(entry.path.replace("\\", "/"), inner.replace("\\", "/"))
        why = _skip_reason(rel, entry.type, fs_mod)
        if why is None:
            files.append(entry.path)
        else:
            skipped.append((_shown(path, rel), why))
    if not files:
        raise ArgumentError(
            f"`path` must be a Parquet file or a folder holding Parquet files "
            f"({', '.join(SUFFIXES)}). Received: path={str(path)!r}, a folder with none"
            + (f" ({len(skipped)} other files, e.g. {skipped[0][0]!r})" if skipped else "")
            + ". Write the data with `df.to_parquet(...)` first.")
    return Listing(str(path), tuple(sorted(files)), tuple(sorted(skipped)), True, fs, inner)


def _why(exc: BaseException) -> str:
    return " ".join(str(exc).split(". ")[0].split()).rstrip(".") or type(exc).__name__


def open_file(listing: Listing, f: str) -> Any:
    """``pyarrow.parquet.ParquetFile`` of file ``f`` of ``listing``.

    Raises
    ------
    ArgumentError
        If ``listing`` is one file and it cannot be read as Parquet.
    DataError
        If a file of a folder cannot be read as Parquet, naming it.
    """
    pa = require("pyarrow", "parquet", "Reading Parquet")
    pq = require("pyarrow.parquet", "parquet", "Reading Parquet")
    try:
        return pq.ParquetFile(listing.filesystem.open_input_file(f))
    except (pa.ArrowException, OSError) as exc:
        why = _why(exc)
        if not listing.is_dir:
            raise ArgumentError(
                f"`path` must be a Parquet file or a folder of Parquet files. Received: "
                f"path={listing.root!r}, which pyarrow cannot read as Parquet ({why}). For a "
                "CSV file, read it with `pandas.read_csv` and validate the frame, or convert "
                "it to Parquet once: `pd.read_csv(path).to_parquet('data.parquet')`."
            ) from None
        rel = posixpath.relpath(f.replace("\\", "/"), listing.base.replace("\\", "/"))
        raise DataError(
            f"Every *.parquet file under `path` must be a Parquet file. Received: {rel} under "
            f"{listing.root!r}, which pyarrow cannot read as Parquet ({why}). Rewrite it with "
            "`df.to_parquet(...)`, or move it out of the folder."
        ) from None


def file_rows(listing: Listing) -> tuple[list, list]:
    """``(rows of each file or None, [(file name, why) for files that cannot be read])``."""
    pa = require("pyarrow", "parquet", "Reading Parquet")
    pq = require("pyarrow.parquet", "parquet", "Reading Parquet")
    rows, bad = [], []
    for f in listing.files:
        try:
            rows.append(pq.ParquetFile(listing.filesystem.open_input_file(f)).metadata.num_rows)
        except (pa.ArrowException, OSError) as exc:
            rows.append(None)
            bad.append((listing.name(f), _why(exc)))
    return rows, bad


def row_counts(listing: Listing) -> list[int]:
    """Rows of every file (from the footers); refuses an unreadable file (``DataError``)."""
    return [open_file(listing, f).metadata.num_rows for f in listing.files]


def partitions(listing: Listing) -> dict[str, dict]:
    """Hive partition values of each file (``{file: {column: value}}``; empty if none)."""
    if not listing.is_dir or not any("=" in f for f in listing.files):
        return {}
    ds = require("pyarrow.dataset", "parquet", "Reading a partitioned Parquet folder")
    dset = ds.dataset(list(listing.files), filesystem=listing.filesystem, format="parquet",
                      partitioning="hive", partition_base_dir=listing.base)
    return {fr.path: ds.get_partition_keys(fr.partition_expression)
            for fr in dset.get_fragments()}


def chunks(listing: Listing, *, columns: list | None = None,
           chunk_rows: int = 1_000_000) -> Iterator[tuple[str, Any]]:
    """``(file, DataFrame)`` pairs of at most ``chunk_rows`` rows, file after file.

    Each file is read in its stored order one row group at a time; only ``columns`` (of
    those present) are decoded. Hive partition columns are added to every chunk. A file
    with no rows yields one empty chunk (so its columns are still checked). Memory: one
    row group as written and one chunk.
    """
    pa = require("pyarrow", "parquet", "Reading Parquet in chunks")
    row_counts(listing)  # refuse an unreadable file before reading any rows
    parts = partitions(listing)
    for f in listing.files:
        pf = open_file(listing, f)
        names = pf.schema_arrow.names
        cols = None if columns is None else [c for c in columns if c in names]
        extra = {k: v for k, v in parts.get(f, {}).items()
                 if k not in names and (columns is None or k in columns)}
        if pf.metadata.num_rows == 0:
            yield f, _with(pf.schema_arrow.empty_table().select(cols or names)
                           .to_pandas(), extra)
            continue
        for g in range(pf.num_row_groups):  # over a whole file, iter_batches reads ahead
            for batch in pf.iter_batches(batch_size=chunk_rows, row_groups=[g], columns=cols):
                frame = pa.Table.from_batches([batch]).to_pandas(date_as_object=False)
                yield f, _with(frame, extra)


def _with(frame: Any, extra: dict) -> Any:
    for k, v in extra.items():
        frame[k] = v
    return frame
