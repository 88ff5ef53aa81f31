"""Issue 15 class 9 and issue 12's streamed CSV: stdin, FIFOs, special files, line numbers,
bounded memory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from click.testing import CliRunner

import seqprep
from seqprep._cli import cli

ENV = {**os.environ, "PYTHONWARNINGS": "ignore"}


def run(*args, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input,
                              catch_exceptions=False)


def sub(*args, stdin=None, env=None, timeout=60):
    return subprocess.run([sys.executable, "-m", "seqprep", *map(str, args)], stdin=stdin,
                          capture_output=True, text=True, timeout=timeout,
                          env={**ENV, **(env or {})})


@pytest.fixture()
def data(tmp_path):
    df = pd.DataFrame({"g": "a", "t": np.r_[0:5, 6:10], "x": np.arange(9.0)})  # gap at 5
    df.to_csv(tmp_path / "d.csv", index=False)
    seqprep.SeriesSchema("t", group="g", features="x", freq=1).to_yaml(tmp_path / "s.yaml")
    return tmp_path


@pytest.mark.parametrize("name", ["-", "/dev/stdin"])
def test_csv_from_stdin(data, name):
    with open(data / "d.csv") as fh:
        r = sub("validate", name, "--schema", data / "s.yaml", "--format", "json", stdin=fh)
    assert r.returncode == 1, r.stderr
    [case] = json.loads(r.stdout)["failures"]
    assert case["check"] == "regular_freq" and case["line"] == 7 and case["file"] == name
    assert case["missing_first"] == 5 and case["missing_steps"] == 1


def test_stdin_in_process_and_empty_stdin(data):
    r = run("validate", "-", "--schema", data / "s.yaml", input=(data / "d.csv").read_text())
    assert r.exit_code == 1 and "-:7: regular_freq" in r.stdout
    r = run("validate", "-", "--schema", data / "s.yaml", input="")
    assert r.exit_code == 2 and "Traceback" not in r.output


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_without_a_writer_is_refused_in_bounded_time(data):
    fifo = data / "pipe.csv"
    os.mkfifo(fifo)
    started = time.monotonic()
    r = sub("validate", fifo, "--schema", data / "s.yaml", env={"SEQPREP_FIFO_WAIT": "0.5"})
    assert r.returncode == 2 and "FIFO with no writer" in r.stderr
    assert time.monotonic() - started < 30


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_with_a_writer_is_read(data):
    fifo = data / "pipe.csv"
    os.mkfifo(fifo)
    text = (data / "d.csv").read_bytes()

    def write():
        with open(fifo, "wb") as fh:
            fh.write(text)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    r = sub("validate", fifo, "--schema", data / "s.yaml")
    writer.join(5)
    assert r.returncode == 1 and "pipe.csv:7: regular_freq" in r.stdout


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_devices_are_refused(data, device):
    if not os.path.exists(device):
        pytest.skip(f"no {device}")
    r = run("validate", device, "--schema", data / "s.yaml")
    assert r.exit_code == 2 and "character device" in r.stderr
    r = run("validate", data / "d.csv", "--schema", device)
    assert r.exit_code == 2 and "not a regular file" in r.stderr


def test_line_numbers_with_quoted_line_breaks_and_blank_lines(data):
    text = ('g,t,x\n'
            '"a\nb",0,1\n'        # lines 2-3
            '\n'                  # line 4, blank: skipped
            '"a\nb",1,\n'         # lines 5-6: NaN
            '"a\nb",3,2\n')       # lines 7-8: gap
    (data / "q.csv").write_text(text)
    r = run("validate", data / "q.csv", "--schema", data / "s.yaml", "--format", "json")
    body = json.loads(r.stdout)
    lines = {f["check"]: f["line"] for f in body["failures"]}
    assert lines == {"not_null": 5, "regular_freq": 7}
    assert {f["group"] for f in body["failures"]} == {"a\nb"}



def test_stdin_gets_the_same_line_numbers_as_the_file(data):
    """D7: a stream read once (``-``, ``/dev/stdin``) counts its lines as it is read."""
    text = ('\ng,t,x\n'             # a blank line 1, the header on line 2
            '"a\nb",0,1\n'        # lines 3-4
            '\r\n'                # line 5, blank: skipped
            '"a\nb",1,\n'         # lines 6-7: NaN
            '"a\nb",3,2')          # line 8-9: gap, no final line break
    (data / "q.csv").write_text(text, newline="")
    want = {"not_null": 6, "regular_freq": 8}
    for args, stdin in (([data / "q.csv"], None), (["-"], text)):
        r = run("validate", *args, "--schema", data / "s.yaml", "--format", "json", input=stdin)
        body = json.loads(r.stdout)
        assert {f["check"]: f["line"] for f in body["failures"]} == want, (args, body)
    r = run("validate", "-", "--schema", data / "s.yaml", "--format", "github", input=text)
    assert "::error file=-,line=6," in r.stdout and "::error file=-,line=8," in r.stdout


class Trickle:
    """A binary stream that hands out its bytes in the given piece sizes (then the rest)."""

    def __init__(self, data: bytes, sizes: list[int]) -> None:
        self.data, self.sizes, self.at = data, list(sizes), 0

    def read(self, n: int = -1) -> bytes:
        k = self.sizes.pop(0) if self.sizes else len(self.data)
        out = self.data[self.at:self.at + min(n if n >= 0 else k, k)]
        self.at += len(out)
        return out


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "a\nb", "a\r\nb", 'a""b', "\n"]),
                          st.integers(0, 9), st.sampled_from(["1.5", ""]),
                          st.integers(0, 2)), min_size=1, max_size=25),
       st.sampled_from(["\n", "\r\n"]), st.booleans(), st.integers(0, 2),
       st.lists(st.integers(1, 40), max_size=30))
def test_stream_line_numbers_match_the_files_as_read_in_any_pieces(
        tmp_path_factory, rows, eol, last_eol, lead, sizes):
    """Oracle: the line numbers of the same bytes as a file (Python's csv module)."""
    from seqprep._csv import CsvChunks

    text = eol * lead + "g,t,x" + eol
    for k, (g, t, x, blanks) in enumerate(rows):
        field = f'"{g}"' if any(c in g for c in '\n"') else g
        text += f"{field},{t},{x}" + (eol if k < len(rows) - 1 or last_eol else "")
        text += eol * blanks if k < len(rows) - 1 else ""
    data = text.encode()
    path = tmp_path_factory.mktemp("lines") / "d.csv"
    path.write_bytes(data)
    got = []
    head = len((eol * lead + "g,t,x" + eol).encode())  # the first read: the header at least
    for fh, reopen in ((open(path, "rb"), True), (Trickle(data, [head] + sizes), False)):
        chunks = CsvChunks(fh, path=str(path), reopen=reopen, numeric=["x"], keys=["g", "t"],
                           chunk_rows=7)
        assert sum(len(f) for f in chunks) == chunks.rows == len(rows)
        got.append(chunks.line_of(np.arange(chunks.rows)).tolist())
        if reopen:
            fh.close()
    assert got[1] == got[0] and -1 not in got[0]



def test_stream_line_numbers_past_the_kept_breaks_are_null_not_wrong(data, monkeypatch):
    import seqprep._csv

    monkeypatch.setattr(seqprep._csv, "MAX_LINE_BREAKS", 3)  # header + 2 moves
    text = "g,t,x\n" + "".join(f'"a\nb",{t},{"" if t in (1, 5) else 1}\n' for t in range(6))
    body = json.loads(run("validate", "-", "--schema", data / "s.yaml", "--format", "json",
                          input=text).stdout)
    lines = {f["row"]: f["line"] for f in body["failures"] if f["check"] == "not_null"}
    assert lines == {1: 4, 5: None}  # row 1 starts on line 4; row 5's line was not kept


def test_chunked_csv_finds_what_the_whole_read_finds(tmp_path):
    rng = np.random.default_rng(0)
    parts = []
    for g in "abcd":
        t = np.arange(500)
        t = np.delete(t, rng.choice(500, 5, replace=False))  # 5 gaps per group
        parts.append(pd.DataFrame({"g": g, "t": t, "x": rng.normal(size=len(t))}))
    df = pd.concat(parts, ignore_index=True)
    df.loc[rng.choice(len(df), 7, replace=False), "x"] = np.nan
    df.to_csv(tmp_path / "d.csv", index=False)
    seqprep.SeriesSchema("t", group="g", features="x", freq=1).to_yaml(tmp_path / "s.yaml")
    reports = [json.loads(run("validate", tmp_path / "d.csv", "--schema", tmp_path / "s.yaml",
                              "--format", "json", *extra).stdout)
               for extra in ([], ["--chunk-rows", "37"])]
    key = ("check", "row", "line", "missing_first", "missing_steps")
    whole, chunked = ([tuple(f[k] for k in key) for f in rep["failures"]] for rep in reports)
    assert whole == chunked
    # every NaN, and every gap (a run of deleted times is one gap)
    gaps = sum(int((np.diff(p["t"].to_numpy()) > 1).sum()) for p in parts)
    assert len(whole) == gaps + 7
    assert all(f["line"] == f["row"] + 2 for f in reports[0]["failures"])


MEASURE = """
import re, sys
from seqprep._cli import cli

def once(args):
    try:
        cli(args)
    except SystemExit:
        pass

def peak():
    return int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read()).group(1))

small, args = sys.argv[1], sys.argv[2:]
once(["validate", small] + args[1:])  # warm up: every lazy import and first-use cache
rss = int(re.search(r"VmRSS:\\s+(\\d+)", open("/proc/self/status").read()).group(1))
with open("/proc/self/clear_refs", "w") as fh:  # reset the peak to the current RSS
    fh.write("5")
once(["validate"] + args)
print("GREW", peak() - rss, file=sys.stderr)
"""


def grew_mb(small, *args) -> float:
    """Peak RSS growth (MB) of one `seqprep validate ARGS` after a warm-up run on ``small``."""
    r = subprocess.run([sys.executable, "-c", MEASURE, str(small), *map(str, args)],
                       capture_output=True, text=True, timeout=300, env=ENV)
    line = [x for x in r.stderr.splitlines() if x.startswith("GREW")][-1]
    return int(line.split()[1]) / 1024


@pytest.mark.skipif(not os.path.exists("/proc/self/clear_refs"), reason="Linux peak-RSS reset")
def test_csv_is_streamed_in_bounded_memory(tmp_path):
    """A CSV three times the memory cap is validated within the cap.

    Memory follows --chunk-rows (the reader's block of about that many rows, its
    read-ahead, the chunk's DataFrame and its checks), not the file: with chunks of
    5,000 rows the peak grows by about 8-14 MB over a warm-up run on a small file
    (the allocator grows in 2 MB steps), whatever the file's size; the cap set here is
    24 MB, the file ~76 MB.
    """
    n = 5_100_000
    big = tmp_path / "big.csv"
    t = np.arange(n)
    pd.DataFrame({"g": np.repeat(["a", "b", "c"], n // 3), "t": t % (n // 3),
                  "x": (t % 97) / 7.0}).to_csv(big, index=False, float_format="%.3f")
    small = tmp_path / "small.csv"
    small.write_text("".join(open(big).readlines()[:1000]))
    schema = tmp_path / "s.yaml"
    seqprep.SeriesSchema("t", group="g", features="x", freq=1).to_yaml(schema)
    size_mb = big.stat().st_size / 2**20
    cap_mb = 24
    streamed = grew_mb(small, big, "--schema", schema, "--chunk-rows", 5_000)
    print(f"{size_mb:.0f} MB file: peak RSS grew {streamed:.1f} MB in chunks of 5,000 rows")
    assert size_mb > 3 * cap_mb, size_mb
    assert streamed < cap_mb, (streamed, size_mb)
    # the measurement sees growth: chunks of 500,000 rows take far more
    larger = grew_mb(small, big, "--schema", schema, "--chunk-rows", 500_000)
    print(f"... and {larger:.1f} MB in chunks of 500,000 rows")
    assert larger > 2 * cap_mb


@pytest.mark.parametrize("na", ["", "NA", "None", "<NA>", "null", "nan"])
def test_csv_missing_texts_mean_what_pandas_read_csv_says(tmp_path, na):
    """D21: an empty (or NA) group label is a missing value for the command line, as for
    ``pd.read_csv`` + the API (the oracle), whole, chunked and from stdin; never a group."""
    t = [f"2024-01-0{d}" for d in range(1, 6)] * 2
    text = "g,t,x\n" + "".join(f"{g},{tt},{k}.5\n" for k, (g, tt) in
                               enumerate(zip(["a"] * 5 + [na] * 5, t)))
    (tmp_path / "d.csv").write_text(text)
    schema = seqprep.SeriesSchema("t", group="g", features="x", freq="D")
    schema.to_yaml(tmp_path / "s.yaml")
    with pytest.raises(seqprep.ValidationError) as err:
        schema.validate(pd.read_csv(tmp_path / "d.csv", parse_dates=["t"]))
    want = sorted(err.value.failures["row"].tolist())
    assert want == [5, 6, 7, 8, 9] and set(err.value.failures["check"]) == {"not_null"}
    for extra, stdin in (([], None), (["--chunk-rows", "2"], None), ([], text)):
        data = "-" if stdin is not None else tmp_path / "d.csv"
        r = run("validate", data, "--schema", tmp_path / "s.yaml", "--format", "json", *extra,
                input=stdin)
        body = json.loads(r.stdout)
        assert r.exit_code == 1 and body["counts"] == {"not_null": 5}, (extra, body)
        assert sorted(f["row"] for f in body["failures"]) == want
        assert {f["column"] for f in body["failures"]} == {"g"}
    r = run("windows", tmp_path / "d.csv", "--timesteps", 2, "--time", "t", "--group", "g",
            "--out", tmp_path / "w.npz")
    assert r.exit_code != 0 and "missing" in r.stderr and not (tmp_path / "w.npz").exists()


def test_csv_at_an_fsspec_url_is_streamed(data):
    """D15: DATA may be a CSV at an fsspec URL (docs/ci.md); lines are counted as read."""
    fsspec = pytest.importorskip("fsspec")
    text = (data / "d.csv").read_text()
    lines = text.splitlines(keepends=True)
    (data / "b.csv").write_text("".join(lines[:3] + ["\n"] + lines[3:]))  # a blank line 4
    for url, line in ((f"file://{data}/d.csv", 7), (f"file://{data}/b.csv", 8)):
        body = json.loads(run("validate", url, "--schema", data / "s.yaml", "--format",
                              "json").stdout)
        [case] = body["failures"]
        assert case["check"] == "regular_freq" and case["line"] == line and case["file"] == url
    mem = fsspec.filesystem("memory")
    with mem.open("/streams/d.csv", "wb") as fh:
        fh.write(text.encode())
    try:
        r = run("validate", "memory://streams/d.csv", "--schema", data / "s.yaml")
        assert r.exit_code == 1 and "memory://streams/d.csv:7: regular_freq" in r.stdout
    finally:
        mem.rm("/streams", recursive=True)
    r = run("validate", f"file://{data}/none.csv", "--schema", data / "s.yaml")
    assert r.exit_code == 2 and "cannot be read (FileNotFoundError" in r.stderr
    assert len(r.stderr.splitlines()) == 1


def test_infer_and_windows_read_stdin_and_fifos_as_validate_does(data):
    """D23: one rule for opening DATA in the three commands."""
    text = (data / "d.csv").read_text()
    by_file = run("infer", data / "d.csv", "--time", "t", "--group", "g")
    by_stdin = run("infer", "-", "--time", "t", "--group", "g", input=text)
    assert by_stdin.exit_code == by_file.exit_code == 1  # the gap: not known-good
    assert by_stdin.stdout.replace("-:", "X:") == by_file.stdout.replace(
        f"{data / 'd.csv'}:", "X:")
    r = run("windows", "-", "--timesteps", 2, "--time", "t", "--group", "g", "--on-gap",
            "split", "--out", data / "w.npz", input=text)
    assert r.exit_code == 0, r.output
    ref = run("windows", data / "d.csv", "--timesteps", 2, "--time", "t", "--group", "g",
              "--on-gap", "split", "--out", data / "ref.npz")
    assert ref.exit_code == 0
    np.testing.assert_array_equal(np.load(data / "w.npz")["X"], np.load(data / "ref.npz")["X"])
    fifo = data / "pipe.csv"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_text(text), daemon=True)
    writer.start()
    r = sub("windows", fifo, "--timesteps", 2, "--time", "t", "--group", "g", "--on-gap",
            "split", "--out", data / "f.npz")
    writer.join(5)
    assert r.returncode == 0, r.stderr
    np.testing.assert_array_equal(np.load(data / "f.npz")["X"], np.load(data / "ref.npz")["X"])


def test_parquet_bytes_on_stdin_are_refused_in_one_line(data):
    pd.read_csv(data / "d.csv").to_parquet(data / "d.parquet")
    raw = (data / "d.parquet").read_bytes().decode("latin-1")
    for args in (["validate", "-", "--schema", data / "s.yaml"], ["infer", "-", "--time", "t"]):
        r = run(*args, input=raw.encode("latin-1"))
        assert r.exit_code == 2 and "holds Parquet" in r.stderr and "pass the file's path" \
            in r.stderr and len(r.stderr.splitlines()) == 1
