"""SeriesSchema and infer_schema: arguments, every check, reports, YAML, pandera, windows."""

from __future__ import annotations

import json
import re
import warnings

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pytest

import seqprep
from seqprep import SchemaError, SeriesSchema, ValidationError, infer_schema


def panel(n_groups=2, length=6, freq="h", start="2024-01-01"):
    t = pd.date_range(start, periods=length, freq=freq)
    return pd.DataFrame({
        "id": np.repeat([f"g{i}" for i in range(n_groups)], length),
        "t": np.tile(t, n_groups),
        "x": np.arange(n_groups * length, dtype=float),
        "y": np.ones(n_groups * length),
    })


def fails(schema, df):
    with pytest.raises(ValidationError) as info:
        schema.validate(df)
    return info.value


def cases(err, *cols):
    return [tuple(r) for r in err.failures[list(cols)].astype(object).to_numpy()]


SCHEMA = SeriesSchema("t", group="id", features=["x"], targets="y", freq="h", min_length=3)


# ----------------------------------------------------------------- arguments


@pytest.mark.parametrize("kwargs, start", [
    (dict(time=None), r"^`time` must be a column name"),
    (dict(time=1.5), r"^`time` must be a column name"),
    (dict(time="t", group="t"), r"^`group` must differ from `time`"),
    (dict(time="t", features=["x", "x"]), r"^`features` must not repeat a column"),
    (dict(time="t", features={"x": 1}), r"^`features` must be a column name or a list"),
    (dict(time="t", features=["t"]), r"^`features` must not include the time or group"),
    (dict(time="t", freq="3 parsecs"), r"^`freq` must be a pandas frequency"),
    (dict(time="t", freq=0), r"^`freq` must be a positive integer"),
    (dict(time="t", freq=True), r"^`freq` must be a pandas frequency"),
    (dict(time="t", freq="h", time_type="integer"), r"^`freq` must match `time_type`"),
    (dict(time="t", time_type="date"), r"^`time_type` must be 'datetime', 'integer' or None"),
    (dict(time="t", min_length=0), r"^`min_length` must be a positive integer or None"),
    (dict(time="t", min_length=2.0), r"^`min_length` must be a positive integer"),
    (dict(time="t", regular=False, freq="h"), r"^`freq` has no effect with regular=False"),
    (dict(time="t", regular="yes"), r"^`regular` must be True or False"),
    (dict(time="t", timezone="Mars/Olympus"), r"^`timezone` must be None, 'naive' or a "),
    (dict(time="t", timezone="UTC", freq=1), r"^`timezone` applies to datetimes only"),
    (dict(time="t", strict=1), r"^`strict` must be True or False"),
    (dict(time="t", features="x", allow_nan=["z"]), r"^`allow_nan` must be True, False or"),
    (dict(time="t", ranges={"x": (3, 1)}), r"^`ranges\['x'\]` must have min <= max"),
    (dict(time="t", ranges={"x": (None, None)}), r"^`ranges\['x'\]` must set a min"),
    (dict(time="t", ranges={"x": ("a", 1)}), r"^`ranges` must map each column to a \(min"),
    (dict(time="t", ranges={"t": (0, 1)}), r"^`ranges` cannot constrain the time or group"),
    (dict(time="t", ranges=[1, 2]), r"^`ranges` must map column names"),
    (dict(time="t", allowed={"x": []}), r"^`allowed\['x'\]` must be a non-empty list"),
    (dict(time="t", allowed={"x": "abc"}), r"^`allowed\['x'\]` must be a list of values"),
    (dict(time="t", allowed={"t": [1]}), r"^`allowed` cannot constrain the time column"),
])
def test_bad_arguments_are_schema_errors(kwargs, start):
    with pytest.raises(SchemaError, match=start):
        SeriesSchema(**kwargs)


