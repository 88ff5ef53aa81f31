"""The time-series checks: TimeChecker chunk by chunk, time parsing, frequencies, pandera."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pytest

from seqprep import SchemaError
from seqprep._checks import CHECKS, FAILURE_COLUMNS, TimeChecker, _factorize, parse_time
from seqprep._checks import register_pandera_checks as _register
from seqprep._time import normalize_freq, step_name


def run(frames, **kw):
    kw.setdefault("freq", 1)
    c = TimeChecker("t", kw.pop("group", "g"), **kw)
    out, offset = [], 0
    for f in frames:
        out += c.update(f, row_offset=offset)
        offset += len(f)
    out += c.finish()
    if not out:
        return [], c
    table = pd.concat(out, ignore_index=True)
    assert list(table.columns) == list(FAILURE_COLUMNS)
    return [tuple(r) for r in table[["check", "group", "row", "value"]].astype(object)
            .to_numpy()], c


def frame(t, g=None):
    return pd.DataFrame({"t": t, "g": g if g is not None else ["a"] * len(t)})


def test_stable_check_names_and_rules():
    assert list(CHECKS)[-4:] == ["increasing_time", "unique_time", "regular_freq",
                                 "min_length"]
    assert all(len(v) == 2 for v in CHECKS.values())


def test_clean_series_has_no_failures():
    assert run([frame([0, 1, 2, 3])])[0] == []


def test_order_repeat_and_gap_in_one_group():
    cases, _ = run([frame([0, 1, 3, 2, 2, 6])])
    # time order: 0 1 2 2 3 6 -> row 4 repeats row 3; 6 follows 3 by 3 steps
    assert cases == [("increasing_time", "a", 3, 3), ("unique_time", "a", 4, 3),
                     ("regular_freq", "a", 5, 3)]


def test_interleaved_groups():
    t = [0, 0, 1, 1, 2, 3, 4, 4]
    g = ["a", "b", "a", "b", "a", "a", "a", "b"]
    cases, _ = run([frame(t, g)])
    assert cases == [("regular_freq", "b", 7, 3)]


def test_failures_straddling_chunk_boundaries():
    f = frame([0, 1, 2, 2, 5, 6, 6, 7])
    whole, _ = run([f])
    assert whole == [("unique_time", "a", 3, 2), ("unique_time", "a", 6, 5),
                     ("regular_freq", "a", 4, 3)]
    for cut in range(len(f) + 1):
        for cut2 in range(cut, len(f) + 1):
            parts = [f.iloc[:cut], f.iloc[cut:cut2], f.iloc[cut2:]]
            assert sorted(run(parts)[0]) == sorted(whole), (cut, cut2)


def test_out_of_order_rows_across_a_boundary():
    f = frame([0, 1, 2, 5, 3, 4, 6])
    whole, _ = run([f])
    assert whole == [("increasing_time", "a", 4, 5)]
    for cut in range(len(f) + 1):
        cases = run([f.iloc[:cut], f.iloc[cut:]])[0]
        # order failures are exact; a row out of order across the boundary may also
        # show as a step (the documented limit of carrying one time per group)
        assert [c for c in cases if c[0] == "increasing_time"] == whole


def test_groups_seen_in_later_chunks_and_min_length():
    first = frame([0, 1], ["a", "a"])
    second = frame([2, 0, 1, 2], ["a", "b", "b", "b"])
    cases, c = run([first, second], min_length=3)
    assert cases == []
    cases, _ = run([first, frame([0], ["b"])], min_length=3)
    assert cases == [("min_length", "a", pd.NA, 2), ("min_length", "b", pd.NA, 1)]


def test_rows_without_time_or_group_are_skipped_not_gaps():
    f = pd.DataFrame({"t": [0.0, np.nan, 2.0, 3.0, 4.0], "g": ["a", "a", "a", None, "a"]})
    cases, _ = run([f])
    # row 1 has no time (no gap over it); row 3 has no group, so 'a' misses time 3
    assert cases == [("regular_freq", "a", 4, 2)]
    for cut in range(1, 5):
        assert run([f.iloc[:cut], f.iloc[cut:]])[0] == cases


def test_inferred_step_and_note():
    cases, c = run([frame([0, 5, 10, 20, 25])], freq=None)
    assert cases == [("regular_freq", "a", 3, 10)]
    assert c.step_text == "5" and "inferred" in c.notes[0]


def test_inferred_calendar_step():
    t = pd.date_range("2020-01-31", periods=8, freq="ME")
    cases, c = run([frame(t)], freq=None)
    assert cases == [] and c.step_text == "ME"
    cases, c = run([frame(t.delete(4))], freq=None)
    assert c.step_text == "ME" and [x[:3] for x in cases] == [("regular_freq", "a", 4)]


def test_irregular_series_with_regular_false():
    assert run([frame([0, 1, 5, 6])], freq=None, regular=False)[0] == []


def test_freq_of_the_wrong_kind_is_a_schema_error_not_a_skipped_check():
    # issue 15 class 2: this check used to be skipped with a note (a false pass)
    with pytest.raises(SchemaError, match=r"^`freq` must be a pandas frequency .* Received: freq=3"):
        run([frame(pd.date_range("2024", periods=3, freq="h"))], freq=3)
    with pytest.raises(SchemaError, match=r"^`freq` must be a positive number .* Received: freq='h'"):
        run([frame([0, 1, 2])], freq="h")


def test_without_groups():
    c = TimeChecker("t", None, freq=1, min_length=5)
    f = pd.DataFrame({"t": [0, 1, 1, 2]})
    table = pd.concat(c.update(f) + c.finish())
    assert table["check"].tolist() == ["unique_time", "min_length"]
    assert table["group"].tolist() == [None, None]


@pytest.mark.parametrize("values", [
    pd.Series(np.repeat(["a", "b", None, "c", "a"], 400), dtype="str"),
    pd.Series(np.repeat([3, 1, 2, 3], 500)),
    pd.Series(np.tile(["x", "y"], 1000), dtype="str"),          # interleaved: plain path
    pd.Series(np.repeat(["p", "q"], 1000)).astype(object),
    pd.Series(np.repeat(["p", "q"], 1000)).astype("category"),
])
def test_run_based_factorize_equals_pandas(values):
    codes, uniques = _factorize(values)
    ref_codes, ref_uniques = pd.factorize(values, use_na_sentinel=True)
    np.testing.assert_array_equal(codes, ref_codes)
    assert list(uniques) == list(ref_uniques)


# -------------------------------------------------------------------- parsing


def test_parse_iso_strings_with_garbage():
    s = pd.Series(["2024-01-01", "2024-01-01 10:00", None, "soon"])
    p = parse_time(s, column="t", time_type=None, timezone=None)
    assert p.kind == "datetime" and p.valid.tolist() == [True, True, False, False]
    (f,) = p.failures
    assert f[["check", "row", "value"]].values.tolist() == [["time_parses", 3, "soon"]]


def test_parse_integer_strings_when_asked():
    p = parse_time(pd.Series(["1", "2", "x"]), column="t", time_type="integer", timezone=None)
    assert p.kind == "integer" and p.values[:2].tolist() == [1, 2]
    assert p.failures[0]["value"].tolist() == ["x"]


def test_parse_rejects_booleans_and_fractional_numbers():
    for s in (pd.Series([True, False]), pd.Series([0.5, 1.0])):
        p = parse_time(s, column="t", time_type=None, timezone=None)
        assert p.kind is None and p.failures[0]["check"].tolist() == ["dtype"]


def test_parse_converts_to_the_policy_timezone():
    s = pd.Series(pd.date_range("2024-01-01", periods=2, freq="h", tz="UTC"))
    p = parse_time(s, column="t", time_type=None, timezone="America/Chicago")
    assert str(p.series.dt.tz) == "America/Chicago"
    assert p.values.tolist() == s.astype("datetime64[ns, UTC]").dt.tz_localize(None) \
        .astype("int64").tolist()


# ---------------------------------------------------------------- frequencies


@pytest.mark.parametrize("freq, out", [("1h", "h"), ("15min", "15min"), ("D", "D"),
                                       ("MS", "MS"), (3, 3), (None, None),
                                       (pd.offsets.Hour(2), "2h")])
def test_normalize_freq(freq, out):
    assert normalize_freq(freq) == out


@pytest.mark.parametrize("freq", ["fortnightly", -1, 0, True, 2.5, "-1h"])
def test_bad_freq(freq):
    with pytest.raises(SchemaError, match=r"^`freq` must be a p"):
        normalize_freq(freq)


def test_step_names():
    assert step_name(86_400 * 10**9) == "D"
    assert step_name(7 * 86_400 * 10**9) == "7D"
    assert step_name(90 * 60 * 10**9) == "90min"


# -------------------------------------------------------------------- pandera


def test_registered_pandera_checks():
    _register()
    _register()  # idempotent
    df = pd.DataFrame({"t": [0, 1, 1, 5], "g": "a", "x": [1.0, np.inf, 2.0, 3.0]})
    schema = pa.DataFrameSchema(
        {"x": pa.Column(float, checks=[pa.Check.numeric(), pa.Check.finite()]),
         "t": pa.Column(checks=pa.Check.time_parses(time_type="integer", timezone=None))},
        checks=[pa.Check.unique_time(time="t", group="g"),
                pa.Check.regular_freq(time="t", group="g", freq=1),
                pa.Check.min_length(time="t", group="g", min_length=5),
                pa.Check.increasing_time(time="t", group="g")])
    with pytest.raises(pa.errors.SchemaErrors) as info:
        schema.validate(df, lazy=True)
    fc = info.value.failure_cases
    found = {c.split("(")[0] for c in fc["check"].astype(str)}
    assert found == {"finite", "unique_time", "regular_freq", "min_length"}
    assert set(fc.loc[fc["check"].astype(str).str.startswith("unique"), "index"]) == {2}
