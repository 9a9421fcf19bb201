"""Helpers for the timemory Python tests.

Most tests run a small script in a fresh interpreter: the runtime is process-wide and its
components are fixed when it starts, so each scenario gets its own process.
"""

import json
import os
import subprocess
import sys
import textwrap

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import trace_check  # noqa: E402  (test/common: shared with the C++ and MPI checkers)

PYTHON = sys.executable


def check_traces(outdir):
    """Every flame graph a run wrote must be a trace the viewers read as it is."""
    for folder, _, files in os.walk(outdir):
        for name in files:
            if name.endswith(".flamegraph.json"):
                with open(os.path.join(folder, name)) as f:
                    problems = trace_check.problems(json.load(f))
                assert problems == [], (os.path.join(folder, name), problems[:20])


class Run:
    def __init__(self, proc, outdir):
        self.rc = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr
        # The run folder the process wrote (TIMEMORY_RUN_FOLDERS): `latest` in the output.
        self.outdir = os.path.join(outdir, "latest")
        check_traces(outdir)

    def json(self, name):
        with open(os.path.join(self.outdir, name)) as f:
            return json.load(f)

    def records(self, component="wall_clock", label="wall"):
        return self.json(label + ".json")["timemory"][component]["ranks"][0]["graph"]

    def tree(self, component="wall_clock", label="wall"):
        # One process: "graph", or "mpi" with one entry when threads other than main ran.
        body = self.json(label + ".tree.json")["timemory"][component]
        return (body["graph"] if "graph" in body else body["mpi"])[0][0]


def find(node, *names):
    """The tree node reached from `node` by a path of names (prefix match on the label)."""
    for name in names:
        nxt = [c for c in node["children"] if c["node"]["name"].split("/")[0] == name
               or c["node"]["name"] == name]
        if not nxt:
            return None
        node = nxt[0]
    return node


def laps(node):
    return node["node"]["inclusive"]["entry"]["laps"] if node else 0


@pytest.fixture
def run_script(tmp_path):
    def run(code, env=None, args=(), module_args=None):
        script = tmp_path / "script.py"
        script.write_text(textwrap.dedent(code))
        outdir = tmp_path / "out"
        e = {k: v for k, v in os.environ.items() if not k.startswith("TIMEMORY_")}
        e.update({"TIMEMORY_OUTPUT_PATH": str(outdir), "TIMEMORY_COUT_OUTPUT": "OFF",
                  "HOME": str(tmp_path)})
        e.update(env or {})
        cmd = [PYTHON] + (list(module_args) if module_args else []) + [str(script)] + list(args)
        proc = subprocess.run(cmd, env=e, capture_output=True, text=True, timeout=120,
                              cwd=str(tmp_path))
        return Run(proc, str(outdir))

    return run