def test_schema_error_and_validation_error_are_distinct_value_errors():
    assert issubclass(SchemaError, seqprep.SeqprepError) and issubclass(SchemaError, ValueError)
    assert issubclass(ValidationError, seqprep.SeqprepError)
    assert issubclass(ValidationError, ValueError)
    assert not issubclass(ValidationError, SchemaError)
    assert not issubclass(SchemaError, ValidationError)
    assert ValidationError.__module__ == "seqprep"


def test_validate_needs_a_dataframe():
    with pytest.raises(seqprep.ArgumentTypeError, match=r"^`df` must be a pandas DataFrame"):
        SCHEMA.validate(np.zeros((3, 2)))


def test_normalised_frequency_and_columns():
    s = SeriesSchema("t", "id", "x", ["y", "x"], freq="1h", ranges={"z": (0, None)},
                     allowed={"kind": ["a"]})
    assert s.freq == "h"
    assert s.features == ("x",) and s.targets == ("y", "x")
    assert s.columns == ["t", "id", "x", "y", "z", "kind"]
    assert "in_range" in s.checks and "allowed_values" in s.checks
    assert "min_length" not in s.checks and "no_extra_columns" not in s.checks


# -------------------------------------------------------------- valid data


def test_valid_frame_is_returned_unchanged():
    df = panel()
    assert SCHEMA.validate(df) is df


def test_interleaved_groups_are_valid():
    df = panel(3).sort_values(["t", "id"]).reset_index(drop=True)
    assert SCHEMA.validate(df) is df


def test_string_times_are_parsed_in_the_returned_frame():
    df = panel()
    df["t"] = df["t"].dt.strftime("%Y-%m-%d %H:%M")
    out = SCHEMA.validate(df)
    assert pd.api.types.is_datetime64_any_dtype(out["t"])
    assert df["t"].dtype != out["t"].dtype  # the input is not modified
    assert (out["t"] == panel()["t"]).all()


def test_time_and_group_may_be_index_levels():
    df = panel().set_index(["id", "t"])
    assert SCHEMA.validate(df) is df
    err = fails(SCHEMA, pd.concat([df, df.iloc[[2]]]))  # appended: late and a repeat
    assert cases(err, "check", "row") == [("increasing_time", 12), ("unique_time", 12)]


# --------------------------------------------------------------- each check


def test_missing_and_extra_columns():
    s = SeriesSchema("t", "id", ["x", "z"], strict=True)
    err = fails(s, panel().assign(extra=1))
    assert cases(err, "check", "column") == [("column_present", "z"),
                                             ("no_extra_columns", "y"),
                                             ("no_extra_columns", "extra")]


def test_repeated_column_names():
    df = panel()
    df.columns = ["id", "t", "x", "x"]
    err = fails(SeriesSchema("t", "id", "x"), df)
    assert cases(err, "check", "column") == [("unique_columns", "x")]


def test_non_numeric_feature_is_one_dtype_failure():
    df = panel().assign(x=lambda d: d["x"].astype(str))
    err = fails(SCHEMA, df)
    assert cases(err, "check", "column", "row") == [("dtype", "x", pd.NA)]
    assert err.failures["value"].iloc[0] in ("object", "str")


def test_nan_and_infinity_with_group_time_and_row():
    df = panel()
    df.loc[2, "x"] = np.nan
    df.loc[8, "y"] = -np.inf
    err = fails(SCHEMA, df)
    assert cases(err, "check", "column", "group", "row", "time") == [
        ("not_null", "x", "g0", 2, pd.Timestamp("2024-01-01 02:00")),
        ("finite", "y", "g1", 8, pd.Timestamp("2024-01-01 02:00")),
    ]
    assert err.failures["value"].iloc[1] == -np.inf


def test_allow_nan_and_inf_for_named_columns():
    df = panel()
    df.loc[2, "x"] = np.nan
    df.loc[3, "x"] = np.inf
    df.loc[4, "y"] = np.nan
    s = SeriesSchema("t", "id", "x", "y", allow_nan=["x"], allow_inf=True)
    err = fails(s, df)
    assert cases(err, "check", "column", "row") == [("not_null", "y", 4)]
    assert SeriesSchema("t", "id", "x", "y", allow_nan=True, allow_inf=["x"]).validate(df) is df


