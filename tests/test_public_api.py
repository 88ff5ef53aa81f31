"""The public API is exactly ``__all__``, and ``import seqprep`` stays free of TensorFlow."""

import inspect
import subprocess
import sys
import types

import pytest

import keras_ext
import seqprep


def public_attributes(package: types.ModuleType) -> set:
    """Names a user sees with ``dir()``: not private, not submodules, not ``__future__``."""
    return {
        name for name, value in vars(package).items()
        if not name.startswith("_")
        and not isinstance(value, types.ModuleType)
        and not name == "annotations"
    }


@pytest.mark.parametrize("package", [seqprep, keras_ext], ids=lambda p: p.__name__)
def test_all_is_sorted_unique_and_importable(package):
    names = package.__all__
    assert names == sorted(names), "keep __all__ sorted"
    assert len(names) == len(set(names)), "a name is listed twice in __all__"
    for name in names:
        assert hasattr(package, name), f"{package.__name__}.{name} is in __all__ but missing"
    namespace: dict = {}
    exec(f"from {package.__name__} import *", namespace)
    assert set(names) <= set(namespace)


@pytest.mark.parametrize("package", [seqprep, keras_ext], ids=lambda p: p.__name__)
def test_every_public_attribute_is_in_all(package):
    extra = public_attributes(package) - set(package.__all__)
    assert not extra, f"public but not in {package.__name__}.__all__: {sorted(extra)}"


@pytest.mark.parametrize("package, root", [(seqprep, seqprep.SeqprepError),
                                           (keras_ext, keras_ext.KerasExtError)],
                         ids=["seqprep", "keras_ext"])
def test_every_exported_error_is_in_the_tree_and_a_builtin(package, root):
    errors = [getattr(package, n) for n in package.__all__
              if inspect.isclass(getattr(package, n))
              and issubclass(getattr(package, n), BaseException)]
    assert root in errors
    for err in errors:
        assert issubclass(err, root), f"{err.__name__} is not a {root.__name__}"
        if err is not root:
            assert issubclass(err, (ValueError, TypeError, ImportError)), err.__name__
        assert err.__module__ == package.__name__, f"{err.__name__} shows as {err.__module__}"


def test_documented_names_of_the_core():
    for name in ("as_sequence", "as_samples", "input_shape", "batch_input_shape", "make_windows",
                 "Windows", "WindowArray", "to_supervised", "Supervised", "SeqprepError"):
        assert name in seqprep.__all__
        assert getattr(seqprep, name).__doc__, f"{name} has no docstring"


def test_import_seqprep_does_not_import_tensorflow_or_keras():
    code = (
        "import sys, numpy as np, seqprep\n"
        "w = seqprep.make_windows(np.arange(20.0), 3, targets=0)\n"
        "w.X, w.y, w.index, w.report()\n"
        "seqprep.to_supervised(np.arange(20.0), 2, 1).frame\n"
        "seqprep.as_sequence(np.arange(5.0))\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('tensorflow', 'keras', 'tf_keras', 'jax', 'torch'))\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, check=True)
    assert out.stdout.strip() == "", f"import seqprep pulled in: {out.stdout.strip()}"
