"""Issue 15 class 8: every report format is well-formed for any data.

Group labels, column names and file names may hold control characters, XML's special
characters, GitHub's workflow-command separators or line breaks; the JUnit report still
parses, the JSON report is strict JSON valid against docs/failure-report.schema.json, a
GitHub annotation stays one line, and a text case stays one line.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import seqprep
from seqprep._cli import cli

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "docs" / "failure-report.schema.json"
REPORT_SCHEMA = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))

HOSTILE = ["a\x00b", "\x1b[31mred\x1b[0m", "line\nbreak", "cr\rlf", "%0A", "x::y,z",
           "]]></failure>", "<&\"'>", "\x0c\x7f", "tab\there", "é€😀", ""]


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def frame(labels: list[str]) -> pd.DataFrame:
    """One group per label, each with a NaN, a gap and a repeat."""
    parts = []
    for lab in labels:
        t = list(range(8))
        t = t[:3] + t[4:] + [7]  # a gap after 2, a repeat of 7
        x = np.arange(len(t), dtype=float)
        x[1] = np.nan
        parts.append(pd.DataFrame({"g": lab, "t": t, "x": x}))
    return pd.concat(parts, ignore_index=True)


def all_reports(data: Path, schema: Path, tmp: Path) -> dict:
    paths = {f: tmp / f"report.{f}" for f in ("json", "junit", "github", "text")}
    r = run("validate", data, "--schema", schema, "--format", "text",
            *[a for f, p in paths.items() for a in ("--report", f"{f}={p}")])
    out = {f: p.read_text(encoding="utf-8") for f, p in paths.items()}
    out["stdout"], out["code"] = r.stdout, r.exit_code
    return out


def well_formed(rep: dict, n_failures: int | None = None) -> None:
    body = json.loads(rep["json"])  # strict: no NaN
    jsonschema.validate(body, REPORT_SCHEMA)
    if n_failures is not None:
        assert body["n_failures"] == n_failures
    root = ET.fromstring(rep["junit"].split("\n", 1)[1].encode("utf-8"))
    assert root.tag == "testsuites"
    lines = rep["github"].splitlines()
    annotations = [x for x in lines if x.startswith("::")]
    assert len(annotations) == len(lines) - 1  # plus one summary line
    for line in annotations:
        head, _, msg = line[2:].partition("::")
        assert head.split(" ", 1)[0] in ("error", "notice")
        assert "\n" not in msg and "\r" not in msg
    assert rep["text"] == rep["stdout"]
    for line in rep["text"].splitlines():
        assert "\r" not in line and "\x00" not in line and "\x1b" not in line


def write(tmp_path: Path, df: pd.DataFrame, name: str = "d.parquet") -> tuple[Path, Path]:
    data = tmp_path / name
    df.to_parquet(data) if name.endswith(".parquet") else df.to_csv(data, index=False)
    schema = tmp_path / "s.yaml"
    seqprep.SeriesSchema("t", group="g", features="x", freq=1).to_yaml(schema)
    return data, schema


@pytest.mark.parametrize("name", ["d.parquet", "d.csv"])
def test_hostile_group_labels_in_every_format(tmp_path, name):
    # CSV cannot hold NUL, and pandas leaves a lone CR unquoted (a line break to readers);
    # an empty CSV cell is a missing label, as pd.read_csv reads it (D21: not a group "")
    labels = HOSTILE if name.endswith(".parquet") else \
        [h for h in HOSTILE if "\x00" not in h and "\r" not in h and h]
    data, schema = write(tmp_path, frame(labels), name)
    rep = all_reports(data, schema, tmp_path)
    assert rep["code"] == 1
    well_formed(rep, n_failures=3 * len(labels))
    body = json.loads(rep["json"])
    groups = {f["group"] for f in body["failures"]}
    assert groups == set(labels)  # labels survive intact in JSON


def test_hostile_file_and_column_names(tmp_path):
    folder = tmp_path / "we:ird,%na\u0001me"
    folder.mkdir()
    df = frame(["a"]).rename(columns={"x": "x<&>\x02"})
    df.to_parquet(folder / "p,a:rt%.parquet")
    schema = tmp_path / "s.yaml"
    seqprep.SeriesSchema("t", group="g", features="x<&>\x02", freq=1).to_yaml(schema)
    rep = all_reports(folder, schema, tmp_path)
    assert rep["code"] == 1
    well_formed(rep, n_failures=3)
    ann = [x for x in rep["github"].splitlines() if x.startswith("::error file=")][0]
    assert "%3A" in ann and "%2C" in ann and "%25" in ann  # escaped properties


def test_reports_when_the_data_cannot_be_read(tmp_path):
    schema = tmp_path / "s.yaml"
    seqprep.SeriesSchema("t").to_yaml(schema)
    paths = {f: tmp_path / f"r.{f}" for f in ("json", "junit", "github")}
    r = run("validate", tmp_path / "nope\x01.csv", "--schema", schema, "--format", "json",
            *[a for f, p in paths.items() for a in ("--report", f"{f}={p}")])
    assert r.exit_code == 2
    for text in (r.stdout, paths["json"].read_text()):
        body = json.loads(text)
        jsonschema.validate(body, REPORT_SCHEMA)
        assert body["exit_code"] == 2 and body["valid"] is False and body["error"]
    ET.fromstring(paths["junit"].read_text().split("\n", 1)[1].encode())
    assert paths["github"].read_text().startswith("::error title=seqprep validate::")


def test_valid_data_report_matches_the_schema(tmp_path):
    df = pd.DataFrame({"g": "a", "t": range(10), "x": np.arange(10.0)})
    data, schema = write(tmp_path, df)
    rep = all_reports(data, schema, tmp_path)
    assert rep["code"] == 0
    well_formed(rep, n_failures=0)
    assert json.loads(rep["json"])["valid"] is True


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(labels=st.lists(st.text(alphabet=st.characters(exclude_categories=["Cs"]),
                               max_size=6), min_size=1, max_size=3, unique=True))
def test_any_group_labels_give_well_formed_reports(tmp_path_factory, labels):
    tmp = tmp_path_factory.mktemp("r")
    data, schema = write(tmp, frame(labels))
    rep = all_reports(data, schema, tmp)
    assert rep["code"] == 1
    well_formed(rep, n_failures=3 * len(labels))


def test_huge_labels_are_shortened_in_messages_and_kept_whole_in_json(tmp_path):
    """D16: a 100,000-character group label makes short text and annotation lines."""
    label = "a" * 100_000
    df = pd.DataFrame({"g": label, "t": np.arange(4), "x": [1.0, np.nan, 2.0, 3.0]})
    df.to_parquet(tmp_path / "d.parquet")
    seqprep.SeriesSchema("t", group="g", features="x", freq=1).to_yaml(tmp_path / "s.yaml")
    for fmt in ("text", "github"):
        r = run("validate", tmp_path / "d.parquet", "--schema", tmp_path / "s.yaml",
                "--format", fmt)
        assert r.exit_code == 1 and max(map(len, r.stdout.splitlines())) < 1000, fmt
        assert "(100,000 characters)" in r.stdout
    body = json.loads(run("validate", tmp_path / "d.parquet", "--schema", tmp_path / "s.yaml",
                          "--format", "json").stdout)
    assert [f["group"] for f in body["failures"]] == [label]