def test_missing_group_and_time_values():
    df = panel()
    df.loc[1, "id"] = None
    df.loc[4, "t"] = pd.NaT
    err = fails(SCHEMA, df)
    # a row with no time is not taken for a gap; a row with no group is in no group, so
    # group g0 misses its 01:00
    assert cases(err, "check", "column", "row") == [("not_null", "id", 1), ("not_null", "t", 4),
                                                    ("regular_freq", "t", 2)]


def test_ranges_and_allowed_values():
    df = panel()
    s = SeriesSchema("t", "id", "x", ranges={"x": (0, 10), "y": (None, 0.5)},
                     allowed={"id": ["g0"]})
    err = fails(s, df)
    counts = err.counts
    assert counts == {"in_range": 1 + 12, "allowed_values": 6}
    assert set(err.failures.loc[err.failures["column"] == "x", "value"]) == {11.0}


def test_time_that_does_not_parse():
    df = panel().astype({"t": str})
    df.loc[3, "t"] = "yesterday"
    err = fails(SCHEMA, df)
    assert cases(err, "check", "row", "value") == [("time_parses", 3, "yesterday")]


def test_time_of_the_wrong_kind():
    err = fails(SeriesSchema("t", "id", time_type="integer"), panel())
    assert cases(err, "check", "column", "row") == [("dtype", "t", pd.NA)]
    err = fails(SeriesSchema("t", "id", freq="h"), panel().assign(t=True))
    assert err.counts == {"dtype": 1}


def test_unsorted_rows_are_reported_once_not_as_gaps():
    df = panel()
    df.iloc[[2, 3]] = df.iloc[[3, 2]].to_numpy()
    err = fails(SCHEMA, df)
    assert cases(err, "check", "group", "row", "time", "value") == [
        ("increasing_time", "g0", 3, pd.Timestamp("2024-01-01 02:00"),
         pd.Timestamp("2024-01-01 03:00"))]


def test_repeats_point_at_the_first_occurrence():
    df = panel()
    df = pd.concat([df.iloc[:3], df.iloc[[2, 2]], df.iloc[3:]], ignore_index=True)
    err = fails(SCHEMA, df)
    assert cases(err, "check", "row", "value") == [("unique_time", 3, 2), ("unique_time", 4, 2)]


def test_every_gap_is_reported_with_its_step():
    df = panel(length=10).drop(index=[2, 3, 7, 15]).reset_index(drop=True)
    err = fails(SCHEMA, df)
    assert cases(err, "check", "group", "row", "value") == [
        ("regular_freq", "g0", 2, pd.Timedelta("3h")),
        ("regular_freq", "g0", 5, pd.Timedelta("2h")),
        ("regular_freq", "g1", 12, pd.Timedelta("2h")),
    ]


def test_off_grid_time_is_a_freq_failure():
    df = panel()
    df.loc[3, "t"] = df.loc[3, "t"] + pd.Timedelta("10min")
    err = fails(SCHEMA, df)
    assert cases(err, "check", "row", "value") == [("regular_freq", 3, pd.Timedelta("70min")),
                                                   ("regular_freq", 4, pd.Timedelta("50min"))]


def test_short_groups_are_named():
    df = pd.concat([panel(length=6), panel(length=2).assign(id=["s", "s", "u", "u"])],
                   ignore_index=True)
    err = fails(SCHEMA, df)
    assert cases(err, "check", "column", "group", "row", "value") == [
        ("min_length", "id", "s", pd.NA, 2), ("min_length", "id", "u", pd.NA, 2)]


def test_one_series_without_group():
    df = panel(1).drop(columns="id")
    s = SeriesSchema("t", features="x", freq="h", min_length=10)
    err = fails(s, df)
    assert cases(err, "check", "column", "group", "value") == [("min_length", None, None, 6)]


