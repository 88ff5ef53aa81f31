"""Issue 15 class 1: every file that is counted is checked, or refused; skipped files fail.

Also the one listing rule (seqprep._parquet) shared by the command line and the library,
hive-partitioned folders, and fsspec URLs.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import seqprep
from seqprep._cli import cli
from seqprep._parquet import SUFFIXES, is_parquet_name, list_files


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def part(store: str, start: int, n: int = 6, bad: bool = False) -> pd.DataFrame:
    t = np.arange(start, start + n)
    if bad:
        t = np.r_[t[:3], t[2], t[3:n - 1]]  # row 3 repeats row 2's time
    return pd.DataFrame({"store": store, "t": t, "x": np.arange(n, dtype=float)})


@pytest.fixture()
def schema(tmp_path):
    path = tmp_path / "s.yaml"
    seqprep.SeriesSchema("t", group="store", features="x", freq=1).to_yaml(path)
    return path


@pytest.mark.parametrize("name", ["b.parq", "b.PARQUET", "b.Pq", "sub/b.parquet"])
def test_a_broken_file_next_to_a_good_one_is_refused(tmp_path, schema, name):
    folder = tmp_path / "d"
    (folder / "sub").mkdir(parents=True)
    part("a", 0).to_parquet(folder / "a.parquet")
    (folder / name).write_bytes(b"not parquet at all")
    r = run("validate", folder, "--schema", schema)
    assert r.exit_code == 2
    assert "cannot be read as Parquet" in r.stderr and name.split("/")[-1] in r.stderr
    assert "OK" not in r.stdout


@pytest.mark.parametrize("name", ["b.parq", "B.PARQUET", "c.pq", "deep/er/d.Parq"])
def test_every_parquet_suffix_in_any_case_is_read(tmp_path, schema, name):
    folder = tmp_path / "d"
    (folder / "deep" / "er").mkdir(parents=True)
    part("a", 0).to_parquet(folder / "a.parquet")
    part("b", 0, bad=True).to_parquet(folder / name)  # the fault is in the odd-named file
    r = run("validate", folder, "--schema", schema, "--format", "json")
    assert r.exit_code == 1
    body = json.loads(r.stdout)
    assert body["counts"] == {"unique_time": 1}
    [case] = body["failures"]
    before = 6 if "a.parquet" < name else 0  # files are read in sorted path order
    assert case["file"].endswith(name) and case["file_row"] == 3
    assert case["row"] == before + 3


@pytest.mark.parametrize("name, reason", [(".hidden.parquet", "hidden"),
                                          ("_SUCCESS", "metadata"),
                                          ("notes.csv", "not a Parquet name"),
                                          ("_tmp/part.parquet", "metadata"),
                                          (".crc/x.parquet", "hidden")])
def test_skipped_files_are_listed_and_fail_unless_allowed(tmp_path, schema, name, reason):
    folder = tmp_path / "d"
    folder.mkdir()
    part("a", 0).to_parquet(folder / "a.parquet")
    target = folder / name
    target.parent.mkdir(parents=True, exist_ok=True)
    part("z", 0, bad=True).to_parquet(target)  # skipped: its fault is not seen...
    r = run("validate", folder, "--schema", schema, "--format", "json")
    body = json.loads(r.stdout)
    assert r.exit_code == 1 and body["counts"] == {"file_skipped": 1}  # ...but said
    shown = f"{folder}/{name}"  # D1: named like the data files, not relative to the folder
    assert body["skipped"] == [{"file": shown, "reason": body["skipped"][0]["reason"]}]
    assert reason in body["skipped"][0]["reason"]
    ok = run("validate", folder, "--schema", schema, "--allow-skipped")
    assert ok.exit_code == 0 and f"skipped {shown}" in ok.stdout


def test_library_and_cli_share_the_listing_rule(tmp_path):
    folder = tmp_path / "d"
    folder.mkdir()
    for i, name in enumerate(["a.parquet", "b.PQ", "c.parq", "_x.parquet", ".y.parquet"]):
        part("s", 6 * i).to_parquet(folder / name)
    listing = list_files(folder)
    assert [f.rsplit("/", 1)[-1] for f in listing.files] == ["a.parquet", "b.PQ", "c.parq"]
    assert [s for s, _ in listing.skipped] == [f"{folder}/.y.parquet", f"{folder}/_x.parquet"]
    w = seqprep.open_windows(folder, 3, group="store", time="t")
    assert sorted(set(w.index["file"])) == ["a.parquet", "b.PQ", "c.parq"]
    assert all(is_parquet_name("x" + s.upper()) for s in SUFFIXES)


def test_hive_partitioned_folder_keeps_its_partition_column(tmp_path, schema):
    df = pd.concat([part("a", 0), part("b", 0, bad=True)], ignore_index=True)
    df.to_parquet(tmp_path / "hive", partition_cols=["store"])
    r = run("validate", tmp_path / "hive", "--schema", schema, "--format", "json")
    body = json.loads(r.stdout)
    assert r.exit_code == 1 and body["counts"] == {"unique_time": 1}, body
    [case] = body["failures"]
    assert case["group"] == "b" and "store=b" in case["file"] and case["file_row"] == 3
    good = pd.concat([part("a", 0), part("b", 0)], ignore_index=True)
    good.to_parquet(tmp_path / "hive2", partition_cols=["store"])
    assert run("validate", tmp_path / "hive2", "--schema", schema).exit_code == 0


def test_memory_and_file_urls(tmp_path, schema):
    fsspec = pytest.importorskip("fsspec")
    mem = fsspec.filesystem("memory")
    for name, frame in (("a.parquet", part("a", 0)), ("b.parquet", part("b", 0, bad=True))):
        with mem.open(f"/hostile-files/{name}", "wb") as fh:
            frame.to_parquet(fh)
    try:
        r = run("validate", "memory://hostile-files", "--schema", schema, "--format", "json")
        body = json.loads(r.stdout)
        assert r.exit_code == 1 and body["counts"] == {"unique_time": 1}
        assert body["failures"][0]["file"] == "memory://hostile-files/b.parquet"
    finally:
        mem.rm("/hostile-files", recursive=True)
    part("a", 0).to_parquet(tmp_path / "f.parquet")
    assert run("validate", f"file://{tmp_path}/f.parquet", "--schema", schema).exit_code == 0


def test_an_empty_parquet_file_is_checked_not_skipped(tmp_path, schema):
    folder = tmp_path / "d"
    folder.mkdir()
    part("a", 0).to_parquet(folder / "a.parquet")
    part("a", 0).iloc[:0].drop(columns="x").to_parquet(folder / "b.parquet")  # no x column
    r = run("validate", folder, "--schema", schema, "--format", "json")
    assert r.exit_code == 1 and "column_present" in json.loads(r.stdout)["counts"]


def test_the_library_reports_skipped_files_and_locations_too(tmp_path):
    from seqprep._sources import validate_parquet

    folder = tmp_path / "d"
    folder.mkdir()
    part("a", 0).to_parquet(folder / "a.parquet")
    part("b", 0, bad=True).to_parquet(folder / "b.pq")
    (folder / "notes.txt").write_text("hello")
    schema = seqprep.SeriesSchema("t", group="store", features="x", freq=1)
    with pytest.raises(seqprep.ValidationError) as info:
        validate_parquet(folder, schema)
    f = info.value.failures
    assert set(f["check"]) == {"unique_time", "file_skipped"}
    dup = f[f["check"] == "unique_time"].iloc[0]
    assert dup["file"].endswith("b.pq") and dup["file_row"] == 3 and dup["row"] == 9
    assert dup["first_row"] == 8 and dup["first_file_row"] == 2
    skipped = f[f["check"] == "file_skipped"].iloc[0]
    assert skipped["file"] == f"{folder}/notes.txt" and "not a Parquet name" in skipped["value"]
    (folder / "b.pq").unlink()
    assert validate_parquet(folder, schema, allow_skipped=True) == 6
    with pytest.raises(seqprep.ValidationError, match="file_skipped"):
        validate_parquet(folder, schema)


@pytest.mark.parametrize("fmt", ["github", "json", "text"])
def test_skipped_files_are_named_like_the_files_checked(tmp_path, schema, monkeypatch, fmt):
    """D1: a skipped file is shown with the DATA path it was found under (``d3/x``), the
    form checked files have, so an annotation points at a file that exists."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "d3" / "sub").mkdir(parents=True)
    part("a", 0).to_parquet("d3/a.parquet")
    part("b", 0, bad=True).to_parquet("d3/sub/b.parquet")
    part("a", 0).to_parquet("d3/.hidden.parquet")
    (tmp_path / "d3" / "sub" / "readme.txt").write_text("hi")
    r = run("validate", "d3", "--schema", schema, "--format", fmt)
    assert r.exit_code == 1
    if fmt == "github":
        assert "::error file=d3/.hidden.parquet," in r.stdout
        assert "::error file=d3/sub/readme.txt," in r.stdout
        assert "::error file=d3/sub/b.parquet," in r.stdout
    elif fmt == "json":
        body = json.loads(r.stdout)
        assert [s["file"] for s in body["skipped"]] == ["d3/.hidden.parquet", "d3/sub/readme.txt"]
        files = {f["check"]: f["file"] for f in body["failures"]}
        assert files["unique_time"] == "d3/sub/b.parquet"
        assert sorted(f["file"] for f in body["failures"] if f["check"] == "file_skipped") == [
            "d3/.hidden.parquet", "d3/sub/readme.txt"]
    else:
        assert "d3/.hidden.parquet: file_skipped" in r.stdout
    for name, _ in list_files("d3/").skipped:  # a trailing slash is not doubled
        assert name.startswith("d3/") and not name.startswith("d3//")


