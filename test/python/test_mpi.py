"""timemory.mpi with mpi4py: a Profiler on 2 ranks, gathered to rank 0."""

import json
import os
import shutil
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))


def _have_mpi():
    try:
        import mpi4py  # noqa: F401  (only whether it imports)
    except ImportError:
        return False
    return shutil.which("mpirun") is not None


@pytest.mark.skipif(not _have_mpi(), reason="needs mpi4py (python3-mpi4py) and mpirun (openmpi-bin)")
def test_profiler_under_mpi4py_gathers_to_rank_zero(tmp_path):
    out = tmp_path / "out"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIMEMORY_")}
    env.update({"TIMEMORY_OUTPUT_PATH": str(out), "TIMEMORY_COUT_OUTPUT": "OFF"})
    proc = subprocess.run(["mpirun", "--allow-run-as-root", "--oversubscribe", "-np", "2",
                           "-x", "PYTHONPATH", "-x", "TIMEMORY_OUTPUT_PATH", "-x",
                           "TIMEMORY_COUT_OUTPUT", sys.executable,
                           os.path.join(HERE, "mpi_script.py")],
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert " of 2" in proc.stdout  # (mpirun may merge the ranks' lines; the files are checked)
    runs = [e for e in os.listdir(out) if not e.startswith(".") and e != "latest"]
    assert len(runs) == 1, runs  # rank 0 writes the job's one report set
    # Rank 1 formatted its entries of the per-rank files itself, into a folder rank 0
    # removed once it had copied them in.
    assert [e for e in os.listdir(out) if e.startswith(".")] == []
    with open(out / "latest" / "ranks" / "wall.json") as f:
        ranks = json.load(f)["timemory"]["wall_clock"]["ranks"]
    assert [r["rank"] for r in ranks] == [0, 1]
    for r in ranks:
        work = [x for x in r["graph"] if x["prefix"].startswith("work/")]
        assert sum(x["inclusive"]["entry"]["laps"] for x in work) == r["rank"] + 1
    with open(out / "latest" / "wall.json") as f:
        combined = json.load(f)["timemory"]["wall_clock"]["ranks"][0]["graph"]
    work = [x for x in combined if x["prefix"].startswith("work/")]
    assert sum(x["inclusive"]["entry"]["laps"] for x in work) == 3
    only = [x for x in combined if x["prefix"].startswith("only_root/")]
    assert only and only[0]["ranks"] == 1
    assert not any(n.startswith("wall-") for n in os.listdir(out)), "no rank wrote alone"