def test_inferred_frequency_is_the_most_common_step():
    df = panel(length=10).drop(index=[4]).reset_index(drop=True)
    err = fails(SeriesSchema("t", "id", "x"), df)
    assert cases(err, "check", "row") == [("regular_freq", 4)]
    assert err.notes == ["regular_freq: step h inferred from the most common step between "
                         "rows; pass `freq` to fix it"]
    assert SeriesSchema("t", "id", "x", regular=False).validate(df) is df


def test_calendar_frequency():
    df = panel(length=14, freq="MS")
    assert SeriesSchema("t", "id", "x", freq="MS").validate(df) is df
    assert SeriesSchema("t", "id", "x").validate(df) is df  # inferred as MS
    err = fails(SeriesSchema("t", "id", "x", freq="MS"), df.drop(index=[5]))
    assert cases(err, "check", "group", "row", "time") == [
        ("regular_freq", "g0", 5, pd.Timestamp("2024-07-01"))]


def test_integer_time():
    df = pd.DataFrame({"step": [0, 2, 4, 8, 8, 10], "v": 1.0})
    s = SeriesSchema("step", features="v", freq=2)
    err = fails(s, df)
    assert cases(err, "check", "row", "time", "value") == [("unique_time", 4, 8, 3),
                                                           ("regular_freq", 3, 8, 4)]
    floats = pd.DataFrame({"step": [0.0, 1.0, np.nan, 3.0], "v": 1.0})
    err = fails(SeriesSchema("step", features="v"), floats)
    assert cases(err, "check", "row") == [("not_null", 2)]  # no gap over a missing time


# --------------------------------------------------------------- time zones


def test_timezone_policies():
    df = panel()
    aware = df.assign(t=df["t"].dt.tz_localize("UTC"))
    assert SeriesSchema("t", "id", timezone="naive").validate(df) is df
    err = fails(SeriesSchema("t", "id", timezone="naive"), aware)
    assert cases(err, "check", "value") == [("timezone", "UTC")]
    err = fails(SeriesSchema("t", "id", timezone="UTC"), df)
    assert cases(err, "check", "value") == [("timezone", "naive")]
    out = SeriesSchema("t", "id", timezone="Asia/Tokyo").validate(aware)
    assert str(out["t"].dt.tz) == "Asia/Tokyo" and (out["t"] == aware["t"]).all()


def test_mixed_offsets_need_a_timezone():
    df = pd.DataFrame({"t": ["2024-03-31T00:00:00+01:00", "2024-03-31T01:00:00+01:00",
                             "2024-03-31T03:00:00+02:00"], "x": 1.0})
    err = fails(SeriesSchema("t", features="x", freq="h"), df)
    assert cases(err, "check", "value") == [("timezone", "mixed UTC offsets")]
    out = SeriesSchema("t", features="x", freq="h", timezone="Europe/Berlin").validate(df)
    assert str(out["t"].dt.tz) == "Europe/Berlin"


def test_local_days_across_daylight_saving_are_regular():
    t = pd.date_range("2024-03-28", periods=7, freq="D", tz="Europe/Berlin")
    df = pd.DataFrame({"t": t, "x": 1.0})
    assert SeriesSchema("t", features="x", freq="D").validate(df) is df
    assert SeriesSchema("t", features="x").validate(df) is df
    hourly = pd.DataFrame({"t": pd.date_range("2024-03-31", periods=6, freq="h",
                                              tz="Europe/Berlin"), "x": 1.0})
    assert SeriesSchema("t", features="x", freq="h").validate(hourly) is hourly


# ------------------------------------------------------------------ reports


