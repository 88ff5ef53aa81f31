"""The ``seqprep`` command line: ``validate``, ``infer``, ``windows`` and ``demo``.

Exit codes: 0 the data is valid (or the command succeeded), 1 the data is invalid (it
failed the schema, or cannot be windowed as asked), 2 a usage error, an unreadable file or
a bad schema. Errors are one line on stderr, never a traceback (set ``SEQPREP_DEBUG=1`` to
see one for an unexpected error). Reports go to stdout. Long reads show a progress bar on
stderr when it is a terminal, unless ``--quiet``.
"""

from __future__ import annotations

import functools
import io
import os
import sys
import time as _time
from typing import Any

import click

from ._errors import (
    ArgumentError,
    ArgumentTypeError,
    DataError,
    SeqprepError,
    ValidationError,
)

from ._reports import FORMATS, Outcome

from ._parquet import SUFFIXES as _PARQUET_EXT

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
_PROGRESS_MIN_BYTES = 1 << 20


class CliError(Exception):
    """A failure the command reports in one line and an exit code."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def _as_options(message: str) -> str:
    """Library messages name Python arguments; on the command line, name the options."""
    import re

    message = message.replace("`copy=True`: X of shape", "X of shape").replace(
        # options the command line does not have
        "Pass copy=False for a zero-copy view, or a larger `stride`.",
        "Use a larger --stride or a smaller --timesteps, or read lazily in Python with "
        "seqprep.open_windows.")
    message = re.sub(r" with categorical=None\. Pass categorical='codes' \(one column of "
                     r"category codes\) or 'onehot' \(one 0/1 column per category\), or leave "
                     r"them out of `features`\.",
                     ". Encode them as numbers first, or leave them out of --features.", message)
    message = re.sub(r"\bon_gap='(\w+)'", r"--on-gap \1", message)
    message = re.sub(r"\bPass (timesteps|horizon|gap|stride|freq)=", r"Pass --\1 ", message)
    names = r"time|group|features|targets|timesteps|horizon|gap|stride|sampling_rate|freq|" \
            r"min_length|on_gap"
    message = re.sub(rf"`({names})`", lambda m: f"`--{m.group(1).replace('_', '-')}`", message)
    return message.replace("`df`", "DATA")


def _guard(fn):
    """Run a command: CliError -> its one-line message and exit code; nothing escapes."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except CliError as exc:
            click.echo(f"seqprep: error: {exc}", err=True)
            sys.exit(exc.code)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit,
                KeyboardInterrupt):
            raise
        except BrokenPipeError:
            sys.stderr.close()
            sys.exit(EXIT_OK)
        except Exception as exc:  # never a traceback, unless asked for
            if os.environ.get("SEQPREP_DEBUG"):
                raise
            click.echo(f"seqprep: error: unexpected {type(exc).__name__}: {_one_line(exc)} "
                       "(set SEQPREP_DEBUG=1 for the traceback, and please report it)",
                       err=True)
            sys.exit(EXIT_USAGE)

    return wrapper


# ------------------------------------------------------------------- reading


def _check_output(path: str, what: str, *, force: bool, inputs: tuple = ()) -> None:
    """Refuse to write option ``what``'s ``path``: a symbolic link (it would write somewhere
    the user did not name), a folder, an existing file unless ``force``, and always one of
    the ``inputs`` (DATA, the schema): replacing what is being read destroys it."""
    if os.path.islink(path):
        raise CliError(f"{what} {path!r} is a symbolic link; refusing to write through it. "
                       "Pass the real path.")
    if os.path.isdir(path):
        raise CliError(f"{what} {path!r} is a folder; pass a file name.")
    if not os.path.exists(path):
        return
    for name, given in inputs:
        if given and os.path.isfile(given) and os.path.samefile(path, given):
            raise CliError(f"{what} {path!r} is the {name} being read; writing there would "
                           "destroy it. Pass another path.")
    if not force:
        raise CliError(f"{what} {path!r} exists; pass --force to replace it.")


