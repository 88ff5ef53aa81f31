"""The life-cycle demo behind ``seqprep demo``: one real series, every step, done right.

:func:`run_demo` takes the weekly Mauna Loa CO2 record bundled with seqprep through the
whole LSTM life cycle, printing each step as it happens:

1. **validate** the raw series with a :class:`seqprep.SeriesSchema` and show the real
   report (59 weeks have no measurement);
2. **repair** it with a stated policy: a single missing week is interpolated linearly
   from its two neighbours; a run of two or more missing weeks is left out, and the
   series is split there (``make_windows(on_gap="split")``), so no window crosses it;
3. **features**: the model reads weekly *changes* (``dco2``, differenced within each
   segment, never across a gap) and the season (sine and cosine of the day of the year,
   from ``seqprep.calendar_features``),
   because levels in the test years lie above every level seen in training;
4. **split by time** with :func:`seqprep.split_by_time` (70% train, 10% validation, 20%
   test of the time span) and fit a :class:`seqprep.Scaler` on the training rows only;
5. **window** with :func:`seqprep.make_windows`: ``timesteps=4`` weeks, ``stride=4``
   (non-overlapping windows, so consecutive windows continue one another) and a target
   one week after each window; :func:`seqprep.stateful_layout` lays the training windows
   out in 8 batch slots, each reading continuous stretches of the series in order;
6. **define** a stateful LSTM from the shapes the windows give
   (``keras.Input(batch_shape=windows.batch_input_shape(8))``) and **compile** it with
   :func:`keras_ext.output_head`;
7. **fit** with :func:`keras_ext.fit_stateful`, which adds a
   :class:`keras_ext.ResetStates` callback: a reset at every epoch end and, for the
   slots the layout moves to a new stretch, before that batch; validation from a clean
   state, with the training state restored after it; padding samples weigh 0;
8. **evaluate and forecast** the held-out tail with a batch-size-1 copy
   (:func:`keras_ext.with_batch_size`) whose state is warmed up on the weeks before the
   test (``get_states``/``set_states`` rewind it after ``evaluate``), and compare the
   next-week forecast with the naive last-value forecast on the measured weeks
   (interpolated weeks are never scored);
9. **classify** "will next week be higher?" with a sigmoid head and
   :func:`keras_ext.predict_classes`, against the majority class of the training weeks.

It writes ``history.png``, ``forecast.png``, ``metrics.json``, ``validation.txt`` and
``validation.json`` into the output folder. Everything is seeded: two runs with the same
arguments on the same machine give the same numbers.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
from seqprep import calendar_features

from ._errors import ArgumentError, ArgumentTypeError

__all__ = ["run_demo"]

DEFAULT_EPOCHS = 10
TIMESTEPS = 4  # weeks per window; also the truncated-backpropagation length
BATCH_SIZE = 8  # continuous streams trained side by side
UNITS = 16
LEARNING_RATE = 0.01
TEST = 0.2  # fraction of the time span held out at the end
VALIDATION = 0.1  # fraction before the test part, for the validation curve
FEATURES = ["dco2", "season_sin", "season_cos"]
WEEK = pd.Timedelta(weeks=1)


class _Printer:
    """Step headers and indented details on stdout, flushed as they happen."""

    def __init__(self, quiet: bool, steps: int) -> None:
        self.quiet = quiet
        self.steps = steps
        self.n = 0

    def step(self, name: str, text: str) -> None:
        self.n += 1
        print(f"[{self.n}/{self.steps}] {name:<9} {text}", flush=True)

    def info(self, text: str = "") -> None:
        for line in str(text).splitlines() or [""]:
            print(f"{'':14}{line}", flush=True)


def _check_args(out: Any, epochs: Any, quiet: Any, seed: Any) -> tuple[Path, int]:
    if epochs is None:
        epochs = DEFAULT_EPOCHS
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)):
        raise ArgumentTypeError(
            f"`epochs` must be a positive integer. Received: epochs={epochs!r} of type "
            f"{type(epochs).__name__}. The default is {DEFAULT_EPOCHS}."
        )
    if epochs < 1:
        raise ArgumentError(
            f"`epochs` must be a positive integer. Received: epochs={epochs}. "
            f"The default is {DEFAULT_EPOCHS}; 2 is enough to see every step."
        )
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ArgumentError(
            f"`seed` must be an integer >= 0. Received: seed={seed!r}."
        )
    if not isinstance(quiet, (bool, np.bool_)):
        raise ArgumentTypeError(f"`quiet` must be True or False. Received: quiet={quiet!r}.")
    if out is None:
        stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        path = Path.cwd() / f"seqprep-demo-{stamp}"
        k = 1
        while path.exists():
            k += 1
            path = Path.cwd() / f"seqprep-demo-{stamp}-{k}"
    else:
        if not isinstance(out, (str, os.PathLike)):
            raise ArgumentTypeError(
                f"`out` must be a folder path. Received: out={out!r} of type "
                f"{type(out).__name__}."
            )
        path = Path(out).expanduser().absolute()
        if path.exists() and not path.is_dir():
            raise ArgumentError(
                f"`out` must be a folder, new or existing. Received: out={str(out)!r}, "
                "which is a file. Pass another path, or leave it out for a new folder in "
                "the working directory."
            )
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".seqprep-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise ArgumentError(
            f"`out` must be a folder the demo can write to. Received: out={str(path)!r} "
            f"({exc.strerror or exc}). Pass a writable path."
        ) from None
    return path, int(epochs)


# ----------------------------------------------------------------------------- data


def _repair(raw: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Interpolate single missing weeks; leave out longer runs (the series splits there)."""
    missing = raw["co2"].isna()
    run_id = (missing != missing.shift()).cumsum()
    run_len = missing.groupby(run_id).transform("size")
    single = missing & (run_len == 1)
    frame = raw.copy()
    frame["co2"] = raw["co2"].interpolate(method="linear", limit_area="inside").where(
        ~missing | single
    )
    frame["interpolated"] = single.to_numpy()
    frame = frame[frame["co2"].notna()].reset_index(drop=True)
    runs = missing[missing].groupby(run_id[missing]).size()
    long_runs = runs[runs >= 2]
    info = {
        "missing_weeks": int(missing.sum()),
        "interpolated_weeks": int(single.sum()),
        "left_out_weeks": int(long_runs.sum()),
        "left_out_runs": int(len(long_runs)),
        "longest_run_weeks": int(runs.max()) if len(runs) else 0,
        "rows_after_repair": int(len(frame)),
    }
    return frame, info