def test_several_faults_in_one_frame_are_all_reported():
    df = panel(3, length=8)
    df.loc[1, "x"] = np.nan                                  # not_null
    df = df.drop(index=[12])                                 # gap in g1
    df = pd.concat([df, df.iloc[[20]]], ignore_index=True)   # repeat, out of order
    df = pd.concat([df, pd.DataFrame({"id": ["z"], "t": [pd.Timestamp("2024-01-01")],
                                      "x": [1.0], "y": [np.inf]})], ignore_index=True)
    err = fails(SCHEMA, df)
    assert err.counts == {"not_null": 1, "finite": 1, "increasing_time": 1,
                          "unique_time": 1, "regular_freq": 1, "min_length": 1}
    assert list(err.failures.columns)[:6] == ["check", "column", "group", "row", "time", "value"]
    from seqprep._failures import FAILURE_COLUMNS  # then the locations and typed details

    assert tuple(err.failures.columns) == FAILURE_COLUMNS


def test_message_counts_per_check_shows_cases_and_says_how_to_get_all():
    df = panel(3, length=8)
    df.loc[[1, 2, 3, 4, 5], "x"] = np.nan
    df = df.drop(index=[12])
    err = fails(SCHEMA, df)
    text = str(err)
    assert text.startswith("`df` failed 2 checks of the schema: 6 failures in data of 23 "
                           "rows x 4 columns.")
    assert re.search(r"\n  not_null +5  no missing values", text)
    assert re.search(r"\n  regular_freq +1  consecutive times", text)
    assert "First failures (4 of 6):" in text   # at most 3 per check
    assert "`err.failures`" in text and "`err.to_dict()`" in text and "--format json" in text


def test_validation_error_pickles_with_its_failures():
    import pickle

    df = panel()
    df.loc[1, "x"] = np.nan
    err = fails(SCHEMA, df)
    again = pickle.loads(pickle.dumps(err))
    assert str(again) == str(err) and again.counts == {"not_null": 1}
    pd.testing.assert_frame_equal(again.failures, err.failures)


def test_to_dict_is_strict_json():
    df = panel()
    df.loc[1, "x"] = np.inf
    df.loc[2, "y"] = np.nan
    df = df.drop(index=[4])
    err = fails(SCHEMA, df)
    d = err.to_dict()
    text = json.dumps(d, allow_nan=False)
    back = json.loads(text)
    assert back["valid"] is False and back["n_failures"] == 3
    assert back["counts"] == {"not_null": 1, "finite": 1, "regular_freq": 1}
    inf = [f for f in back["failures"] if f["check"] == "finite"][0]
    first6 = ("check", "column", "group", "row", "time", "value")
    assert {k: inf[k] for k in first6} == {"check": "finite", "column": "x", "group": "g0",
                                           "row": 1, "time": "2024-01-01T01:00:00",
                                           "value": "inf"}
    assert all(v is None for k, v in inf.items() if k not in first6)  # no file, no details
    gap = [f for f in back["failures"] if f["check"] == "regular_freq"][0]
    assert gap["value"] == "P0DT2H0M0S" and gap["row"] == 4
    assert gap["missing_steps"] == 1 and gap["missing_first"] == gap["missing_last"]


def test_rows_are_positions_even_with_a_strange_index():
    df = panel()
    df.index = list("abcdefghijkl")
    df.iloc[7, 2] = np.nan
    err = fails(SCHEMA, df)
    assert cases(err, "check", "row") == [("not_null", 7)]


def test_validate_chunks_carries_state_across_boundaries():
    df = panel(2, length=10).sort_values(["t", "id"]).reset_index(drop=True)
    df = df.drop(index=[6, 7]).reset_index(drop=True)  # a gap in both groups at a boundary
    whole = fails(SCHEMA, df).failures
    with pytest.raises(ValidationError) as info:
        SCHEMA.validate_chunks([df.iloc[:6], df.iloc[6:9], df.iloc[9:]])
    pd.testing.assert_frame_equal(info.value.failures, whole)
    assert SCHEMA.validate_chunks([panel().iloc[:5], panel().iloc[5:]]) == 12


# --------------------------------------------------------------------- YAML


