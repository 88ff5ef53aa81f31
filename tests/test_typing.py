"""Both packages type-check with the ``[tool.mypy]`` configuration in pyproject.toml."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_mypy_is_clean_on_both_packages(tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    env = dict(os.environ, MYPY_CACHE_DIR=str(tmp_path / "mypy-cache"))
    done = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    assert "Success: no issues found" in done.stdout


@pytest.mark.parametrize("pkg", ["seqprep", "keras_ext"])
def test_py_typed_is_package_data(pkg: str) -> None:
    """PEP 561: the (empty) marker only reaches users if the wheel ships it, and setuptools
    ships non-Python files only when package data lists them."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "py.typed" in config["tool"]["setuptools"]["package-data"][pkg]
    assert (ROOT / pkg / "py.typed").is_file()
