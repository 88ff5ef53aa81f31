"""The API reference reads like a reference: links, not Sphinx markup; one page per step.

- The site is built once (``mkdocs build --strict`` into a temporary directory, about 3 s)
  and its HTML must hold no raw Sphinx role, no literal double backtick, no
  "keyword - only" type cell, and render "See Also" as a list of links.
- Every public name (``__all__`` of seqprep and keras_ext, read from the source, so
  TensorFlow is not imported) is documented on exactly one API page; the pages come in
  the order of the life cycle, errors last.
- Code blocks in docs/ fit the page (at most ``MAX_WIDTH`` characters a line; in a
  ```console block only the ``$ `` command lines, output is shown as printed).
- ``docs/hooks.py`` (the rendering layer) is unit-tested on small docstrings.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
MAX_WIDTH = 88
FENCE = re.compile(r"^(?P<indent>[ ]*)```(?P<info>[^\n`]*)\n(?P<body>.*?)^(?P=indent)```[ ]*$",
                   re.MULTILINE | re.DOTALL)
DIRECTIVE = re.compile(r"^:::\s*(\S+)", re.MULTILINE)


def _hooks():
    spec = importlib.util.spec_from_file_location("docs_hooks", DOCS / "hooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


hooks = _hooks()


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_COLOR": "1", "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file",
         str(ROOT / "mkdocs.yml"), "--site-dir", str(out)],
        cwd=ROOT, capture_output=True, text=True, env=env, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


def _api_pages(site: Path) -> dict[str, str]:
    pages = {p.parent.name: p.read_text(encoding="utf-8")
             for p in (site / "api").glob("*/index.html")}
    assert len(pages) >= 7, sorted(pages)
    return pages


def test_no_raw_sphinx_markup_in_the_built_site(site):
    offenders = []
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for pattern in (":class:", ":func:", ":meth:", ":attr:", ":data:", ":mod:",
                        "keyword - only", "keyword-only", "``"):
            if pattern in text:
                offenders.append(f"{page.relative_to(site)}: {pattern!r} x{text.count(pattern)}")
    assert not offenders, "\n".join(offenders)


def test_see_also_is_a_list_of_links(site):
    text = _api_pages(site)["preparation"]
    block = text[text.index('<details class="see-also"'):]
    block = block[:block.index("</details>")]
    assert "<ul>" in block
    assert re.search(r'<li><a class="autorefs autorefs-internal"[^>]*href="[^"]*'
                     r'#seqprep\.make_windows"><code>make_windows</code></a>', block), block


def test_roles_become_links_to_the_right_page(site):
    # Scaler's docstring says :class:`Windows` and :func:`split_by_time`
    text = _api_pages(site)["preparation"]
    assert 'href="../windows/#seqprep.Windows"' in text
    assert 'href="#seqprep.split_by_time"' in text


def test_guides_link_names_to_the_reference(site):
    text = (site / "guide" / "windows" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'href="../../api/windows/#seqprep\.make_windows"><code>make_windows'
                     r'</code></a>', text)


def _exports(package: str) -> list[str]:
    tree = ast.parse((ROOT / package / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
                getattr(t, "id", None) == "__all__" for t in node.targets):
            return list(ast.literal_eval(node.value))
    raise AssertionError(f"{package}/__init__.py has no __all__")


def _directives() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for page in sorted((DOCS / "api").glob("*.md")):
        for name in DIRECTIVE.findall(page.read_text(encoding="utf-8")):
            found.setdefault(name, []).append(page.name)
    return found


@pytest.mark.parametrize("package", ["seqprep", "keras_ext"])
def test_every_public_name_is_on_exactly_one_api_page(package):
    found = _directives()
    public = _exports(package)
    missing = [n for n in public if f"{package}.{n}" not in found]
    repeated = {n: found[f"{package}.{n}"] for n in public
                if len(found.get(f"{package}.{n}", [])) > 1}
    assert not missing, f"public names on no docs/api page: {missing}"
    assert not repeated, f"public names on several pages: {repeated}"
    stale = [d for d in found if d.startswith(f"{package}.") and d.count(".") == 1
             and d.split(".")[1] not in public and d != "seqprep.testing"]
    assert not stale, f"docs/api documents names that are not public: {stale}"


def test_api_pages_follow_the_life_cycle_errors_last():
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    order = [nav.index(f"api/{page}.md") for page in (
        "windows", "schemas", "preparation", "streaming", "fitting", "prediction", "errors")]
    assert order == sorted(order)
    errors = _directives()
    assert all(p == ["errors.md"] for n, p in errors.items() if n.endswith("Error")), errors


def _wide_lines() -> list[str]:
    """Code lines wider than the page. In a ```console block only the commands (``$ ``
    lines) count: the rest is a program's output, shown as it prints it."""
    wide = []
    for page in sorted(DOCS.rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            first = text.count("\n", 0, match.start()) + 2
            indent = len(match.group("indent"))
            console = match.group("info").strip() == "console"
            for k, row in enumerate(match.group("body").splitlines()):
                if console and not row[indent:].startswith("$ "):
                    continue
                if len(row) - indent > MAX_WIDTH:
                    wide.append(f"{page.relative_to(ROOT)}:{first + k}: "
                                f"{len(row) - indent} characters")
    return wide


def test_docs_code_lines_fit_the_page():
    wide = _wide_lines()
    assert not wide, f"{len(wide)} code lines wider than {MAX_WIDTH}:\n" + "\n".join(wide)


# --- the rendering layer, on small docstrings -----------------------------------------

def test_roles_resolve_in_scope_or_become_code():
    text = hooks.rewrite(
        "See :func:`make_windows`, :class:`~seqprep.Scaler`, :meth:`validate`, "
        ":func:`numpy.asarray` and :func:`seqprep._frame.windows_to_frame`.",
        "seqprep._schema.SeriesSchema")
    assert text == (
        "See [`make_windows`][seqprep.make_windows], [`Scaler`][seqprep.Scaler], "
        "[`validate`][seqprep.SeriesSchema.validate], `numpy.asarray` and "
        "`seqprep._frame.windows_to_frame`.")


def test_rst_literal_marker_becomes_a_colon():
    doc = "Use it from Python::\n\n    >>> x = {'a': 1}\n    >>> y = x['a'::]"
    assert hooks.rewrite(doc, "seqprep") == doc.replace("Python::", "Python:")


def test_cross_package_roles_resolve():
    assert hooks.rewrite(":class:`keras_ext.ResetStates`", "seqprep._layout") == \
        "[`keras_ext.ResetStates`][keras_ext.ResetStates]"
    assert hooks.rewrite(":func:`stateful_layout`", "keras_ext._fit.fit_stateful") == \
        "[`stateful_layout`][seqprep.stateful_layout]"


def test_type_cells_are_plain_types():
    doc = ("Summary.\n\nParameters\n----------\nx : bool, keyword-only\n    Text with "
           "``code``.\nshape : array of shape ``(samples,\n    horizon)``, optional\n"
           "    More.\nw : :class:`Windows`\n    The windows.\n\nReturns\n-------\n"
           ":class:`Windows`\n    Them.\n\nOther Parameters\n----------------\nhow : {'a', 'b'}, default 'a'\n    How.\n")
    text = hooks.rewrite(doc, "seqprep._scale.Scaler")
    assert "x : bool\n    Text with ``code``." in text
    assert "shape : array of shape (samples, horizon), optional\n    More." in text
    assert "w : Windows\n" in text
    assert "Returns\n-------\nWindows\n    Them." in text
    assert "how : one of 'a', 'b', default 'a'\n    How." in text


def test_see_also_becomes_a_list():
    doc = ("Summary.\n\nSee Also\n--------\nget_states, set_states : save and restore\n"
           "    the state.\nnumpy.lib.stride_tricks.sliding_window_view : the view.\n"
           "make_windows\n    On its own line.\n\nNotes\n-----\nText.")
    text = hooks.rewrite(doc, "keras_ext._states.reset_states")
    assert ("- [`get_states`][keras_ext.get_states], [`set_states`][keras_ext.set_states]: "
            "save and restore the state.\n"
            "- `numpy.lib.stride_tricks.sliding_window_view`: the view.\n"
            "- [`make_windows`][seqprep.make_windows]: On its own line.\n") in text
    assert text.endswith("Notes\n-----\nText.")


def test_guide_code_names_become_links_outside_fences_and_headings():
    md = ("# `make_windows`\n\nCall `make_windows` or `Windows.to_frame()`, not "
          "`make_windows(df)` nor `frame`.\n\n```python\n`make_windows`\n```\n"
          "Already [`Scaler`](x.md).\n")
    assert hooks.link_names("After `predict`, `keras_ext.predict`.") == (
        "After `predict`, [`keras_ext.predict`][keras_ext.predict].")
    out = hooks.link_names(md)
    assert out == ("# `make_windows`\n\nCall [`make_windows`][seqprep.make_windows] or "
                   "[`Windows.to_frame()`][seqprep.Windows.to_frame], not `make_windows(df)` "
                   "nor `frame`.\n\n```python\n`make_windows`\n```\nAlready [`Scaler`](x.md).\n")
