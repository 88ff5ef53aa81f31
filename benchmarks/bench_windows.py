"""Speed and memory of make_windows and to_supervised, printed as ratios.

Run from the repository root (it takes a minute or two and needs ~10 GB of free memory
at the default size)::

    python benchmarks/bench_windows.py            # 1,000,000 rows x 16 float32, timesteps=64
    python benchmarks/bench_windows.py --rows 200000 --repeat 5

What is measured, in one run on one machine:

1. ``make_windows(copy=False)`` at 1% / 10% / 100% of the rows: constant time.
2. ``make_windows(copy=True)`` against filling a fresh array of the same bytes
   (``np.empty(...).fill(1)``), the machine's write floor: target <= 1.5x.
3. Peak memory of ``make_windows(copy=True)`` beyond the input, over the output's bytes:
   target <= 1.1x. Measured in a fresh subprocess with ``tracemalloc`` (numpy reports its
   allocations to it) and cross-checked with the peak resident set size.
4. ``make_windows`` and ``to_supervised`` against the ``DataFrame.shift`` recipe plus the
   reshape to ``(samples, timesteps, features)``, on 100,000 rows: speed-up (target >= 10x)
   and peak memory (target <= 1/3 of the recipe's).

Times are the best of ``--repeat`` runs (the machine is shared); memory is one run per
subprocess.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc
import warnings

import numpy as np
import pandas as pd

import seqprep

FEATURES = 16
TIMESTEPS = 64
SMALL_ROWS = 100_000


# ------------------------------------------------------------------------ the recipe


def series_to_supervised(data, n_in=1, n_out=1, dropnan=True):
    """J. Brownlee's ``series_to_supervised``: one ``DataFrame.shift`` per lag and lead."""
    n_vars = 1 if type(data) is list else data.shape[1]
    df = pd.DataFrame(data)
    cols, names = list(), list()
    for i in range(n_in, 0, -1):
        cols.append(df.shift(i))
        names += [("var%d(t-%d)" % (j + 1, i)) for j in range(n_vars)]
    for i in range(0, n_out):
        cols.append(df.shift(-i))
        if i == 0:
            names += [("var%d(t)" % (j + 1)) for j in range(n_vars)]
        else:
            names += [("var%d(t+%d)" % (j + 1, i)) for j in range(n_vars)]
    agg = pd.concat(cols, axis=1)
    agg.columns = names
    if dropnan:
        agg = agg.dropna()
    return agg


def recipe(data):
    """The recipe plus the reshape the tutorials do before ``model.fit``."""
    framed = series_to_supervised(data, TIMESTEPS, 1)
    values = framed.values
    n_obs = TIMESTEPS * data.shape[1]
    X, y = values[:, :n_obs], values[:, n_obs]  # inputs, and var1(t) as the target
    return X.reshape((X.shape[0], TIMESTEPS, data.shape[1])), y


# ------------------------------------------------------------------------- the cases


def windows_copy(data):
    w = seqprep.make_windows(data, TIMESTEPS, targets=0)
    return w.X, w.y


def windows_view(data):
    w = seqprep.make_windows(data, TIMESTEPS, targets=0, copy=False)
    return w.X, w.y


def supervised_copy(data):
    return seqprep.to_supervised(data, TIMESTEPS, 1).frame


def supervised_view(data):
    return seqprep.to_supervised(data, TIMESTEPS, 1, copy=False).frame


def fill_floor(data):
    """A fresh array of X's bytes, written once: the cost of any copy=True result."""
    out = np.empty((len(data) - TIMESTEPS, TIMESTEPS, data.shape[1]), dtype=data.dtype)
    out.fill(1.0)
    return out


CASES = {
    "recipe": recipe,
    "windows_copy": windows_copy,
    "windows_view": windows_view,
    "supervised_copy": supervised_copy,
    "supervised_view": supervised_view,
    "fill_floor": fill_floor,
}


def make_data(rows: int) -> np.ndarray:
    return np.random.default_rng(0).random((rows, FEATURES), dtype=np.float32)


def nbytes(result) -> int:
    parts = result if isinstance(result, tuple) else (result,)
    total = 0
    for p in parts:
        if isinstance(p, pd.DataFrame):
            total += int(p.memory_usage(index=True, deep=False).sum())
        elif p is not None:
            total += np.asarray(p).nbytes if not hasattr(p, "nbytes") else int(p.nbytes)
    return total


