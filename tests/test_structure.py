"""The shape of the code (issue 10): modules talk through public names, no import cycles,
short functions.

Walks the AST of every module of ``seqprep`` and ``keras_ext``:

(a) no module imports another module's underscore-prefixed names, and no code reads an
    underscore attribute of an object other than ``self``/``cls`` (or of a module it
    imported); the allow-list below is short and says why;
(b) no import cycle inside either package (imports inside functions count too);
(c) no function longer than 80 lines (at most three documented exceptions).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("seqprep", "keras_ext")
MAX_LINES = 80

#: (module, imported name or attribute) pairs that are allowed, each with its reason.
ALLOWED_PRIVATE = {
    # decision D1: keras_ext shares seqprep's argument checks; `seqprep._args` is the one
    # documented cross-package module (its names are public within it).
}
#: Modules allowed to import from `seqprep._args` (decision D1) although it is private.
ALLOWED_PRIVATE_MODULES = {"seqprep._args"}

#: Functions allowed to exceed MAX_LINES, with the reason (at most three).
LONG_FUNCTIONS: dict[str, str] = {}

#: Known cases in files other engineers were changing during the redesign, each naming
#: the file and its owner. The strict tests leave exactly these out; the xfail tests
#: below check the whole code base, and pass (XPASS) once a list is empty.
PENDING_PRIVATE: dict[str, str] = {}  # "file.py:line" -> who
PENDING_EDGES: dict[tuple[str, str], str] = {}  # (importer, imported) -> who
PENDING_LONG: dict[str, str] = {}  # "package.module.function" -> who


def modules() -> list[tuple[str, Path]]:
    out = []
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).glob("*.py")):
            name = pkg if path.stem == "__init__" else f"{pkg}.{path.stem}"
            out.append((name, path))
    return out


def parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def resolve(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    """The absolute module an ``ImportFrom`` reads from."""
    if not node.level:
        return node.module or ""
    parts = module.split(".")
    base = parts if is_package else parts[:-1]
    base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(module: str, tree: ast.Module, is_package: bool) -> list[tuple[str, str | None, int]]:
    """``(module imported from, name or None, line)`` for every import in the module."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            src = resolve(module, node, is_package)
            for alias in node.names:
                out.append((src, alias.name, node.lineno))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                out.append((alias.name, None, node.lineno))
    return out


