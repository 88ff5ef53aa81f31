"""How much do seqprep's time-series checks cost? Two ratios, measured in one run.

1. ``SeriesSchema.validate`` with every check (columns present, numeric, no NaN, no
   infinity, ranges, time parses, timezone, increasing time per group, no repeated
   (group, time), regular frequency, minimum length) against a bare pandera
   ``DataFrameSchema`` doing dtype, not-null and range checks on the same frame.
   Target: at most 3x. pandera's ``validate`` copies the frame unless ``inplace=True``
   (seqprep validates in place, it never modifies the frame), so both baselines are shown.
2. ``seqprep validate DATA.csv --schema S.yaml`` (a new process, as in CI) against reading
   the same CSV with ``pandas.read_csv(engine="pyarrow")``. Target: at most 1.5x. The
   command pays for starting Python and importing pandas, pandera and click, which an
   in-process read does not, so it is also compared with a process that only reads.
3. The command streams CSV in blocks (issue 12): its time against a process that reads
   the whole file with ``pyarrow.csv.read_csv``, and the peak memory (RSS) of each
   process against the file's size, with the default chunks (100,000 rows) and with
   ``--chunk-rows 1000000``.

The data: 2,000,000 rows, 100 groups of 20,000 hourly timestamps, 8 float features.

Run: ``python benchmarks/bench_validate.py`` (``--rows 200000`` for a quick look).
Each time is the median of ``--repeat`` runs after a warm-up run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd


def make_frame(rows: int, groups: int, features: int, seed: int = 0) -> pd.DataFrame:
    per = rows // groups
    rng = np.random.default_rng(seed)
    data = {
        "store": np.repeat([f"s{i:03d}" for i in range(groups)], per),
        "time": np.tile(pd.date_range("2020-01-01", periods=per, freq="h").to_numpy(), groups),
    }
    for j in range(features):
        data[f"x{j}"] = rng.normal(size=per * groups).round(6)
    return pd.DataFrame(data)


def median_time(fn, repeat: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def run_processes(commands: dict[str, list[str]], repeat: int) -> dict[str, float]:
    """Median wall time of each command, run in turn (A, B, C, A, B, C, ...) so that a
    change in the machine's load hits all of them alike. The first round warms caches."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for i in range(repeat + 1):
        for name, args in commands.items():
            t = time.perf_counter()
            r = subprocess.run(args, capture_output=True, text=True)
            elapsed = time.perf_counter() - t
            if r.returncode != 0:
                raise SystemExit(f"{' '.join(args)} exited {r.returncode}: "
                                 f"{r.stderr or r.stdout}")
            if i:
                times[name].append(elapsed)
    return {name: statistics.median(ts) for name, ts in times.items()}


