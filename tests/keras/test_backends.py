"""keras_ext on every Keras backend installed: TensorFlow here, JAX (and PyTorch) in a
subprocess each, since the backend is fixed when keras is first imported.

The same weights and data go to every backend (``_backend_worker.py``); the TensorFlow
results, computed in this process, are the reference. For stateful models this is the
proof that keras_ext carries the state from batch to batch on JAX, where Keras's own
``predict`` does not: same stream predictions, same evaluation, same weights after
``fit_stateful`` over a stateful layout.
"""

import importlib.util
import os
import pathlib
import subprocess
import sys

import keras
import numpy as np
import pytest

pytestmark = pytest.mark.keras

HERE = pathlib.Path(__file__).parent
sys.path.insert(0, str(HERE))
import _backend_worker as worker  # noqa: E402

sys.path.remove(str(HERE))


def _inputs(path):
    rng = np.random.default_rng(0)
    keras.utils.set_random_seed(0)
    ref = worker.stateful_model(worker.B)
    series = np.sin(np.arange(66, dtype="float32") / 5)
    inp = {
        "x": rng.normal(size=(22, worker.T, worker.F)).astype("float32"),
        "y": rng.normal(size=(22, 1)).astype("float32"),
        "x2": rng.normal(size=(9, 4)).astype("float32"),
        "dw": rng.normal(size=(4, 3)).astype("float32"),
        "db": rng.normal(size=(3,)).astype("float32"),
        "series": series,
        "group": np.repeat([0, 1], [39, 27]),
    }
    for i, w in enumerate(ref.get_weights()):
        inp[f"sw{i}"] = w
    np.savez(path, **inp)
    return np.load(path)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """{backend: results}: TensorFlow in this process, the others in a subprocess each."""
    tmp = tmp_path_factory.mktemp("backends")
    inp = _inputs(tmp / "in.npz")
    tf_out = {}
    worker.stateless_part(inp, tf_out, str(tmp))
    worker.stateful_part(inp, tf_out)
    results = {"tensorflow": tf_out, "inputs": inp}
    for backend, module in (("jax", "jax"), ("torch", "torch")):
        if importlib.util.find_spec(module) is None:
            continue
        out_dir = tmp / backend
        out_dir.mkdir()
        env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "2",
               "TF_ENABLE_ONEDNN_OPTS": "0", "JAX_PLATFORMS": "cpu"}
        proc = subprocess.run([sys.executable, str(HERE / "_backend_worker.py"), str(tmp / "in.npz"),
                               str(out_dir / "out.npz")], env=env, capture_output=True, text=True,
                              timeout=600)
        assert proc.returncode == 0, proc.stderr[-3000:]
        results[backend] = dict(np.load(out_dir / "out.npz"))
        results[backend]["dir"] = out_dir
    return results


def _other(runs, backend):
    if backend not in runs:
        pytest.skip(f"{backend} is not installed")
    out = runs[backend]
    assert str(out["backend"]) == backend
    return out, runs["tensorflow"]


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_stateless_helpers_agree_with_tensorflow(runs, backend):
    out, ref = _other(runs, backend)
    inp = runs["inputs"]
    z = inp["x2"] @ inp["dw"] + inp["db"]
    e = np.exp(z - z.max(-1, keepdims=True))
    np.testing.assert_allclose(out["proba"], e / e.sum(-1, keepdims=True), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out["proba"], ref["proba"], rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(out["classes"], np.argmax(z, -1))
    np.testing.assert_array_equal(out["head"], [3, True, True])
    np.testing.assert_array_equal(out["ds_first"], ref["ds_first"])  # same seeded epoch order
    assert np.isfinite(out["ds_loss"]).all() and len(out["ds_loss"]) == 2
    assert out["ds_keys"].tolist() == ref["ds_keys"].tolist() == ["loss", "mae"]  # the head
    assert (out["dir"] / "history.png").stat().st_size > 0


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_stateful_state_is_carried_as_on_tensorflow(runs, backend):
    out, ref = _other(runs, backend)
    # the same weights give the same stream predictions: state carried across batches
    np.testing.assert_allclose(out["predict"], ref["predict"], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(out["layout_predict"], ref["layout_predict"], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(out["evaluate"], ref["evaluate"], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(out["one_slot"], ref["one_slot"], rtol=1e-4, atol=1e-5)
    assert out["predict"].shape == (22, 1)


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_fit_stateful_reaches_the_same_weights(runs, backend):
    out, ref = _other(runs, backend)
    np.testing.assert_allclose(out["fit_loss"], ref["fit_loss"], rtol=1e-4)
    np.testing.assert_allclose(out["fit_val_loss"], ref["fit_val_loss"], rtol=1e-4)
    # validation ran from a zero state with the layout's slot resets: the last val_loss
    # is keras_ext.evaluate on the final weights
    np.testing.assert_allclose(out["fit_val_loss"][-1], out["val_reference"], rtol=1e-4)
    n = len([k for k in ref if k.startswith("fitted")])
    for i in range(n):
        np.testing.assert_allclose(out[f"fitted{i}"], ref[f"fitted{i}"], rtol=1e-4, atol=1e-5)
    assert float(out["after_fit_state"]) == 0.0  # reset at the last epoch end


def test_keras_alone_does_not_carry_state_on_jax(runs):
    # why the carrier exists: Keras's own predict on JAX starts every batch from zero,
    # so its rows differ from the stream predictions from the second batch on
    out, ref = _other(runs, "jax")
    np.testing.assert_allclose(ref["keras_predict"], ref["predict"][:20], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out["keras_predict"][:4], ref["predict"][:4], rtol=1e-4, atol=1e-5)
    assert not np.allclose(out["keras_predict"][4:], ref["predict"][4:20], atol=1e-4)
