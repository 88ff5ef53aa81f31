"""``seqprep demo``: the whole life cycle end to end, and the pieces of its policy.

The end-to-end test runs the real command in a subprocess with few epochs and checks
what a user gets: exit 0, every step printed, the files written, and scores reported
against their baselines as measured (the test does not assume the LSTM wins; it checks
that the verdict printed and stored is the one the numbers give).
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import keras_ext
from keras_ext import _demo

ROOT = Path(__file__).resolve().parents[1]
PNG = b"\x89PNG\r\n\x1a\n"


def _run_cli(*args: str, cwd: Path, timeout: int = 240) -> subprocess.CompletedProcess:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "TF_ENABLE_ONEDNN_OPTS": "0",
           "KERAS_BACKEND": "tensorflow", "MPLBACKEND": "Agg", "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "seqprep", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    cwd = tmp_path_factory.mktemp("demo")
    out = cwd / "results"
    proc = _run_cli("demo", "--out", str(out), "--epochs", "2", "--quiet", cwd=cwd)
    return proc, out


def test_demo_exits_zero_and_prints_every_step(demo_run):
    proc, out = demo_run
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    for n, step in enumerate(["validate", "repair", "features", "split", "window", "model",
                              "fit", "evaluate", "classify"], start=1):
        assert re.search(rf"^\[{n}/9\] {step}\b", proc.stdout, re.MULTILINE), step
    assert f"results go to {out}" in proc.stdout
    assert "epoch 1/2" not in proc.stdout  # --quiet: no line per epoch


def test_demo_writes_its_files(demo_run):
    _, out = demo_run
    for name in ("history.png", "forecast.png"):
        data = (out / name).read_bytes()
        assert data.startswith(PNG) and len(data) > 10_000, name
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["model"]["epochs"] == 2
    assert len(metrics["model"]["history"]["loss"]) == 2
    assert len(metrics["model"]["history"]["val_loss"]) == 2


def test_demo_shows_the_real_validation_report(demo_run):
    proc, out = demo_run
    report = json.loads((out / "validation.json").read_text())
    assert report["valid"] is False
    assert report["counts"] == {"not_null": 59}  # the 59 weeks without a measurement
    assert len(report["failures"]) == 59
    assert "not_null" in (out / "validation.txt").read_text()
    assert "59 failures" in proc.stdout
    metrics = json.loads((out / "metrics.json").read_text())
    data = metrics["data"]
    assert data["missing_weeks"] == 59
    assert data["interpolated_weeks"] + data["left_out_weeks"] == 59
    assert data["revalidated"].endswith("regular_freq")  # only the gaps left out remain


def test_demo_reports_scores_against_baselines_honestly(demo_run):
    proc, out = demo_run
    metrics = json.loads((out / "metrics.json").read_text())
    f, c = metrics["forecast"], metrics["classify"]
    for value in (f["model"]["mae_ppm"], f["naive"]["mae_ppm"], f["model"]["rmse_ppm"]):
        assert math.isfinite(value) and value > 0
    assert f["beats_baseline"] == (f["model"]["mae_ppm"] < f["naive"]["mae_ppm"])
    assert c["beats_baseline"] == (c["model"]["accuracy"] > c["majority_class"]["accuracy"])
    assert 0 <= c["model"]["accuracy"] <= 1 and 0 <= c["majority_class"]["accuracy"] <= 1
    # the table printed holds both numbers, and the verdict the numbers give
    assert f"{f['model']['mae_ppm']:.3f}" in proc.stdout
    assert f"{f['naive']['mae_ppm']:.3f}" in proc.stdout
    assert ("does NOT beat the naive" in proc.stdout) == (not f["beats_baseline"])
    assert f"{c['majority_class']['accuracy']:.3f}" in proc.stdout


def test_the_naive_baseline_is_the_last_measured_value():
    # The naive forecast's error on the test weeks, computed here from the raw data
    # alone, must match what the demo reports for its baseline.
    import seqprep

    raw = seqprep.load_co2()
    repaired, _ = _demo._repair(raw)
    frame, _ = _demo._features(repaired)
    w = seqprep.make_windows(frame, _demo.TIMESTEPS, stride=_demo.TIMESTEPS,
                             features=_demo.FEATURES, targets=["dco2"], time="date",
                             freq="W-SAT", on_gap="split")
    rows = seqprep.split_by_time(frame, test=_demo.TEST, validation=_demo.VALIDATION,
                                 time="date")
    test = seqprep.split_by_time(w, test=rows.summary["test_cut"].iloc[0],
                                 validation=rows.summary["validation_cut"].iloc[0]).test
    scored = _demo._score_forecast(frame, test, np.zeros(len(test)))
    co2 = frame["co2"].to_numpy()
    naive_error = co2[test.index["target_row"]] - co2[test.index["last_row"]]
    measured = ~frame["interpolated"].to_numpy()[test.index["target_row"]]
    assert scored["naive"]["mae_ppm"] == pytest.approx(np.abs(naive_error[measured]).mean(),
                                                       abs=1e-4)
    assert scored["model"] == scored["naive"]  # a zero change IS the naive forecast
    assert not scored["beats_baseline"]


def test_repair_policy_interpolates_single_weeks_and_splits_longer_runs():
    dates = pd.date_range("2000-01-01", periods=10, freq="W-SAT")
    co2 = [1.0, np.nan, 3.0, 4.0, np.nan, np.nan, 7.0, 8.0, 9.0, 10.0]
    repaired, info = _demo._repair(pd.DataFrame({"date": dates, "co2": co2}))
    assert repaired["co2"].tolist() == [1.0, 2.0, 3.0, 4.0, 7.0, 8.0, 9.0, 10.0]
    assert repaired["interpolated"].tolist() == [False, True] + [False] * 6
    assert info == {"missing_weeks": 3, "interpolated_weeks": 1, "left_out_weeks": 2,
                    "left_out_runs": 1, "longest_run_weeks": 2, "rows_after_repair": 8}
    frame, segments = _demo._features(repaired)
    assert segments == 2  # the first week of each segment has no previous week
    # the change is never taken across the gap (4.0 -> 7.0)
    assert frame["dco2"].tolist() == [1.0, 1.0, 1.0, 1.0, 1.0, 1.0]


def test_same_seed_same_numbers_in_another_process(demo_run, tmp_path, capsys):
    # The CLI run (seed 0 by default, 2 epochs) again, in this process: same numbers.
    _, out = demo_run
    again = _demo.run_demo(out=tmp_path, epochs=2, quiet=True, seed=0)
    first = json.loads((out / "metrics.json").read_text())
    for m in (first, again):
        m.pop("runtime_seconds")
        m["model"].pop("fit_seconds")
    assert again == first
    assert "[9/9] classify" in capsys.readouterr().out


def test_default_folder_is_new_and_named(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path, epochs = _demo._check_args(None, None, False, 0)
    assert path.parent == tmp_path and path.is_dir()
    assert re.fullmatch(r"seqprep-demo-\d{8}-\d{6}", path.name)
    assert epochs == _demo.DEFAULT_EPOCHS
    again, _ = _demo._check_args(None, 2, False, 0)
    assert again != path  # never reuses an existing folder


@pytest.mark.parametrize("kwargs, error, message", [
    ({"epochs": 0}, keras_ext.ArgumentError, r"^`epochs` must be a positive integer"),
    ({"epochs": 2.5}, keras_ext.ArgumentTypeError, r"^`epochs` must be a positive integer"),
    ({"seed": -1}, keras_ext.ArgumentError, r"^`seed` must be an integer >= 0"),
])
def test_bad_arguments(tmp_path, kwargs, error, message):
    with pytest.raises(error, match=message):
        _demo.run_demo(out=tmp_path, **kwargs)


def test_out_that_is_a_file_is_one_clear_error(tmp_path):
    target = tmp_path / "taken.txt"
    target.write_text("not a folder")
    with pytest.raises(keras_ext.ArgumentError, match=r"^`out` must be a folder"):
        _demo.run_demo(out=target, epochs=1)
    proc = _run_cli("demo", "--out", str(target), "--epochs", "1", cwd=tmp_path, timeout=120)
    assert proc.returncode == 2  # a usage error, not invalid data
    assert "Traceback" not in proc.stderr
    assert "`out` must be a folder" in proc.stderr