PEAK = ("import resource, subprocess, sys; "
        "r = subprocess.run(sys.argv[1:], capture_output=True); "
        "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def peak_mib(args: list[str]) -> float:
    """Peak RSS (MiB) of one run of ``args``, measured by a parent that runs only it."""
    out = subprocess.run([sys.executable, "-c", PEAK, *args], capture_output=True,
                         text=True).stdout.split()
    if out[0] != "0":
        raise SystemExit(f"{' '.join(args)} exited {out[0]}")
    return int(out[1]) / 1024


def streamed(csv: str, yaml: str, size: int, repeat: int) -> None:
    """Section 3: the streamed command against a whole-file pyarrow read: time and memory.

    The command's peak is also shown beyond that of the same command on the file's first
    1,000 rows (imports and set-up), which is what streaming bounds.
    """
    tiny = csv + ".head.csv"
    with open(csv) as src, open(tiny, "w") as dst:
        dst.writelines(line for _, line in zip(range(1001), src))
    cli = [sys.executable, "-m", "seqprep", "validate"]
    commands = {
        "pyarrow": [sys.executable, "-c", f"import pyarrow.csv as c; c.read_csv({csv!r})"],
        "cli": cli + [csv, "--schema", yaml, "--quiet"],
        "cli1m": cli + [csv, "--schema", yaml, "--quiet", "--chunk-rows", "1000000"],
    }
    times = run_processes(commands, repeat)
    peaks = {name: peak_mib(args) for name, args in commands.items()}
    base = peak_mib(cli + [tiny, "--schema", yaml, "--quiet"])
    mib = size / 2**20
    print(f"3. streamed CSV ({mib:.0f} MiB): time and peak RSS of the process "
          f"(the command on 1,000 rows peaks at {base:.0f} MiB)")
    for name, label in (("pyarrow", "pyarrow.csv.read_csv (whole file), process"),
                        ("cli", "seqprep validate (default chunks, 100,000 rows)"),
                        ("cli1m", "seqprep validate --chunk-rows 1000000")):
        grew = "" if name == "pyarrow" else f", {peaks[name] - base:5.0f} MiB over 1,000 rows"
        print(f"   {label:<48} {times[name]:6.2f} s  {peaks[name]:6.0f} MiB "
              f"({peaks[name] / mib:.2f}x the file{grew})")
    print(f"   time, command / pyarrow read: {times['cli'] / times['pyarrow']:.2f}x "
          f"(chunks of 1,000,000: {times['cli1m'] / times['pyarrow']:.2f}x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--groups", type=int, default=100)
    parser.add_argument("--features", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    import pandera.pandas as pa

    import seqprep

    df = make_frame(args.rows, args.groups, args.features)
    feats = [f"x{j}" for j in range(args.features)]
    print(f"data: {len(df):,} rows x {df.shape[1]} columns, {args.groups} groups, "
          f"{args.features} float features; median of {args.repeat} runs\n")

    bare = pa.DataFrameSchema({
        "store": pa.Column(str, nullable=False),
        "time": pa.Column("datetime64[ns]", nullable=False),
        **{f: pa.Column(float, nullable=False, checks=pa.Check.in_range(-100, 100))
           for f in feats},
    })
    schema = seqprep.SeriesSchema("time", "store", feats, freq="h", min_length=1000,
                                  time_type="datetime", timezone="naive", strict=True,
                                  ranges={f: (-100, 100) for f in feats})
    inferred = seqprep.SeriesSchema("time", "store", feats, min_length=1000, strict=True,
                                    ranges={f: (-100, 100) for f in feats})
    stores = sorted(df["store"].unique())
    allowed = seqprep.SeriesSchema("time", "store", feats, freq="h", min_length=1000,
                                   strict=True, ranges={f: (-100, 100) for f in feats},
                                   allowed={"store": stores})
    for s in (schema, inferred, allowed):
        assert s.validate(df) is df

    t_bare = median_time(lambda: bare.validate(df, lazy=True), args.repeat)
    t_bare_inplace = median_time(lambda: bare.validate(df, lazy=True, inplace=True),
                                 args.repeat)
    t_seqprep = median_time(lambda: schema.validate(df), args.repeat)
    t_inferred = median_time(lambda: inferred.validate(df), args.repeat)
    t_allowed = median_time(lambda: allowed.validate(df), args.repeat)
    checker = schema._checker
    t_time_only = median_time(lambda: checker().update(df), args.repeat)

    print_section_1(t_bare, t_bare_inplace, t_seqprep, t_inferred, t_allowed, t_time_only)

    with tempfile.TemporaryDirectory() as tmp:
        csv = os.path.join(tmp, "data.csv")
        yaml = os.path.join(tmp, "schema.yaml")
        df.to_csv(csv, index=False)
        schema.to_yaml(yaml)
        size = os.path.getsize(csv)
        del df

        t_read = median_time(lambda: pd.read_csv(csv, engine="pyarrow"), args.repeat)
        from seqprep._cli import read_data

        t_read_validate = median_time(lambda: schema.validate(read_data(csv)), args.repeat)
        procs = run_processes({
            "read": [sys.executable, "-c",
                     f"import pandas as pd; pd.read_csv({csv!r}, engine='pyarrow')"],
            "cli": [sys.executable, "-m", "seqprep", "validate", csv, "--schema", yaml,
                    "--quiet"],
            "start": [sys.executable, "-m", "seqprep", "--version"],
        }, args.repeat)
        t_read_proc, t_cli, t_start = procs["read"], procs["cli"], procs["start"]
        print_section_2(size, t_read, t_read_validate, t_read_proc, t_cli, t_start)
        streamed(csv, yaml, size, args.repeat)


def print_section_1(t_bare: float, t_bare_inplace: float, t_seqprep: float,
                    t_inferred: float, t_allowed: float, t_time_only: float) -> None:
    """Section 1: validating a DataFrame in memory, against bare pandera."""
    print("1. validate a DataFrame in memory")
    print(f"   pandera, dtype + not-null + range, validate(lazy=True)   {t_bare * 1e3:8.1f} ms")
    print(f"   same, validate(lazy=True, inplace=True)                  "
          f"{t_bare_inplace * 1e3:8.1f} ms")
    print(f"   SeriesSchema.validate, every check, freq='h'             "
          f"{t_seqprep * 1e3:8.1f} ms")
    print(f"   SeriesSchema.validate, every check, freq inferred        "
          f"{t_inferred * 1e3:8.1f} ms")
    print(f"   same, plus allowed values for the group column (isin)    "
          f"{t_allowed * 1e3:8.1f} ms")
    print(f"     of which the per-group time checks                     "
          f"{t_time_only * 1e3:8.1f} ms")
    r1, r1i = t_seqprep / t_bare, t_seqprep / t_bare_inplace
    print(f"   ratio vs pandera validate: {r1:.2f}x, vs pandera in place: {r1i:.2f}x "
          f"(target <= 3x: {'PASS' if max(r1, r1i) <= 3 else 'over'})\n")


def print_section_2(size: int, t_read: float, t_read_validate: float, t_read_proc: float,
                    t_cli: float, t_start: float) -> None:
    """Section 2: the command against reading the CSV with pandas."""
    print(f"2. validate a CSV file ({size / 1e6:.0f} MB)")
    print(f"   pandas.read_csv(engine='pyarrow'), in process            {t_read:8.2f} s")
    print(f"   read (pyarrow) + SeriesSchema.validate, in process        {t_read_validate:8.2f} s")
    print(f"   python -c 'pandas.read_csv(engine=\"pyarrow\")', process   {t_read_proc:8.2f} s")
    print(f"   seqprep validate DATA.csv --schema S.yaml, process       {t_cli:8.2f} s")
    print(f"     of which starting seqprep (seqprep --version)          {t_start:8.2f} s")
    r2, r2p, r2i = t_cli / t_read, t_cli / t_read_proc, t_read_validate / t_read
    print(f"   ratio command / in-process read: {r2:.2f}x "
          f"(target <= 1.5x: {'PASS' if r2 <= 1.5 else 'over'})")
    print(f"   ratio command / reading process: {r2p:.2f}x "
          f"(target <= 1.5x: {'PASS' if r2p <= 1.5 else 'over'})")
    print(f"   ratio in-process read + validate / read: {r2i:.2f}x")


if __name__ == "__main__":
    main()
