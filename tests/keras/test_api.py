"""The keras_ext names of the stateful-LSTM issue are public, documented and sorted."""

import inspect

import keras_ext

STATEFUL_API = {
    "MissingDependencyError", "OutputHead", "ResetStates", "fit_stateful", "get_states",
    "output_activations", "output_head", "plot_history", "predict_classes", "predict_proba",
    "reset_states", "set_states", "stateful_layers", "with_batch_size",
}


def test_names_exported_and_sorted():
    assert STATEFUL_API <= set(keras_ext.__all__)
    assert keras_ext.__all__ == sorted(keras_ext.__all__)
    for name in STATEFUL_API:
        obj = getattr(keras_ext, name)
        assert inspect.getdoc(obj), name


def test_contract_signatures():
    sig = inspect.signature(keras_ext.fit_stateful)
    assert list(sig.parameters)[:3] == ["model", "x", "y"]
    for name, default in [("epochs", 1), ("batch_size", None), ("reset_every", "epoch"),
                          ("validation_data", None), ("on_remainder", "error"), ("callbacks", None)]:
        assert sig.parameters[name].kind is inspect.Parameter.KEYWORD_ONLY
        assert sig.parameters[name].default == default
    for fn in (keras_ext.predict_classes, keras_ext.predict_proba):
        params = inspect.signature(fn).parameters
        assert params["batch_size"].kind is inspect.Parameter.KEYWORD_ONLY
    assert inspect.signature(keras_ext.predict_classes).parameters["threshold"].default == 0.5


def test_errors_are_rooted_and_builtin():
    for name, builtin in [("ArgumentError", ValueError), ("RemainderError", ValueError),
                          ("ArgumentTypeError", TypeError), ("ModelError", ValueError),
                          ("BackendError", ValueError), ("MissingDependencyError", ImportError)]:
        cls = getattr(keras_ext, name)
        assert issubclass(cls, keras_ext.KerasExtError) and issubclass(cls, builtin)
