"""Run with mpirun: a Profiler under mpi4py, gathered by timemory.mpi."""
from mpi4py import MPI

import timemory
import timemory.mpi
from timemory.profiler import Config, Profiler

Config.only_filenames = [__file__]
timemory.mpi.init()
r = timemory.mpi.rank()


def work(i):
    return i * 2


def only_root():
    return 1


with Profiler(["wall_clock"]):
    for i in range(r + 1):
        work(i)
    if r == 0:
        only_root()
    MPI.COMM_WORLD.Barrier()
print("rank", timemory.mpi.rank(), "of", timemory.mpi.size())
