"""No false pass (issue 15): ``validate`` never passes a table with a known fault.

Each kind of fault -- duplicated times, gaps, NaN, infinities, wrong order, out-of-range
values, too-short groups -- is injected into a drawn panel (``seqprep.testing``), and the
table is validated through the API (``SeriesSchema.validate``, whole and in chunks) and
the command line (``seqprep validate``, in-process through click's ``CliRunner``), from
CSV and Parquet, whole, with ``--chunk-rows`` and as a folder of Parquet parts (hourly,
daily and integer times). Every path must fail, and must name the
check that the fault breaks. A control test passes sound panels through the same paths,
so that a path failing everything (which would also "never pass") is caught.
"""

from __future__ import annotations

import json
import os
import tempfile

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import seqprep
from seqprep.testing import FAULTS, broken_panels, panels

click_testing = pytest.importorskip("click.testing")
pytest.importorskip("pyarrow")
from seqprep._cli import cli  # noqa: E402

FEATURES = ("x0", "x1", "x2")
LENGTH = (4, 10)
LIMIT = 1000.0  # panels draw feature values in [-1000, 1000]
# fault -> the check that must report it
KINDS = {f: FAULTS[f] for f in ("duplicate_time", "gap", "nan", "infinity", "unsorted",
                                "short_group")}
KINDS["out_of_range"] = "in_range"


FREQS = ("h", "D", 3)  # hourly and daily datetimes, integer times every 3


def schema(freq="h") -> seqprep.SeriesSchema:
    """What every sound panel satisfies: the seqprep.testing schema plus value ranges."""
    return seqprep.SeriesSchema("time", "group", FEATURES, freq=freq, min_length=LENGTH[0],
                                ranges={c: (-LIMIT, LIMIT) for c in FEATURES})


@st.composite
def faulty(draw, kind: str, freq="h") -> pd.DataFrame:
    """A panel with one fault of ``kind``."""
    if kind != "out_of_range":
        return draw(broken_panels(fault=kind, length=LENGTH, n_groups=(1, 3), freq=freq)).frame
    frame = draw(panels(length=LENGTH, n_groups=(1, 3), freq=freq)).copy()
    row = draw(st.integers(0, len(frame) - 1))
    col = draw(st.sampled_from(FEATURES))
    sign = draw(st.sampled_from([-1.0, 1.0]))
    frame.loc[row, col] = sign * draw(st.floats(LIMIT * 1.001, 1e12))
    return frame


@st.composite
def cases(draw, kinds=tuple(KINDS)):
    """``(kind, freq, frame)``: a fault, the panel's frequency, the faulty panel."""
    kind, freq = draw(st.sampled_from(kinds)), draw(st.sampled_from(FREQS))
    return kind, freq, draw(faulty(kind, freq))


def reported(err: seqprep.ValidationError) -> set:
    return set(err.failures["check"])


def chunked(frame: pd.DataFrame, cuts: list[int]) -> list[pd.DataFrame]:
    edges = [0, *sorted({c % (len(frame) + 1) for c in cuts}), len(frame)]
    return [frame.iloc[a:b] for a, b in zip(edges, edges[1:])]


# ------------------------------------------------------------------------------- API


@given(cases())
def test_api_never_passes_a_faulty_table(case):
    kind, freq, frame = case
    with pytest.raises(seqprep.ValidationError) as info:
        schema(freq).validate(frame)
    assert KINDS[kind] in reported(info.value), (kind, reported(info.value))


@given(cases(), st.lists(st.integers(0, 10**6), max_size=4))
def test_api_in_chunks_never_passes_a_faulty_table(case, cuts):
    kind, freq, frame = case
    with pytest.raises(seqprep.ValidationError) as info:
        schema(freq).validate_chunks(chunked(frame, cuts))
    assert KINDS[kind] in reported(info.value), (kind, reported(info.value))


# ------------------------------------------------------------------------------- CLI