def _features(frame: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Weekly change within each segment, the season, and the up/down label."""
    segment = (frame["date"].diff() != WEEK).cumsum()
    out = frame.copy()
    out["dco2"] = frame["co2"].groupby(segment).diff()
    first = out["dco2"].isna()
    season = calendar_features(frame["date"], ["dayofyear"])  # period: the year's length
    out["season_sin"] = season["dayofyear_sin"].to_numpy()
    out["season_cos"] = season["dayofyear_cos"].to_numpy()
    out["higher"] = (out["dco2"] > 0).astype("float32")
    out = out[~first].reset_index(drop=True)
    return out, int(first.sum())


# ---------------------------------------------------------------------------- model


def _layout(seqprep: Any, parts: Any) -> tuple[Any, Any]:
    """Training and validation windows as continuous streams, one per batch slot."""
    return (seqprep.stateful_layout(parts.train, BATCH_SIZE),
            seqprep.stateful_layout(parts.validation, BATCH_SIZE))


def _model(keras: Any, keras_ext: Any, batch_shape: tuple, task: str) -> Any:
    """A stateful LSTM whose input shape comes from the windows, with the task's head."""
    head = keras_ext.output_head(task, 1)
    inputs = keras.Input(batch_shape=batch_shape, name="weeks")
    hidden = keras.layers.LSTM(UNITS, stateful=True, name="lstm")(inputs)
    model = keras.Model(inputs, head.layer(hidden), name=f"co2_{task}")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=LEARNING_RATE),
                  **head.compile_kwargs())
    return model


