"""Hostile input, class 3, bounded resources (issue 15), the argument side.

Error messages used to build the full ``repr`` of a value before shortening it (a huge
list took as long and as much memory as its repr; a deeply nested one raised
``RecursionError``; a huge int raised ``ValueError``). ``seqprep._args.show`` now shortens
without building it. Arguments that decide an allocation are checked against the data
(``_args.at_most``) or the memory (``_memory.check_array_fits``) *before* allocating.
(YAML alias and depth limits are tested with the schema loader, in its own module.)
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
import tracemalloc

import numpy as np
import pandas as pd
import pytest

import seqprep
from seqprep._args import at_most, integer, show
from seqprep._memory import array_bytes, check_array_fits


def bounded(call, *, seconds: float = 1.0, peak_bytes: int = 200_000):
    """Run ``call``; assert it allocated less than ``peak_bytes`` (the discriminating bound: the
    full repr of the values used here takes megabytes) and took less than ``seconds``."""
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        out = call()
    finally:
        took = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert took < seconds, f"took {took:.3f} s"
    assert peak < peak_bytes, f"allocated {peak:,} bytes"
    return out


def nested(depth: int, container=list):
    value: object = 0
    for _ in range(depth):
        value = container([value])
    return value


# ----------------------------------------------------------------------------- show


def test_show_of_a_long_list_does_not_build_its_repr():
    big = [0] * 10**7  # its repr would be 30 MB and take ~0.1 s
    text = bounded(lambda: show(big))
    assert text == "list of 10,000,000 items: [0, 0, 0, 0, 0, 0, ...]"


@pytest.mark.parametrize("container", [list, tuple, lambda v: {"k": v}])
def test_show_of_a_deeply_nested_value(container):
    deep = nested(100_000, container)  # repr() of it raises RecursionError
    with pytest.raises(RecursionError):
        repr(deep)
    text = bounded(lambda: show(deep))
    assert len(text) <= 80 and "..." in text


def test_show_of_long_strings_dicts_sets_and_huge_ints():
    long = "x" * 10**7
    text = bounded(lambda: show(long))
    assert len(text) <= 80 and "..." in text and set(text) == {"'", "x", "."}
    d = {i: i for i in range(10**6)}
    assert bounded(lambda: show(d)) == "dict of 1,000,000 items: {0: 0, 1: 1, 2: 2, 3: 3, ...}"
    s = set(range(10**6))
    assert bounded(lambda: show(s)).startswith("set of 1,000,000 items: {")
    for blob in (b"x" * 10**7, bytearray(10**7), np.str_("y" * 10**7)):
        text = bounded(lambda: show(blob))  # noqa: B023 (called at once)
        assert len(text) <= 80 and "..." in text
    huge = 10**100_000  # str() of it raises ValueError (more than 4300 digits)
    assert bounded(lambda: show(huge)) == "<an integer of 332,193 bits>"
    assert show(-huge) == "<a negative integer of 332,193 bits>"


def test_show_of_container_subclasses_does_not_fall_back_to_their_full_repr():
    import collections

    class Rows(list):
        pass

    rows = Rows([0] * 10**6)
    assert bounded(lambda: show(rows)) == "Rows of 1,000,000 items: [0, 0, 0, 0, 0, 0, ...]"
    point = collections.namedtuple("Point", "x y")(1, list(range(10**6)))
    assert bounded(lambda: show(point)) == "Point(x=1, y=[0, 1, 2, 3, 4, 5, ...])"
    assert show(collections.OrderedDict(a=1)) == "{'a': 1}"


def test_show_describes_arrays_and_frames_by_shape():
    assert show(np.zeros((10**4, 10**3))) == "array of shape (10000, 1000) and dtype float64"
    assert show(pd.DataFrame({"a": range(10**5)})) == "DataFrame of shape (100000, 1)"
    assert show(pd.Series([1.5])) == "Series of shape (1,) and dtype float64"


def test_show_survives_a_broken_repr_and_keeps_small_values_exact():
    class Broken:
        def __repr__(self):
            raise RuntimeError("no repr")

    assert show(Broken()) == "<Broken object>"
    assert show([Broken()]) == "[<Broken object>]"
    for value in (3, 2.5, "abc", None, (1, 2), [1, "a"], {"k": 1}, np.float64(2.0)):
        assert show(value) == repr(value)


@pytest.mark.parametrize("call", [
    lambda v: seqprep.make_windows(np.zeros((5, 1)), v),
    lambda v: seqprep.Scaler(method=v).fit(np.zeros((5, 1))),
    lambda v: seqprep.as_samples(np.zeros((2, 2)), columns=v),
    lambda v: seqprep.SeriesSchema("t", freq=v),
])
def test_public_errors_with_hostile_values_are_fast_and_short(call):
    for value in (nested(50_000), [0] * 10**6, 10**100_000):
        with pytest.raises(seqprep.SeqprepError) as info:
            bounded(lambda: call(value), peak_bytes=5_000_000)
        assert len(str(info.value)) < 500


# ------------------------------------------------------------ integers and allocations


def test_integer_refuses_values_beyond_its_maximum():
    assert integer("n", 2**63 - 1) == 2**63 - 1
    with pytest.raises(seqprep.ArgumentError, match=r"^`n` must be an integer <= 9,223,"):
        integer("n", 2**63)
    with pytest.raises(seqprep.ArgumentError, match=r"^`n` must be an integer <= 100\. "
                                                    r"Received: n=101\. Use fewer\.$"):
        integer("n", 101, maximum=100, fix="Use fewer.")
    with pytest.raises(seqprep.ArgumentTypeError, match=r"^`n` must be an integer >= 1\. "
                                                        r"Received: n=np\.float64\(1\.5\) of "
                                                        r"type float64"):
        integer("n", np.float64(1.5))
    with pytest.raises(seqprep.ArgumentError, match=r"Received: n=<a negative integer of"):
        integer("n", -(10**5000))


def test_at_most_refuses_before_anything_is_allocated():
    assert at_most("batch_size", 8, 100, "the number of samples") == 8
    with pytest.raises(seqprep.ArgumentError, match=r"^`batch_size` must be at most the number "
                                                    r"of samples \(100\)\. Received: "
                                                    r"batch_size=2147483648\.$"):
        bounded(lambda: at_most("batch_size", 2**31, 100, "the number of samples"))


@pytest.mark.parametrize("shape", [(2**31, 2**31), (2**40,), (10**6, 10**6, 10**6)])
def test_check_array_fits_refuses_huge_shapes_before_allocating(shape):
    with pytest.raises(seqprep.MemoryBudgetError, match=r"would take .* more than") as info:
        bounded(lambda: check_array_fits(shape, np.float64, "The mask", "Pass less."))
    assert str(info.value).endswith("Pass less.")


def test_check_array_fits_lets_small_arrays_through():
    check_array_fits((1000, 10), np.float64, "X", "")
    assert array_bytes((2**31, 2**31), 1) == 2**62  # Python ints: no int64 overflow
    assert array_bytes((2**40, 2**40), 8) == 2**83


# ------------------------------------------------------------------ engine call sites


def run_limited(code: str, seconds: int = 60) -> subprocess.CompletedProcess:
    """Run ``code`` in a child limited to 3 GiB of address space and ``seconds``."""
    prelude = "import resource; resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30))\n"
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)],
                          capture_output=True, text=True, timeout=seconds, env=env)


@pytest.mark.skipif(sys.platform != "linux", reason="address-space limit is Linux-only")
def test_stateful_layout_refuses_huge_batch_sizes_before_allocating():
    # one child for every case (an import of seqprep per case would cost seconds)
    done = run_limited("""
        import numpy as np, seqprep
        for stride in (1, 4):  # stride 1: overlapping windows, several streams
            w = seqprep.make_windows(np.arange(40.0)[:, None], 4, stride=stride)
            for batch_size in (2**31, 2**40, 2**63 - 1):
                try:
                    seqprep.stateful_layout(w, batch_size)
                    print("built", stride, batch_size)
                except seqprep.SeqprepError as e:
                    print(type(e).__name__, stride, batch_size)
        """)
    assert done.returncode == 0, done.stderr[-1500:]
    lines = done.stdout.splitlines()
    assert len(lines) == 6, done.stdout
    for line in lines:
        assert line.split()[0] in ("ArgumentError", "BatchSizeError", "MemoryBudgetError"), line


def test_window_arguments_whose_product_passes_int64_are_refused():
    with pytest.raises((seqprep.ArgumentError, seqprep.ShapeError)):
        seqprep.make_windows(np.arange(40.0)[:, None], 2**62, sampling_rate=2**62)


@pytest.mark.parametrize("n", [2**62 + 1, 2**63 - 1, 2**61 * 3])
def test_batch_size_advice_for_a_huge_sample_count_is_bounded(n):
    class Huge:  # a lazily read dataset: a shape, no memory
        shape = (n, 10, 2)

    with pytest.raises(seqprep.BatchSizeError) as info:
        bounded(lambda: seqprep.batch_input_shape(Huge(), 1000), seconds=20, peak_bytes=10**6)
    err = info.value
    assert err.divisors and all(n % d == 0 for d in err.divisors)
    assert err.remainder == n % 1000


LIMITED = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, resource.getrlimit(resource.RLIMIT_AS)[1]))
import numpy as np, pandas as pd, seqprep
from seqprep._memory import available_memory
assert available_memory() < 3 * 2**30, available_memory()   # the limit is seen
w = seqprep.make_windows(pd.DataFrame({"x": np.zeros(200_000)}), 20_000, copy=False)
try:
    w.take(np.arange(len(w)))
except seqprep.MemoryBudgetError as err:
    print("REFUSED", err, flush=True)
try:
    seqprep.make_windows(pd.DataFrame({"x": np.zeros(200_000)}), 20_000)  # copy=True
except seqprep.MemoryBudgetError as err:
    print("REFUSED", err, flush=True)
sys.argv = ["seqprep", "windows", sys.argv[1], "--timesteps", "20000", "--out", sys.argv[2]]
from seqprep._cli import cli
cli()
"""