def private_uses(module: str, path: Path) -> list[str]:
    """Imports of other modules' private names, and reads of other objects' ``_fields``."""
    tree = parse(path)
    is_package = path.stem == "__init__"
    problems = []
    local_modules: set[str] = set()  # names bound to our own private modules (`from . import _time`)
    for src, name, line in imports_of(module, tree, is_package):
        if not src.startswith(PACKAGES):
            continue
        if name is None:
            continue
        target = f"{src}.{name}"
        if name.startswith("_") and not name.startswith("__"):
            if any(target == f"{p}.{m}" for p in PACKAGES for m in _private_module_names()):
                local_modules.add(name)  # a module of the package: its public names are fine
                continue
            if (src, name) in ALLOWED_PRIVATE:
                continue
            problems.append(f"{path.name}:{line}: imports private name {name!r} from {src}")
    owned = owned_names(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") \
                and not node.attr.startswith("__"):
            owner = node.value
            if isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
                continue
            if node.attr in owned and not (isinstance(owner, ast.Name)
                                           and owner.id in local_modules):
                continue  # a field of a class of this module, on another instance of it
            if isinstance(owner, ast.Name) and owner.id in local_modules:
                problems.append(f"{path.name}:{node.lineno}: reads private {owner.id}.{node.attr}")
                continue
            if (module, node.attr) in ALLOWED_PRIVATE:
                continue
            problems.append(f"{path.name}:{node.lineno}: reads private attribute .{node.attr} "
                            f"of {ast.unparse(owner)}")
    return problems


def owned_names(tree: ast.Module) -> set[str]:
    """Underscore names this module's classes define: methods, class attributes and
    ``self._x`` fields. A module may read them on any instance of its own classes."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    out.add(item.name)
                elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    out.add(item.target.id)
                elif isinstance(item, ast.Assign):
                    out.update(t.id for t in item.targets if isinstance(t, ast.Name))
            for sub in ast.walk(node):
                if isinstance(sub, (ast.Assign, ast.AnnAssign)):
                    targets = sub.targets if isinstance(sub, ast.Assign) else [sub.target]
                    for t in targets:
                        if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) \
                                and t.value.id == "self":
                            out.add(t.attr)
    return {n for n in out if n.startswith("_")}


def _private_module_names() -> set[str]:
    return {p.stem for pkg in PACKAGES for p in (ROOT / pkg).glob("_*.py")}


def all_private_uses() -> list[str]:
    return [f"{module}: {problem}" for module, path in modules()
            for problem in private_uses(module, path)]


def test_no_private_names_cross_modules():
    found = [p for p in all_private_uses()
             if p.split(": ", 1)[1].split(": ")[0] not in PENDING_PRIVATE]  # "file.py:line"
    assert not found, "Private names read across modules:\n" + "\n".join(found)


@pytest.mark.xfail(bool(PENDING_PRIVATE), reason=f"pending: {PENDING_PRIVATE}", strict=False)
def test_no_private_names_cross_modules_at_all():
    assert not all_private_uses()


def test_keras_ext_reads_seqprep_through_its_public_names():
    """keras_ext imports ``seqprep`` (public) and, by decision D1, ``seqprep._args`` only."""
    found = []
    for module, path in modules():
        if not module.startswith("keras_ext"):
            continue
        for src, name, line in imports_of(module, parse(path), path.stem == "__init__"):
            target = src if name is None or src != "seqprep" else f"seqprep.{name}"
            if target.startswith("seqprep.") and target.split(".")[1].startswith("_") \
                    and target.split(".")[1] != "_args":
                found.append(f"{path.name}:{line}: imports {target}")
    assert not found, "keras_ext reaches into seqprep's private modules:\n" + "\n".join(found)


def import_graph() -> dict[str, set[str]]:
    names = {m for m, _ in modules()}
    graph: dict[str, set[str]] = {m: set() for m in names}
    for module, path in modules():
        for src, name, _ in imports_of(module, parse(path), path.stem == "__init__"):
            for candidate in (f"{src}.{name}" if name else None, src):
                if candidate in names and candidate != module:
                    graph[module].add(candidate)
                    break
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        stack.append(m)
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                return stack[stack.index(n):] + [n]
            if n not in state:
                found = visit(n)
                if found:
                    return found
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(graph):
        if m not in state:
            found = visit(m)
            if found:
                return found
    return None


def module_graph() -> dict[str, set[str]]:
    graph = import_graph()
    # the package __init__ imports every module; modules never import their package
    for pkg in PACKAGES:
        for m in graph:
            if m != pkg:
                graph[m].discard(pkg)
    return graph


def test_no_import_cycles():
    graph = module_graph()
    for a, b in PENDING_EDGES:
        graph.get(a, set()).discard(b)
    cycle = find_cycle(graph)
    assert cycle is None, "Import cycle: " + " -> ".join(cycle or [])


@pytest.mark.xfail(bool(PENDING_EDGES), reason=f"pending: {PENDING_EDGES}", strict=False)
def test_no_import_cycles_at_all():
    cycle = find_cycle(module_graph())
    assert cycle is None, "Import cycle: " + " -> ".join(cycle or [])


def test_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def long_functions() -> list[str]:
    out = []
    for module, path in modules():
        for node in ast.walk(parse(path)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                # the docstring is documentation, not logic: it does not count
                body = node.body
                if body and isinstance(body[0], ast.Expr) and isinstance(
                        getattr(body[0], "value", None), ast.Constant) and isinstance(
                        body[0].value.value, str):
                    length -= (body[0].end_lineno or body[0].lineno) - body[0].lineno + 1
                key = f"{module}.{node.name}"
                if length > MAX_LINES and key not in LONG_FUNCTIONS:
                    out.append(f"{key} ({path.name}:{node.lineno}): {length} lines")
    return out


def test_no_long_functions():
    assert len(LONG_FUNCTIONS) <= 3
    long = [f for f in long_functions() if f.split(" (")[0] not in PENDING_LONG]
    assert not long, "Functions over 80 lines:\n" + "\n".join(long)


@pytest.mark.xfail(bool(PENDING_LONG), reason=f"pending: {PENDING_LONG}", strict=False)
def test_no_long_functions_at_all():
    assert not long_functions()


def test_the_checks_can_fail(tmp_path):
    bad = tmp_path / "mod.py"
    bad.write_text("from seqprep._windows import _gather\nx = obj._hidden\n")
    problems = private_uses("seqprep.mod", bad)
    assert any("_gather" in p for p in problems) and any("_hidden" in p for p in problems)


@pytest.mark.parametrize("pkg", PACKAGES)
def test_py_typed_is_shipped(pkg):
    assert (ROOT / pkg / "py.typed").exists()
