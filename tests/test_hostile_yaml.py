"""Issue 15 class 3 (YAML): a small schema file cannot exhaust time or memory.

Aliases are counted as if expanded, nesting is bounded, the text is bounded, and every
refusal is a SchemaError (exit 2 on the command line) in well under a second or two.
"""

from __future__ import annotations

import time

import pytest
from click.testing import CliRunner

import seqprep
from seqprep import SchemaError, SeriesSchema
from seqprep._cli import cli
from seqprep._schema import YAML_MAX_CHARS, YAML_MAX_DEPTH, YAML_MAX_VALUES


def laughs(key: str, levels: int = 9) -> str:
    lines = ["seqprep_schema: 1", "time: t", 'l0: &l0 ["lol", "lol", "lol", "lol", "lol", '
             '"lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]")
    lines.append(f"{key}: *l{levels - 1}")
    return "\n".join(lines) + "\n"


def refused(text: str, match: str) -> float:
    started = time.perf_counter()
    with pytest.raises(SchemaError, match=match):
        SeriesSchema.from_yaml(text)
    return time.perf_counter() - started


@pytest.mark.parametrize("key", ["freq", "time", "min_length", "features", "ranges"])
def test_billion_laughs_under_any_key_is_refused_fast(key):
    assert len(laughs(key)) < 1000  # a tiny file standing for 9**9 values
    assert refused(laughs(key), r"100,000 values") < 2


@pytest.mark.parametrize("depth", [YAML_MAX_DEPTH + 1, 1000, 100_000])
def test_deep_nesting_is_a_schema_error_not_recursion(depth):
    text = "seqprep_schema: 1\ntime: t\nfreq: " + "[" * depth + "]" * depth + "\n"
    assert refused(text, r"at most 32 levels") < 10
    text = "seqprep_schema: 1\ntime: t\nfreq: " + "{a: " * depth + "1" + "}" * depth + "\n"
    assert refused(text, r"at most 32 levels") < 10


def test_self_referencing_alias_is_refused():
    refused("seqprep_schema: 1\ntime: t\nfreq: &a [*a]\n", "values")


def test_oversized_text_is_refused_before_parsing():
    text = "seqprep_schema: 1\ntime: t\n#" + "x" * YAML_MAX_CHARS + "\n"
    assert refused(text, r"at most 1,048,576 characters") < 1


def test_ordinary_schemas_and_modest_aliases_still_load():
    s = SeriesSchema("t", group="g", features=["a", "b"], targets="y", freq="h",
                     min_length=5, ranges={"a": (0, 1)}, allowed={"g": ["x", "y"]})
    assert SeriesSchema.from_yaml(s.to_yaml()) == s
    text = "seqprep_schema: 1\ntime: t\nfeatures: &f [a, b]\nallow_nan: *f\n"
    assert SeriesSchema.from_yaml(text).allow_nan == ("a", "b")
    assert YAML_MAX_VALUES >= 10_000  # room for an allowed list of thousands of groups


def test_cli_refuses_a_hostile_schema_in_one_line(tmp_path):
    (tmp_path / "d.csv").write_text("t,x\n0,1\n1,2\n")
    (tmp_path / "bomb.yaml").write_text(laughs("freq"))
    r = CliRunner().invoke(cli, ["validate", str(tmp_path / "d.csv"), "--schema",
                                 str(tmp_path / "bomb.yaml")], catch_exceptions=False)
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert r.stderr.startswith("seqprep: error: bad schema") and len(r.stderr.splitlines()) == 1
    seqprep.SeriesSchema("t").to_yaml(tmp_path / "ok.yaml")
    r = CliRunner().invoke(cli, ["validate", str(tmp_path / "d.csv"), "--schema",
                                 str(tmp_path / "ok.yaml")], catch_exceptions=False)
    assert r.exit_code == 0


def test_deep_block_nesting_is_refused_too():
    body = "".join(f"{' ' * k}k{k}:\n" for k in range(40)) + " " * 40 + "1\n"
    text = "seqprep_schema: 1\ntime: t\nfreq:\n" + "\n".join(
        " " + line for line in body.splitlines()) + "\n"
    assert refused(text, r"at most 32 levels") < 5


def test_brackets_in_comments_and_quoted_strings_are_not_nesting(tmp_path):
    """D2: only nodes count as levels; a comment or a string full of ``[``/``{`` is text."""
    base = SeriesSchema("t", features="x", allowed={"x": ["a"]}).to_yaml()
    for text in (base + "# ranges look like " + "[" * 40 + "\n",
                 base.replace("- a", '- "' + "[" * 45 + "{" * 45 + '"'),
                 base.replace("- a", "- '" + "{[" * 1000 + "'"),
                 base + "# " + "[" * 100_000 + "\n"):
        started = time.perf_counter()
        schema = SeriesSchema.from_yaml(text)
        assert time.perf_counter() - started < 5
        assert schema.time == "t" and len(schema.allowed["x"]) == 1
    quoted = SeriesSchema.from_yaml(base.replace("- a", '- "' + "[" * 45 + '"'))
    assert quoted.allowed == {"x": ("[" * 45,)}  # the string, whole
    (tmp_path / "d.csv").write_text("t,x\n0,1\n1,2\n")
    (tmp_path / "s.yaml").write_text(SeriesSchema("t").to_yaml() + "# " + "[" * 40 + "\n")
    r = CliRunner().invoke(cli, ["validate", str(tmp_path / "d.csv"), "--schema",
                                 str(tmp_path / "s.yaml")], catch_exceptions=False)
    assert r.exit_code == 0, r.output


@pytest.mark.parametrize("levels, deep", [(YAML_MAX_DEPTH, False), (YAML_MAX_DEPTH + 1, True)])
def test_the_depth_bound_counts_levels_exactly(levels, deep):
    # the root mapping is level 1 and the scalar the last one: `freq: [[..1..]]`
    text = "seqprep_schema: 1\ntime: t\nfreq: " + "[" * (levels - 2) + "1" + "]" * (levels - 2)
    with pytest.raises(SchemaError) as info:  # too deep, or (at the bound) a bad freq
        SeriesSchema.from_yaml(text + "\n")
    assert ("at most 32 levels" in str(info.value)) == deep, info.value
