"""multiprocessing children of a profiled program: each writes its own report.

While a Profiler runs, processes started through multiprocessing (Process, Pool, with
the fork or spawn start method) are profiled too, with the parent's
components and Config, and write their reports as their own run folders
(``<time>-<pid>``) in the parent's output folder. At its exit the parent writes
``children-<pid>.json`` there: each child's pid, start method, exit code and folder.

- fork: the child is a copy of the profiling parent; Process._bootstrap is wrapped so the
  child writes its reports before multiprocessing ends it with os._exit. A Pool worker
  ended by the pool's terminate() (SIGTERM) writes them first, then dies of the signal
  as it would have (the handler is set only where SIGTERM had its default action).
- spawn: the child is a new interpreter; its command line starts the profiler before
  multiprocessing runs anything, and it writes its reports at exit.
- forkserver children are not profiled (they are forked from the server process, which
  multiprocessing starts by its own command line); they are listed with no folder.
- A worker that recorded nothing (a Pool worker that got no task) writes no report.
"""

import json
import os
import signal
import sys

__all__ = ["install", "uninstall", "child_start"]

_state = None  # while installed: dict of what the children need, and the originals


def _child_config(components, flat, timeline):
    from . import Config
    from .. import libpytimemory as native
    cfg = Config.as_dict()
    return {"components": list(components), "flat": bool(flat), "timeline": bool(timeline),
            "config": cfg, "output_path": _base_folder(),
            "program": _program_name(), "native": native.version}


def _program_name():
    from .._program import program_argv
    return program_argv()[0]


def install(components, flat, timeline):
    """Called when the outermost Profiler starts."""
    global _state
    if _state is not None:
        return
    import multiprocessing.process as mp_process
    import multiprocessing.spawn as mp_spawn
    _state = {"args": (list(components), flat, timeline), "children": [],
              "bootstrap": mp_process.BaseProcess._bootstrap,
              "start": mp_process.BaseProcess.start,
              "command_line": mp_spawn.get_command_line, "parent": os.getpid()}
    orig_bootstrap = _state["bootstrap"]
    orig_start = _state["start"]
    orig_command_line = _state["command_line"]
    parent = _state["parent"]

    def _bootstrap(self, *args, **kwargs):
        if os.getpid() != parent:
            _finish_on_sigterm(c_level=True)  # a fork child: spawned ones never get here
        try:
            return orig_bootstrap(self, *args, **kwargs)
        finally:
            if os.getpid() != parent:
                _finish_child()

    def start(self):
        r = orig_start(self)
        if _state is not None and os.getpid() == parent:
            # The Popen, not the Process: holding a Process would keep it in
            # multiprocessing's set of dangling processes (test suites check it).
            popen = getattr(self, "_popen", None)
            method = getattr(popen, "method", None) or type(self).__name__
            _state["children"].append((popen, method))
        return r

    def get_command_line(**kwds):
        cmd = orig_command_line(**kwds)
        if _state is None:
            return cmd
        try:
            i = cmd.index("-c") + 1
        except ValueError:
            return cmd
        prelude = ("try:\n import timemory.profiler._children as _tm\n"
                   " _tm.child_start({!r})\nexcept Exception as _e:\n"
                   " import sys\n sys.stderr.write('[timemory] warning: this child process "
                   "is not profiled: %s\\n' % _e)\n").format(_child_config(*_state["args"]))
        return cmd[:i] + [prelude + cmd[i]] + cmd[i + 1:]

    mp_process.BaseProcess._bootstrap = _bootstrap
    mp_process.BaseProcess.start = start
    mp_spawn.get_command_line = get_command_line
    global _installer
    if _installer is None:
        import atexit
        atexit.register(_write_children_list)
    _installer = parent


def uninstall():
    """Called when the outermost Profiler stops: processes started later run unprofiled;
    the list of children already started is still written at exit."""
    global _state
    if _state is None:
        return
    import multiprocessing.process as mp_process
    import multiprocessing.spawn as mp_spawn
    mp_process.BaseProcess._bootstrap = _state["bootstrap"]
    mp_process.BaseProcess.start = _state["start"]
    mp_spawn.get_command_line = _state["command_line"]
    _finished.extend(_state["children"])
    _state = None