def test_a_process_memory_limit_is_a_budget_not_a_crash(tmp_path):
    """D22: ``ulimit -v`` (RLIMIT_AS) bounds what seqprep allocates: X too big for it is a
    MemoryBudgetError naming the shape and the fix, in Python and on the command line."""
    import subprocess
    import sys

    pd.DataFrame({"x": np.zeros(200_000)}).to_csv(tmp_path / "mid.csv", index=False)
    r = subprocess.run([sys.executable, "-c", LIMITED, str(tmp_path / "mid.csv"),
                        str(tmp_path / "big.npz")], capture_output=True, text=True, timeout=120)
    assert "REFUSED X of the samples taken of shape (180001, 20000, 1)" in r.stdout, r.stderr
    assert "REFUSED `copy=True`: X of shape (180001, 20000, 1)" in r.stdout
    assert r.returncode == 2 and "unexpected" not in r.stderr, r.stderr
    assert "13.4 GiB, more than the" in r.stderr and not (tmp_path / "big.npz").exists()
    assert "copy" not in r.stderr and "--stride" in r.stderr  # D22b: options the CLI has


def test_failure_records_that_cannot_fit_are_a_budget_error(tmp_path, monkeypatch):
    """D12 (pandas path): every row repeating one time makes a record per row; past the
    memory available that is a MemoryBudgetError (exit 2, one line), never a MemoryError."""
    from click.testing import CliRunner

    import seqprep._memory
    from seqprep._cli import cli

    pd.DataFrame({"t": np.zeros(300_000, dtype=np.int64), "x": 1.0}).to_parquet(
        tmp_path / "same.parquet")
    schema = seqprep.SeriesSchema("t", features="x", freq=1)
    schema.to_yaml(tmp_path / "s.yaml")
    monkeypatch.setattr(seqprep._memory, "available_memory", lambda: 8 * 2**20)
    r = CliRunner().invoke(cli, ["validate", str(tmp_path / "same.parquet"), "--schema",
                                 str(tmp_path / "s.yaml"), "--engine", "pandas",
                                 "--chunk-rows", "50000"])
    assert r.exit_code == 2 and "unexpected" not in r.stderr, r.output
    assert "failure records found so far" in r.stderr and len(r.stderr.splitlines()) == 1
    frame = pd.read_parquet(tmp_path / "same.parquet")
    with pytest.raises(seqprep.MemoryBudgetError, match="share one cause"):
        schema.check_chunks(frame.iloc[i:i + 50_000] for i in range(0, len(frame), 50_000))
    monkeypatch.undo()
    fails, _, _ = schema.check_chunks([frame.iloc[:1000]])  # small runs never ask
    assert len(fails) == 999
