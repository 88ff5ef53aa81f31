"""A real two-worker MultiWorkerMirroredStrategy run on loopback, fed by to_tf_dataset shards.

Two processes, each with its own ``TF_CONFIG`` naming both on 127.0.0.1, train one epoch
(see ``_mw_worker.py``). Each must read only its own windows, the two shards must cover
the epoch, and the synchronised weights must come out identical on both.
"""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

WORKER = Path(__file__).with_name("_mw_worker.py")
ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 150


def free_ports(n):
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def run_cluster():
    ports = free_ports(2)
    cluster = {"worker": [f"127.0.0.1:{p}" for p in ports]}
    procs = []
    for i in range(2):
        env = dict(os.environ, TF_CONFIG=json.dumps({"cluster": cluster,
                                                     "task": {"type": "worker", "index": i}}),
                   PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
        procs.append(subprocess.Popen([sys.executable, str(WORKER)], env=env, cwd=ROOT,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    deadline = time.monotonic() + TIMEOUT
    outs = []
    try:
        for p in procs:
            out, err = p.communicate(timeout=max(1, deadline - time.monotonic()))
            outs.append((p.returncode, out, err))
    except subprocess.TimeoutExpired:
        for p in procs:
            p.kill()
        for p in procs:
            p.communicate()
        return None
    return outs


def test_two_workers_each_train_on_their_own_shard():
    outs = run_cluster()
    if outs is None or any(rc != 0 for rc, _, _ in outs):  # e.g. a port taken in between: once more
        outs = run_cluster()
    assert outs is not None, f"the two workers did not finish within {TIMEOUT} s"
    for rc, _, err in outs:
        assert rc == 0, err[-3000:]
    reports = [json.loads(out.strip().splitlines()[-1]) for _, out, _ in outs]
    a, b = sorted(reports, key=lambda r: r["task"])
    n = a["windows"]
    assert a["replicas"] == b["replicas"] == 2
    # each worker reads its own half of the epoch's shuffled order, in whole batches of 16
    per_batch = 32 // 2
    per_worker = (n // 2) // per_batch * per_batch
    assert len(a["seen"]) == len(b["seen"]) == per_worker
    assert len(set(a["seen"])) == per_worker and not set(a["seen"]) & set(b["seen"])
    assert set(a["seen"]) | set(b["seen"]) <= set(range(n))
    assert a["seen"] != sorted(a["seen"])  # shuffled
    # one synchronous step per global batch; gradients were all-reduced
    assert len(a["losses"]) == len(b["losses"]) == per_worker // per_batch
    assert a["losses"] == b["losses"]
    assert a["weights"] == b["weights"]