def _write_atomic(path: str, payload: bytes, *, force: bool, what: str = "--out",
                  inputs: tuple = ()) -> None:
    """Write ``payload`` to ``path`` through a temporary file and a rename.

    Refuses what :func:`_check_output` refuses; a failed write leaves no partial file.
    """
    import tempfile

    _check_output(path, what, force=force, inputs=inputs)
    folder = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".seqprep-", suffix=".tmp")
    except OSError as exc:
        raise CliError(f"cannot write {path!r} ({exc.strerror or exc}).") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        if os.path.exists(path):
            os.chmod(tmp, os.stat(path).st_mode & 0o7777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except OSError as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise CliError(f"cannot write {path!r} ({exc.strerror or exc}).") from None


def _progress_wanted(quiet: bool) -> bool:
    return not quiet and sys.stderr.isatty()


class _Counting(io.RawIOBase):
    """A read-only file that counts the bytes read through it (for a progress bar)."""

    def __init__(self, fh, on_read) -> None:
        self._fh = fh
        self._on_read = on_read

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self._fh.readinto(buffer)
        if n:
            self._on_read(n)
        return n


def _check_file(path: str, what: str = "DATA") -> int:
    if not os.path.exists(path):
        raise CliError(f"{what} {path!r} does not exist.")
    if os.path.isdir(path):
        raise CliError(f"{what} {path!r} is a folder; pass a CSV or Parquet file.")
    if not os.access(path, os.R_OK):
        raise CliError(f"{what} {path!r} cannot be read (permission denied).")
    return os.path.getsize(path)


_STREAM_ROWS = 100_000


def read_data(path: str, *, progress: bool = False, console: Any = None, text=()):
    """Read a CSV or Parquet file into a DataFrame, or raise :class:`CliError`.

    The format is told by content (Parquet's ``PAR1`` magic), not only by extension.
    CSV is read with pyarrow (multi-threaded; ISO dates and times parsed, except in the
    ``text`` columns, kept as text for :func:`seqprep._time.parse_column`). With
    ``progress``, a rich progress bar counts bytes (CSV) or row groups (Parquet).
    """
    from ._args import require
    from ._csv import is_stream

    if is_stream(path):  # stdin, a FIFO, a URL: the rule validate opens DATA by, too
        return _stream_frame(path, text)
    size = _check_file(path)
    if size == 0:
        raise CliError(f"DATA {path!r} is empty.")
    try:
        with open(path, "rb") as fh:
            head = fh.read(8192)
    except OSError as exc:
        raise CliError(f"DATA {path!r} cannot be read ({exc.strerror or exc}).") from None
    lower = path.lower()
    compressed = lower.endswith((".gz", ".bz2", ".zst", ".lz4", ".zip"))
    require("pyarrow", "cli", "Reading CSV and Parquet files")
    import pyarrow as pa

    show = progress and size >= _PROGRESS_MIN_BYTES
    try:
        if head[:4] == b"PAR1":
            import pyarrow.parquet as pq

            _no_repeated_names(path, pq.read_schema(path).names)  # before pyarrow's own error
            table = _read_parquet(path, show, console)
        elif lower.endswith(_PARQUET_EXT):
            raise CliError(f"DATA {path!r} is not a Parquet file (it lacks the PAR1 "
                           "magic bytes); it may be truncated or mislabelled.")
        elif not compressed and b"\x00" in head:
            raise CliError(f"DATA {path!r} is a binary file, not CSV or Parquet.")
        elif lower.endswith((".yaml", ".yml")):
            raise CliError(f"DATA {path!r} is a YAML file, not CSV or Parquet: pass the data "
                           "first and the schema with --schema.")
        else:
            from ._csv import text_keys

            table = _read_csv(path, size, show, console, text_keys(head, list(text)))
            if table.num_columns == 1:
                name = table.column_names[0]
                sep = next((c for c in (";", "\t", "|") if c in name), None)
                if sep is not None:
                    raise CliError(
                        f"DATA {path!r} looks {sep!r}-separated: its one column is named "
                        f"{name!r}. seqprep reads comma-separated CSV; convert it first, e.g. "
                        f"pandas.read_csv(path, sep={sep!r}).to_csv(new_path, index=False).")
        binary = [f.name for f in table.schema if pa.types.is_binary(f.type)
                  or pa.types.is_large_binary(f.type)]
        if binary:
            raise CliError(f"DATA {path!r} is not UTF-8 text (column {binary[0]!r}); convert "
                           "it first, e.g. `iconv -f latin1 -t utf-8 in.csv > out.csv`.")
        if table.num_rows == 0:
            raise CliError(f"DATA {path!r} has a header but no rows; there is nothing to "
                           "check or window. Point it at a file with data.")
        return table.to_pandas(date_as_object=False)
    except CliError:
        raise
    except (pa.ArrowException, OSError, ValueError, UnicodeDecodeError) as exc:
        text = _one_line(str(exc).split("\n")[0])
        raise CliError(f"DATA {path!r} cannot be read as "
                       f"{'Parquet' if head[:4] == b'PAR1' else 'CSV'}: {text}") from None


def _open_csv(path: Any) -> tuple:
    """``seqprep._csv.open_data(path)`` with its failures as one-line CLI errors."""
    from ._csv import open_data

    try:
        return open_data(path)
    except ArgumentError as exc:
        raise CliError(_one_line(exc)) from None
    except OSError as exc:
        raise CliError(f"DATA {path!r} cannot be read ({exc.strerror or exc}).") from None


def _csv_chunks(reader: Any, fh: Any, path: Any) -> Any:
    """The chunks of ``reader`` (a ``CsvChunks`` over ``fh``), read and parse failures as
    one-line CLI errors; ``fh`` is closed at the end unless it is standard input."""
    import pyarrow as pa

    try:
        yield from reader
    except pa.ArrowException as exc:
        text = _one_line(str(exc).split("\n")[0])
        raise CliError(f"DATA {path!r} cannot be read as CSV: {text}") from None
    except ArgumentError as exc:
        raise CliError(_one_line(exc)) from None
    finally:
        if fh is not getattr(sys.stdin, "buffer", None):
            fh.close()


def _stream_frame(path: str, text=()) -> Any:
    """CSV read once from standard input, a FIFO or a URL (by :func:`seqprep._csv.open_data`,
    as ``validate`` reads it), as one DataFrame; ``text`` columns kept as text if not integers."""
    import pandas as pd

    from ._csv import CsvChunks

    fh, reopen = _open_csv(path)
    reader = CsvChunks(fh, path=path, reopen=reopen, keys=list(text))
    frames = list(_csv_chunks(reader, fh, path))
    if not frames:
        raise CliError(f"DATA {path!r} is empty.")
    if reader.rows == 0:
        raise CliError(f"DATA {path!r} has a header but no rows; there is nothing to "
                       "check or window. Point it at a file with data.")
    return pd.concat(frames, ignore_index=True)


def _bar(console: Any, total: float, label: str):
    from rich.progress import (BarColumn, DownloadColumn, Progress, TextColumn,
                               TimeRemainingColumn)

    columns = [TextColumn(label), BarColumn(), DownloadColumn(), TimeRemainingColumn()] \
        if label.startswith("reading") else [TextColumn(label), BarColumn()]
    kw = {"console": console} if console is not None else {}
    if console is None:
        from rich.console import Console

        kw["console"] = Console(stderr=True)
    return Progress(*columns, transient=True, **kw)


def _read_csv(path: str, size: int, show: bool, console: Any, text=()):
    import pyarrow as pa
    import pyarrow.csv as pcsv

    from ._csv import convert_options

    convert = convert_options({c: pa.string() for c in text})
    if not show:
        return pcsv.read_csv(path, convert_options=convert)
    with _bar(console, size, f"reading {os.path.basename(path)}") as bar:
        task = bar.add_task("read", total=size)
        try:
            with open(path, "rb") as fh:
                counting = _Counting(fh, lambda n: bar.advance(task, n))
                block = max(1 << 20, min(16 << 20, size // 50))  # ~50 steps of progress
                reader = pcsv.open_csv(counting, read_options=pcsv.ReadOptions(block_size=block),
                                       convert_options=convert)
                batches = list(reader)
                return pa.Table.from_batches(batches, schema=reader.schema)
        except pa.ArrowInvalid:
            # the streaming reader guesses types from the first block; let the whole-file
            # reader decide (it either succeeds or gives the real error)
            return pcsv.read_csv(path, convert_options=convert)


def _read_parquet(path: str, show: bool, console: Any):
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not show:
        return pq.read_table(path)
    pf = pq.ParquetFile(path)
    n = pf.num_row_groups
    with _bar(console, n, f"reading {os.path.basename(path)} (row groups)") as bar:
        task = bar.add_task("read", total=n)
        tables = []
        for i in range(n):
            tables.append(pf.read_row_group(i))
            bar.advance(task, 1)
    return pa.concat_tables(tables) if tables else pf.schema_arrow.empty_table()


def _load_schema(path: str):
    from ._schema import SeriesSchema
    from ._errors import SchemaError

    import stat

    from ._schema import YAML_MAX_CHARS

    _check_file(path, "SCHEMA")
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise CliError(f"SCHEMA {path!r} is not a regular file (a FIFO or device may never "
                       "end); pass a YAML file.")
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read(YAML_MAX_CHARS + 1)
    except (OSError, UnicodeDecodeError) as exc:
        reason = "not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else \
            (exc.strerror or str(exc))
        raise CliError(f"SCHEMA {path!r} cannot be read ({reason}).") from None
    try:
        return SeriesSchema.from_yaml(text + ("\n" if "\n" not in text else ""))
    except SchemaError as exc:
        raise CliError(f"bad schema {path!r}: {_one_line(exc)}") from None


def _names(text: str | None) -> list[str] | None:
    if text is None:
        return None
    names = [t.strip() for t in text.split(",") if t.strip()]
    return names or None


# ------------------------------------------------------------------ commands


def _version() -> str:
    from . import __version__

    return __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(_version(), prog_name="seqprep", message="%(prog)s %(version)s")
def cli() -> None:
    """seqprep: check tabular time series and turn them into Keras-ready windows.

    Exit codes: 0 valid, 1 invalid data, 2 usage error, unreadable file or bad schema.
    """


def _report_option(ctx, param, values):
    """``--report FORMAT=PATH`` pairs, checked."""
    out = []
    for v in values:
        fmt, sep, path = v.partition("=")
        if not sep or fmt not in FORMATS or not path:
            raise click.BadParameter(f"expected FORMAT=PATH with FORMAT one of "
                                     f"{', '.join(FORMATS)}; got {v!r}.", param=param)
        out.append((fmt, path))
    return out


@cli.command()
@click.argument("data", metavar="DATA")
@click.option("--schema", "schema_path", required=True, metavar="SCHEMA.yaml",
              help="The schema (write one with `seqprep infer`).")
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), default="text",
              show_default=True, help="Report on stdout: for people, machines, JUnit for CI "
              "dashboards, or GitHub Actions annotations.")
@click.option("--report-json", metavar="PATH", help="Also write the JSON report here.")
@click.option("--report-junit", metavar="PATH", help="Also write the JUnit report here.")
@click.option("--report", "reports", multiple=True, metavar="FORMAT=PATH",
              callback=_report_option, help="Also write a report in FORMAT to PATH "
              "(repeatable). Every report comes from the one read of DATA.")
@click.option("--show", "per_check", type=click.IntRange(min=0), default=3,
              show_default=True, help="Cases shown per check in the text report.")
@click.option("--chunk-rows", type=click.IntRange(min=1, max=2**63 - 1), default=None,
              metavar="N", help="Read N rows at a time (memory stays bounded; default "
              f"{_STREAM_ROWS:,}).")
@click.option("--allow-skipped", is_flag=True, help="Pass even if files in a DATA folder "
              "were skipped (hidden, _-prefixed, not Parquet); they are still listed.")
@click.option("--engine", type=click.Choice(["auto", "pandas", "polars", "spark"]),
              default="auto", show_default=True, help="Who checks Parquet DATA: pandas "
              "(streamed, bounded memory), polars (in memory, faster), spark (a local or "
              "cluster Spark, for data larger than one machine); auto: polars for one local "
              "Parquet file that fits in memory when polars is installed and --chunk-rows is "
              "not given, else pandas.")
@click.option("--master", metavar="URL", help="The Spark master for --engine spark "
              "(default: local[*]).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@_guard
def validate(data: str, schema_path: str, fmt: str, **opts: Any) -> None:
    """Check DATA against a schema: a CSV file (or `-` for stdin), a Parquet file, a folder
    of Parquet files (hive partitions too) or an fsspec URL.

    Exit 0 if valid, 1 if any check fails, 2 if DATA or the schema cannot be read.
    """
    dests = [(fmt, None, None)] + [(f, p, o) for f, p, o in (
        ("json", opts.pop("report_json"), "--report-json"),
        ("junit", opts.pop("report_junit"), "--report-junit")) if p] + [
        (f, p, "--report") for f, p in opts.pop("reports")]
    _check_reports(dests, (("DATA", data), ("SCHEMA", schema_path)))
    from ._failures import empty_failures

    try:
        outcome = _validate(data, schema_path, opts)
    except CliError as exc:
        outcome = Outcome(empty_failures(), data, schema_path, (0, 0),
                          error=_one_line(exc), exit_code=exc.code)
        # machine-readable reports stay well-formed when the run cannot even start
        _write_reports(outcome, [d for d in dests if d[0] != "text" or d[1] is not None],
                       opts["per_check"])
        raise
    _write_reports(outcome, dests, opts["per_check"])
    sys.exit(outcome.exit_code)


def _check_reports(dests: list, inputs: tuple) -> None:
    """Before anything is read: no report may replace an input, or another report."""
    seen: dict = {}
    for _, path, what in dests:
        if path is None:
            continue
        _check_output(path, what, force=True, inputs=inputs)
        key = os.path.realpath(path)
        if key in seen:
            raise CliError(f"{what} {path!r} is also the path of {seen[key]}; one report "
                           "would replace the other. Pass another path.")
        seen[key] = what


def _write_reports(outcome: Any, dests: list, per_check: int) -> None:
    from ._reports import render

    for fmt, path, what in dests:
        text = render(fmt, outcome, per_check=per_check)
        if path is None:
            click.echo(text)
        else:
            _write_atomic(path, (text + "\n").encode("utf-8"), force=True, what=what)


def _validate(data: str, schema_path: str, opts: dict) -> Any:
    """Read DATA once and check it: the :class:`Outcome` every report renders."""
    import pandas as pd

    from ._failures import failure_frame, locate

    schema = _load_schema(schema_path)
    started = _time.perf_counter()
    engine = _engine(data, opts)
    if engine == "pandas":
        read = _open_source(data, schema, opts)
        try:
            failures, notes, shape = schema.check_chunks(read.chunks)
        except SeqprepError as exc:  # a source that turns out unreadable midway
            raise CliError(_one_line(exc)) from None
        shape = (shape[0], read.columns() or shape[1])
        failures = locate(failures, read.sources())
        skipped, notes = read.skipped, read.notes + notes
    else:
        from ._engine_run import run

        try:
            failures, notes, shape, skipped = run(engine, data, schema,
                                                  master=opts["master"])
        except SeqprepError as exc:
            raise CliError(f"DATA {data!r}: {_one_line(exc)}") from None
    if skipped and not opts["allow_skipped"]:
        extra = failure_frame("file_skipped", None, None, None, None,
                              [why for _, why in skipped], file=[f for f, _ in skipped])
        failures = pd.concat([failures, extra], ignore_index=True)
    return Outcome(failures, data, schema_path, shape, notes=notes, checks=schema.checks,
                   skipped=skipped, seconds=_time.perf_counter() - started,
                   exit_code=EXIT_INVALID if len(failures) else EXIT_OK)


def _engine(data: str, opts: dict) -> str:
    """The engine of ``--engine`` (``auto``: see :func:`seqprep._engines.choose`)."""
    engine = opts["engine"]
    if engine == "auto":
        if opts["chunk_rows"] is not None or data == "-":
            return "pandas"  # streaming asked for: only the pandas path streams
        from ._engines import choose

        return choose(engine, data)
    if engine != "pandas" and opts["chunk_rows"] is not None:
        raise CliError(f"--chunk-rows streams with the pandas engine; --engine {engine} "
                       "reads DATA its own way. Drop one of them.")
    return engine


class _Read:
    """DATA opened for one pass: its chunks, then where its rows came from."""

    def __init__(self, chunks, sources, columns, skipped=(), notes=()) -> None:
        self.chunks = chunks
        self.sources = sources  # called after the chunks are consumed
        self.columns = columns
        self.skipped = list(skipped)
        self.notes = list(notes)


def _open_source(data: str, schema: Any, opts: dict) -> _Read:
    """Parquet (file, folder, URL) or CSV (file, stdin, FIFO), by content and name."""
    from ._csv import is_stdin
    from ._parquet import is_parquet_name, is_url

    if is_stdin(data) or (is_url(data) and not is_parquet_name(data)
                          and data.lower().endswith(".csv")):
        return _csv_source(data, schema, opts)
    if is_url(data) or os.path.isdir(data):
        return _parquet_source(data, schema, opts)
    if not os.path.lexists(data):
        raise CliError(f"DATA {data!r} does not exist.")
    kind = _sniff(data)
    return _parquet_source(data, schema, opts) if kind == "parquet" else \
        _csv_source(data, schema, opts)


def _sniff(path: str) -> str:
    """``"parquet"`` or ``"csv"`` for a path, or a CliError for what is neither."""
    import stat

    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise CliError(f"DATA {path!r} cannot be read ({exc.strerror or exc}).") from None
    if not stat.S_ISREG(mode):
        return "csv"  # a FIFO or device: _csv.open_data accepts or refuses it
    if not os.access(path, os.R_OK):
        raise CliError(f"DATA {path!r} cannot be read (permission denied).")
    if os.path.getsize(path) == 0:
        raise CliError(f"DATA {path!r} is empty.")
    try:
        with open(path, "rb") as fh:
            head = fh.read(8192)
    except OSError as exc:
        raise CliError(f"DATA {path!r} cannot be read ({exc.strerror or exc}).") from None
    lower = path.lower()
    if head[:4] == b"PAR1":
        return "parquet"
    if lower.endswith(_PARQUET_EXT):
        raise CliError(f"DATA {path!r} is not a Parquet file (it lacks the PAR1 "
                       "magic bytes); it may be truncated or mislabelled.")
    if lower.endswith((".gz", ".bz2", ".zst", ".lz4", ".zip")):
        raise CliError(f"DATA {path!r} is compressed; `seqprep validate` streams plain CSV. "
                       "Decompress it, or pipe it in: `gunzip -c data.csv.gz | seqprep "
                       "validate - --schema s.yaml`.")
    if b"\x00" in head:
        raise CliError(f"DATA {path!r} is a binary file, not CSV or Parquet.")
    if lower.endswith((".yaml", ".yml")):
        raise CliError(f"DATA {path!r} is a YAML file, not CSV or Parquet: pass the data "
                       "first and the schema with --schema.")
    return "csv"


def _parquet_source(data: str, schema: Any, opts: dict) -> _Read:
    from ._failures import Source
    from ._parquet import chunks, file_rows, list_files

    try:
        listing = list_files(data)
    except ArgumentError as exc:
        if "a folder with none" in str(exc):
            raise CliError(f"DATA {data!r} is a folder with no Parquet files "
                           f"({', '.join(_PARQUET_EXT)}); pass a CSV or Parquet file or "
                           "folder.") from None
        raise CliError(f"DATA {data!r}: {_one_line(exc)}") from None
    rows, bad = file_rows(listing)
    if bad:
        where = f"DATA {data!r} holds {bad[0][0]!r}, which" if listing.is_dir else \
            f"DATA {data!r}"
        more = f" ({len(bad) - 1} more files cannot be read either)" if len(bad) > 1 else ""
        raise CliError(f"{where} cannot be read as Parquet: {bad[0][1]}{more}")
    chunk_rows = opts["chunk_rows"] or _STREAM_ROWS
    columns = None if schema.strict else list(schema.columns)
    frames = (frame for _, frame in chunks(listing, columns=columns, chunk_rows=chunk_rows))
    notes = []
    if listing.is_dir or opts["chunk_rows"] is not None or sum(rows) > chunk_rows:
        notes.append(f"streamed in chunks of {chunk_rows:,} rows")
    first = _open_first_schema(listing)
    return _Read(frames, lambda: [Source(listing.name(f), n) for f, n in
                                  zip(listing.files, rows)],
                 lambda: first, skipped=listing.skipped, notes=notes)


def _open_first_schema(listing: Any) -> int:
    from ._parquet import open_file, partitions

    names = open_file(listing, listing.files[0]).schema_arrow.names
    parts = partitions(listing).get(listing.files[0], {})
    return len(names) + len([k for k in parts if k not in names])


def _csv_source(data: str, schema: Any, opts: dict) -> _Read:
    from ._csv import CsvChunks
    from ._failures import Source

    fh, reopen = _open_csv(data)
    numeric = list(schema.features) + list(schema.targets) + list(schema.ranges)
    keys = [c for c in (schema.time, schema.group) if c is not None]
    reader = CsvChunks(fh, path=data, reopen=reopen, numeric=numeric, keys=keys,
                       chunk_rows=opts["chunk_rows"] or _STREAM_ROWS)

    def frames():
        yield from _csv_chunks(reader, fh, data)
        if reader.rows == 0:
            raise CliError(f"DATA {data!r} has a header but no rows; there is nothing to "
                           "check or window. Point it at a file with data.")

    notes = []
    if opts["chunk_rows"] is not None:
        notes.append(f"streamed in chunks of {opts['chunk_rows']:,} rows")
    return _Read(frames(), lambda: [Source(data, reader.rows, reader.line_of)],
                 lambda: len(reader.columns), notes=notes)


def _need_columns(df: Any, **options: Any) -> None:
    """Refuse an option naming a column DATA lacks, in the option's own name."""
    for option, col in options.items():
        if col is not None and col not in df.columns:
            raise CliError(f"--{option.replace('_', '-')} {col!r} is not a column of DATA; "
                           f"its columns are {list(map(str, df.columns))[:20]}.")


def _data_frame(data: str, quiet: bool, time: Any = None, schema: Any = None):
    """DATA as a DataFrame; its ``time`` column parsed by the one time parser, if named
    (under the schema's ``time_type`` and ``timezone`` policy, if any)."""
    df = read_data(data, progress=_progress_wanted(quiet),
                   text=[time] if isinstance(time, str) else [])
    _no_repeated_names(data, list(df.columns))
    if time is not None and time in df.columns:
        df[time] = _parsed_time(df[time], data, schema)
    return df


def _no_repeated_names(data: str, names: list) -> None:
    """Refuse DATA whose columns repeat a name (CSV header or Parquet schema alike)."""
    import pandas as pd

    cols = pd.Index(names)
    repeated = cols[cols.duplicated()].unique()
    if len(repeated):
        raise CliError(f"DATA {data!r} repeats the column name "
                       f"{', '.join(repr(str(c)) for c in repeated[:5])}; rename the repeats "
                       "so every column has its own name.")


def _parsed_time(s: Any, data: str, schema: Any = None) -> Any:
    """The time column parsed by :func:`seqprep._time.parse_column`, or exit 1 naming why."""
    from ._time import mixed_offsets_fix, parse_column

    p = parse_column(s, time_type=getattr(schema, "time_type", None),
                     timezone=getattr(schema, "timezone", None))
    if p.problems:
        check, rows, value = p.problems[0]
        where = f" (first at row {int(rows[0])}: {_one_line(str(value[0]))[:60]!r})" \
            if rows is not None and len(rows) else f": {_one_line(str(value))[:60]}"
        fix = mixed_offsets_fix("as `timezone:` in a schema file") if check == "timezone" \
            else "check it with `seqprep validate` first"
        raise CliError(f"DATA {data!r}: --time column {str(s.name)!r} fails {check}{where}; "
                       f"{fix}.", EXIT_INVALID)
    return s if p.series is None else p.series


def _invalid(err: ValidationError, data: str, schema: str, shape: tuple) -> str:
    from ._reports import render

    return render("text", Outcome(err.failures, data, schema, shape, notes=list(err.notes)))


@cli.command()
@click.argument("data", metavar="DATA")
@click.option("--time", "time_col", required=True, metavar="COL", help="The time column.")
@click.option("--group", "group_col", metavar="COL", help="The entity column, if any.")
@click.option("--features", metavar="A,B", help="Feature columns (default: every numeric "
              "column but time, group and targets).")
@click.option("--targets", metavar="Y", help="Target columns.")
@click.option("--min-length", type=click.IntRange(min=1, max=2**63 - 1), metavar="N",
              help="Rows every group must have (e.g. timesteps + gap + horizon).")
@click.option("--strict", is_flag=True, help="Refuse columns the schema does not name.")
@click.option("-o", "--output", metavar="SCHEMA.yaml", help="Write here (default: stdout).")
@click.option("--force", is_flag=True, help="Replace an existing --output file.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@_guard
def infer(data: str, time_col: str, group_col: str | None, features: str | None,
          targets: str | None, min_length: int | None, strict: bool, output: str | None,
          force: bool, quiet: bool) -> None:
    """Write the schema of a known-good DATA file as YAML."""
    from ._schema import infer_schema

    if output is not None:
        _check_output(output, "-o", force=force, inputs=(("DATA", data),))
    df = _data_frame(data, quiet, time_col)
    _need_columns(df, time=time_col, group=group_col)
    try:
        schema = infer_schema(df, time_col, group_col, features=_names(features),
                              targets=_names(targets) or (), min_length=min_length,
                              strict=strict)
    except ValidationError as err:
        click.echo(_invalid(err, data, "(inferred)", df.shape))
        raise CliError(f"DATA {data!r} fails the schema inferred from it, so it is not "
                       "known-good; fix the cases above first.", EXIT_INVALID) from None
    except SeqprepError as exc:
        raise CliError(_as_options(_one_line(exc))) from None
    text = schema.to_yaml()
    if output is None:
        click.echo(text, nl=False)
        return
    _write_atomic(output, text.encode("utf-8"), force=force, what="-o",
                  inputs=(("DATA", data),))
    from ._args import plural

    click.echo(f"wrote {output}: time {schema.time!r}"
               + (f", group {schema.group!r}" if schema.group is not None else "")
               + f", {plural(len(schema.features), 'feature')}, "
               + f"{plural(len(schema.targets), 'target')}, freq {schema.freq!r}")


def _index_records(index):
    """The sample index as a numpy structured array (no pickling needed to load it)."""
    import numpy as np
    import pandas as pd

    arrays, names = [], []
    for col in index.columns:
        s = index[col]
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            s = s.dt.tz_convert("UTC").dt.tz_localize(None)
        if pd.api.types.is_datetime64_any_dtype(s.dtype):
            arr = s.to_numpy().astype("datetime64[ns]")
        elif pd.api.types.is_numeric_dtype(s.dtype) and not s.isna().any():
            arr = s.to_numpy()
        else:
            arr = s.astype(str).to_numpy().astype(str)
        arrays.append(arr)
        names.append(str(col))
    return np.rec.fromarrays(arrays, names=names) if arrays else np.zeros(0)


_SIZE = click.IntRange(min=1, max=2**63 - 1)


@cli.command()
@click.argument("data", metavar="DATA")
@click.option("--timesteps", required=True, type=_SIZE, metavar="N",
              help="Time steps per window.")
@click.option("--horizon", type=_SIZE, default=1, show_default=True,
              help="Target rows per window.")
@click.option("--gap", type=click.IntRange(min=0, max=2**63 - 1), default=0,
              show_default=True, help="Rows between a window's last input and its first "
              "target.")
@click.option("--stride", type=_SIZE, default=1, show_default=True,
              help="Rows between the starts of consecutive windows.")
@click.option("--sampling-rate", type=_SIZE, default=1, show_default=True,
              help="Take every R-th row inside a window.")
@click.option("--features", metavar="A,B", help="Input columns (default: every numeric "
              "column but group and time, targets included).")
@click.option("--targets", metavar="Y", help="Target columns (default: none, no y).")
@click.option("--no-target-inputs", is_flag=True, help="Leave the targets out of the "
              "default inputs.")
@click.option("--group", "group_col", metavar="COL", help="The entity column.")
@click.option("--time", "time_col", metavar="COL", help="The time column.")
@click.option("--freq", metavar="F", help="The step between rows (default: inferred).")
@click.option("--schema", "schema_path", metavar="SCHEMA.yaml",
              help="Validate DATA first (exit 1 if it fails); its time, group, features and "
              "targets are the defaults of the options above.")
@click.option("--on-gap", type=click.Choice(["error", "split", "ignore"]), default="error",
              show_default=True, help="What a missing time step does.")
@click.option("--allow-nan", is_flag=True, help="Write windows holding NaN or inf (default: "
              "exit 1).")
@click.option("--out", required=True, metavar="WINDOWS.npz", help="Where to write.")
@click.option("--force", is_flag=True, help="Replace an existing --out file.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@_guard
def windows(data: str, out: str, force: bool, quiet: bool, **opts: Any) -> None:
    """Cut DATA into (samples, timesteps, features) windows and write them as .npz.

    The file holds X, y (with targets), index (one record per sample: group, rows and
    times it came from), input_shape, feature_names and target_names.
    """
    out = out if out.endswith(".npz") else out + ".npz"
    inputs = (("DATA", data), ("SCHEMA", opts["schema_path"]))
    _check_output(out, "--out", force=force, inputs=inputs)
    schema = _load_schema(opts["schema_path"]) if opts["schema_path"] else None
    df = _data_frame(data, quiet, opts["time_col"] or (schema.time if schema else None),
                     schema)
    if schema is not None:
        try:
            df = schema.validate(df)
        except ValidationError as err:
            click.echo(_invalid(err, data, opts["schema_path"], df.shape))
            sys.exit(EXIT_INVALID)
    w = _make_windows(df, schema, opts)
    _check_nan(w, opts["allow_nan"])
    _write_atomic(out, _npz_bytes(w), force=force, inputs=inputs)
    _say_written(out, w)


def _columns_for(df: Any, schema: Any, opts: dict) -> dict:
    """time, group, features, targets: the options, else the schema's; one rule with Python."""
    import pandas as pd

    from ._windows import schema_columns

    group, time = opts["group_col"], opts["time_col"]
    features, targets = _names(opts["features"]), _names(opts["targets"])
    if schema is not None:  # the rule of make_windows(..., schema=)
        group, time, features, targets = schema_columns(
            schema, group=group, time=time, features=features, targets=targets,
            target_inputs=not opts["no_target_inputs"])
    _need_columns(df, time=time, group=group)
    if features is None and time is None:
        dated = [c for c in df.columns if c != group
                 and pd.api.types.is_datetime64_any_dtype(df[c])]
        if dated:
            raise CliError(f"DATA column {str(dated[0])!r} holds datetimes: pass "
                           f"--time {dated[0]} to use it as the time axis (or --features "
                           "to choose the inputs).")
    # features None: make_windows' own default (every column but group and time, the
    # targets too unless target_inputs=False): one rule for Python and the command line
    return {"group": group, "time": time, "features": features, "targets": targets,
            "target_inputs": not opts["no_target_inputs"]}


def _make_windows(df: Any, schema: Any, opts: dict) -> Any:
    from ._windows import make_windows

    cols = _columns_for(df, schema, opts)
    freq: Any = opts["freq"]
    if freq is not None and freq.lstrip("-").isdigit():
        freq = int(freq)
    try:
        return make_windows(df, opts["timesteps"], horizon=opts["horizon"], gap=opts["gap"],
                            stride=opts["stride"], sampling_rate=opts["sampling_rate"],
                            freq=freq, on_gap=opts["on_gap"], **cols)
    except DataError as exc:
        raise CliError(_as_options(_one_line(exc)), EXIT_INVALID) from None
    except SeqprepError as exc:
        raise CliError(_as_options(_one_line(exc))) from None


def _check_nan(w: Any, allow_nan: bool) -> None:
    """Exit 1 when any window holds NaN (or inf), unless --allow-nan."""
    import numpy as np

    if allow_nan:
        return
    for name, arr in (("X", np.asarray(w.X)), ("y", w.y)):
        if arr is None or arr.dtype.kind != "f":
            continue
        for what, test in (("NaN", np.isnan), ("inf", np.isinf)):
            bad = test(arr).reshape(len(arr), -1).any(axis=1)
            if bad.any():
                first = int(np.flatnonzero(bad)[0])
                raise CliError(f"{int(bad.sum()):,} of {len(arr):,} windows hold {what} in "
                               f"{name} (the first is sample {first}); fix the data, or pass "
                               "--allow-nan to write them anyway.", EXIT_INVALID)


def _npz_bytes(w: Any) -> bytes:
    import numpy as np

    arrays = {"X": np.asarray(w.X), "index": _index_records(w.index),
              "input_shape": np.array(w.input_shape, dtype=np.int64),
              "feature_names": np.array([str(c) for c in w.feature_names]),
              "target_names": np.array([str(c) for c in w.target_names])}
    if w.y is not None:
        arrays["y"] = w.y
    from ._memory import check_fits

    check_fits(sum(int(np.asarray(a).nbytes) for a in arrays.values()),
               "The .npz of --out (assembled in memory before the atomic write)",
               "Use a larger --stride or a smaller --timesteps.")
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def _say_written(out: str, w: Any) -> None:
    import numpy as np

    X, y = np.asarray(w.X), w.y
    click.echo(f"wrote {out}")
    click.echo(f"  X: {X.shape} {X.dtype}")
    if y is not None:
        click.echo(f"  y: {y.shape} {y.dtype}")
    click.echo(f"  index: {len(w.index):,} records ({', '.join(map(str, w.index.columns))})")
    click.echo(f"  input_shape: {w.input_shape}  ->  keras.Input(shape={w.input_shape})")
    click.echo(w.report())


@cli.command()
@click.option("--out", metavar="DIR", help="Folder for the results (default: a new "
              "seqprep-demo-<time> folder).")
@click.option("--epochs", type=click.IntRange(min=1), metavar="N",
              help="Training epochs per model (default: the demo's).")
@click.option("-q", "--quiet", is_flag=True, help="No line per epoch.")
@_guard
def demo(out: str | None, epochs: int | None, quiet: bool) -> None:
    """Run the whole LSTM life cycle on the bundled CO2 series (needs seqprep[keras])."""
    import importlib.util

    missing = [m for m in ("keras", "tensorflow") if importlib.util.find_spec(m) is None]
    if missing:
        raise CliError(f"`seqprep demo` needs {' and '.join(missing)}, which "
                       f"{'is' if len(missing) == 1 else 'are'} not installed. Install "
                       "them with: pip install 'seqprep[keras]'")
    # TensorFlow's start-up notices are noise here; a user's own settings win.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    try:
        from keras_ext._demo import run_demo
        from keras_ext._errors import ArgumentError as ExtArgumentError
        from keras_ext._errors import ArgumentTypeError as ExtArgumentTypeError
        from keras_ext._errors import KerasExtError
    except ImportError as exc:
        raise CliError(f"the demo cannot start: {_one_line(exc)}. Reinstall with: "
                       "pip install 'seqprep[keras]'") from None
    try:
        run_demo(out=out, epochs=epochs, quiet=quiet)  # prints each step and where it wrote
    except (SeqprepError, KerasExtError, OSError) as exc:
        # a bad option or an unusable --out is a usage error (2); anything else fails the run
        usage = isinstance(exc, (OSError, ArgumentError, ArgumentTypeError,
                                 ExtArgumentError, ExtArgumentTypeError))
        raise CliError(f"demo failed: {_one_line(exc)}",
                       EXIT_USAGE if usage else EXIT_INVALID) from None
