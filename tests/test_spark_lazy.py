"""Without pyspark or polars, seqprep still imports, fast, and says what to install.

These run whatever is installed: pyspark and polars are hidden from a subprocess.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pandas as pd

from seqprep import _engines

HIDE = "import sys; sys.modules['pyspark'] = None; sys.modules['polars'] = None\n"


def run(code: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", HIDE + textwrap.dedent(code), *args],
                          capture_output=True, text=True, timeout=120)


def test_import_seqprep_imports_neither_pyspark_nor_polars():
    proc = subprocess.run([sys.executable, "-c", "import sys, seqprep, seqprep._spark, "
                           "seqprep._polars, seqprep._engines; print(sorted(m for m in "
                           "('pyspark', 'polars') if m in sys.modules))"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_the_engines_name_the_extra_to_install_when_missing(tmp_path):
    pd.DataFrame({"t": [0, 1, 2], "x": 1.0}).to_parquet(tmp_path / "d.parquet")
    (tmp_path / "s.yaml").write_text("seqprep_schema: 1\ntime: t\nfeatures: [x]\n")
    for engine, extra in (("spark", "seqprep[spark]"), ("polars", "seqprep[polars]")):
        proc = run("""
            from seqprep._cli import cli
            cli(sys.argv[1:])
            """, "validate", str(tmp_path / "d.parquet"), "--schema", str(tmp_path / "s.yaml"),
                   "--engine", engine)
        assert proc.returncode == 2, proc.stderr
        err = proc.stderr.strip()
        assert len(err.splitlines()) == 1 and extra in err and "Traceback" not in err, err


def test_auto_is_polars_only_for_one_local_parquet_file(tmp_path, monkeypatch):
    f = tmp_path / "d.parquet"
    pd.DataFrame({"t": [0, 1]}).to_parquet(f)
    (tmp_path / "d.csv").write_text("t\n0\n")
    (tmp_path / "fake.parquet").write_text("not parquet")
    assert _engines.choose("spark", str(f)) == "spark"
    expected_for_file = "polars" if _engines.importlib.util.find_spec("polars") else "pandas"
    assert _engines.choose("auto", str(f)) == expected_for_file
    for path in (tmp_path, tmp_path / "d.csv", tmp_path / "fake.parquet", "s3://b/k.parquet"):
        assert _engines.choose("auto", str(path)) == "pandas", path
    monkeypatch.setattr(_engines.importlib.util, "find_spec", lambda name: None)
    assert _engines.choose("auto", str(f)) == "pandas"
