"""Render the numpydoc docstrings and the guides as a reference people can read.

Two pieces, both loaded by ``mkdocs.yml`` (nothing here runs at import time of seqprep):

- ``SphinxRoles``, a griffe extension (``extensions:`` of the mkdocstrings python handler),
  rewrites each docstring of seqprep and keras_ext before it is parsed:

  * Sphinx roles (``:func:`make_windows```, ``:class:`~seqprep.Windows```,
    ``:meth:`validate```...) become mkdocs-autorefs links when the name is rendered in
    the API reference, inline code otherwise (private or third-party names);
  * type cells (``name : type`` lines of Parameters, Returns, Attributes...) lose their
    double backticks, roles and the ``keyword-only`` tag (the signature shows the ``*``),
    and numpydoc's ``{"a", "b"}`` reads "one of "a", "b"";
  * a "See Also" section becomes a list of links, one item per line of the section;
  * a paragraph ending in RST's ``::`` (an indented code block follows) ends in ``:``.

- ``on_page_markdown``, a mkdocs hook, turns inline code naming a public object in the
  guides (```make_windows```, ```Windows.to_frame```, ```keras_ext.fit_stateful```)
  into a link to its reference entry.

Names resolve against one static snapshot of both packages (griffe, no import): a name is
linked only if the API pages render it (exported in ``__all__``, public, documented), so
``mkdocs build --strict`` never meets a dangling link.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import griffe

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("seqprep", "keras_ext")
ROLE = re.compile(r":(?:py:)?(?:func|class|meth|attr|data|mod|exc|obj|const):"
                  r"`(?P<tilde>~?)(?P<text>[^`<]+?)(?:\s*<(?P<target>[^`>]+)>)?`")
TYPED_SECTIONS = {"parameters", "other parameters", "attributes", "returns", "yields",
                  "receives", "raises", "warns"}
BARE_TYPE_SECTIONS = {"returns", "yields", "receives", "raises", "warns"}


@functools.lru_cache(maxsize=1)
def _snapshot() -> Any:
    loader = griffe.GriffeLoader(search_paths=[str(ROOT)])
    for name in PACKAGES:
        loader.load(name)
    loader.resolve_aliases(implicit=False, external=False)
    return loader.modules_collection


def _member(obj: Any, name: str) -> Any:
    """The public, documented member ``name`` of ``obj`` as the reference renders it, or None."""
    if name.startswith("_"):
        return None
    if obj.is_module:
        exports = obj.exports
        if exports is not None and name not in exports and not (
                name in obj.members and obj.members[name].is_module):
            return None
    member = obj.members.get(name)
    if member is None:
        return None
    try:
        member = member.final_target if member.is_alias else member
    except griffe.AliasResolutionError:
        return None
    return member if member.has_docstrings else None


@functools.lru_cache(maxsize=1)
def _documented() -> frozenset[str]:
    """The objects the API pages render with a ``::: name`` line (and their members)."""
    found = set()
    for page in (ROOT / "docs" / "api").glob("*.md"):
        found.update(re.findall(r"^:::\s*(\S+)", page.read_text(encoding="utf-8"), re.M))
    return frozenset(found)


@functools.lru_cache(maxsize=None)
def rendered(path: str) -> bool:
    """Whether the API reference renders an object under this dotted ``path``."""
    parts = path.split(".")
    if parts[0] not in PACKAGES or len(parts) < 2:
        return False
    if not any(".".join(parts[:k]) in _documented() for k in range(2, len(parts) + 1)):
        return False  # public but on no API page yet: tests/test_site.py reports it
    obj = _snapshot()[parts[0]]
    for part in parts[1:]:
        obj = _member(obj, part)
        if obj is None:
            return False
    return True


def resolve(name: str, scope: str = "") -> str | None:
    """The rendered path ``name`` means when written inside ``scope``, or None."""
    name = name.strip().removesuffix("()")
    if not re.fullmatch(r"[A-Za-z_][\w.]*", name):
        return None
    parts = [p for p in scope.split(".") if p and not p.startswith("_")]
    scopes = [".".join(parts[:i]) for i in range(len(parts), 0, -1)]
    scopes += [p for p in PACKAGES if p not in scopes]
    for candidate in [f"{s}.{name}" for s in scopes] + [name]:
        if rendered(candidate):
            return candidate
    return None


def _link(title: str, name: str, scope: str) -> str:
    path = resolve(name, scope)
    return f"[`{title}`][{path}]" if path else f"`{title}`"


def _role_to_link(match: re.Match, scope: str) -> str:
    text = match["text"].strip()
    name = (match["target"] or text).strip()
    title = text.split(".")[-1] if match["tilde"] and not match["target"] else text
    return _link(title, name, scope)


def _clean_type(text: str) -> str:
    """A type cell as plain text: roles to bare names, no backticks, no keyword-only tag."""
    text = ROLE.sub(lambda m: (m["target"] or m["text"]).strip(), text)
    text = text.replace("``", "").replace("`", "")
    text = re.sub(r",?\s*keyword[- ]only\b", "", text)
    text = re.sub(r"\{([^{}]*)\}", r"one of \1", text)  # numpydoc's set of allowed values
    return text.strip().strip(",").strip()


def _see_also(lines: list[str], scope: str) -> list[str]:
    """The body of a See Also section as a Markdown list of links."""
    items: list[list[str]] = []
    for line in lines:
        if line and not line[0].isspace():
            items.append([line.strip()])
        elif line.strip() and items:
            items[-1].append(line.strip())
    out = []
    for item in items:
        head, _, desc = item[0].partition(" : ")
        desc = " ".join([desc, *item[1:]]).strip()
        names = [n.strip() for n in head.split(",") if n.strip()]
        links = ", ".join(_link(n.strip("`~"), n.strip("`~"), scope) for n in names)
        out.append(f"- {links}" + (f": {desc.strip()}" if desc.strip() else ""))
    return out + [""]


def _sections(lines: list[str]) -> list[tuple[str, int, int]]:
    """``(title, first body line, end)`` of each numpydoc section."""
    heads = [i for i in range(len(lines) - 1)
             if lines[i].strip() and not lines[i][0].isspace()
             and re.fullmatch(r"-{3,}", lines[i + 1].strip())
             and len(lines[i + 1].strip()) >= len(lines[i].strip())]
    return [(lines[h].strip().lower(), h + 2, nxt)
            for h, nxt in zip(heads, heads[1:] + [len(lines)])]


def _typed_line(line: str, section: str) -> str:
    if not line or line[0].isspace():
        return line
    name, sep, kind = line.partition(" : ")
    if sep:
        return f"{name} : {_clean_type(kind)}"
    return _clean_type(line) if section in BARE_TYPE_SECTIONS else line


def _unbalanced(text: str) -> bool:
    return text.count("``") % 2 == 1 or text.count("(") > text.count(")")


def _typed_block(lines: list[str], section: str) -> list[str | None]:
    """A typed section with each item line cleaned; a type wrapped onto the next line
    (an open parenthesis or double backtick at the end of the line) is joined back."""
    out: list[str | None] = list(lines)
    for i, line in enumerate(lines):
        if out[i] is None or not line or line[0].isspace():
            continue
        j = i
        while _unbalanced(line) and j + 1 < len(lines) and lines[j + 1][:1].isspace():
            j += 1
            line = f"{line} {lines[j].strip()}"
            out[j] = None
        out[i] = _typed_line(line, section)
    return out


def rewrite(text: str, scope: str) -> str:
    """One docstring rewritten for Markdown rendering (see the module docstring)."""
    lines = text.splitlines()
    out = list(lines)
    for title, start, end in _sections(lines):
        if title == "see also":
            out[start:end] = [None] * (end - start)  # type: ignore[list-item]
            out[start] = "\n".join(_see_also(lines[start:end], scope))
        elif title in TYPED_SECTIONS:
            out[start:end] = _typed_block(lines[start:end], title)
    body = "\n".join(line for line in out if line is not None)
    body = re.sub(r"(?m)^(?!\s*>>>)(.*\S)::$", r"\1:", body)  # RST "text::" before a code block
    return ROLE.sub(lambda m: _role_to_link(m, scope), body)


class SphinxRoles(griffe.Extension):
    """Griffe extension: rewrite every docstring of a loaded package (see ``rewrite``)."""

    def on_package(self, *, pkg: Any, loader: Any, **kwargs: Any) -> None:
        if pkg.name in PACKAGES:
            self._visit(pkg, set())

    def _visit(self, obj: Any, seen: set[int]) -> None:
        if obj.is_alias or id(obj) in seen:
            return
        seen.add(id(obj))
        if obj.docstring is not None:
            obj.docstring.value = rewrite(obj.docstring.value, obj.path)
        for member in list(obj.members.values()):
            self._visit(member, seen)


CODE_NAME = re.compile(r"(?<![\[\w`])`(?P<name>[A-Za-z_][\w.]*)(?:\(\))?`(?![\]\w`(])")
FENCE_OR_HEADING = re.compile(r"^(```|~~~)|^#")


def link_names(markdown: str) -> str:
    """Inline code naming a rendered object becomes a link (fences and headings untouched)."""
    out, fenced = [], False
    for line in markdown.splitlines(keepends=True):
        stripped = line.lstrip()
        if stripped.startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced and not stripped.startswith(("#", ":::")):
            line = CODE_NAME.sub(_guide_link, line)
        out.append(line)
    return "".join(out)


# also Keras' own Model methods: in prose `predict` usually means model.predict, so these
# link only when written with their package (`keras_ext.predict`)
KERAS_WORDS = {"predict", "evaluate", "fit"}


def _guide_link(match: re.Match) -> str:
    if match["name"] in KERAS_WORDS:
        return match[0]
    path = resolve(match["name"])
    return f"[{match[0]}][{path}]" if path else match[0]


def on_page_markdown(markdown: str, page: Any, **kwargs: Any) -> str:
    """mkdocs hook: link the guides' names to the reference."""
    return link_names(markdown)
