"""Validation reports: text for people, JSON for machines, JUnit XML and GitHub annotations for CI.

Every format renders the same :class:`Outcome` (failure records from
:mod:`seqprep._failures` plus context) and is well-formed for any data: control
characters in group labels or file names are escaped (XML 1.0 cannot hold most of them
at all), GitHub workflow commands escape ``%``, line breaks, ``:`` and ``,`` in their
properties, and JSON is strict (no NaN). The JSON report's schema is
``docs/failure-report.schema.json``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any


__all__ = ["FORMATS", "REPORT_VERSION", "Outcome", "render"]

#: Version of the JSON report's layout (``report_version``); bumped on incompatible change.
REPORT_VERSION = 1
FORMATS = ("text", "json", "junit", "github")


@dataclass
class Outcome:
    """What a validation run found, with the context every report shows."""

    failures: Any  # a failure table (seqprep._failures)
    data: str
    schema: str
    shape: tuple
    notes: list = field(default_factory=list)
    checks: list = field(default_factory=list)
    skipped: list = field(default_factory=list)  # (file, reason) not checked
    seconds: float = 0.0
    error: str | None = None  # the run could not finish (exit 2)
    exit_code: int = 0


def _rule(check: str) -> str:
    from ._failures import CHECKS, SOURCE_CHECKS

    return {**CHECKS, **SOURCE_CHECKS}.get(check, (check,))[0]


def render(fmt: str, outcome: Outcome, *, per_check: int = 3) -> str:
    """The report of ``outcome`` in format ``fmt`` (one of :data:`FORMATS`)."""
    if fmt == "json":
        return json_report(outcome)
    if fmt == "junit":
        return junit_report(outcome)
    if fmt == "github":
        return github_report(outcome)
    return text_report(outcome, per_check=per_check)


# ---------------------------------------------------------------- text


def location(rec: dict, data: str) -> str:
    """``path:line`` for a CSV row, ``path`` otherwise (the data's name if no file)."""
    import pandas as pd

    from ._failures import cell

    f = rec.get("file")
    f = data if f is None or (isinstance(f, float) and pd.isna(f)) else str(f)
    line = cell(rec.get("line"))
    return f"{f}:{line}" if line else f


def case_line(rec: dict, data: str) -> str:
    """``path:line: check: message`` for one record."""
    from ._failures import cell, message

    msg = message(rec)
    fr = cell(rec.get("file_row"))
    if fr and fr != cell(rec.get("row")) and not cell(rec.get("line")):
        msg += f" (row {fr} of the file)"
    return f"{_printable(location(rec, data))}: {rec['check']}: {_printable(msg)}"


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _printable(text: str) -> str:
    """Control characters (and Unicode line separators) as escapes: one record, one line."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256
                        else f"\\u{ord(m.group()):04x}", str(text))


def text_report(o: Outcome, *, per_check: int = 3) -> str:
    """A report for people: verdict, counts per check, then ``path:line: check: message``."""
    from ._args import plural

    if o.error is not None:
        return f"{_printable(o.data)}: ERROR: {_printable(o.error)}"
    rows, cols = o.shape
    where = f"{plural(rows, 'row')} x {plural(cols, 'column')}"
    f = o.failures
    if not len(f):
        lines = [f"{_printable(o.data)}: OK: {where} pass schema {_printable(o.schema)}"]
        lines.extend(f"note: skipped {_printable(a)} ({b})" for a, b in o.skipped)
        return "\n".join(lines)
    counts = f["check"].value_counts(sort=False)
    lines = [f"{_printable(o.data)}: INVALID: {plural(len(f), 'failure')} of "
             f"{plural(len(counts), 'check')} in {where} (schema {_printable(o.schema)})"]
    width = max(len(c) for c in counts.index)
    for check, count in counts.items():
        lines.append(f"  {check:<{width}}  {count:>8,}  {_rule(check)}")
    lines.append("First cases:")
    for check, part in f.groupby("check", sort=False):
        for rec in part.head(per_check).to_dict("records"):
            lines.append(case_line(rec, o.data))
        if len(part) > per_check:
            lines.append(f"{_printable(o.data)}: {check}: ... {len(part) - per_check:,} more")
    lines.extend(f"note: {_printable(n)}" for n in o.notes)
    lines.append("Every case: seqprep validate ... --format json")
    return "\n".join(lines)


# ---------------------------------------------------------------- JSON


def json_report(o: Outcome) -> str:
    """A report for machines, valid against ``docs/failure-report.schema.json``."""
    from ._failures import json_records

    f = o.failures
    counts = {str(k): int(v) for k, v in f["check"].value_counts(sort=False).items()}
    body = {"report_version": REPORT_VERSION, "data": o.data, "schema": o.schema,
            "valid": o.error is None and not len(f), "exit_code": o.exit_code,
            "error": o.error, "rows": int(o.shape[0]), "columns": int(o.shape[1]),
            "checks": list(o.checks), "n_failures": len(f), "counts": counts,
            "notes": [str(n) for n in o.notes],
            "skipped": [{"file": str(a), "reason": str(b)} for a, b in o.skipped],
            "seconds": round(float(o.seconds), 3), "failures": json_records(f)}
    return json.dumps(body, indent=2, allow_nan=False)


# ---------------------------------------------------------------- JUnit


_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def _xml(text: Any) -> str:
    """Text XML 1.0 can hold: characters it forbids become ``\\xNN`` escapes."""
    return _XML_BAD.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))


def junit_report(o: Outcome) -> str:
    """JUnit XML for CI dashboards: one test case per check, failed with its cases."""
    import xml.etree.ElementTree as ET

    from ._args import plural

    f = o.failures
    counts = f["check"].value_counts(sort=False).to_dict() if len(f) else {}
    names = list(o.checks) + [c for c in counts if c not in o.checks]
    if o.error is not None:
        names = ["read"]
    errors = "1" if o.error is not None else "0"
    seconds = f"{o.seconds:.3f}"
    suites = ET.Element("testsuites", name="seqprep validate", tests=str(len(names)),
                        failures=str(len(counts)), errors=errors, time=seconds)
    suite = ET.SubElement(suites, "testsuite", name=_xml(f"seqprep validate {o.data}"),
                          tests=str(len(names)), failures=str(len(counts)), errors=errors,
                          skipped="0", time=seconds)
    props = ET.SubElement(suite, "properties")
    for k, v in (("data", o.data), ("schema", o.schema), ("rows", o.shape[0]),
                 ("columns", o.shape[1])):
        ET.SubElement(props, "property", name=k, value=_xml(v))
    for name in names:
        case = ET.SubElement(suite, "testcase", classname=f"seqprep.validate.{name}",
                             name=name, time="0")
        if o.error is not None:
            ET.SubElement(case, "error", type="CliError", message=_xml(o.error))
        elif name in counts:
            part = f[f["check"] == name]
            fail = ET.SubElement(case, "failure", type=name,
                                 message=_xml(f"{plural(counts[name], 'failure')}: "
                                              f"{_rule(name)}"))
            lines = [case_line(rec, o.data) for rec in part.head(50).to_dict("records")]
            if len(part) > 50:
                lines.append(f"... {len(part) - 50:,} more (seqprep validate --format json)")
            fail.text = _xml("\n".join(lines))
    if o.notes:
        ET.SubElement(suite, "system-out").text = _xml("\n".join(map(str, o.notes)))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suites, encoding="unicode")


# ---------------------------------------------------------------- GitHub


def _gh_data(text: str) -> str:
    """A workflow command's message: one line, ``%`` escaped as GitHub decodes it."""
    return _printable(str(text).replace("%", "%25"))


def _gh_prop(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def github_report(o: Outcome, *, limit: int = 50) -> str:
    """GitHub Actions workflow commands: ``::error file=...,line=...,title=...::message``.

    At most ``limit`` annotations per check (GitHub shows few per step anyway), then a
    summary line per check.
    """
    import pandas as pd

    from ._failures import cell, message

    if o.error is not None:
        return f"::error title=seqprep validate::{_gh_data(o.data + ': ' + o.error)}"
    out = []
    for check, part in o.failures.groupby("check", sort=False):
        for rec in part.head(limit).to_dict("records"):
            props = []
            f = rec.get("file")
            if f is not None and not (isinstance(f, float) and pd.isna(f)):
                props.append(f"file={_gh_prop(f)}")
                if cell(rec.get("line")):
                    props.append(f"line={cell(rec['line'])}")
            props.append(f"title={_gh_prop('seqprep ' + check)}")
            out.append(f"::error {','.join(props)}::{_gh_data(check + ': ' + message(rec))}")
        if len(part) > limit:
            out.append(f"::error title={_gh_prop('seqprep ' + check)}::"
                       f"{_gh_data(f'{len(part) - limit:,} more {check} failures')}")
    for n in o.notes:
        out.append(f"::notice title=seqprep validate::{_gh_data(n)}")
    rows, cols = o.shape
    verdict = "INVALID" if len(o.failures) else "OK"
    out.append(f"{_printable(o.data)}: {verdict}: {len(o.failures):,} failures in {rows:,} rows "
               f"x {cols:,} columns (schema {o.schema})")
    return "\n".join(out)