def write(frame: pd.DataFrame, tmp: str, fmt: str, part_rows: int) -> str:
    """``frame`` as one CSV or Parquet file, or (``"parts"``) a folder of Parquet files of
    ``part_rows`` rows each, in name order; the path to validate."""
    if fmt == "parts":
        folder = os.path.join(tmp, "data")
        os.mkdir(folder)
        for k, start in enumerate(range(0, len(frame), part_rows)):
            part = frame.iloc[start:start + part_rows]
            part.to_parquet(os.path.join(folder, f"part-{k:04d}.parquet"), index=False)
        return folder
    data = os.path.join(tmp, f"data.{fmt}")
    if fmt == "csv":
        frame.to_csv(data, index=False)
    else:
        frame.to_parquet(data, index=False)
    return data


def run_cli(frame: pd.DataFrame, fmt: str, chunk_rows: int | None, freq="h", part_rows=5):
    """``seqprep validate`` on ``frame`` written as ``fmt``; (exit code, JSON report or None)."""
    with tempfile.TemporaryDirectory() as tmp:
        data = write(frame, tmp, fmt, part_rows)
        yaml = os.path.join(tmp, "schema.yaml")
        schema(freq).to_yaml(yaml)
        args = ["validate", data, "--schema", yaml, "--format", "json", "-q"]
        if chunk_rows is not None:
            args += ["--chunk-rows", str(chunk_rows)]
        result = click_testing.CliRunner().invoke(cli, args)
    try:
        report = json.loads(result.stdout)
    except ValueError:
        report = None
    return result, report


def checks_in(report: dict | None, text: str) -> set:
    """The checks a JSON report names (its counts and its failure records)."""
    if report is None:
        return set()
    found = set(report.get("counts") or {})
    found |= {f.get("check") for f in report.get("failures") or [] if isinstance(f, dict)}
    return found


# whole files, chunked reads, and a folder of Parquet parts (one table, in file order)
CLI_PATHS = [("csv", None), ("csv", 3), ("parquet", None), ("parquet", 3), ("parts", None)]


@pytest.mark.parametrize("fmt,chunk_rows", CLI_PATHS)
@settings(max_examples=20, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases(), chunk=st.integers(1, 7))
def test_cli_never_passes_a_faulty_table(fmt, chunk_rows, case, chunk):
    kind, freq, frame = case
    result, report = run_cli(frame, fmt, chunk if chunk_rows else None, freq, part_rows=chunk)
    assert result.exit_code == 1, (kind, result.exit_code, result.output[-2000:])
    assert KINDS[kind] in checks_in(report, result.output), (kind, result.output[-2000:])


@pytest.mark.parametrize("fmt,chunk_rows", CLI_PATHS)
@settings(max_examples=5, suppress_health_check=[HealthCheck.too_slow])
@given(freq=st.sampled_from(FREQS), data=st.data(), chunk=st.integers(1, 7))
def test_control_sound_tables_pass_every_path(fmt, chunk_rows, freq, data, chunk):
    """The paths above can pass: a sound panel passes each of them."""
    frame = data.draw(panels(length=LENGTH, n_groups=(1, 3), freq=freq))
    schema(freq).validate(frame)
    assert schema(freq).validate_chunks(chunked(frame, [chunk, 2 * chunk])) == len(frame)
    result, report = run_cli(frame, fmt, chunk if chunk_rows else None, freq, part_rows=chunk)
    assert result.exit_code == 0, result.output[-2000:]
    assert report is not None and report.get("valid") is True


@pytest.mark.parametrize("freq", FREQS)
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_is_drawn_and_caught_at_least_once(kind, freq):
    """Explicit examples per kind and frequency (a short random run may miss some)."""

    @settings(max_examples=2, database=None)
    @given(faulty(kind, freq))
    def check(frame):
        with pytest.raises(seqprep.ValidationError) as info:
            schema(freq).validate(frame)
        assert KINDS[kind] in reported(info.value)
        result, report = run_cli(frame, "parquet", 2, freq)
        assert result.exit_code == 1 and KINDS[kind] in checks_in(report, result.output)

    check()


def test_the_guarantees_page_names_only_tests_that_exist():
    """docs/guarantees.md lists, for each promise, the tests holding it: none may vanish."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    page = (root / "docs" / "guarantees.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`(tests/[\w/]+\.py)`", page))
    assert "tests/property/test_no_false_pass.py" in named and len(named) > 10
    assert not [t for t in sorted(named) if not (root / t).is_file()]
