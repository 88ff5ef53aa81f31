"""The command line: exit codes, reports, files it cannot read, and no tracebacks.

Most cases run in-process with click's CliRunner (fast); a few run ``python -m seqprep``
in a real subprocess to prove the no-traceback and exit-code guarantees end to end.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import seqprep
from seqprep import _cli
from seqprep._cli import cli, read_data


def good_frame(n_groups=3, length=30):
    t = pd.date_range("2024-01-01", periods=length, freq="h")
    return pd.concat([pd.DataFrame({"store": g, "time": t, "load": np.arange(length) + 10.0 * i,
                                    "temp": np.cos(np.arange(length))})
                      for i, g in enumerate("abc"[:n_groups])], ignore_index=True)


@pytest.fixture()
def files(tmp_path):
    good = good_frame()
    good.to_csv(tmp_path / "good.csv", index=False)
    good.to_parquet(tmp_path / "good.parquet")
    bad = good.copy()
    bad.loc[5, "load"] = np.nan
    bad = bad.drop(index=[40, 41])
    bad = pd.concat([bad, bad.iloc[[70]]], ignore_index=True)
    bad.to_csv(tmp_path / "bad.csv", index=False)
    seqprep.infer_schema(good, "time", "store", min_length=10).to_yaml(tmp_path / "s.yaml")
    (tmp_path / "ragged.csv").write_text("a,b\n1,2\n3,4,5\n")
    (tmp_path / "binary.csv").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "fake.parquet").write_text("time,load\n1,2\n")
    good.to_csv(tmp_path / "semi.csv", index=False, sep=";")
    (tmp_path / "csvs").mkdir()
    (tmp_path / "csvs" / "a.csv").write_text("time,load\n1,2\n")
    (tmp_path / "latin1.csv").write_bytes("name,t\ncaf\xe9,1\n".encode("latin-1"))
    (tmp_path / "badkey.yaml").write_text("seqprep_schema: 1\ntime: time\nfrq: h\n")
    (tmp_path / "badfreq.yaml").write_text("seqprep_schema: 1\ntime: time\nfreq: often\n")
    (tmp_path / "notyaml.yaml").write_text("seqprep_schema: 1\ntime: [oops\n")
    return tmp_path


def invoke(*args, cwd=None):
    runner = CliRunner()
    return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)


def one_error_line(result, start):
    err = result.stderr.strip()
    assert "Traceback" not in result.output and "Traceback" not in err
    assert len(err.splitlines()) == 1, err
    assert err.startswith(start), err


# -------------------------------------------------------------------- validate


def test_validate_valid_data_exits_0(files):
    for data in ("good.csv", "good.parquet"):
        r = invoke("validate", files / data, "--schema", files / "s.yaml")
        assert r.exit_code == 0, r.output
        assert "OK: 90 rows x 4 columns pass schema" in r.stdout


def test_validate_invalid_data_text_report(files):
    r = invoke("validate", files / "bad.csv", "--schema", files / "s.yaml")
    assert r.exit_code == 1
    out = r.stdout
    assert "INVALID: 4 failures of 4 checks in 89 rows x 4 columns" in out
    for check in ("not_null", "increasing_time", "unique_time", "regular_freq"):
        assert f"\n  {check} " in out
    assert "regular_freq: column time, group b, row 40, time 2024-01-01T12:00:00, value 3h" in out
    assert "--format json" in out


def test_validate_json_report(files):
    r = invoke("validate", files / "bad.csv", "--schema", files / "s.yaml", "--format", "json")
    assert r.exit_code == 1
    report = json.loads(r.stdout)
    assert report["valid"] is False and report["rows"] == 89 and report["n_failures"] == 4
    assert report["counts"] == {"not_null": 1, "increasing_time": 1, "unique_time": 1,
                                "regular_freq": 1}
    first6 = ("check", "column", "group", "row", "time", "value")
    assert {"check": "not_null", "column": "load", "group": "a", "row": 5,
            "time": "2024-01-01T05:00:00", "value": None} in [
                {k: f[k] for k in first6} for f in report["failures"]]
    nan = [f for f in report["failures"] if f["check"] == "not_null"][0]
    assert nan["file"] == str(files / "bad.csv") and nan["line"] == 7 and nan["file_row"] == 5
    assert "regular_freq" in report["checks"]
    ok = json.loads(invoke("validate", files / "good.csv", "--schema", files / "s.yaml",
                           "--format", "json").stdout)
    assert ok["valid"] is True and ok["failures"] == [] and ok["counts"] == {}


def test_validate_junit_report(files):
    r = invoke("validate", files / "bad.csv", "--schema", files / "s.yaml", "--format", "junit")
    assert r.exit_code == 1
    root = ET.fromstring(r.stdout.split("\n", 1)[1])
    suite = root.find("testsuite")
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert set(cases) == set(seqprep.SeriesSchema.from_yaml(files / "s.yaml").checks)
    failed = {n for n, c in cases.items() if c.find("failure") is not None}
    assert failed == {"not_null", "increasing_time", "unique_time", "regular_freq"}
    assert suite.get("failures") == "4" and suite.get("tests") == str(len(cases))
    assert f"bad.csv:42: regular_freq: column time, group b, row 40" in \
        cases["regular_freq"].find("failure").text


def test_parquet_is_streamed_in_chunks_with_the_same_findings(files):
    whole = invoke("validate", files / "bad.csv", "--schema", files / "s.yaml",
                   "--format", "json")
    bad = pd.read_csv(files / "bad.csv", parse_dates=["time"])
    folder = files / "parts"
    folder.mkdir()
    bad.iloc[:50].to_parquet(folder / "part-0.parquet")  # a gap and a repeat in part-1,
    bad.iloc[50:].to_parquet(folder / "part-1.parquet")  # a NaN in part-0
    runs = {}
    for args in ([folder], [folder, "--chunk-rows", 7], [files / "good.parquet", "--chunk-rows", 7]):
        r = invoke("validate", *args, "--schema", files / "s.yaml", "--format", "json")
        report = json.loads(r.stdout)
        assert any(n.startswith("streamed in chunks of") for n in report["notes"]), report
        runs[len(args), str(args[0])] = r.exit_code, report["counts"]
    assert runs[1, str(folder)] == (1, json.loads(whole.stdout)["counts"])
    # in chunks of 7 rows the repeated row's twin is in an earlier chunk: the step back in
    # time is still caught (the documented limit of streaming), so the data still fails
    code, counts = runs[3, str(folder)]
    assert code == 1 and counts["not_null"] == 1 and counts["increasing_time"] == 1
    assert runs[3, str(files / "good.parquet")] == (0, {})


@pytest.mark.parametrize("data, start", [
    ("nope.csv", "seqprep: error: DATA '{d}/nope.csv' does not exist."),
    (".", "seqprep: error: DATA '{d}' holds '{d}/fake.parquet', which cannot be read as "
          "Parquet"),
    ("csvs", "seqprep: error: DATA '{d}/csvs' is a folder with no Parquet files"),
    ("empty.csv", "seqprep: error: DATA '{d}/empty.csv' is empty."),
    ("ragged.csv", "seqprep: error: DATA '{d}/ragged.csv' cannot be read as CSV: CSV parse "
                   "error: Expected 2 columns, got 3"),
    ("binary.csv", "seqprep: error: DATA '{d}/binary.csv' is a binary file, not CSV or Parquet."),
    ("fake.parquet", "seqprep: error: DATA '{d}/fake.parquet' is not a Parquet file"),
    ("latin1.csv", "seqprep: error: DATA '{d}/latin1.csv' is not UTF-8 text (column 'name')"),
    ("s.yaml", "seqprep: error: DATA '{d}/s.yaml' is a YAML file, not CSV or Parquet: pass the "
               "data first and the schema with --schema."),
    ("semi.csv", "seqprep: error: DATA '{d}/semi.csv' looks ';'-separated: its one column is "
                 "named 'store;time;load;temp'. seqprep reads comma-separated CSV"),
])
def test_unreadable_data_is_one_line_and_exit_2(files, data, start):
    r = invoke("validate", files / data, "--schema", files / "s.yaml")
    assert r.exit_code == 2
    one_error_line(r, start.format(d=files))


@pytest.mark.parametrize("schema, start", [
    ("nope.yaml", "seqprep: error: SCHEMA '{d}/nope.yaml' does not exist."),
    ("badkey.yaml", "seqprep: error: bad schema '{d}/badkey.yaml': A seqprep schema has no "
                    "key 'frq'"),
    ("badfreq.yaml", "seqprep: error: bad schema '{d}/badfreq.yaml': `freq` must be a pandas "
                     "frequency"),
    ("notyaml.yaml", "seqprep: error: bad schema '{d}/notyaml.yaml': The schema is not valid "
                     "YAML"),
    ("good.csv", "seqprep: error: bad schema '{d}/good.csv': A seqprep schema must be a YAML "
                 "mapping"),
    ("binary.csv", "seqprep: error: SCHEMA '{d}/binary.csv' cannot be read (not UTF-8 text)."),
])
def test_bad_schema_is_one_line_and_exit_2(files, schema, start):
    r = invoke("validate", files / "good.csv", "--schema", files / schema)
    assert r.exit_code == 2
    one_error_line(r, start.format(d=files))


def test_usage_errors_exit_2(files):
    assert invoke("validate", files / "good.csv").exit_code == 2
    assert invoke("validate", files / "good.csv", "--schema", files / "s.yaml",
                  "--format", "xml").exit_code == 2
    assert invoke("frobnicate").exit_code == 2
    r = invoke("--version")
    assert r.exit_code == 0 and r.stdout.strip() == f"seqprep {seqprep.__version__}"


def test_unexpected_errors_are_one_line_too(files, monkeypatch):
    def boom(self, df):
        raise RuntimeError("something\nbroke")
    monkeypatch.setattr(seqprep.SeriesSchema, "check_chunks", boom)
    r = invoke("validate", files / "good.csv", "--schema", files / "s.yaml")
    assert r.exit_code == 2
    one_error_line(r, "seqprep: error: unexpected RuntimeError: something broke")


# ----------------------------------------------------------------------- infer


def test_infer_to_stdout_and_to_a_file(files):
    r = invoke("infer", files / "good.csv", "--time", "time", "--group", "store",
               "--min-length", "10")
    assert r.exit_code == 0
    schema = seqprep.SeriesSchema.from_yaml(r.stdout)
    assert schema == seqprep.SeriesSchema.from_yaml(files / "s.yaml")
    r = invoke("infer", files / "good.parquet", "--time", "time", "--group", "store",
               "--targets", "load", "--features", "temp", "-o", files / "t.yaml")
    assert r.exit_code == 0 and r.stdout.startswith(f"wrote {files / 't.yaml'}")
    t = seqprep.SeriesSchema.from_yaml(files / "t.yaml")
    assert t.features == ("temp",) and t.targets == ("load",) and t.freq == "h"


def test_infer_refuses_data_that_is_not_known_good(files):
    r = invoke("infer", files / "bad.csv", "--time", "time", "--group", "store")
    assert r.exit_code == 1
    assert "INVALID" in r.stdout
    one_error_line(r, "seqprep: error: DATA")


def test_infer_unknown_column_exits_2(files):
    r = invoke("infer", files / "good.csv", "--time", "when")
    assert r.exit_code == 2
    one_error_line(r, "seqprep: error: --time 'when' is not a column of DATA")


# --------------------------------------------------------------------- windows


def test_windows_writes_arrays_index_and_shapes(files):
    out = files / "w.npz"
    r = invoke("windows", files / "good.csv", "--timesteps", 5, "--horizon", 2, "--features",
               "load,temp", "--targets", "load", "--group", "store", "--time", "time",
               "--schema", files / "s.yaml", "--out", out)
    assert r.exit_code == 0, r.output
    z = np.load(out)
    assert z["X"].shape == (72, 5, 2) and z["y"].shape == (72, 2)
    assert tuple(z["input_shape"]) == (5, 2)
    assert z["feature_names"].tolist() == ["load", "temp"]
    assert z["index"]["group"].tolist()[:2] == ["a", "a"]
    assert z["index"]["first_time"][1] == np.datetime64("2024-01-01T01:00")
    expected = seqprep.make_windows(good_frame(), 5, horizon=2, features=["load", "temp"],
                                    targets="load", group="store", time="time")
    np.testing.assert_array_equal(z["X"], expected.X)
    assert "X: (72, 5, 2) float32" in r.stdout and "input_shape: (5, 2)" in r.stdout
    assert "90 rows in, 0 rows in no sample" in r.stdout  # the windows report


def test_windows_takes_columns_from_the_schema(files):
    (files / "t.yaml").write_text(seqprep.SeriesSchema(
        "time", "store", ["load", "temp"], "load", freq="h").to_yaml())
    r = invoke("windows", files / "good.parquet", "--timesteps", 5, "--schema",
               files / "t.yaml", "--out", files / "w.npz")
    assert r.exit_code == 0, r.output
    z = np.load(files / "w.npz")
    assert z["X"].shape == (75, 5, 2) and z["target_names"].tolist() == ["load"]


def test_windows_reports_dropped_rows(files):
    r = invoke("windows", files / "good.csv", "--timesteps", 4, "--stride", 3, "--targets",
               "load", "--group", "store", "--time", "time", "--out", files / "w2")
    assert r.exit_code == 0
    assert (files / "w2.npz").exists()
    assert "tail" in r.stdout and "rows in no sample" in r.stdout


def test_windows_invalid_data_exits_1(files):
    r = invoke("windows", files / "bad.csv", "--timesteps", 5, "--targets", "load",
               "--group", "store", "--time", "time", "--schema", files / "s.yaml",
               "--out", files / "w.npz")
    assert r.exit_code == 1 and "INVALID" in r.stdout
    r = invoke("windows", files / "bad.csv", "--timesteps", 5, "--targets", "load",
               "--group", "store", "--time", "time", "--out", files / "w.npz")
    assert r.exit_code == 1
    one_error_line(r, "seqprep: error: `--time` must not repeat within a group")
    assert not (files / "w.npz").exists()


def test_windows_bad_arguments_exit_2(files):
    r = invoke("windows", files / "good.csv", "--timesteps", 5, "--features", "nope",
               "--out", files / "w.npz")
    assert r.exit_code == 2
    one_error_line(r, "seqprep: error: `--features` names 1 column not in the data")
    assert invoke("windows", files / "good.csv", "--timesteps", 0,
                  "--out", files / "w.npz").exit_code == 2


# ------------------------------------------------------------------------ demo


def test_demo_runs_keras_ext_demo(monkeypatch, tmp_path):
    import keras_ext._demo as demo_module

    calls = {}

    def fake(*, out=None, epochs=None, quiet=False):
        calls.update(out=out, epochs=epochs, quiet=quiet)
        return {"forecast": {"beats_baseline": True}}

    monkeypatch.setattr(demo_module, "run_demo", fake)
    r = invoke("demo", "--out", tmp_path, "--epochs", 2, "--quiet")
    assert r.exit_code == 0
    assert calls == {"out": str(tmp_path), "epochs": 2, "quiet": True}
    assert r.stdout == ""  # the demo prints its own steps; metrics go to metrics.json


def test_machine_reports_stay_well_formed_when_data_cannot_be_read(files):
    r = invoke("validate", files / "nope.csv", "--schema", files / "s.yaml", "--format", "json")
    assert r.exit_code == 2
    report = json.loads(r.stdout)
    assert report["valid"] is False and report["exit_code"] == 2
    assert report["error"].startswith(f"DATA '{files}/nope.csv' does not exist.")
    r = invoke("validate", files / "nope.csv", "--schema", files / "s.yaml", "--format", "junit")
    assert r.exit_code == 2
    suite = ET.fromstring(r.stdout.split("\n", 1)[1]).find("testsuite")
    assert suite.get("errors") == "1" and "does not exist" in suite.find("testcase/error").get("message")


def test_windows_errors_name_the_command_line_options(tmp_path):
    (tmp_path / "gap.csv").write_text("t,v\n1,1\n2,2\n3,3\n5,5\n6,6\n7,7\n")
    r = invoke("windows", tmp_path / "gap.csv", "--timesteps", 2, "--targets", "v",
               "--time", "t", "--out", tmp_path / "w.npz")
    assert r.exit_code == 1
    one_error_line(r, "seqprep: error: `--on-gap error`: time must advance by freq=1")
    assert "Pass --on-gap split to start new windows" in r.stderr and "on_gap=" not in r.stderr


def test_header_without_rows_is_refused(files):
    (files / "header.csv").write_text("store,time,load,temp\n")
    for args in (["validate", files / "header.csv", "--schema", files / "s.yaml"],
                 ["infer", files / "header.csv", "--time", "time"],
                 ["windows", files / "header.csv", "--timesteps", 2, "--out", files / "w.npz"]):
        r = invoke(*args)
        assert r.exit_code == 2
        one_error_line(r, f"seqprep: error: DATA '{files}/header.csv' has a header but no rows")


def test_demo_failure_is_one_line_exit_1(monkeypatch):
    import keras_ext._demo as demo_module
    from keras_ext._errors import KerasExtError

    def fake(**kw):
        raise KerasExtError("step 3 (fit) failed:\nloss is NaN")

    monkeypatch.setattr(demo_module, "run_demo", fake)
    r = invoke("demo")
    assert r.exit_code == 1
    one_error_line(r, "seqprep: error: demo failed: step 3 (fit) failed: loss is NaN")


def test_demo_without_keras_says_what_to_install(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "keras" else real(name, *a))
    r = invoke("demo")
    assert r.exit_code == 2
    one_error_line(r, "seqprep: error: `seqprep demo` needs keras, which is not installed. "
                      "Install them with: pip install 'seqprep[keras]'")


# -------------------------------------------------------------- reading, progress


def test_progress_bar_reads_the_same_frame(tmp_path, monkeypatch):
    from rich.console import Console

    monkeypatch.setattr(_cli, "_PROGRESS_MIN_BYTES", 0)

    df = pd.DataFrame({"t": pd.date_range("2024", periods=60_000, freq="min"),
                       "g": np.repeat(["a", "b", "c"], 20_000), "x": np.arange(60_000.0)})
    df.to_csv(tmp_path / "big.csv", index=False)
    df.to_parquet(tmp_path / "big.parquet", row_group_size=10_000)
    for name in ("big.csv", "big.parquet"):
        plain = read_data(str(tmp_path / name))
        sink = io.StringIO()
        shown = read_data(str(tmp_path / name), progress=True,
                          console=Console(file=sink, force_terminal=True, width=80))
        pd.testing.assert_frame_equal(plain, shown)
        assert "reading big" in sink.getvalue()


def test_no_progress_bar_when_not_a_terminal(files, monkeypatch):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    assert _cli._progress_wanted(quiet=False) is False
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    assert _cli._progress_wanted(quiet=False) is True
    assert _cli._progress_wanted(quiet=True) is False


# ------------------------------------------------------------ real subprocesses


def run(*args, **kw):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("SEQPREP_DEBUG", None)
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env,
                          timeout=120, **kw)


def test_subprocess_exit_codes_and_no_traceback(files):
    s = str(files / "s.yaml")
    ok = run("-m", "seqprep", "validate", str(files / "good.csv"), "--schema", s)
    assert ok.returncode == 0 and "OK" in ok.stdout and ok.stderr == ""
    bad = run("-m", "seqprep", "validate", str(files / "bad.csv"), "--schema", s,
              "--format", "json")
    assert bad.returncode == 1 and json.loads(bad.stdout)["n_failures"] == 4
    for data in ("binary.csv", "ragged.csv", "nope.csv"):
        r = run("-m", "seqprep", "validate", str(files / data), "--schema", s)
        assert r.returncode == 2
        assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
    r = run("-m", "seqprep", "validate", str(files / "good.csv"), "--schema",
            str(files / "badkey.yaml"))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.startswith("seqprep: error: bad schema")


def test_subprocess_without_click_prints_the_install_hint():
    code = ("import sys; sys.modules['click'] = None; "
            "from seqprep.__main__ import main; main(['--help'])")
    r = run("-c", code)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.strip() == ("seqprep: error: the command line needs the optional "
                                "dependency `click`, which is not installed. Install it "
                                "with: pip install 'seqprep[cli]'")


# ------------------------------------------------- issue 12: one rule with Python


def test_windows_targets_are_inputs_too_like_make_windows(files):
    s = seqprep.SeriesSchema.from_yaml(files / "s.yaml")
    s = seqprep.SeriesSchema(s.time, group=s.group, features=["temp"], targets=["load"],
                             freq=s.freq)
    s.to_yaml(files / "t.yaml")
    good = pd.read_csv(files / "good.csv", parse_dates=["time"])
    for extra, names in (([], ["temp", "load"]), (["--no-target-inputs"], ["temp"])):
        out = files / f"w{len(extra)}.npz"
        r = invoke("windows", files / "good.csv", "--timesteps", 4, "--schema",
                   files / "t.yaml", "--out", out, *extra)
        assert r.exit_code == 0, r.output
        z = np.load(out)
        assert z["feature_names"].tolist() == names
        py = seqprep.make_windows(good, 4, features=names, targets="load", group="store",
                                  time="time")
        np.testing.assert_array_equal(z["X"], np.asarray(py.X))
    # without a schema or --features: every numeric column but group and time, targets too
    r = invoke("windows", files / "good.csv", "--timesteps", 4, "--targets", "load",
               "--group", "store", "--time", "time", "--out", files / "w9.npz")
    assert r.exit_code == 0 and np.load(files / "w9.npz")["X"].shape[-1] == 2


def test_windows_suggests_time_for_a_datetime_column(files):
    r = invoke("windows", files / "good.csv", "--timesteps", 4, "--group", "store",
               "--out", files / "w.npz")
    assert r.exit_code == 2
    one_error_line(r, "seqprep: error: DATA column 'time' holds datetimes: pass --time time")


def test_windows_with_nan_exits_1_unless_allowed(files):
    nan = pd.read_csv(files / "good.csv")
    nan.loc[3, "temp"] = np.nan
    nan.to_csv(files / "nan.csv", index=False)
    args = ["windows", files / "nan.csv", "--timesteps", 4, "--group", "store", "--time",
            "time", "--targets", "load"]
    r = invoke(*args, "--out", files / "w.npz")
    assert r.exit_code == 1 and not (files / "w.npz").exists()
    one_error_line(r, "seqprep: error: 4 of 78 windows hold NaN in X (the first is sample 0)")
    r = invoke(*args, "--out", files / "w.npz", "--allow-nan")
    assert r.exit_code == 0 and np.isnan(np.load(files / "w.npz")["X"]).any()


def test_messages_name_the_command_line_options(files):
    r = invoke("infer", files / "good.csv", "--time", "date")
    one_error_line(r, "seqprep: error: --time 'date' is not a column of DATA")
    r = invoke("windows", files / "good.csv", "--timesteps", 4, "--time", "time",
               "--group", "shop", "--out", files / "w.npz")
    one_error_line(r, "seqprep: error: --group 'shop' is not a column of DATA")
    assert "`df`" not in r.stderr


# ------------------------------------------------- issue 15 class 7 (command line side)


@pytest.mark.parametrize("value", [2**63, 2**64 + 1, 10**30])
def test_sizes_beyond_int64_are_usage_errors(files, value):
    r = invoke("validate", files / "good.csv", "--schema", files / "s.yaml", "--chunk-rows",
               value)
    assert r.exit_code == 2 and "Traceback" not in r.output and "unexpected" not in r.output
    r = invoke("windows", files / "good.csv", "--timesteps", value, "--time", "time",
               "--group", "store", "--out", files / "w.npz")
    assert r.exit_code == 2 and "unexpected" not in r.output


def test_duplicate_column_names_are_clean_errors(files):
    (files / "dup.csv").write_text("store,time,load,load\na,2024-01-01,1,2\n"
                                   "a,2024-01-01 01:00,2,3\n")
    r = invoke("validate", files / "dup.csv", "--schema", files / "s.yaml", "--format", "json")
    assert r.exit_code == 1 and "unique_columns" in json.loads(r.stdout)["counts"]
    for args in (["infer", files / "dup.csv", "--time", "time"],
                 ["windows", files / "dup.csv", "--timesteps", 1, "--time", "time",
                  "--out", files / "w.npz"]):
        r = invoke(*args)
        assert r.exit_code == 2
        one_error_line(r, f"seqprep: error: DATA '{files}/dup.csv' repeats the column name "
                          "'load'")


def test_one_run_writes_every_report(files, monkeypatch):
    calls = []
    real = seqprep.SeriesSchema.check_chunks

    def counting(self, chunks):
        calls.append(1)
        return real(self, chunks)

    monkeypatch.setattr(seqprep.SeriesSchema, "check_chunks", counting)
    r = invoke("validate", files / "bad.csv", "--schema", files / "s.yaml", "--format",
               "github", "--report-json", files / "r.json", "--report-junit", files / "r.xml",
               "--report", f"text={files / 'r.txt'}")
    assert r.exit_code == 1 and len(calls) == 1  # the data is read and checked once
    assert r.stdout.startswith("::error file=")
    assert json.loads((files / "r.json").read_text())["n_failures"] == 4
    ET.fromstring((files / "r.xml").read_text().split("\n", 1)[1])
    assert "INVALID" in (files / "r.txt").read_text()
    bad = invoke("validate", files / "bad.csv", "--schema", files / "s.yaml", "--report",
                 "xml=r.xml")
    assert bad.exit_code == 2


# ------------------------------------- issue 15 class 6 (command line side): one parser


def test_cli_times_are_parsed_like_the_api(tmp_path):
    (tmp_path / "s.yaml").write_text("seqprep_schema: 1\ntime: t\nfeatures: [x]\n")
    (tmp_path / "mixed.csv").write_text("t,x\n2024-01-01T00:00:00+01:00,1\n"
                                        "2024-01-01T00:00:00+00:00,2\n"
                                        "2024-01-01T02:00:00+01:00,3\n")
    days = pd.date_range("2024-03-28", periods=6, freq="D", tz="Europe/Berlin")
    pd.DataFrame({"t": days.strftime("%Y-%m-%dT%H:%M:%S%z"), "x": range(6)}).to_csv(
        tmp_path / "dst.csv", index=False)
    (tmp_path / "far.csv").write_text("t,x\n2024-01-01,1\n2024-01-02,2\n9999-12-31,3\n")
    for name in ("mixed.csv", "far.csv"):
        df = pd.read_csv(tmp_path / name)
        with pytest.raises(seqprep.ValidationError) as api:
            seqprep.SeriesSchema("t", features="x").validate(df)
        r = invoke("validate", tmp_path / name, "--schema", tmp_path / "s.yaml", "--format",
                   "json")
        assert r.exit_code == 1
        assert json.loads(r.stdout)["counts"] == api.value.counts
    far = json.loads(invoke("validate", tmp_path / "far.csv", "--schema", tmp_path / "s.yaml",
                            "--format", "json").stdout)["failures"][0]
    assert far["check"] == "time_parses" and far["value"] == "9999-12-31" and far["line"] == 4
    seqprep.SeriesSchema("t", features="x", freq="D", timezone="Europe/Berlin").to_yaml(
        tmp_path / "berlin.yaml")
    r = invoke("validate", tmp_path / "dst.csv", "--schema", tmp_path / "berlin.yaml")
    assert r.exit_code == 0, r.stdout  # no false 23-hour step across the DST change


def test_infer_and_windows_parse_times_with_the_one_parser(tmp_path):
    (tmp_path / "mixed.csv").write_text("t,x\n2024-01-01T00:00:00+01:00,1\n"
                                        "2024-01-01T00:00:00+00:00,2\n"
                                        "2024-01-01T02:00:00+01:00,3\n")
    for args in (["infer", tmp_path / "mixed.csv", "--time", "t"],
                 ["windows", tmp_path / "mixed.csv", "--timesteps", 1, "--time", "t",
                  "--out", tmp_path / "w.npz"]):
        r = invoke(*args)
        assert r.exit_code == 1  # pyarrow alone would have normalised the offsets
        one_error_line(r, f"seqprep: error: DATA '{tmp_path}/mixed.csv': --time column 't' "
                          "fails timezone")
    days = pd.date_range("2024-03-28", periods=6, freq="D", tz="Europe/Berlin")
    pd.DataFrame({"t": days.strftime("%Y-%m-%dT%H:%M:%S%z"), "x": range(6)}).to_csv(
        tmp_path / "dst.csv", index=False)
    seqprep.SeriesSchema("t", features="x", freq="D", timezone="Europe/Berlin").to_yaml(
        tmp_path / "berlin.yaml")
    r = invoke("windows", tmp_path / "dst.csv", "--timesteps", 2, "--schema",
               tmp_path / "berlin.yaml", "--targets", "x", "--out", tmp_path / "w.npz")
    assert r.exit_code == 0, r.output  # the schema's time zone policy parses the offsets
    assert np.load(tmp_path / "w.npz")["X"].shape == (4, 2, 1)


@pytest.mark.parametrize("order", [["t", "x", "y", "g2"], ["g2", "y", "t", "x"]])
@pytest.mark.parametrize("target_inputs", [True, False])
def test_windows_from_a_schema_are_the_same_in_python_and_on_the_command_line(
        tmp_path, order, target_inputs):
    """D9: one rule for the columns a schema gives (seqprep._windows.schema_columns): the
    same feature names, in the same order, and the same X, whatever the data's order."""
    df = pd.DataFrame({"t": pd.date_range("2024-01-01", periods=10), "x": np.arange(10.0),
                       "y": np.arange(10.0) * 2, "g2": np.arange(10.0) ** 2})[order]
    df.to_csv(tmp_path / "d.csv", index=False)
    r = CliRunner().invoke(cli, ["infer", str(tmp_path / "d.csv"), "--time", "t",
                                 "--targets", "y", "-o", str(tmp_path / "s.yaml")])
    assert r.exit_code == 0, r.output
    extra = [] if target_inputs else ["--no-target-inputs"]
    r = CliRunner().invoke(cli, ["windows", str(tmp_path / "d.csv"), "--timesteps", "4",
                                 "--schema", str(tmp_path / "s.yaml"), "--out",
                                 str(tmp_path / "w.npz"), *extra], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    cli_w = np.load(tmp_path / "w.npz")
    schema = seqprep.SeriesSchema.from_yaml(tmp_path / "s.yaml")
    api = seqprep.make_windows(pd.read_csv(tmp_path / "d.csv", parse_dates=["t"]), 4,
                               schema=schema, target_inputs=target_inputs)
    want = [c for c in ("x", "g2") if c in schema.features]
    want = sorted(want, key=list(schema.features).index) + (["y"] if target_inputs else [])
    assert list(cli_w["feature_names"]) == list(api.feature_names) == want
    assert api.target_names == ("y",) and list(cli_w["target_names"]) == ["y"]
    np.testing.assert_array_equal(cli_w["X"], np.asarray(api.X))
    np.testing.assert_array_equal(cli_w["y"], np.asarray(api.y))


def test_windows_messages_advise_only_options_the_command_line_has(tmp_path):
    """D18: no `categorical=` advice (the CLI has no such option); inf in X exits 1."""
    (tmp_path / "txt.csv").write_text("t,x,s\n2024-01-01,1,a\n2024-01-02,2,b\n2024-01-03,3,c\n")
    r = CliRunner().invoke(cli, ["windows", str(tmp_path / "txt.csv"), "--timesteps", "2",
                                 "--time", "t", "--features", "s", "--out",
                                 str(tmp_path / "a.npz")])
    one_error_line(r, "seqprep: error: `--features` must be numeric columns. Received "
                      "non-numeric: 's' (str). Encode them as numbers first, or leave them "
                      "out of --features.")
    assert "categorical" not in r.stderr
    (tmp_path / "inf.csv").write_text("t,x\n2024-01-01,1\n2024-01-02,inf\n2024-01-03,3\n")
    args = ["windows", str(tmp_path / "inf.csv"), "--timesteps", "2", "--time", "t", "--out",
            str(tmp_path / "i.npz")]
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 1 and not (tmp_path / "i.npz").exists()
    one_error_line(r, "seqprep: error: 2 of 2 windows hold inf in X (the first is sample 0)")
    r = CliRunner().invoke(cli, args + ["--allow-nan"])
    assert r.exit_code == 0 and np.isinf(np.load(tmp_path / "i.npz")["X"]).any()


def test_infer_and_windows_name_a_repeated_parquet_column_as_for_csv(tmp_path):
    """D11 (command-line part): the same message for a repeated name in Parquet and CSV."""
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    t = pa.array(pd.date_range("2024-01-01", periods=10).values)
    x = pa.array(np.arange(10.0))
    pq.write_table(pa.Table.from_arrays([t, x, x], names=["t", "a", "a"]), tmp_path / "d.parquet")
    (tmp_path / "d.csv").write_text("t,a,a\n" + "".join(f"2024-01-{d:02d},1,2\n"
                                                           for d in range(1, 11)))
    for data in ("d.parquet", "d.csv"):
        for args in (["infer", str(tmp_path / data), "--time", "t"],
                     ["windows", str(tmp_path / data), "--timesteps", "2", "--time", "t",
                      "--out", str(tmp_path / "w.npz")]):
            r = CliRunner().invoke(cli, args)
            assert r.exit_code == 2, (data, args, r.output)
            one_error_line(r, f"seqprep: error: DATA {str(tmp_path / data)!r} repeats the "
                              "column name 'a'; rename the repeats")
