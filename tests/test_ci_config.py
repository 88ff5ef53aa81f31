"""The CI recipes in docs/ci.md and the repository's .pre-commit-hooks.yaml are real.

Each YAML block parses; the GitHub workflow runs ``seqprep validate`` once with the
permission its JUnit action needs and publishes the file that run writes; the GitLab job
hands GitLab the JUnit file it writes; every ``seqprep`` command in them parses with the
real command line; the pre-commit hook's entry, with the arguments the docs give it,
passes good data and fails bad data.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

import seqprep
from seqprep._cli import cli

ROOT = Path(__file__).resolve().parents[1]
CI = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
SHELL_OPS = {"|", "||", "&&", ";", ">", ">>", "2>", "&"}


def yaml_blocks(text: str) -> list:
    return [yaml.safe_load(m.group(1))
            for m in re.finditer(r"^```yaml\n(.*?)^```", text, re.S | re.M)]


def seqprep_commands(script: str) -> list[list[str]]:
    """The argument lists of every `seqprep ...` command in a shell script."""
    out = []
    for line in script.replace("\\\n", " ").splitlines():
        words = shlex.split(line)
        while "seqprep" in words:
            words = words[words.index("seqprep") + 1:]
            cmd = []
            for w in words:
                if w in SHELL_OPS:
                    break
                cmd.append(w)
            out.append(cmd)
            words = words[len(cmd):]
    return out


def parses(args: list[str]) -> None:
    """Raise unless ``seqprep ARGS`` parses (options exist, required ones given)."""
    name, rest = args[0], args[1:]
    command = cli.commands[name]
    command.make_context(name, list(rest))


def option(args: list[str], name: str) -> str:
    return args[args.index(name) + 1]


def test_every_yaml_block_parses():
    blocks = yaml_blocks(CI)
    assert len(blocks) >= 4  # schema, GitHub, GitLab, pre-commit


def github_workflow() -> dict:
    [wf] = [b for b in yaml_blocks(CI) if isinstance(b, dict) and "jobs" in b]
    return wf


def test_github_job_validates_once_and_publishes_what_that_run_writes():
    wf = github_workflow()
    assert wf["permissions"]["checks"] == "write"
    steps = [s for job in wf["jobs"].values() for s in job["steps"]]
    runs = [c for s in steps for c in seqprep_commands(s.get("run", ""))]
    assert len(runs) == 1, runs  # one read of the data, every report
    [cmd] = runs
    parses(cmd)
    assert cmd[0] == "validate" and option(cmd, "--format") == "github"
    junit = option(cmd, "--report-junit")
    [publish] = [s for s in steps if "junit" in s.get("uses", "")]
    assert publish["with"]["report_paths"] == junit
    assert "cancelled" in publish["if"] or publish["if"] == "always()"


def test_gitlab_job_hands_gitlab_its_junit_report():
    [job] = [b["validate-data"] for b in yaml_blocks(CI)
             if isinstance(b, dict) and "validate-data" in b]
    cmds = [c for line in job["script"] for c in seqprep_commands(line)]
    assert len(cmds) == 1
    parses(cmds[0])
    assert job["artifacts"]["reports"]["junit"] == option(cmds[0], "--report-junit")
    assert job["artifacts"]["when"] == "always"


def hooks() -> list:
    return yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))


# the keys pre-commit's manifest schema knows (pre_commit/clientlib.py MANIFEST_HOOK_DICT)
MANIFEST_KEYS = {"id", "name", "entry", "language", "alias", "files", "exclude", "types",
                 "types_or", "exclude_types", "additional_dependencies", "args",
                 "always_run", "fail_fast", "pass_filenames", "description",
                 "language_version", "log_file", "minimum_pre_commit_version",
                 "require_serial", "stages", "verbose"}


def test_pre_commit_manifest_is_well_formed():
    manifest = hooks()
    assert isinstance(manifest, list) and manifest
    for hook in manifest:
        assert {"id", "name", "entry", "language"} <= set(hook)
        assert set(hook) <= MANIFEST_KEYS, set(hook) - MANIFEST_KEYS
        assert hook["language"] in ("python", "system")
        re.compile(hook.get("files", ""))
        words = shlex.split(hook["entry"])
        assert words[0] == "seqprep" and words[1] in cli.commands


@pytest.fixture()
def dataset(tmp_path):
    days = pd.date_range("2024-01-01", periods=40, freq="D")
    good = pd.DataFrame({"store": "north", "day": days, "units": np.arange(40.0)})
    (tmp_path / "data").mkdir()
    (tmp_path / "schemas").mkdir()
    good.to_csv(tmp_path / "data" / "sales.csv", index=False)
    seqprep.infer_schema(good, "day", "store").to_yaml(tmp_path / "schemas" / "sales.yaml")
    return tmp_path


def test_pre_commit_hook_from_the_docs_passes_good_data_and_fails_bad(dataset, monkeypatch):
    [config] = [b for b in yaml_blocks(CI) if isinstance(b, dict) and "repos" in b]
    [hook_use] = [h for repo in config["repos"] for h in repo["hooks"]]
    [hook] = [h for h in hooks() if h["id"] == hook_use["id"]]
    assert hook["pass_filenames"] is False  # the args name the data and the schema
    assert re.search(hook_use["files"], "data/sales.csv")
    args = shlex.split(hook["entry"])[1:] + hook_use["args"]
    monkeypatch.chdir(dataset)
    runner = CliRunner()
    assert runner.invoke(cli, args).exit_code == 0
    bad = pd.read_csv(dataset / "data" / "sales.csv").drop(index=[5])
    bad.to_csv(dataset / "data" / "sales.csv", index=False)
    r = runner.invoke(cli, args)
    assert r.exit_code == 1 and "data/sales.csv:7: regular_freq" in r.stdout


def test_commands_in_the_console_examples_parse():
    for block in re.findall(r"^```console\n(.*?)^```", CI, re.S | re.M):
        for line in block.replace("\\\n", " ").splitlines():
            if line.startswith("$ seqprep"):
                for cmd in seqprep_commands(line[2:]):
                    parses(cmd)