@pytest.mark.parametrize("chunk", [None, "3"])
def test_a_repeat_of_an_earlier_chunk_is_listed_or_said_never_silent(tmp_path, chunk):
    """D17 (partly): a chunked read lists a repeat of an earlier chunk's time only when it
    is the group's latest time so far; for the others it says so in a note, and the
    rows fail increasing_time (never a pass). One chunk lists every repeat."""
    t = list(range(6))
    df = pd.DataFrame({"store": "a", "t": t + [1], "x": 1.0})  # row 6 repeats row 1's time
    df.to_parquet(tmp_path / "d.parquet")
    seqprep.SeriesSchema("t", group="store", features="x", freq=1).to_yaml(tmp_path / "s.yaml")
    extra = ["--chunk-rows", chunk] if chunk else []
    body = json.loads(run("validate", tmp_path / "d.parquet", "--schema", tmp_path / "s.yaml",
                          "--format", "json", "--engine", "pandas", *extra).stdout)
    assert body["counts"]["increasing_time"] == 1
    said = [n for n in body["notes"] if n.startswith("unique_time: 1 row went back")]
    if chunk is None:
        assert body["counts"]["unique_time"] == 1 and not said
        [dup] = [f for f in body["failures"] if f["check"] == "unique_time"]
        assert (dup["row"], dup["first_row"]) == (6, 1)
    else:
        assert "unique_time" in body["counts"] or said


