"""Issue 15 class 10: `infer -o` and `windows --out` never overwrite silently.

An existing output is refused unless --force; a symbolic link is never written through;
the write is atomic (a temporary file renamed into place), so a failed run leaves the old
file as it was and no partial file behind.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from seqprep._cli import cli


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture()
def data(tmp_path):
    df = pd.DataFrame({"t": np.arange(20), "x": np.arange(20.0), "y": np.arange(20.0)})
    df.to_csv(tmp_path / "d.csv", index=False)
    return tmp_path


def infer(data, out, *extra):
    return run("infer", data / "d.csv", "--time", "t", "-o", out, *extra)


def windows(data, out, *extra):
    return run("windows", data / "d.csv", "--timesteps", 3, "--time", "t", "--targets", "y",
               "--out", out, *extra)


@pytest.mark.parametrize("command, name", [(infer, "s.yaml"), (windows, "w.npz")])
def test_an_existing_output_is_refused_unless_force(data, command, name):
    out = data / name
    out.write_text("precious")
    r = command(data, out)
    assert r.exit_code == 2 and "exists; pass --force" in r.stderr
    assert out.read_text() == "precious"
    r = command(data, out, "--force")
    assert r.exit_code == 0 and out.read_bytes() != b"precious"


@pytest.mark.parametrize("command, name", [(infer, "s.yaml"), (windows, "w.npz")])
def test_a_symbolic_link_is_never_written_through(data, command, name):
    target = data / "elsewhere"
    target.write_text("precious")
    link = data / name
    os.symlink(target, link)
    for extra in ((), ("--force",)):
        r = command(data, link, *extra)
        assert r.exit_code == 2 and ("symbolic link" in r.stderr or "exists" in r.stderr)
        assert target.read_text() == "precious" and link.is_symlink()


def test_windows_adds_npz_and_checks_that_name(data):
    (data / "w.npz").write_text("precious")
    r = windows(data, data / "w")  # numpy would write w.npz
    assert r.exit_code == 2 and "w.npz" in r.stderr
    assert (data / "w.npz").read_text() == "precious"


def test_a_failed_run_leaves_no_partial_file(data):
    (data / "d.csv").write_text("t,x,y\n0,1,1\n1,2,\n2,3,3\n3,4,4\n")  # NaN in y
    out = data / "w.npz"
    r = windows(data, out)
    assert r.exit_code == 1 and "NaN" in r.stderr
    assert not out.exists()
    assert [p.name for p in data.iterdir() if p.name.startswith(".seqprep-")] == []


def test_output_in_a_missing_folder_is_one_line_exit_2(data):
    r = infer(data, data / "no" / "such" / "s.yaml")
    assert r.exit_code == 2 and r.stderr.startswith("seqprep: error: cannot write")


def test_report_files_replace_atomically_but_not_through_links(data):
    import seqprep

    seqprep.SeriesSchema("t").to_yaml(data / "s.yaml")
    report = data / "r.json"
    report.write_text("old")
    r = run("validate", data / "d.csv", "--schema", data / "s.yaml", "--report-json", report)
    assert r.exit_code == 0 and report.read_text().startswith("{")  # reports are outputs
    os.symlink(data / "elsewhere", data / "link.json")
    r = run("validate", data / "d.csv", "--schema", data / "s.yaml", "--report-json",
            data / "link.json")
    assert r.exit_code == 2 and "symbolic link" in r.stderr


@pytest.mark.parametrize("option", ["--report-json", "--report-junit", "--report"])
def test_a_report_never_replaces_the_data_or_the_schema(data, option):
    """D8: reports replace old reports (CI re-runs), never an input; messages name the option."""
    import seqprep

    seqprep.SeriesSchema("t").to_yaml(data / "s.yaml")
    before = {p: (data / p).read_bytes() for p in ("d.csv", "s.yaml")}
    for victim, name in (("d.csv", "DATA"), ("s.yaml", "SCHEMA")):
        dest = f"junit={data / victim}" if option == "--report" else data / victim
        r = run("validate", data / "d.csv", "--schema", data / "s.yaml", option, dest)
        assert r.exit_code == 2 and f"{option} " in r.stderr and f"is the {name} being read" \
            in r.stderr, r.stderr
        assert "Traceback" not in r.output and r.stdout == ""  # refused before any report
    assert all((data / p).read_bytes() == b for p, b in before.items())
    os.symlink(data / "elsewhere", data / "link.json")
    dest = f"json={data / 'link.json'}" if option == "--report" else data / "link.json"
    r = run("validate", data / "d.csv", "--schema", data / "s.yaml", option, dest)
    assert r.exit_code == 2 and r.stderr.startswith(f"seqprep: error: {option} ")
    r = run("validate", data / "d.csv", "--schema", data / "s.yaml", "--report-json",
            data / "r.json", "--report", f"junit={data / 'r.json'}")
    assert r.exit_code == 2 and "one report would replace the other" in r.stderr


def test_infer_and_windows_never_replace_their_input_even_with_force(data):
    before = (data / "d.csv").read_bytes()
    r = infer(data, data / "d.csv", "--force")
    assert r.exit_code == 2 and "-o " in r.stderr and "is the DATA being read" in r.stderr
    (data / "d.npz").write_bytes(b"x")
    r = run("windows", data / "d.npz", "--timesteps", 3, "--out", data / "d", "--force")
    assert r.exit_code == 2 and "--out " in r.stderr and "DATA being read" in r.stderr
    assert (data / "d.csv").read_bytes() == before and (data / "d.npz").read_bytes() == b"x"