def _epoch_printer(keras: Any, printer: _Printer, epochs: int) -> Any:
    class EpochLine(keras.callbacks.Callback):
        """One line per epoch: the losses and the time it took."""

        def on_epoch_begin(self, epoch, logs=None):
            self._t = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            logs = logs or {}
            shown = "  ".join(f"{k} {v:.4f}" for k, v in sorted(logs.items())
                              if isinstance(v, (int, float)))
            printer.info(f"epoch {epoch + 1:>{len(str(epochs))}}/{epochs}  {shown}  "
                         f"({time.perf_counter() - self._t:.1f} s)")

    return EpochLine()


def _fit(keras: Any, keras_ext: Any, model: Any, train: Any, validation: Any, epochs: int,
         printer: _Printer, quiet: bool) -> tuple[Any, float]:
    """fit_stateful on the laid-out windows."""
    callbacks = [] if quiet else [_epoch_printer(keras, printer, epochs)]
    started = time.perf_counter()
    # fit_stateful adds a ResetStates callback: a reset at train begin, at each epoch end
    # and, before a batch, for the slots the layout moves to a new stretch; validation
    # from a zero state with the training state restored afterwards. The layouts'
    # padding samples weigh 0.
    history = keras_ext.fit_stateful(model, train, epochs=epochs, reset_every="epoch",
                                     validation_data=validation, callbacks=callbacks,
                                     verbose=0)
    return history, time.perf_counter() - started


def _warm_copy(keras: Any, keras_ext: Any, model: Any, parts: Any, metrics: list) -> tuple:
    """A batch-size-1 copy whose state has read every window before the test part."""
    one = keras_ext.with_batch_size(model, 1)
    one.compile(loss=model.loss, metrics=metrics)
    keras_ext.reset_states(one)
    for part in (parts.train, parts.validation):
        one.predict(part.X, batch_size=1, verbose=0)
    return one, keras_ext.get_states(one)


# ---------------------------------------------------------------------------- plots


