#!/usr/bin/env python3
"""Checks the cupti_activity report of gpu_app.cu: every kernel and copy under the region
that launched it, with exact counts, positive GPU times and the bytes copied.

usage: check_gpu.py OUTPUT_FOLDER"""

import json
import os
import sys

MIB = 1 << 20


def child(node, name):
    for c in node["children"]:
        prefix = c["node"]["name"]
        if prefix == name or prefix.startswith(name + "("):
            return c
    names = [c["node"]["name"] for c in node["children"]]
    raise AssertionError("no child {!r} under {!r}; children: {}".format(
        name, node["node"]["name"], names))


def laps(n):
    return n["node"]["inclusive"]["entry"]["laps"]


def value(n, label, unit_value):
    """Inclusive sum of `label` in raw units (ns, bytes)."""
    return n["node"]["inclusive"]["stats"]["sum"][label] * unit_value[label]


def main(out):
    doc = json.load(open(os.path.join(out, "cupti_activity.tree.json")))
    body = doc["timemory"]["cupti_activity"]
    assert body["type"] == ["gpu_time", "gpu_bytes"], body["type"]
    units = dict(zip(body["type"], body["unit_value"]))
    root = body["graph"][0][0]
    main_ = child(root, "main")
    setup, compute, download = (child(main_, n) for n in ("setup", "compute", "download"))
    inner = child(compute, "inner")
    checks = [
        (child(setup, "[CUDA memcpy HtoD]"), 1, MIB),
        (child(setup, "[CUDA memset]"), 1, MIB),
        (child(compute, "scale"), 5, 0),
        (child(inner, "add_one"), 3, 0),
        (child(download, "[CUDA memcpy DtoH]"), 1, MIB),
    ]
    for node, count, nbytes in checks:
        name = node["node"]["name"]
        assert laps(node) == count, "{}: {} records, expected {}".format(name, laps(node), count)
        assert value(node, "gpu_time", units) > 0, name + ": no GPU time"
        got = value(node, "gpu_bytes", units)
        assert abs(got - nbytes) < 1, "{}: {} bytes, expected {}".format(name, got, nbytes)
    # Host regions hold what was launched below them.
    assert laps(main_) == 11, laps(main_)
    kernels = value(child(compute, "scale"), "gpu_time", units) + value(inner, "gpu_time", units)
    assert abs(value(compute, "gpu_time", units) - kernels) < 1e-3 * kernels + 1
    # The wall-clock report of the same run has the same regions.
    wall = json.load(open(os.path.join(out, "wall.tree.json")))["timemory"]["wall_clock"]
    child(child(child(wall["graph"][0][0], "main"), "compute"), "inner")
    print("gpu check passed: {} kernels, GPU time under compute {:.3f} ms".format(
        laps(compute), value(compute, "gpu_time", units) / 1e6))


if __name__ == "__main__":
    main(sys.argv[1])
