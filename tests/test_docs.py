"""The docs cannot rot: every ```python block runs, the site builds without a warning.

- Each page of ``docs/`` and the ``README.md`` is one test. Its ```python blocks run in
  order, in one namespace (a later block may use names from an earlier one), in a fresh
  temporary working directory. Code that must not run (Keras 2 code on the migration
  page, shell commands, output) goes in fences with another info string (```text,
  ```python-keras2, ```console).
- ``mkdocs build --strict`` builds the site, API reference included, into a temporary
  directory and must print no warning.
- The README's two commands are the ones ``.ci/run`` runs, and its links point at files
  that exist.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])
FENCE = re.compile(r"^(?P<indent>[ ]*)```(?P<info>[^\n`]*)\n(?P<body>.*?)^(?P=indent)```[ ]*$",
                   re.MULTILINE | re.DOTALL)


def python_blocks(text: str) -> list[tuple[int, str]]:
    """``(line, code)`` of every fenced block whose info string is exactly ``python``."""
    blocks = []
    for match in FENCE.finditer(text):
        if match.group("info").strip() != "python":
            continue
        line = text.count("\n", 0, match.start()) + 2  # first line of code, 1-based
        indent = len(match.group("indent"))
        body = "\n".join(row[indent:] for row in match.group("body").splitlines())
        blocks.append((line, body))
    return blocks


def test_block_finder_sees_only_python_fences():
    text = "a\n```python\nx = 1\n```\n```text\nno\n```\n```python-keras2\nno\n```\n" \
           "  ```python\n  y = 2\n  ```\n"
    assert python_blocks(text) == [(3, "x = 1"), (12, "y = 2")]


def _name(page: Path) -> str:
    return str(page.relative_to(ROOT))


# pages with code to run; the others (the API pages, the index) are checked by the site build
CODE_PAGES = [p for p in PAGES if python_blocks(p.read_text(encoding="utf-8"))]


def test_the_guides_have_code_to_run():
    assert {"README.md", "docs/quickstart.md", "docs/guide/windows.md",
            "docs/guide/stateful.md"} <= {_name(p) for p in CODE_PAGES}


@pytest.mark.parametrize("page", CODE_PAGES, ids=_name)
def test_page_examples_run(page: Path, tmp_path, monkeypatch):
    text = page.read_text(encoding="utf-8")
    for module in re.findall(r"<!-- needs: ([\w.]+) -->", text):  # e.g. the Spark page
        pytest.importorskip(module)
    blocks = python_blocks(text)
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "__docs__"}
    for line, code in blocks:
        where = f"{_name(page)}:{line}"
        try:
            exec(compile(code, where, "exec"), namespace)
        except Exception as exc:  # name the page and line, keep the traceback
            raise AssertionError(f"the ```python block at {where} failed: "
                                 f"{type(exc).__name__}: {exc}") from exc
    import matplotlib.pyplot as plt

    plt.close("all")


def test_site_builds_without_warnings(tmp_path):
    # NO_MKDOCS_2_WARNING: mkdocs-material's banner about its end of life, not a build warning
    env = {**os.environ, "NO_COLOR": "1", "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file",
         str(ROOT / "mkdocs.yml"), "--site-dir", str(tmp_path / "site")],
        cwd=ROOT, capture_output=True, text=True, env=env, timeout=300,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    plain = re.sub(r"\x1b\[[0-9;]*m", "", output)  # strip colours, if any
    warnings = [row for row in plain.splitlines() if re.match(r"\s*WARNING\b", row)]
    assert not warnings, "\n".join(warnings)
    assert (tmp_path / "site" / "api" / "seqprep" / "index.html").exists()
    assert (tmp_path / "site" / "migration" / "index.html").exists()


def test_every_docs_page_is_in_the_nav():
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    pages = [p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*.md")]
    missing = [p for p in pages if p not in nav]
    assert not missing, f"pages not in mkdocs.yml's nav: {missing}"


def test_readme_commands_are_the_ones_ci_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    install = 'pip install -e ".[dev]"'
    tests = "python -m pytest -n 2"
    assert install in ci and tests in ci, "the README commands below are no longer in .ci/run"
    assert f"{install} && seqprep demo" in readme
    assert f"{install} && {tests}" in readme


def test_readme_links_point_at_files():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\((?!https?://|#)([^)#\s]+)", readme)
    assert targets, "the README should link into docs/"
    missing = [t for t in targets if not (ROOT / t).exists()]
    assert not missing, f"README links to missing files: {missing}"