def _forecast_plot(path: Path, table: pd.DataFrame, weekly: pd.DataFrame) -> None:
    """Levels on top (forecast, naive, actual); below, the week-to-week change they imply."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 6.5), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[3, 2])
    top.plot(weekly["date"], weekly["co2"], color="0.6", lw=1, label="weekly CO2")
    top.plot(table["target_time"], table["lstm"], "o", ms=3.5, color="C0",
             label="LSTM next-week forecast")
    top.plot(table["target_time"], table["naive"], "x", ms=3.5, color="C3", alpha=0.7,
             label="naive: last week's value")
    top.set_ylabel("CO2 (ppmv)")
    top.set_title("Mauna Loa CO2, held-out test years: next-week forecast vs actual")
    top.legend(loc="upper left")
    actual_change = table["actual"] - table["naive"]
    bottom.axhline(0, color="C3", lw=1, alpha=0.7, label="naive forecast: no change")
    bottom.plot(table["target_time"], actual_change, "-", color="0.6", lw=1,
                label="actual change")
    bottom.plot(table["target_time"], table["lstm"] - table["naive"], "o-", ms=3, lw=0.8,
                color="C0", label="LSTM forecast change")
    bottom.set_ylabel("change from last week (ppmv)")
    bottom.set_xlabel("week")
    bottom.legend(loc="lower left", ncols=3, fontsize="small")
    fig.savefig(path, dpi=110)


# ------------------------------------------------------------------------- the demo


def run_demo(*, out: Any = None, epochs: int | None = None, quiet: bool = False,
             seed: int = 0) -> dict:
    """Run the whole LSTM life cycle on the bundled CO2 series and write what it finds.

    Parameters
    ----------
    out : path, optional
        Folder for the results, created if needed; files of the same names in it are
        replaced. Defaults to a new folder ``seqprep-demo-YYYYmmdd-HHMMSS`` in the working
        directory.
    epochs : int, optional
        Training epochs for each of the two models. Defaults to ``10`` (the whole demo
        then takes about 15 seconds on 2 CPU cores, a third of it importing TensorFlow).
    quiet : bool
        Leave out the line per epoch; the step summaries are still printed.
    seed : int
        Seeds Python, numpy and the backend (``keras.utils.set_random_seed``).
        Defaults to ``0``.

    Returns
    -------
    dict
        The content of ``metrics.json``: the data account, the split, and for the
        forecast and the classifier the model's score next to its baseline's, with
        ``"beats_baseline"`` saying which is better (it is measured, not assumed).

    Raises
    ------
    keras_ext.ArgumentError, keras_ext.ArgumentTypeError
        For a bad argument, or an ``out`` that is a file or not writable.
    seqprep.SeqprepError, keras_ext.KerasExtError
        If a step fails; the message says why.

    Examples
    --------
    From the shell, ``seqprep demo --epochs 2 --out demo-run``; from Python::

        from keras_ext._demo import run_demo
        metrics = run_demo(out="demo-run", epochs=2)
        metrics["forecast"]["model"]["mae_ppm"], metrics["forecast"]["naive"]["mae_ppm"]
    """
    started = time.perf_counter()
    out_dir, epochs = _check_args(out, epochs, quiet, seed)

    import keras

    import keras_ext
    import seqprep

    keras.utils.set_random_seed(int(seed))
    run = SimpleNamespace(keras=keras, keras_ext=keras_ext, seqprep=seqprep, out_dir=out_dir,
                          epochs=epochs, quiet=bool(quiet), seed=int(seed),
                          printer=_Printer(bool(quiet), steps=9))
    run.raw = seqprep.load_co2()
    print(f"seqprep demo: weekly CO2 at Mauna Loa, {run.raw['date'].iloc[0]:%Y-%m-%d} to "
          f"{run.raw['date'].iloc[-1]:%Y-%m-%d} ({len(run.raw):,} weeks); seed {seed}, "
          f"{epochs} epochs per model; Keras {keras.__version__} ({keras.backend.backend()})",
          flush=True)
    print(f"results go to {out_dir}", flush=True)
    _data_steps(run)
    _forecast_steps(run)
    _classify_step(run)
    metrics = _write_results(run)
    metrics["runtime_seconds"] = round(time.perf_counter() - started, 1)
    (out_dir / "metrics.json").write_text(json.dumps(metrics, indent=2), encoding="utf-8")
    print(f"wrote history.png, forecast.png, metrics.json, validation.txt and "
          f"validation.json to {out_dir}", flush=True)
    print(f"done in {metrics['runtime_seconds']:.1f} s", flush=True)
    return metrics


def _data_steps(run: SimpleNamespace) -> None:
    """Steps 1-4: validate, repair, features, split and scale (fills ``run``)."""
    seqprep, printer, raw = run.seqprep, run.printer, run.raw
    # 1. validate ---------------------------------------------------------------------
    schema = seqprep.SeriesSchema("date", targets="co2", freq="W-SAT",
                                  ranges={"co2": (250, 450)})
    printer.step("validate", f"the raw series against {schema!r}")
    report_text, report_json = _validate(seqprep, schema, raw, printer)
    (run.out_dir / "validation.txt").write_text(report_text, encoding="utf-8")
    (run.out_dir / "validation.json").write_text(json.dumps(report_json, indent=2),
                                                 encoding="utf-8")
    printer.info("the whole report: validation.txt, validation.json")

    # 2. repair -----------------------------------------------------------------------
    printer.step("repair", "policy: a single missing week is interpolated from its two "
                 "neighbours; a run of 2 or more is left out and the series splits there")
    run.repaired, repair = _repair(raw)
    printer.info(f"{repair['interpolated_weeks']} weeks interpolated (flagged, never scored); "
                 f"{repair['left_out_weeks']} weeks in {repair['left_out_runs']} runs of 2 to "
                 f"{repair['longest_run_weeks']} weeks left out")
    try:
        schema.validate(run.repaired.drop(columns="interpolated"))
        left = "no failures"
    except seqprep.ValidationError as err:
        left = ", ".join(f"{n} {check}" for check, n in err.counts.items())
    repair["revalidated"] = left
    run.repair = repair
    printer.info(f"revalidated: {left}: the runs left out, which no window will cross")

    # 3. features ---------------------------------------------------------------------
    run.frame, run.first_rows = _features(run.repaired)
    printer.step("features", "dco2, the weekly change (within a segment, never across a "
                 "gap), and the season (sine and cosine of the day of the year)")
    printer.info(f"the first week of each of the {run.first_rows} segments has no change: "
                 f"{len(run.frame):,} rows remain. Levels in the test years lie above any seen "
                 "in training; changes do not")

    # 4. split by time, scale on the training rows --------------------------------------
    run.rows = rows = seqprep.split_by_time(run.frame, test=TEST, validation=VALIDATION,
                                            time="date")
    run.cuts = cuts = rows.summary.iloc[0]
    run.scaler = seqprep.Scaler("standard", columns=FEATURES).fit(rows.train)
    run.scaled = run.scaler.transform(run.frame)
    printer.step("split", f"by time, {1 - TEST - VALIDATION:.0%} / {VALIDATION:.0%} / "
                 f"{TEST:.0%} of the span: train before {cuts['validation_cut']:%Y-%m-%d}, "
                 f"validation before {cuts['test_cut']:%Y-%m-%d}, test after")
    printer.info(f"rows: train {len(rows.train):,}, validation {len(rows.validation):,}, "
                 f"test {len(rows.test):,}; the Scaler is fitted on the {len(rows.train):,} "
                 "training rows only")


def _windows_for(run: SimpleNamespace, target: str) -> tuple[Any, Any]:
    w = run.seqprep.make_windows(run.scaled, TIMESTEPS, stride=TIMESTEPS, features=FEATURES,
                                 targets=[target], time="date", freq="W-SAT", on_gap="split")
    return w, run.seqprep.split_by_time(w, test=run.cuts["test_cut"],
                                        validation=run.cuts["validation_cut"])


def _forecast_steps(run: SimpleNamespace) -> None:
    """Steps 5-8: window, define, fit and evaluate the forecast (fills ``run``)."""
    keras, keras_ext, printer = run.keras, run.keras_ext, run.printer
    # 5. window -----------------------------------------------------------------------
    windows, run.parts = _windows_for(run, "dco2")
    train, validation = _layout(run.seqprep, run.parts)
    printer.step("window", f"make_windows(timesteps={TIMESTEPS}, stride={TIMESTEPS}, "
                 "on_gap='split'): 4 weeks in, the week after out; windows follow each "
                 "other")
    printer.info(windows.report())
    printer.info(run.parts.report())
    printer.info(_layout_line(train))

    # 6. define and compile -----------------------------------------------------------
    model = _model(keras, keras_ext, train.batch_input_shape(BATCH_SIZE), "regression")
    head = keras_ext.output_head("regression", 1)
    printer.step("model", f"keras.Input(batch_shape={train.batch_input_shape(BATCH_SIZE)}) "
                 f"-> LSTM({UNITS}, stateful=True) -> output_head('regression', 1): "
                 f"Dense(1), loss {head.loss!r}, metrics {head.metrics}")
    printer.info(f"{model.count_params():,} weights; Adam(learning_rate={LEARNING_RATE})")

    # 7. fit --------------------------------------------------------------------------
    printer.step("fit", f"fit_stateful, {run.epochs} epochs, in order: reset at each epoch "
                 "end and where a slot starts a new stream, validation from a clean state")
    run.history, run.fit_seconds = _fit(keras, keras_ext, model, train, validation,
                                        run.epochs, printer, run.quiet)
    printer.info(_last_epoch(run.history, run.fit_seconds))

    # 8. evaluate, forecast, compare ------------------------------------------------------
    test = run.parts.test
    one, warm = _warm_copy(keras, keras_ext, model, run.parts, ["mae"])
    run.scores = one.evaluate(test.X, test.y, batch_size=1, verbose=0, return_dict=True)
    keras_ext.set_states(one, warm)  # evaluate moved the state on: rewind it
    predictions = one.predict(test.X, batch_size=1, verbose=0)
    change = run.scaler.inverse_transform_targets(predictions, targets=["dco2"])[:, 0]
    run.forecast = _score_forecast(run.frame, test, change)
    printer.step("evaluate", f"the held-out test years, {run.forecast['from']} to "
                 f"{run.forecast['to']}, with a batch-size-1 copy (with_batch_size) whose "
                 "state has read every week before them")
    printer.info(f"model.evaluate, all {len(test)} test windows, scaled dco2: "
                 + ", ".join(f"{k} {v:.4f}" for k, v in run.scores.items()))
    printer.info(_forecast_table(run.forecast))


def _classify_step(run: SimpleNamespace) -> None:
    """Step 9: will next week be higher? A classifier on the same windows (fills ``run``)."""
    keras, keras_ext, printer = run.keras, run.keras_ext, run.printer
    printer.step("classify", "will next week be higher than this one? the same windows, "
                 "target dco2 > 0, output_head('binary', 1), predict_classes")
    _, cparts = _windows_for(run, "higher")
    ctrain, cvalidation = _layout(run.seqprep, cparts)
    cmodel = _model(keras, keras_ext, ctrain.batch_input_shape(BATCH_SIZE), "binary")
    chistory, cfit_seconds = _fit(keras, keras_ext, cmodel, ctrain, cvalidation, run.epochs,
                                  printer, run.quiet)
    printer.info(_last_epoch(chistory, cfit_seconds))
    cone, _ = _warm_copy(keras, keras_ext, cmodel, cparts, ["accuracy"])
    labels = keras_ext.predict_classes(cone, cparts.test.X, reset="none")  # from the warm state
    run.classify = _score_classes(run.frame, cparts, np.asarray(labels).reshape(-1))
    printer.info(_classes_table(run.classify))


def _write_results(run: SimpleNamespace) -> dict:
    """The plots, and the content of ``metrics.json`` (without the run time)."""
    keras, rows, cuts, parts, history = run.keras, run.rows, run.cuts, run.parts, run.history
    table = run.forecast.pop("_table")
    run.keras_ext.plot_history(history, path=run.out_dir / "history.png", show=False,
                               title="CO2 next-week change: stateful LSTM, loss per epoch "
                                     "(scaled units)")
    _forecast_plot(run.out_dir / "forecast.png", table,
                   run.repaired[run.repaired["date"] >= table["target_time"].min() - 4 * WEEK])
    return {
        "data": {"weeks": len(run.raw), **run.repair, "segments": run.first_rows,
                 "rows_modelled": len(run.frame)},
        "split": {"validation_cut": str(cuts["validation_cut"]),
                  "test_cut": str(cuts["test_cut"]),
                  "rows": {"train": len(rows.train), "validation": len(rows.validation),
                           "test": len(rows.test)},
                  "windows": {"train": len(parts.train), "validation": len(parts.validation),
                              "test": len(parts.test), "purged": parts.n_purged}},
        "model": {"timesteps": TIMESTEPS, "stride": TIMESTEPS, "batch_size": BATCH_SIZE,
                  "units": UNITS, "learning_rate": LEARNING_RATE, "epochs": run.epochs,
                  "seed": run.seed, "fit_seconds": round(run.fit_seconds, 2),
                  "history": {k: [round(float(v), 6) for v in vs]
                              for k, vs in history.history.items()},
                  "test_evaluate_scaled": {k: round(float(v), 6) for k, v in run.scores.items()}},
        "forecast": run.forecast,
        "classify": run.classify,
        "versions": {"keras": keras.__version__, "backend": keras.backend.backend(),
                     "python": sys.version.split()[0]},
    }


def _validate(seqprep, schema, raw, printer) -> tuple[str, dict]:
    try:
        schema.validate(raw)
    except seqprep.ValidationError as err:
        printer.info(str(err))
        text = str(err) + "\n\nEvery failure:\n" + err.failures.to_string() + "\n"
        return text, err.to_dict()
    printer.info("valid: no failures")
    return "valid: no failures\n", {"valid": True, "failures": []}


def _layout_line(layout) -> str:
    streams = int(layout.index["stream"].max()) + 1
    moves = sum(len(slots) for batch, slots in layout.reset_slots.items() if batch > 0)
    return (f"training layout: {layout.n_batches} batches of {layout.batch_size} slots, "
            f"{streams} continuous streams, {layout.n_padded} padding samples (weight 0); "
            f"{moves} slot changes of stream mid-epoch")


def _last_epoch(history, seconds) -> str:
    h = history.history
    last = ", ".join(f"{k} {v[-1]:.4f}" for k, v in sorted(h.items()))
    return f"trained {len(h['loss'])} epochs in {seconds:.1f} s; last epoch: {last}"


def _score_forecast(frame, test, change) -> dict:
    """LSTM and naive next-week forecasts of the CO2 level, scored on measured weeks."""
    co2 = frame["co2"].to_numpy()
    last = co2[test.index["last_row"].to_numpy()]
    target_rows = test.index["target_row"].to_numpy()
    actual = co2[target_rows]
    measured = ~frame["interpolated"].to_numpy()[target_rows]
    lstm = last + change
    naive = last
    m = measured

    def scores(pred):
        err = pred[m] - actual[m]
        return {"mae_ppm": round(float(np.mean(np.abs(err))), 4),
                "rmse_ppm": round(float(math.sqrt(np.mean(err ** 2))), 4)}

    model, base = scores(lstm), scores(naive)
    times = pd.to_datetime(test.index["target_time"])
    return {
        "n_scored": int(m.sum()),
        "n_interpolated_targets_not_scored": int((~m).sum()),
        "from": str(times.min().date()),
        "to": str(times.max().date()),
        "model": model,
        "naive": base,
        "beats_baseline": bool(model["mae_ppm"] < base["mae_ppm"]),
        "mae_ratio": round(model["mae_ppm"] / base["mae_ppm"], 4),
        "_table": pd.DataFrame({"target_time": times, "lstm": lstm, "naive": naive,
                                "actual": actual}),
    }


def _forecast_table(f: dict) -> str:
    rows = [("next-week CO2 forecast", "MAE ppm", "RMSE ppm"),
            ("LSTM (stateful)", f"{f['model']['mae_ppm']:.3f}", f"{f['model']['rmse_ppm']:.3f}"),
            ("naive: last week's value", f"{f['naive']['mae_ppm']:.3f}",
             f"{f['naive']['rmse_ppm']:.3f}")]
    lines = [f"{a:<28}{b:>9}{c:>10}" for a, b, c in rows]
    lines.append(f"scored on the {f['n_scored']} measured test weeks"
                 + (f" ({f['n_interpolated_targets_not_scored']} interpolated ones left out)"
                    if f["n_interpolated_targets_not_scored"] else ""))
    change = (1 - f["mae_ratio"]) * 100
    verdict = (f"the LSTM's MAE is {change:.0f}% lower than the naive baseline's"
               if f["beats_baseline"] else
               f"the LSTM does NOT beat the naive baseline (MAE {-change:.0f}% higher)")
    return "\n".join(lines + [verdict])


def _score_classes(frame, parts, labels) -> dict:
    test = parts.test
    target_rows = test.index["target_row"].to_numpy()
    truth = frame["higher"].to_numpy()[target_rows].astype(int)
    measured = ~frame["interpolated"].to_numpy()[target_rows]
    train_truth = frame["higher"].to_numpy()[parts.train.index["target_row"].to_numpy()]
    majority = int(train_truth.mean() >= 0.5)
    m = measured
    acc = float(np.mean(labels[m] == truth[m]))
    base = float(np.mean(truth[m] == majority))
    return {
        "n_scored": int(m.sum()),
        "model": {"accuracy": round(acc, 4)},
        "majority_class": {"class": "higher" if majority else "not higher",
                           "share_in_training": round(float(max(train_truth.mean(),
                                                                1 - train_truth.mean())), 4),
                           "accuracy": round(base, 4)},
        "beats_baseline": bool(acc > base),
    }


def _classes_table(c: dict) -> str:
    rows = [("will next week be higher?", "accuracy"),
            ("LSTM + sigmoid (predict_classes)", f"{c['model']['accuracy']:.3f}"),
            (f"majority class ({c['majority_class']['class']!r})",
             f"{c['majority_class']['accuracy']:.3f}")]
    lines = [f"{a:<34}{b:>9}" for a, b in rows]
    lines.append(f"scored on {c['n_scored']} test weeks; the LSTM "
                 + ("beats" if c["beats_baseline"] else "does NOT beat")
                 + " the majority-class baseline")
    return "\n".join(lines)
