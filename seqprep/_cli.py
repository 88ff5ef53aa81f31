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
import json
import os
import sys
import threading
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

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
_PARQUET_EXT = (".parquet", ".pq", ".parq")
_PROGRESS_MIN_BYTES = 1 << 20


class CliError(Exception):
    """A failure the command reports in one line and an exit code."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _as_options(message: str) -> str:
    """Library messages name Python arguments; on the command line, name the options."""
    import re

    message = re.sub(r"\bon_gap='(\w+)'", r"--on-gap \1", message)
    return re.sub(r"\bPass (timesteps|horizon|gap|stride|freq)=", r"Pass --\1 ", message)


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


_STREAM_ROWS = 1_000_000


def _parquet_files(path: str) -> list[str]:
    if os.path.isdir(path):
        return sorted(os.path.join(root, f) for root, _, files in os.walk(path)
                      for f in files if f.lower().endswith(_PARQUET_EXT))
    return [path]


def _streamed_parquet(path: str, chunk_rows: int | None) -> tuple[int, int] | None:
    """``(rows, columns)`` of a Parquet source to validate in chunks, or ``None`` to read whole.

    A folder is always streamed; a Parquet file when ``chunk_rows`` is given or when its
    uncompressed size exceeds a quarter of the memory available.
    """
    from ._memory import available_memory

    if not os.path.exists(path):
        raise CliError(f"DATA {path!r} does not exist.")
    is_dir = os.path.isdir(path)
    if not is_dir:
        try:
            with open(path, "rb") as fh:
                if fh.read(4) != b"PAR1":
                    return None
        except OSError as exc:
            raise CliError(f"DATA {path!r} cannot be read ({exc.strerror or exc}).") from None
    files = _parquet_files(path)
    if not files:
        raise CliError(f"DATA {path!r} is a folder with no Parquet files "
                       f"({', '.join(_PARQUET_EXT)}); pass a CSV or Parquet file or folder.")
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = size = 0
    columns = None
    for f in files:
        try:
            meta = pq.ParquetFile(f).metadata
        except (pa.ArrowException, OSError) as exc:
            where = f"DATA {path!r} holds {f!r}, which" if is_dir else f"DATA {path!r}"
            raise CliError(f"{where} cannot be read as Parquet: "
                           f"{_one_line(str(exc).splitlines()[0] if str(exc) else exc)}") from None
        rows += meta.num_rows
        size += sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
        columns = meta.num_columns if columns is None else columns
    free = available_memory()
    if is_dir or chunk_rows is not None or (free is not None and size > free / 4):
        return (rows, columns or 0)
    return None


def _validate_streaming(path: str, schema: Any, chunk_rows: int) -> None:
    import pyarrow as pa

    from ._sources import validate_parquet

    try:
        validate_parquet(path, schema, chunk_rows=chunk_rows)
    except (pa.ArrowException, OSError) as exc:
        raise CliError(f"DATA {path!r} cannot be read as Parquet: "
                       f"{_one_line(str(exc).splitlines()[0] if str(exc) else exc)}") from None


def read_data(path: str, *, progress: bool = False, console: Any = None):
    """Read a CSV or Parquet file into a DataFrame, or raise :class:`CliError`.

    The format is told by content (Parquet's ``PAR1`` magic), not only by extension.
    CSV is read with pyarrow (multi-threaded; ISO dates and times parsed). With
    ``progress``, a rich progress bar counts bytes (CSV) or row groups (Parquet).
    """
    from ._args import require

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
            table = _read_csv(path, size, show, console)
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


def _read_csv(path: str, size: int, show: bool, console: Any):
    import pyarrow as pa
    import pyarrow.csv as pcsv

    if not show:
        return pcsv.read_csv(path)
    with _bar(console, size, f"reading {os.path.basename(path)}") as bar:
        task = bar.add_task("read", total=size)
        try:
            with open(path, "rb") as fh:
                counting = _Counting(fh, lambda n: bar.advance(task, n))
                block = max(1 << 20, min(16 << 20, size // 50))  # ~50 steps of progress
                reader = pcsv.open_csv(counting,
                                       read_options=pcsv.ReadOptions(block_size=block))
                batches = list(reader)
                return pa.Table.from_batches(batches, schema=reader.schema)
        except pa.ArrowInvalid:
            # the streaming reader guesses types from the first block; let the whole-file
            # reader decide (it either succeeds or gives the real error)
            return pcsv.read_csv(path)


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

    _check_file(path, "SCHEMA")
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        reason = "not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else \
            (exc.strerror or str(exc))
        raise CliError(f"SCHEMA {path!r} cannot be read ({reason}).") from None
    try:
        return SeriesSchema.from_yaml(text + ("\n" if "\n" not in text else ""))
    except SchemaError as exc:
        raise CliError(f"bad schema {path!r}: {_one_line(exc)}") from None


def _warm_up(schema) -> threading.Thread:
    """Import pandera and validate an empty frame in a background thread.

    pandera's first validation pays about 0.2 s of imports and set-up. pyarrow reads CSV
    and Parquet without holding the GIL, so doing that work while the data is read
    hides most of it; the caller joins the thread before validating.
    """
    def work() -> None:
        try:
            import pandas as pd

            empty = pd.DataFrame({c: pd.Series([], dtype=float) for c in schema.columns})
            schema._column_schema().validate(empty, lazy=True)
        except Exception:  # only a warm-up: the real validation reports everything
            pass

    thread = threading.Thread(target=work, name="seqprep-warm-up", daemon=True)
    thread.start()
    return thread


def _names(text: str | None) -> list[str] | None:
    if text is None:
        return None
    names = [t.strip() for t in text.split(",") if t.strip()]
    return names or None


# ------------------------------------------------------------------- reports


def _cell(v: Any) -> str:
    import pandas as pd

    from ._errors import _jsonable

    if isinstance(v, pd.Timedelta) and v is not pd.NaT:
        from ._checks import step_name

        return step_name(int(v.value)) if v.value > 0 else str(v)
    j = _jsonable(v)
    return "" if j is None else str(j)


def text_report(failures, *, data: str, schema: str, shape: tuple, notes: list,
                per_check: int = 3) -> str:
    """A report for people: verdict, counts per check, the first cases of each."""
    from ._args import plural
    from ._checks import CHECKS

    rows, cols = shape
    where = f"{plural(rows, 'row')} x {plural(cols, 'column')}"
    if not len(failures):
        return f"{data}: OK: {where} pass schema {schema}"
    counts = failures["check"].value_counts(sort=False)
    lines = [f"{data}: INVALID: {plural(len(failures), 'failure')} of "
             f"{plural(len(counts), 'check')} in {where} (schema {schema})"]
    width = max(len(c) for c in counts.index)
    for check, count in counts.items():
        lines.append(f"  {check:<{width}}  {count:>8,}  {CHECKS.get(check, (check,))[0]}")
    lines.append("First cases:")
    for check, part in failures.groupby("check", sort=False):
        for rec in part.head(per_check).to_dict("records"):
            bits = [f"{k} {_cell(rec[k])}" for k in ("column", "group", "row", "time", "value")
                    if _cell(rec[k]) != ""]
            lines.append(f"  {check}: " + ", ".join(bits))
        if len(part) > per_check:
            lines.append(f"  {check}: ... {len(part) - per_check:,} more")
    lines.extend(f"note: {n}" for n in notes)
    lines.append("Every case: seqprep validate ... --format json")
    return "\n".join(lines)


def json_report(failures, *, data: str, schema: str, shape: tuple, notes: list,
                checks: list) -> str:
    """A report for machines: the ``ValidationError.to_dict()`` fields plus context."""
    from ._errors import ValidationError as VE

    body = VE("", failures=failures, notes=notes).to_dict()
    body["valid"] = not len(failures)
    out = {"data": data, "schema": schema, "rows": shape[0], "columns": shape[1],
           "checks": checks, **body}
    return json.dumps(out, indent=2, allow_nan=False)


def junit_report(failures, *, data: str, schema: str, shape: tuple, notes: list,
                 checks: list, seconds: float) -> str:
    """JUnit XML for CI dashboards: one test case per check, failed with its cases."""
    import xml.etree.ElementTree as ET

    from ._args import plural
    from ._checks import CHECKS

    counts = failures["check"].value_counts(sort=False).to_dict() if len(failures) else {}
    names = list(checks) + [c for c in counts if c not in checks]
    suites = ET.Element("testsuites", name="seqprep validate", tests=str(len(names)),
                        failures=str(len(counts)), errors="0", time=f"{seconds:.3f}")
    suite = ET.SubElement(suites, "testsuite", name=f"seqprep validate {data}",
                          tests=str(len(names)), failures=str(len(counts)), errors="0",
                          skipped="0", time=f"{seconds:.3f}")
    props = ET.SubElement(suite, "properties")
    for k, v in (("data", data), ("schema", schema), ("rows", shape[0]),
                 ("columns", shape[1])):
        ET.SubElement(props, "property", name=k, value=str(v))
    for name in names:
        case = ET.SubElement(suite, "testcase", classname=f"seqprep.validate.{name}",
                             name=name, time="0")
        if name in counts:
            part = failures[failures["check"] == name]
            rule = CHECKS.get(name, (name,))[0]
            fail = ET.SubElement(case, "failure", type=name,
                                 message=f"{plural(counts[name], 'failure')}: {rule}")
            lines = []
            for rec in part.head(50).to_dict("records"):
                lines.append(", ".join(f"{k}={_cell(rec[k])}" for k in
                                       ("column", "group", "row", "time", "value")))
            if len(part) > 50:
                lines.append(f"... {len(part) - 50:,} more (seqprep validate --format json)")
            fail.text = "\n".join(lines)
    if notes:
        ET.SubElement(suite, "system-out").text = "\n".join(notes)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suites, encoding="unicode")


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


@cli.command()
@click.argument("data", metavar="DATA")
@click.option("--schema", "schema_path", required=True, metavar="SCHEMA.yaml",
              help="The schema (write one with `seqprep infer`).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "junit"]),
              default="text", show_default=True, help="Report for people, machines or CI.")
@click.option("--show", "per_check", type=click.IntRange(min=0), default=3,
              show_default=True, help="Cases shown per check in the text report.")
@click.option("--chunk-rows", type=click.IntRange(min=1), default=None, metavar="N",
              help="Stream Parquet in chunks of N rows with bounded memory (automatic for a "
              "folder of Parquet files, or a file larger than a quarter of free memory).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@_guard
def validate(data: str, schema_path: str, fmt: str, per_check: int, quiet: bool,
             chunk_rows: int | None) -> None:
    """Check DATA (CSV or Parquet file, or a folder of Parquet files) against a schema.

    Exit 1 if any check fails.
    """
    try:
        _validate(data, schema_path, fmt, per_check, quiet, chunk_rows)
    except CliError as exc:
        # a machine-readable report stays well-formed when the run cannot even start
        if fmt == "json":
            click.echo(json.dumps({"valid": False, "error": _one_line(exc),
                                   "exit_code": exc.code, "data": data,
                                   "schema": schema_path}, indent=2))
        elif fmt == "junit":
            click.echo(_junit_error(str(exc), data=data, schema=schema_path))
        raise


def _junit_error(message: str, *, data: str, schema: str) -> str:
    import xml.etree.ElementTree as ET

    suites = ET.Element("testsuites", name="seqprep validate")
    suite = ET.SubElement(suites, "testsuite", name=f"{data} against {schema}", tests="1",
                          failures="0", errors="1")
    case = ET.SubElement(suite, "testcase", name="read", classname="seqprep.validate")
    ET.SubElement(case, "error", type="CliError", message=_one_line(message))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suites, encoding="unicode")


def _validate(data: str, schema_path: str, fmt: str, per_check: int, quiet: bool,
              chunk_rows: int | None) -> None:
    from ._checks import empty_failures

    schema = _load_schema(schema_path)
    started = _time.perf_counter()
    stream = _streamed_parquet(data, chunk_rows)
    if stream is not None:
        shape, notes = stream, [f"streamed in chunks of {chunk_rows or _STREAM_ROWS:,} rows"]
        try:
            _validate_streaming(data, schema, chunk_rows or _STREAM_ROWS)
            failures = empty_failures()
        except ValidationError as err:
            failures, notes = err.failures, notes + list(err.notes)
    else:
        warm = _warm_up(schema)
        df = read_data(data, progress=_progress_wanted(quiet))
        warm.join()
        shape = df.shape
        try:
            schema.validate(df)
            failures, notes = empty_failures(), []
        except ValidationError as err:
            failures, notes = err.failures, err.notes
    seconds = _time.perf_counter() - started
    ctx = {"data": data, "schema": schema_path, "shape": shape, "notes": notes}
    if fmt == "json":
        click.echo(json_report(failures, checks=schema.checks, **ctx))
    elif fmt == "junit":
        click.echo(junit_report(failures, checks=schema.checks, seconds=seconds, **ctx))
    else:
        click.echo(text_report(failures, per_check=per_check, **ctx))
    sys.exit(EXIT_INVALID if len(failures) else EXIT_OK)


@cli.command()
@click.argument("data", metavar="DATA")
@click.option("--time", "time_col", required=True, metavar="COL", help="The time column.")
@click.option("--group", "group_col", metavar="COL", help="The entity column, if any.")
@click.option("--features", metavar="A,B", help="Feature columns (default: every numeric "
              "column but time, group and targets).")
@click.option("--targets", metavar="Y", help="Target columns.")
@click.option("--min-length", type=click.IntRange(min=1), metavar="N",
              help="Rows every group must have (e.g. timesteps + gap + horizon).")
@click.option("--strict", is_flag=True, help="Refuse columns the schema does not name.")
@click.option("-o", "--output", metavar="SCHEMA.yaml", help="Write here (default: stdout).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@_guard
def infer(data: str, time_col: str, group_col: str | None, features: str | None,
          targets: str | None, min_length: int | None, strict: bool, output: str | None,
          quiet: bool) -> None:
    """Write the schema of a known-good DATA file as YAML."""
    from ._schema import infer_schema

    df = read_data(data, progress=_progress_wanted(quiet))
    try:
        schema = infer_schema(df, time_col, group_col, features=_names(features),
                              targets=_names(targets) or (), min_length=min_length,
                              strict=strict)
    except ValidationError as err:
        click.echo(text_report(err.failures, data=data, schema="(inferred)",
                               shape=df.shape, notes=err.notes), err=False)
        raise CliError(f"DATA {data!r} fails the schema inferred from it, so it is not "
                       "known-good; fix the cases above first.", EXIT_INVALID) from None
    except SeqprepError as exc:
        raise CliError(_one_line(exc)) from None
    text = schema.to_yaml()
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        raise CliError(f"cannot write {output!r} ({exc.strerror or exc}).") from None
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


@cli.command()
@click.argument("data", metavar="DATA")
@click.option("--timesteps", required=True, type=click.IntRange(min=1), metavar="N",
              help="Time steps per window.")
@click.option("--horizon", type=click.IntRange(min=1), default=1, show_default=True,
              help="Target rows per window.")
@click.option("--gap", type=click.IntRange(min=0), default=0, show_default=True,
              help="Rows between a window's last input and its first target.")
@click.option("--stride", type=click.IntRange(min=1), default=1, show_default=True,
              help="Rows between the starts of consecutive windows.")
@click.option("--sampling-rate", type=click.IntRange(min=1), default=1, show_default=True,
              help="Take every R-th row inside a window.")
@click.option("--features", metavar="A,B", help="Input columns (default: all but group "
              "and time).")
@click.option("--targets", metavar="Y", help="Target columns (default: none, no y).")
@click.option("--group", "group_col", metavar="COL", help="The entity column.")
@click.option("--time", "time_col", metavar="COL", help="The time column.")
@click.option("--freq", metavar="F", help="The step between rows (default: inferred).")
@click.option("--schema", "schema_path", metavar="SCHEMA.yaml",
              help="Validate DATA first (exit 1 if it fails); its time, group, features and "
              "targets are the defaults of the options above.")
@click.option("--on-gap", type=click.Choice(["error", "split", "ignore"]), default="error",
              show_default=True, help="What a missing time step does.")
@click.option("--out", required=True, metavar="WINDOWS.npz", help="Where to write.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@_guard
def windows(data: str, timesteps: int, horizon: int, gap: int, stride: int,
            sampling_rate: int, features: str | None, targets: str | None,
            group_col: str | None, time_col: str | None, freq: str | None,
            schema_path: str | None, on_gap: str, out: str, quiet: bool) -> None:
    """Cut DATA into (samples, timesteps, features) windows and write them as .npz.

    The file holds X, y (with targets), index (one record per sample: group, rows and
    times it came from), input_shape, feature_names and target_names.
    """
    import numpy as np

    from ._windows import make_windows

    schema = _load_schema(schema_path) if schema_path else None
    df = read_data(data, progress=_progress_wanted(quiet))
    if schema is not None:
        try:
            df = schema.validate(df)
        except ValidationError as err:
            click.echo(text_report(err.failures, data=data, schema=schema_path,
                                   shape=df.shape, notes=err.notes))
            sys.exit(EXIT_INVALID)
    if schema is not None:  # the schema names the columns unless the options do
        group_col = group_col if group_col is not None else schema.group
        time_col = time_col if time_col is not None else schema.time
        if features is None and schema.features:
            features = ",".join(map(str, schema.features))
        if targets is None and schema.targets:
            targets = ",".join(map(str, schema.targets))
    freq_arg: Any = freq
    if freq is not None and freq.lstrip("-").isdigit():
        freq_arg = int(freq)
    try:
        w = make_windows(df, timesteps, horizon=horizon, gap=gap, stride=stride,
                         sampling_rate=sampling_rate, features=_names(features),
                         targets=_names(targets), group=group_col, time=time_col,
                         freq=freq_arg, on_gap=on_gap)
        X, y = np.asarray(w.X), w.y
    except DataError as exc:
        raise CliError(_as_options(_one_line(exc)), EXIT_INVALID) from None
    except SeqprepError as exc:
        raise CliError(_as_options(_one_line(exc))) from None
    arrays = {"X": X, "index": _index_records(w.index),
              "input_shape": np.array(w.input_shape, dtype=np.int64),
              "feature_names": np.array([str(c) for c in w.feature_names]),
              "target_names": np.array([str(c) for c in w.target_names])}
    if y is not None:
        arrays["y"] = y
    try:
        np.savez(out, **arrays)
    except OSError as exc:
        raise CliError(f"cannot write {out!r} ({exc.strerror or exc}).") from None
    written = out if out.endswith(".npz") else out + ".npz"
    click.echo(f"wrote {written}")
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