@pytest.mark.parametrize("schema", [
    SeriesSchema("t"),
    SCHEMA,
    SeriesSchema(0, 1, [2, 3], freq=5, time_type="integer", min_length=2),
    SeriesSchema("when", "who", ["a", "b"], ["c"], freq="W-SUN", timezone="Europe/Berlin",
                 strict=True, allow_nan=["a"], allow_inf=True,
                 ranges={"a": (0, None), "c": (-1.5, float("inf"))},
                 allowed={"who": ["x", "y"], "b": [1, 2.5, True]}),
    SeriesSchema("t", regular=False, timezone="naive"),
])
def test_yaml_round_trip_is_lossless(schema, tmp_path):
    text = schema.to_yaml()
    assert text.startswith("# seqprep SeriesSchema")
    assert SeriesSchema.from_yaml(text) == schema
    path = tmp_path / "s.yaml"
    schema.to_yaml(path)
    assert SeriesSchema.from_yaml(path) == schema
    assert SeriesSchema.from_yaml(str(path)) == schema
    assert SeriesSchema.from_yaml(text).to_yaml() == text
    assert SeriesSchema.from_dict(schema.to_dict()) == schema


@pytest.mark.parametrize("text, start", [
    ("seqprep_schema: 1\ntime: t\nfrq: h\n", r"^A seqprep schema has no key 'frq'\. Known keys"),
    ("time: t\n", r"^A seqprep schema must start with its version key"),
    ("seqprep_schema: 2\ntime: t\n", r"^`seqprep_schema` must be 1 for this seqprep"),
    ("seqprep_schema: 1\n", r"^A seqprep schema must name its `time` column"),
    ("seqprep_schema: 1\ntime: t\nfreq: sometimes\n", r"^`freq` must be a pandas frequency"),
    ("seqprep_schema: 1\ntime: [t\n", r"^The schema is not valid YAML"),
    ("- a\n- b\n", r"^A seqprep schema must be a YAML mapping"),
    ("nothere.yaml", r"^`text_or_path` must be YAML text or a readable schema file"),
])
def test_bad_yaml_is_a_schema_error(text, start):
    with pytest.raises(SchemaError, match=start):
        SeriesSchema.from_yaml(text)


def test_repr_shows_what_differs_from_defaults():
    assert repr(SCHEMA) == ("SeriesSchema('t', group='id', features=('x',), targets=('y',), "
                            "freq='h', min_length=3)")


# -------------------------------------------------------------------- infer


def test_infer_schema_from_a_known_good_frame():
    df = panel(3, length=8)
    df.loc[3, "y"] = np.nan
    s = infer_schema(df, time="t", group="id")
    assert s == SeriesSchema("t", "id", ["x", "y"], freq="h", time_type="datetime",
                             timezone="naive", allow_nan=["y"])
    assert s.validate(df) is df


def test_infer_schema_catches_later_faults():
    s = infer_schema(panel(), time="t", group="id", targets="y", min_length=4)
    later = panel(3, length=8)
    later.loc[2, "x"] = np.nan
    later = later.drop(index=[10]).iloc[:-5]
    err = fails(s, later)
    assert err.counts == {"not_null": 1, "regular_freq": 1, "min_length": 1}


def test_infer_schema_integer_and_aware_times():
    df = pd.DataFrame({"k": [1, 4, 7, 10], "v": [1, 2, 3, 4]})
    assert infer_schema(df, "k").freq == 3
    aware = panel().assign(t=lambda d: d["t"].dt.tz_localize("America/New_York"))
    s = infer_schema(aware, "t", "id")
    assert s.timezone == "America/New_York" and s.freq == "h"
    assert infer_schema(panel(length=5, freq="7D"), "t", "id").freq == "7D"


def test_infer_schema_refuses_a_frame_that_is_not_known_good():
    df = pd.concat([panel(), panel().iloc[[3]]], ignore_index=True)
    with pytest.raises(ValidationError, match=r"^`df` is not known-good: it fails 2 checks of "
                                              r"the schema inferred from it"):
        infer_schema(df, "t", "id")


