"""One worker of the two-worker MultiWorkerMirroredStrategy test (run by test_multiworker.py).

Reads ``TF_CONFIG`` from the environment, trains a tiny model for one epoch on its own
shard of ``keras_ext.to_tf_dataset`` and prints one JSON line: which windows it read,
the loss of each step and a checksum of the final weights.

Keras 3.15's ``model.fit`` fails under MultiWorkerMirroredStrategy whatever the data
(keras-team/keras#20585), so the step is a plain ``strategy.run`` loop.
"""

import json
import os
import sys

# Nothing runs on import (pytest --doctest-modules imports every module it finds).

GLOBAL_BATCH, TIMESTEPS, ROWS = 32, 8, 520


def main() -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
    import numpy as np
    import tensorflow as tf

    tf.config.threading.set_inter_op_parallelism_threads(1)
    tf.config.threading.set_intra_op_parallelism_threads(1)
    import keras

    import keras_ext
    import seqprep

    task = json.loads(os.environ["TF_CONFIG"])["task"]["index"]
    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    t = np.arange(ROWS, dtype=np.float32)
    data = np.c_[np.sin(t / 7), t]  # feature 1 is the row number: it names each window
    windows = seqprep.make_windows(data, TIMESTEPS, targets=0, copy=False)

    def dataset(ctx):
        return keras_ext.to_tf_dataset(
            windows, ctx.get_per_replica_batch_size(GLOBAL_BATCH), shuffle=True, seed=11,
            drop_remainder=True, input_context=ctx)

    dist = strategy.distribute_datasets_from_function(dataset)
    with strategy.scope():
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((TIMESTEPS, 2)), keras.layers.Lambda(lambda x: x[..., :1]),
                                  keras.layers.LSTM(4), keras.layers.Dense(1)])
        optimizer = keras.optimizers.SGD(0.05)
        optimizer.build(model.trainable_variables)

    @tf.function
    def step(x, y):
        def replica(x, y):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(model(x, training=True) - y))
                scaled = loss / strategy.num_replicas_in_sync
            grads = tape.gradient(scaled, model.trainable_variables)
            optimizer.apply_gradients(zip(grads, model.trainable_variables))
            return scaled

        return strategy.reduce("SUM", strategy.run(replica, args=(x, y)), axis=None)

    seen, losses = [], []
    for x, y in dist:
        for local in strategy.experimental_local_results(x):
            seen.extend(int(v) for v in local.numpy()[:, 0, 1])
        losses.append(float(step(x, y)))
    weights = float(sum(np.abs(v).sum() for v in model.get_weights()))
    print(json.dumps({"task": task, "seen": seen, "losses": losses, "weights": weights,
                      "replicas": strategy.num_replicas_in_sync, "windows": len(windows)}))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
