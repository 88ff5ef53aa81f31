"""Run keras_ext's helpers on the backend in KERAS_BACKEND and save what they return.

Used by test_backends.py: ``python _backend_worker.py inputs.npz outputs.npz``. The
backend is fixed when keras is first imported, so each backend needs its own process.
Every model gets its weights from ``inputs.npz``, so results compare across backends.
"""

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import keras_ext  # noqa: E402
import seqprep  # noqa: E402

T, F, B = 3, 1, 4


def stateful_model(batch):
    return keras.Sequential([keras.Input(batch_shape=(batch, T, F)),
                             keras.layers.LSTM(3, stateful=True), keras.layers.Dense(1)])


def weights(inp, prefix):
    keys = sorted((k for k in inp.files if k.startswith(prefix)), key=lambda k: int(k[len(prefix):]))
    return [inp[k] for k in keys]


def stateful_part(inp, out):
    m = stateful_model(B)
    m.set_weights(weights(inp, "sw"))
    x = inp["x"]
    out["predict"] = keras_ext.predict(m, x)                       # 22 inputs, padded to 24
    keras_ext.reset_states(m)
    out["keras_predict"] = m.predict(x[:20], batch_size=B, verbose=0)  # Keras's own
    layout = seqprep.stateful_layout(seqprep.make_windows(inp["series"], T, stride=T, targets=0,
                                                          group=inp["group"]), B)
    out["layout_predict"] = keras_ext.predict(m, layout)
    m.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    out["evaluate"] = np.asarray(keras_ext.evaluate(m, x, inp["y"]))
    h = keras_ext.fit_stateful(m, layout, epochs=2, validation_data=layout, verbose=0)
    out["fit_loss"] = np.asarray(h.history["loss"])
    out["fit_val_loss"] = np.asarray(h.history["val_loss"])
    for i, w in enumerate(m.get_weights()):
        out[f"fitted{i}"] = w
    out["after_fit_state"] = np.asarray(sum(float(np.abs(s).sum()) for layer in
                                            keras_ext.get_states(m) for s in layer))
    out["val_reference"] = np.asarray(keras_ext.evaluate(m, layout))
    one = keras_ext.with_batch_size(m, 1)
    out["one_slot"] = keras_ext.predict(one, x[:5])


def stateless_part(inp, out, out_dir):
    inp_layer = keras.Input((4,))
    dense = keras.layers.Dense(3)
    m = keras.Model(inp_layer, dense(inp_layer))
    m.set_weights([inp["dw"], inp["db"]])
    out["proba"] = keras_ext.predict_proba(m, inp["x2"])
    out["classes"] = keras_ext.predict_classes(m, inp["x2"])
    head = keras_ext.output_head("multiclass", 3)
    out["head"] = np.asarray([head.layer.units, head.loss == "sparse_categorical_crossentropy",
                              head.layer.activation.__name__ == "softmax"])
    w = seqprep.make_windows(inp["series"], T, targets=0, copy=False)
    ds = keras_ext.WindowDataset(w, 8, shuffle=True, seed=0)
    out["ds_first"] = ds[0][0]
    reg = keras_ext.output_head("regression", 1)
    lstm = keras.Sequential([keras.Input((T, F)), keras.layers.LSTM(2), reg.layer])
    lstm.compile(optimizer="sgd", **reg.compile_kwargs())
    h = lstm.fit(ds, epochs=2, verbose=0)
    out["ds_loss"] = np.asarray(h.history["loss"])
    out["ds_keys"] = np.asarray(sorted(h.history))
    fig = keras_ext.plot_history(h)
    fig.savefig(os.path.join(out_dir, "history.png"))
    out["plotted"] = np.asarray(1)


def main():
    inp = np.load(sys.argv[1])
    out = {"backend": np.asarray(keras.backend.backend())}
    stateless_part(inp, out, os.path.dirname(os.path.abspath(sys.argv[2])))
    stateful_part(inp, out)
    np.savez(sys.argv[2], **out)


if __name__ == "__main__":
    main()