def best_time(func, data, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        result = func(data)
        best = min(best, time.perf_counter() - t0)
        del result
    return best


# ------------------------------------------------------------- memory, in a subprocess


def peak_rss() -> int:
    """This process's peak resident set size in bytes (``VmHWM``; it restarts at exec,
    whereas ``ru_maxrss`` keeps the parent's peak across fork and exec)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def child(case: str, rows: int) -> None:
    """Peak memory of one case beyond its input, printed as JSON (run as a subprocess)."""
    warnings.simplefilter("ignore")
    data = make_data(rows)
    CASES[case](make_data(1_000))  # import and warm up pandas/numpy paths on tiny data
    gc.collect()
    rss_before = peak_rss()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    result = CASES[case](data)
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    rss_peak = peak_rss() - rss_before
    print(json.dumps({"peak": peak, "rss": rss_peak, "out": nbytes(result)}))


def peak_memory(case: str, rows: int) -> dict:
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--child", case,
                          "--rows", str(rows)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------------------- report


def mib(n: float) -> str:
    return f"{n / 2**20:,.1f} MiB"


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", choices=sorted(CASES))
    args = parser.parse_args()
    if args.child:
        child(args.child, args.rows)
        return
    warnings.simplefilter("ignore")
    rows, repeat = args.rows, args.repeat
    small = min(SMALL_ROWS, rows)
    print(f"seqprep {seqprep.__version__}, numpy {np.__version__}, pandas {pd.__version__}, "
          f"{os.cpu_count()} CPUs")
    print(f"data: {rows:,} rows x {FEATURES} float32 features, timesteps={TIMESTEPS}, targets=0\n")

    # 1. copy=False: constant time -------------------------------------------------
    sizes = [rows // 100, rows // 10, rows]

    def x_view(d):
        return seqprep.make_windows(d, TIMESTEPS, targets=0, copy=False).X

    both, x_only = {}, {}
    for n in sizes:
        data = make_data(n)
        for func, into in ((windows_view, both), (x_view, x_only)):
            best_time(func, data, 2)  # warm-up
            into[n] = best_time(func, data, max(repeat, 20))
    print("1. make_windows(copy=False): X (a strided view) and y (a view of the target column)")
    for n in sizes:
        print(f"   {n:>10,} rows: X and y {both[n] * 1e3:7.3f} ms ({both[n] / both[sizes[0]]:4.2f}x), "
              f"X alone {x_only[n] * 1e3:7.3f} ms ({x_only[n] / x_only[sizes[0]]:4.2f}x)")
    ratio = both[rows] / both[sizes[0]]
    print(f"   {rows:,} rows vs {sizes[0]:,}: {ratio:.2f}x -> constant time: "
          f"{verdict(ratio < 1.5)}\n")

    # 2. copy=True vs the write floor ------------------------------------------------
    data = make_data(rows)
    out_bytes = (rows - TIMESTEPS) * TIMESTEPS * FEATURES * 4
    fill_floor(data)  # first touch of this much memory is slow on some kernels: not counted
    floor = copy = float("inf")
    for _ in range(repeat):  # interleave, so both see the same machine
        floor = min(floor, best_time(fill_floor, data, 1))
        copy = min(copy, best_time(windows_copy, data, 1))
    print(f"2. make_windows(copy=True) writes X of {mib(out_bytes)}:")
    print(f"   fresh array + fill (floor): {floor:.3f} s   make_windows X and y: {copy:.3f} s   "
          f"ratio {copy / floor:.2f}x (target <= 1.5x: {verdict(copy / floor <= 1.5)})\n")
    del data
    gc.collect()

    # 3. copy=True peak memory ----------------------------------------------------------
    m = peak_memory("windows_copy", rows)
    print("3. make_windows(copy=True) peak memory beyond the input (fresh process):")
    print(f"   output (X + y) {mib(m['out'])}; peak traced {mib(m['peak'])} = "
          f"{m['peak'] / m['out']:.3f}x; peak RSS growth {mib(m['rss'])} = "
          f"{m['rss'] / m['out']:.3f}x (target <= 1.1x: {verdict(m['peak'] / m['out'] <= 1.1)})\n")

    # 4. against the DataFrame.shift recipe --------------------------------------------
    data = make_data(small)
    print(f"4. against the DataFrame.shift recipe + reshape, {small:,} rows, n_in={TIMESTEPS}, "
          "n_out=1:")
    best_time(recipe, data, 1)
    t_recipe = best_time(recipe, data, repeat)
    m_recipe = peak_memory("recipe", small)
    print(f"   {'recipe + reshape':<32} {t_recipe:8.3f} s   peak {mib(m_recipe['peak']):>12}   "
          f"(output {mib(m_recipe['out'])})")
    for name, label in (("windows_copy", "make_windows(copy=True)"),
                        ("windows_view", "make_windows(copy=False)"),
                        ("supervised_copy", "to_supervised(copy=True)"),
                        ("supervised_view", "to_supervised(copy=False)")):
        best_time(CASES[name], data, 1)
        t = best_time(CASES[name], data, max(repeat, 5))
        m = peak_memory(name, small)
        speed, memory = t_recipe / t, m["peak"] / m_recipe["peak"]
        print(f"   {label:<32} {t:8.4f} s   peak {mib(m['peak']):>12}   "
              f"{speed:7.1f}x faster ({verdict(speed >= 10)}), "
              f"{memory:5.3f} of the recipe's peak ({verdict(memory <= 1 / 3)})")
    print("\n   A copy=True result cannot take less memory than itself: X alone is "
          f"{mib((small - TIMESTEPS) * TIMESTEPS * FEATURES * 4)}, "
          f"{(small - TIMESTEPS) * TIMESTEPS * FEATURES * 4 / m_recipe['peak']:.3f} "
          "of the recipe's peak.")


if __name__ == "__main__":
    main()