_finished = []
_installer = None  # the pid that installed the hooks: only it writes the list


def _finish_child():
    import timemory
    # A SIGTERM that comes while the reports are written (a Pool's terminate() racing a
    # worker's normal end, which is common) waits until they are complete, then ends the
    # process as it would have.
    old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    try:
        timemory.finalize()
    except Exception as e:  # never fail the child for its report
        sys.stderr.write("[timemory] warning: reports of child {} not written: {}\n".format(
            os.getpid(), e))
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)


def _finish_on_sigterm(c_level):
    """Makes SIGTERM write this child's reports first, where it has its default action.

    A fork child (`c_level`) gets the runtime's own handler, at C level: it writes the
    reports from a copy of the process when the signal arrives, then lets SIGTERM end it.
    A Python-level handler is not enough there: CPython runs those between bytecodes, and a
    SIGTERM that comes just before a blocking wait (a Pool worker taking its task queue's
    lock, where a forked worker spends its idle time) is not seen until the wait ends,
    which it never does once the pool is terminating (1 run in about 50 of a Pool(2) hung
    under Python 3.13). A spawned child keeps the Python-level handler: it is often still
    starting (importing, unpickling, in the allocator) when a pool terminates it, where a
    copy of the process cannot write.
    """
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        return
    if c_level:
        from .. import libpytimemory as native
        native.enable_signal_detection([int(signal.SIGTERM)])
        return

    def on_term(signum, frame):
        _finish_child()
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)

    signal.signal(signal.SIGTERM, on_term)


def child_start(cfg):
    """First thing in a spawned child: the parent's settings, then its profiler."""
    import atexit
    import timemory
    from timemory import libpytimemory as native
    from . import Config, Profiler
    if cfg.get("native") != native.version:
        return
    c = cfg["config"]
    for key in ("only_functions", "only_filenames", "skip_functions", "skip_filenames",
                "include_line", "include_filename", "full_filepath", "include_args",
                "trace_c", "max_stack_depth"):
        if key in c:
            setattr(Config, key, c[key])
    # The parent's program name names the folder: the children's run folders go next to
    # the parent's.
    timemory.init([cfg["program"]] + sys.argv[1:])
    if cfg.get("output_path"):  # the parent's folder, expanded (after init: %p is ours)
        timemory.settings.output_path = cfg["output_path"]
    prof = Profiler(cfg["components"], flat=cfg["flat"], timeline=cfg["timeline"])
    prof.start()
    _finish_on_sigterm(c_level=False)  # a Pool worker is ended by terminate()
    atexit.register(_finish_child)


def _base_folder():
    from .._settings import settings
    path = settings.output_path or "timemory-%p-output"
    path = path.replace("%pid", str(os.getpid())).replace("%p", _program_name())
    return path.rstrip("/") or "."


def _write_children_list():
    if os.getpid() != _installer:  # a forked child that exits normally
        return
    children = _finished + (_state["children"] if _state is not None else [])
    if not children:
        return
    base = _base_folder()
    entries = []
    try:
        names = os.listdir(base)
    except OSError:
        names = []
    for popen, method in children:
        pid = getattr(popen, "pid", None)
        folder = next((n for n in sorted(names) if n.endswith("-{}".format(pid))), None)
        # returncode: known once the program joined the child (never reaped from here)
        entries.append({"pid": pid, "start_method": method,
                        "exitcode": getattr(popen, "returncode", None),
                        "folder": os.path.join(base, folder) if folder else None})
    try:
        os.makedirs(base, exist_ok=True)
        with open(os.path.join(base, "children-{}.json".format(os.getpid())), "w") as f:
            json.dump({"parent": os.getpid(), "children": entries}, f, indent=1)
    except OSError as e:
        sys.stderr.write("[timemory] warning: list of child processes not written: {}\n".format(e))
