"""Property tests: every injected fault is reported exactly where it was put; sound
panels pass; several faults are all reported; chunks agree with the whole; YAML round
trips; an inferred schema catches later faults.

The oracle is the injection itself: ``seqprep.testing.broken_panels`` records the
check, column, group and rows of each fault it injects.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seqprep import SeriesSchema, ValidationError, infer_schema
from seqprep.testing import FAULTS, broken_panels, panel_schema, panels

FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FREQS = ["h", "MS", "W-SUN", 5]


def expected(broken):
    return {(f.check, f.column, f.group, r) for f in broken.faults for r in (f.rows or (None,))}


def reported(err):
    out = set()
    for rec in err.failures[["check", "column", "group", "row"]].to_dict("records"):
        row = None if pd.isna(rec["row"]) else int(rec["row"])
        out.add((rec["check"], rec["column"], rec["group"], row))
    return out


def failures_of(schema, frame):
    with pytest.raises(ValidationError) as info:
        schema.validate(frame)
    return info.value


@pytest.mark.parametrize("fault", sorted(FAULTS))
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_fault_is_reported_exactly_where_injected(fault, data):
    freq = data.draw(st.sampled_from(FREQS))
    broken = data.draw(broken_panels(fault=fault, freq=freq))
    err = failures_of(panel_schema(freq=freq), broken.frame)
    assert reported(err) == expected(broken)


@FAST
@given(st.sampled_from(FREQS).flatmap(lambda f: st.tuples(st.just(f), panels(freq=f))))
def test_sound_panels_pass_seqprep_and_pandera(case):
    freq, df = case
    schema = panel_schema(freq=freq)
    assert schema.validate(df) is df
    schema.to_pandera().validate(df)
    # with the frequency left to inference, too
    SeriesSchema("time", "group", schema.features, min_length=4).validate(df)


@FAST
@given(st.data())
def test_several_faults_in_one_frame_are_all_reported(data):
    faults = data.draw(st.lists(st.sampled_from(sorted(FAULTS)), min_size=2, max_size=8,
                                unique=True))
    freq = data.draw(st.sampled_from(FREQS))
    broken = data.draw(broken_panels(fault=faults, freq=freq, n_groups=(4, 6)))
    err = failures_of(panel_schema(freq=freq), broken.frame)
    assert reported(err) == expected(broken)
    assert set(err.counts) == {FAULTS[f] for f in faults}


@FAST
@given(st.data())
def test_pandera_schema_catches_every_fault_too(data):
    broken = data.draw(broken_panels())
    with pytest.raises(pa.errors.SchemaErrors) as info:
        panel_schema().to_pandera().validate(broken.frame, lazy=True)
    names = {c.split("(")[0] for c in info.value.failure_cases["check"].astype(str)}
    pandera_name = {"not_null": "not_nullable", "dtype": "numeric",
                    "column_present": "column_in_dataframe"}
    check = broken.faults[0].check
    assert pandera_name.get(check, check) in names


@FAST
@given(st.data())
def test_chunks_agree_with_the_whole_frame(data):
    faults = data.draw(st.lists(st.sampled_from(sorted(set(FAULTS) - {"unsorted"})),
                                max_size=7, unique=True))
    freq = data.draw(st.sampled_from(FREQS))
    if faults:
        frame = data.draw(broken_panels(fault=faults, freq=freq, n_groups=(4, 6))).frame
    else:
        frame = data.draw(panels(freq=freq))
    cuts = sorted(data.draw(st.lists(st.integers(0, len(frame)), max_size=4)))
    chunks = [frame.iloc[a:b] for a, b in zip([0, *cuts], [*cuts, len(frame)])]
    schema = panel_schema(freq=freq)
    try:
        schema.validate(frame)
        whole = None
    except ValidationError as err:
        whole = err.failures
    try:
        assert schema.validate_chunks(chunks) == len(frame)
        parts = None
    except ValidationError as err:
        parts = err.failures
    if whole is None:
        assert parts is None
    else:
        pd.testing.assert_frame_equal(parts, whole)


names = st.text("abcxyz_", min_size=1, max_size=6)
numbers = st.one_of(st.none(), st.integers(-100, 100),
                    st.floats(-1e6, 1e6, allow_nan=False))


@st.composite
def schemas(draw):
    cols = draw(st.lists(names, min_size=2, max_size=6, unique=True))
    time, group, *rest = cols
    features = rest[: draw(st.integers(0, len(rest)))]
    targets = draw(st.lists(st.sampled_from(rest), unique=True)) if rest else []
    numeric = list(dict.fromkeys(features + targets))
    integer = draw(st.booleans())
    freq = draw(st.one_of(st.none(), st.integers(1, 50) if integer else
                          st.sampled_from(["h", "15min", "D", "7D", "MS", "W-SUN", "QS"])))
    regular = True if freq is not None else draw(st.booleans())
    flag = st.one_of(st.booleans(), st.lists(st.sampled_from(numeric), unique=True)) \
        if numeric else st.booleans()
    ranges = {}
    for c in draw(st.lists(st.sampled_from(rest), unique=True)) if rest else []:
        lo, hi = draw(numbers), draw(numbers)
        if lo is None and hi is None:
            hi = 1
        if lo is not None and hi is not None and lo > hi:
            lo, hi = hi, lo
        ranges[c] = (lo, hi)
    allowed = {}
    for c in draw(st.lists(st.sampled_from(cols[1:]), unique=True, max_size=2)):
        allowed[c] = draw(st.lists(st.one_of(names, st.integers(), st.booleans()),
                                   min_size=1, max_size=4))
    return SeriesSchema(
        time, draw(st.sampled_from([group, None])), features, targets, freq=freq,
        min_length=draw(st.one_of(st.none(), st.integers(1, 500))), regular=regular,
        time_type=("integer" if integer else "datetime") if draw(st.booleans()) else None,
        timezone=None if integer else draw(st.sampled_from([None, "naive", "UTC",
                                                            "Europe/Paris"])),
        strict=draw(st.booleans()), allow_nan=draw(flag), allow_inf=draw(flag),
        ranges=ranges, allowed=allowed)


@FAST
@given(schemas())
def test_yaml_round_trip_is_lossless(schema):
    text = schema.to_yaml()
    again = SeriesSchema.from_yaml(text)
    assert again == schema and again.to_yaml() == text
    assert again.checks == schema.checks and repr(again) == repr(schema)


@FAST
@given(st.data())
def test_inferred_schema_catches_later_faults(data):
    freq = data.draw(st.sampled_from(FREQS))
    good = data.draw(panels(freq=freq, length=(6, 20)))
    schema = infer_schema(good, time="time", group="group", min_length=4)
    # weekly anchored data is regular at 7 days too; both name the same grid here
    assert schema.freq == {"W-SUN": "7D"}.get(freq, panel_schema(freq=freq).freq)
    assert schema.validate(good) is good
    # a round trip through YAML keeps what was learned
    schema = SeriesSchema.from_yaml(schema.to_yaml())
    broken = data.draw(broken_panels(freq=freq))
    err = failures_of(schema, broken.frame)
    assert {f.check for f in broken.faults} <= set(err.counts)