@pytest.mark.parametrize("chunk", [None, "2"])
def test_files_repeating_the_same_times_are_listed_or_counted_every_one(tmp_path, chunk):
    """D17 rest: two partitions holding the same 5 times (no group): every one of the 5
    repeats is listed (the repeat of the latest time) or counted in the note (the rest)."""
    import re

    df = pd.concat([pd.DataFrame({"t": np.arange(5), "x": np.arange(5.0), "store": s})
                    for s in (1, 2)], ignore_index=True)
    df.to_parquet(tmp_path / "hive", partition_cols=["store"])
    seqprep.SeriesSchema("t", features="x", freq=1).to_yaml(tmp_path / "s.yaml")
    extra = ["--chunk-rows", chunk] if chunk else []
    body = json.loads(run("validate", tmp_path / "hive", "--schema", tmp_path / "s.yaml",
                          "--format", "json", "--engine", "pandas", *extra).stdout)
    listed = [(f["row"], f["first_row"]) for f in body["failures"]
              if f["check"] == "unique_time"]
    said = [int(m.group(1)) for n in body["notes"]
            for m in [re.match(r"unique_time: (\d+) rows? went back", n)] if m]
    assert (9, 4) in listed and len(listed) + sum(said) == 5, (listed, body["notes"])


def test_unordered_data_read_in_chunks_says_its_gaps_are_judged_per_chunk(tmp_path):
    """D25: the steps of rows that go back across chunks depend on the chunking; the
    report says so (the run fails by increasing_time either way)."""
    rng = np.random.default_rng(0)
    df = pd.concat([part("a", 0, 20), part("b", 0, 20)], ignore_index=True)
    df = df.iloc[rng.permutation(len(df))].reset_index(drop=True)
    df.to_parquet(tmp_path / "d.parquet")
    seqprep.SeriesSchema("t", group="store", features="x", freq=1).to_yaml(tmp_path / "s.yaml")
    body = json.loads(run("validate", tmp_path / "d.parquet", "--schema", tmp_path / "s.yaml",
                          "--format", "json", "--engine", "pandas", "--chunk-rows", "7").stdout)
    assert "increasing_time" in body["counts"]
    assert any("regular_freq judges their steps within their chunk" in n for n in body["notes"])
