#!/usr/bin/env python3
"""MPI finalize time (encode, gather to rank 0, decode, combine, write) against graph size
and rank count, medians of several runs.

usage: bench/mpi_compare.py [build-dir] [runs]
"""
import os
import statistics
import subprocess
import sys
import tempfile

build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
exe = os.path.join(build, "bin", "bench-mpi-gather")

print("{:>8} {:>6} {:>22} {:>22}".format("nodes", "ranks", "finalize, no files (ms)",
                                            "finalize + files (ms)"))
for nodes in (1000, 10000, 100000):
    for ranks in (2, 4, 8):
        cols = []
        for files in ("OFF", "ON"):
            times = []
            for _ in range(runs):
                with tempfile.TemporaryDirectory() as out:
                    cmd = ["mpirun", "--allow-run-as-root", "--oversubscribe", "-np", str(ranks),
                           "-x", "TIMEMORY_OUTPUT_PATH=" + out, "-x", "TIMEMORY_COUT_OUTPUT=OFF",
                           "-x", "TIMEMORY_FILE_OUTPUT=" + files, "-x", "TIMEMORY_VERBOSE=-1",
                           exe, str(nodes)]
                    line = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
                    times.append(float(line.split()[-1]))
            cols.append(statistics.median(times))
        print("{:>8} {:>6} {:>22.1f} {:>22.1f}".format(nodes, ranks, cols[0], cols[1]))
