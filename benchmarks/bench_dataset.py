"""One epoch of windows: keras_ext.WindowDataset against the alternatives.

Data: 200,000 rows x 8 float32 features, windows of 64 steps, next-step target, batch 256
(199,936 windows; 409 MB of X per epoch if materialised).

Variants, each run in a fresh process so its peak memory can be measured alone:

- ``tsdfa``: ``keras.utils.timeseries_dataset_from_array(..., shuffle=True)``, one
  epoch iterated in Python (timed once: it takes seconds).
- ``windowdataset``: ``WindowDataset(make_windows(..., copy=False), 256, shuffle=True)``,
  every batch of one epoch (``ds[i]``), best of 3 epochs.
- ``windowdataset_ordered``: the same without shuffling.
- ``copy``: the floor for producing those bytes: copy the same number of bytes, batch by
  batch, out of windows materialised beforehand (``X[lo:hi].copy()``; the 409 MB array
  is made before the clock starts).
- ``tf_dataset``: ``to_tf_dataset(..., shuffle=True)`` iterated eagerly (informative).

Printed per variant: seconds, windows/s, GB/s of X produced, and peak memory growth over
the process's memory once the source exists (ru_maxrss). Then the two ratios the issue
sets as targets: tsdfa / WindowDataset (>= 100x) and ordered WindowDataset / copy (<= 3x).

Run: ``python benchmarks/bench_dataset.py``
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time

ROWS, FEATURES, TIMESTEPS, BATCH = 200_000, 8, 64, 256


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


def run_variant(name: str) -> dict:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    import numpy as np

    data = np.random.default_rng(0).normal(size=(ROWS, FEATURES)).astype(np.float32)
    n_windows = ROWS - TIMESTEPS
    if name in ("windowdataset", "windowdataset_ordered", "tf_dataset"):
        import keras_ext
        import seqprep
    if name in ("tsdfa", "tf_dataset"):
        import keras
    if name == "copy":
        import seqprep

        X_full = np.asarray(seqprep.make_windows(data, TIMESTEPS, targets=0).X)  # 409 MB
    base = max(_peak_mb(), _rss_mb())

    def epoch() -> tuple[int, int]:
        windows = nbytes = 0
        if name == "tsdfa":
            ds = keras.utils.timeseries_dataset_from_array(
                data[:-1], data[TIMESTEPS:, 0], TIMESTEPS, batch_size=BATCH, shuffle=True, seed=0)
            for x, y in ds:
                windows += int(x.shape[0])
                nbytes += int(np.prod(x.shape)) * 4
        elif name == "tf_dataset":
            w = seqprep.make_windows(data, TIMESTEPS, targets=0, copy=False)
            for x, y in keras_ext.to_tf_dataset(w, BATCH, shuffle=True, seed=0):
                windows += int(x.shape[0])
                nbytes += int(np.prod(x.shape)) * 4
        elif name == "copy":
            for lo in range(0, len(X_full), BATCH):
                x = X_full[lo:lo + BATCH].copy()
                windows += len(x)
                nbytes += x.nbytes
        else:
            w = seqprep.make_windows(data, TIMESTEPS, targets=0, copy=False)
            ds = keras_ext.WindowDataset(w, BATCH, shuffle=name == "windowdataset", seed=0)
            for i in range(len(ds)):
                x, y = ds[i]
                windows += len(x)
                nbytes += x.nbytes
        return windows, nbytes

    repeats = 1 if name in ("tsdfa", "tf_dataset") else 3
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        windows, nbytes = epoch()
        times.append(time.perf_counter() - t0)
    assert windows == n_windows, (name, windows, n_windows)
    best = min(times)
    return {"name": name, "seconds": best, "windows": windows, "bytes": nbytes,
            "windows_per_s": windows / best, "gb_per_s": nbytes / best / 1e9,
            "peak_growth_mb": _peak_mb() - base, "all_seconds": times}


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--variant":
        print(json.dumps(run_variant(sys.argv[2])))
        return
    here = os.path.dirname(os.path.abspath(__file__))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.path.dirname(here),
                                                       os.environ.get("PYTHONPATH", "")]))
    results = {}
    for name in ("windowdataset", "windowdataset_ordered", "copy", "tf_dataset", "tsdfa"):
        out = subprocess.run([sys.executable, __file__, "--variant", name], capture_output=True,
                             text=True, env=env, check=True)
        results[name] = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"one epoch: {ROWS:,} rows x {FEATURES} features, {TIMESTEPS} timesteps, batch {BATCH}, "
          f"{results['copy']['windows']:,} windows, {results['copy']['bytes'] / 1e6:.0f} MB of X")
    print(f"{'variant':<28}{'seconds':>9}{'windows/s':>14}{'GB/s':>8}{'peak +MB':>10}")
    labels = {
        "windowdataset": "WindowDataset shuffled",
        "windowdataset_ordered": "WindowDataset in order",
        "copy": "copy of materialised X",
        "tf_dataset": "to_tf_dataset shuffled",
        "tsdfa": "timeseries_dataset_from_array",
    }
    for name, r in results.items():
        print(f"{labels[name]:<28}{r['seconds']:>9.3f}{r['windows_per_s']:>14,.0f}"
              f"{r['gb_per_s']:>8.2f}{r['peak_growth_mb']:>10.0f}")
    speedup = results["tsdfa"]["seconds"] / results["windowdataset"]["seconds"]
    ratio = results["windowdataset_ordered"]["seconds"] / results["copy"]["seconds"]
    print(f"shuffled: WindowDataset is {speedup:,.0f}x faster than timeseries_dataset_from_array "
          f"(target >= 100x): {'OK' if speedup >= 100 else 'MISSED'}")
    print(f"in order: WindowDataset takes {ratio:.2f}x the time of copying the same bytes "
          f"(target <= 3x): {'OK' if ratio <= 3 else 'MISSED'}")
    print("(the copy baseline needs the 409 MB of materialised windows in memory; "
          "its peak growth is measured after making them)")


if __name__ == "__main__":
    main()
