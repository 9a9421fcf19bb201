"""timemory across MPI ranks from Python (with mpi4py).

    import timemory.mpi
    timemory.mpi.init()          # after mpi4py has initialised MPI
    ... profile, mark regions ...
    # at exit (or timemory.mpi.finalize()): every rank's graph goes to rank 0, which
    # writes the per-rank and combined reports, as libtimemory-mpi does for C/C++.

Ranks exchange the same compact binary form as the C/C++ library (not text), with
mpi4py's gather. Without mpi4py, or on a single rank, reports are written as usual.
"""

import atexit
import os
import time

from .. import libpytimemory as _native
from .._program import program_argv
from .._settings import settings

__all__ = ["rank", "size", "is_initialized", "init", "gather", "finalize"]

_state = {"registered": False, "done": False, "comm": None}


def _mpi():
    try:
        from mpi4py import MPI
    except ImportError:
        return None
    return MPI if MPI.Is_initialized() and not MPI.Is_finalized() else None


def _comm(comm=None):
    if comm is not None:
        return comm
    if _state["comm"] is not None:
        return _state["comm"]
    MPI = _mpi()
    return MPI.COMM_WORLD if MPI else None


def is_initialized():
    """True when MPI (through mpi4py) is initialised and not yet finalised."""
    return _mpi() is not None


def rank(comm=None):
    """This process's rank (0 without MPI). Before MPI starts, the launcher's variables
    (OMPI_COMM_WORLD_RANK, PMI_RANK) are consulted."""
    c = _comm(comm)
    if c is not None:
        return c.Get_rank()
    for var in ("OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK"):
        if var in os.environ:
            return int(os.environ[var])
    return 0


def size(comm=None):
    """The number of ranks (1 without MPI)."""
    c = _comm(comm)
    if c is not None:
        return c.Get_size()
    for var in ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE"):
        if var in os.environ:
            return int(os.environ[var])
    return 1


def init(comm=None):
    """Makes the end of the program gather every rank's graph to rank 0 (registered with
    atexit, so it runs before mpi4py finalises MPI). Call after MPI is initialised."""
    _state["comm"] = comm
    if not _state["registered"]:
        atexit.register(finalize)
        _state["registered"] = True
    _native.init(program_argv())


def gather(comm=None):
    """Collective: every rank's graph, encoded, on rank 0 (a list of bytes, index = rank);
    None on the other ranks."""
    c = _comm(comm)
    mine = _native.encode_snapshot(rank(c))
    if c is None or c.Get_size() == 1:
        return [mine]
    return c.gather(mine, root=0)


def _quiet_barrier(c):
    """A barrier that sleeps while it waits (ranks often share cores; MPI's own polls)."""
    req = c.Ibarrier()
    while not req.Test():
        time.sleep(0.001)


def finalize(comm=None):
    """Collective: gathers to rank 0, which writes the reports; then stops measuring on
    every rank (no rank writes its own). Idempotent; returns rank 0's output folder."""
    if _state["done"]:
        return ""
    _state["done"] = True
    c = _comm(comm)
    if c is None or c.Get_size() == 1:
        _native.finalize()
        return ""
    # One moment of this rank's graph for both the bytes it sends and its own entries of
    # the per-rank files, which every rank formats at once into a folder rank 0 made.
    mine = _native.RankReport(c.Get_rank())
    ranks = c.gather(mine.encode(), root=0)
    writes = c.Get_rank() == 0 and settings.auto_output
    slice_dir = c.bcast(_native.make_slice_folder() if writes else "", root=0)
    if c.Get_rank() != 0 and slice_dir:
        mine.write_slices(slice_dir)
        del mine
        _quiet_barrier(c)
    folder = ""
    if writes:
        folder = _native.write_rank_reports(ranks, slice_dir,
                                            (lambda: _quiet_barrier(c)) if slice_dir else None)
    settings.auto_output = False  # this rank's data is in rank 0's reports
    _native.finalize()
    return folder