def test_infer_schema_bad_columns():
    with pytest.raises(seqprep.ColumnError, match=r"^`time` must be a column of `df`"):
        infer_schema(panel(), "when")
    with pytest.raises(seqprep.ColumnError, match=r"^`features` and `targets` must be columns"):
        infer_schema(panel(), "t", "id", features=["nope"])


def test_infer_schema_refuses_repeated_column_names():
    df = pd.DataFrame([[1, 2, 3.0], [2, 3, 4.0]], columns=["day", "day", "units"])
    with pytest.raises(seqprep.ColumnError, match=r"^`df` must have unique column names to "
                                                  r"infer a schema from\. Received: 1 repeated "
                                                  r"name \('day' 2 times\) among 3 columns "
                                                  r"\['day', 'day', 'units'\]\. Rename or drop"):
        infer_schema(df, time="units")
    df = panel()
    df.columns = ["id", "t", "x", "x"]  # a repeated feature, with time and group fine
    with pytest.raises(seqprep.ColumnError, match=r"^`df` must have unique column names.*'x' "
                                                  r"2 times"):
        infer_schema(df, time="t", group="id")


def test_infer_schema_refuses_a_frame_without_rows(tmp_path):
    path = tmp_path / "header.csv"
    path.write_text("id,t,x\n")
    empty = pd.read_csv(path)  # every column typed as text
    with pytest.raises(seqprep.ShapeError, match=r"^`df` must have at least one row to infer "
                                                 r"a schema from\. Received: 0 rows x 3 "
                                                 r"columns \['id', 't', 'x'\]"):
        infer_schema(empty, time="t", group="id")
    with pytest.raises(seqprep.ShapeError, match=r"^`df` must have at least one row.*0 rows x "
                                                 r"4 columns"):
        infer_schema(panel().iloc[:0], time="t", group="id")


def test_infer_schema_says_which_columns_it_left_out_when_none_is_numeric():
    df = panel().assign(x=lambda d: d["x"].astype(str), y=lambda d: d["y"] > 0)
    with pytest.warns(UserWarning, match=r"^infer_schema found no numeric feature column, so "
                                         r"the schema checks only the time and group column: "
                                         r"left out 2 columns for not being numeric: 'x' "
                                         r"\(.+\), 'y' \(bool\)\. If they hold numbers"):
        s = infer_schema(df, time="t", group="id")
    assert s.features == ()
    # no warning when a numeric feature is found, or when there is no other column
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert infer_schema(df.assign(z=1.0), time="t", group="id").features == ("z",)
        assert infer_schema(df[["id", "t"]], time="t", group="id").features == ()
        assert infer_schema(df, time="t", group="id", features=[]).features == ()


# ------------------------------------------------------------------- pandera


def test_to_pandera_is_a_dataframe_schema_with_the_time_checks():
    ps = SCHEMA.to_pandera()
    assert isinstance(ps, pa.DataFrameSchema)
    assert [c.name for c in ps.checks] == ["increasing_time", "unique_time", "regular_freq",
                                           "min_length"]
    assert ps.checks[2].statistics["freq"] == "h"
    ps.validate(panel())
    df = pd.concat([panel(), panel().iloc[[3]]], ignore_index=True)
    with pytest.raises(pa.errors.SchemaErrors) as info:
        ps.validate(df, lazy=True)
    found = {c.split("(")[0] for c in info.value.failure_cases["check"].astype(str)}
    assert found == {"increasing_time", "unique_time"}


def test_make_windows_validates_with_a_schema():
    df = panel()
    w = seqprep.make_windows(df, 3, features="x", targets="y", group="id", time="t",
                             schema=SCHEMA)
    assert w.X.shape == (6, 3, 1)
    bad = df.copy()
    bad.loc[1, "x"] = np.nan
    with pytest.raises(ValidationError, match=r"^`df` failed 1 check of the schema"):
        seqprep.make_windows(bad, 3, features="x", targets="y", group="id", time="t",
                             schema=SCHEMA)
