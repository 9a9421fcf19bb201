"""The function profiler: counts, shapes, generators, exceptions, threads, filters."""

import json
import os
import pstats
import sys

import pytest

from conftest import find, laps

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "common"))
import trace_check  # noqa: E402  (test/common: shared with the MPI checker)


def test_recursion_counts_and_nesting(run_script):
    r = run_script("""
        import timemory
        from timemory.profiler import Profiler, Config
        Config.only_filenames = [__file__]
        def fib(n):
            return n if n < 2 else fib(n - 1) + fib(n - 2)
        def main():
            return fib(12)
        with Profiler(["wall_clock"]):
            main()
        timemory.finalize()
    """)
    assert r.rc == 0, r.err
    recs = r.records()
    fibs = [x for x in recs if x["prefix"].startswith("fib/")]
    assert sum(x["inclusive"]["entry"]["laps"] for x in fibs) == 465  # fib(12) makes 465 calls
    assert max(x["depth"] for x in fibs) == 12  # main at 0, fib(12)..fib(1) at 1..12
    tree = r.tree()
    assert laps(find(tree, "main")) == 1
    assert laps(find(tree, "main", "fib")) == 1
    assert laps(find(tree, "main", "fib", "fib")) == 2
    main = recs[0]
    assert main["prefix"].startswith("main/script.py:")
    assert main["language"] == "python"
    assert main["file"].endswith("script.py")


def test_generators_and_coroutines_count_logical_calls(run_script):
    r = run_script("""
        import asyncio, timemory
        from timemory.profiler import Profiler, Config
        Config.only_filenames = [__file__]
        def gen(n):
            for i in range(n):
                yield i
        async def child():
            await asyncio.sleep(0)
            return 1
        async def co():
            total = 0
            for _ in range(3):
                await asyncio.sleep(0)
                total += await child()
            return total
        def consume():
            return sum(gen(5)) + sum(gen(3))
        with Profiler(["wall_clock"]):
            consume()
            asyncio.run(co())
        timemory.finalize()
    """)
    assert r.rc == 0, r.err
    tree = r.tree()
    consume = find(tree, "consume")
    assert laps(find(consume, "gen")) == 2, "two generators, each one logical call"
    recs = r.records()
    co = [x for x in recs if x["prefix"].startswith("co/")]
    assert sum(x["inclusive"]["entry"]["laps"] for x in co) == 1, "3 suspensions, one call"
    child = [x for x in recs if x["prefix"].startswith("child/")]
    assert sum(x["inclusive"]["entry"]["laps"] for x in child) == 3


def test_exceptions_exit_frames_and_keep_the_tree(run_script):
    r = run_script("""
        import timemory
        from timemory.profiler import Profiler, Config
        Config.only_filenames = [__file__]
        def inner():
            raise ValueError("x")
        def middle():
            inner()
        def after():
            pass
        def outer():
            for _ in range(2):
                try:
                    middle()
                except ValueError:
                    pass
                after()
        with Profiler(["wall_clock"]):
            outer()
        timemory.finalize()
    """)
    assert r.rc == 0, r.err
    tree = r.tree()
    assert laps(find(tree, "outer", "middle", "inner")) == 2
    assert laps(find(tree, "outer", "after")) == 2, "after() is outer's child, not inner's"
    assert find(tree, "outer", "middle", "inner", "after") is None
    meta = r.json("metadata.json")["timemory"]["failures"]
    assert meta["reconciled_frames"] == 0 and meta["unmatched_exits"] == 0


def test_threads_started_before_and_after(run_script):
    r = run_script("""
        import threading, time, timemory
        from timemory.profiler import Profiler, Config
        Config.only_filenames = [__file__]
        go = threading.Event()
        def early_work():
            time.sleep(0.001)
        def early():
            go.wait()
            for _ in range(3):
                early_work()
        def late_work(i):
            return i * 2
        def late():
            for i in range(4):
                late_work(i)
        t0 = threading.Thread(target=early)
        t0.start()
        with Profiler(["wall_clock"]):
            go.set()
            t0.join()
            ts = [threading.Thread(target=late) for _ in range(2)]
            [t.start() for t in ts]
            [t.join() for t in ts]
        timemory.finalize()
    """, env={"TIMEMORY_COLLAPSE_THREADS": "ON"})
    assert r.rc == 0, r.err
    recs = r.records()
    def total(prefix):
        return sum(x["inclusive"]["entry"]["laps"] for x in recs if x["prefix"].startswith(prefix))
    assert total("early_work/") == 3, "a thread running before profiling started"
    assert total("late/") == 2 and total("late_work/") == 8, "threads started later"


def test_frames_open_before_start_are_ignored_safely(run_script):
    r = run_script("""
        import timemory
        from timemory.profiler import Profiler, Config
        Config.only_filenames = [__file__]
        p = Profiler(["wall_clock"])
        def leaf():
            return 1
        def already_running():
            p.start()          # this frame and its caller were entered before profiling
            leaf(); leaf()
            return 0
        def caller():
            already_running()
            leaf()
        caller()
        p.stop()
        timemory.finalize()
    """)
    assert r.rc == 0, r.err
    tree = r.tree()
    assert laps(find(tree, "leaf")) == 3
    assert r.json("metadata.json")["timemory"]["failures"]["unmatched_exits"] == 2


def test_filters_and_labels(run_script):
    r = run_script("""
        import timemory
        from timemory.profiler import Profiler, Config
        Config.only_filenames = [__file__]
        Config.skip_functions = ["^skipped$"]
        Config.include_args = True
        Config.include_line = False
        def kept(a, b):
            skipped()
        def skipped():
            pass
        with Profiler():
            kept(1, 2)
        timemory.finalize()
    """)
    assert r.rc == 0, r.err
    names = [x["prefix"] for x in r.records()]
    assert names == ["kept(a, b)/script.py"], names


def test_max_stack_depth(run_script):
    r = run_script("""
        import timemory
        from timemory.profiler import Profiler, Config
        Config.only_filenames = [__file__]
        Config.max_stack_depth = 3
        def down(n):
            if n: down(n - 1)
        with Profiler():
            down(6)
        timemory.finalize()
    """)
    assert r.rc == 0, r.err
    assert max(x["depth"] for x in r.records()) == 2


def test_trace_c_measures_builtins(run_script):
    r = run_script("""
        import math, timemory
        from timemory.profiler import Profiler, Config
        Config.only_filenames = [__file__]
        Config.trace_c = True
        def work():
            return [math.sqrt(i) for i in range(5)] + [len("abc")]
        with Profiler():
            work()
        timemory.finalize()
    """)
    assert r.rc == 0, r.err
    names = {x["prefix"]: x["inclusive"]["entry"]["laps"] for x in r.records()}
    assert names.get("math.sqrt") == 5, names
    assert names.get("builtins.len") == 1, names


def test_replaced_hook_is_reported_once(run_script):
    # 3.11: sys.setprofile(None) removes the profile hook: said once at stop. 3.12+: the
    # profiler is a sys.monitoring tool, which sys.setprofile does not touch; freeing its
    # tool id does stop it, and that is said once.
    r = run_script("""
        import sys, timemory
        from timemory import libpytimemory as native
        from timemory.profiler import Profiler
        p = Profiler()
        def replace():
            if native.profiler_backend == "setprofile":
                sys.setprofile(None)
            else:
                for i in range(6):
                    if sys.monitoring.get_tool(i) == "timemory":
                        sys.monitoring.free_tool_id(i)
        p.start()
        replace()
        p.stop()
        p.start(); replace(); p.stop()
        timemory.finalize()
    """)
    assert r.rc == 0, r.err
    assert r.err.count("another tool") == 1, r.err


def test_setprofile_does_not_stop_the_monitoring_profiler(run_script):
    r = run_script("""
        import sys, timemory
        from timemory import libpytimemory as native
        from timemory.profiler import Profiler, Config
        if native.profiler_backend == "setprofile":
            print("SKIP")
            raise SystemExit(0)
        Config.only_filenames = [__file__]
        def work():
            return 1
        calls = []
        def other(frame, event, arg):
            if event == "call" and frame.f_code is work.__code__:
                calls.append(event)
        with Profiler(["wall_clock"]):
            sys.setprofile(other)
            work(); work()
            sys.setprofile(None)
            work()
        assert len(calls) == 2, calls
        timemory.finalize()
    """)
    assert r.rc == 0, r.err
    if r.out.strip() == "SKIP":
        pytest.skip("Python 3.11: the profiler is the profile hook itself")
    assert laps(find(r.tree(), "work")) == 3
    assert "another tool" not in r.err


def test_pstats_round_trip(run_script, tmp_path):
    prof = tmp_path / "run.prof"
    r = run_script("""
        import sys, time, timemory
        from timemory.profiler import Profiler, Config
        Config.only_filenames = [__file__]
        def fib(n):
            return n if n < 2 else fib(n - 1) + fib(n - 2)
        def slow():
            time.sleep(0.05)
        def main():
            fib(10); slow()
        p = Profiler(["wall_clock"])
        p.runcall(main)
        p.dump_stats(sys.argv[1])
    """, args=[str(prof)])
    assert r.rc == 0, r.err
    st = pstats.Stats(str(prof))
    by_name = {k[2]: v for k, v in st.stats.items()}
    cc, nc, tt, ct, callers = by_name["fib"]
    assert (cc, nc) == (1, 177)
    assert list(k[2] for k in callers) == ["main", "fib"]
    assert callers[next(k for k in callers if k[2] == "main")][:2] == (1, 1)
    _, _, tt_slow, ct_slow, _ = by_name["slow"]
    assert 0.05 <= ct_slow < 0.2
    assert ct_slow == tt_slow  # sleep is not a Python call: all self time
    assert by_name["main"][3] >= ct_slow
    assert st.total_calls == 177 + 1 + 1


def test_bad_arguments_raise_clear_errors(run_script):
    r = run_script("""
        from timemory.profiler import Profiler, Config
        for bad, exc in ((["wal_clock"], ValueError), ([3], TypeError)):
            try:
                Profiler(bad)
            except exc as e:
                print(type(e).__name__, e)
        Config.only_functions = ["("]
        try:
            Profiler().start()
        except ValueError as e:
            print("ValueError", e)
    """)
    assert r.rc == 0, r.err
    assert "ValueError unknown component 'wal_clock'; closest valid names: wall_clock" in r.out
    assert "TypeError components must be names" in r.out
    assert "ValueError only_functions: invalid regular expression '('" in r.out


def test_module_entry_point(run_script, tmp_path):
    out = tmp_path / "cli-out"
    r = run_script("""
        import sys
        def work(n):
            return sum(range(n))
        for a in sys.argv[1:]:
            work(int(a))
        print("args", sys.argv[1:])
    """, module_args=["-m", "timemory.profiler", "-c", "wall_clock,trip_count",
                      "-d", str(out)], args=["10", "20"])
    assert r.rc == 0, r.err
    assert "args ['10', '20']" in r.out
    import json, os
    with open(os.path.join(str(out), "latest", "trip_count.json")) as f:
        recs = json.load(f)["timemory"]["trip_count"]["ranks"][0]["graph"]
    work = [x for x in recs if x["prefix"].startswith("work/")]
    assert sum(x["inclusive"]["entry"]["laps"] for x in work) == 2


def test_run_executes_source_under_the_profiler(run_script):
    r = run_script("""
        import timemory
        from timemory.profiler import Profiler, Config
        Config.only_filenames = [__file__, "<string>"]
        def target(n):
            return n * 2
        Profiler(["wall_clock"]).run("for i in range(3): target(i)")
        timemory.finalize()
    """)
    assert r.rc == 0, r.err
    recs = r.records()
    assert sum(x["inclusive"]["entry"]["laps"] for x in recs if x["prefix"].startswith("target/")) == 3


def test_new_threads_nest_under_the_function_that_started_them(run_script):
    r = run_script("""
        import threading, timemory
        from timemory.profiler import Profiler, Config
        Config.only_filenames = [__file__]
        def work(i):
            return i * 2
        def body():
            for i in range(3):
                work(i)
        def spawn():
            ts = []
            for _ in range(2):  # a loop, not a comprehension: that would be a frame of its own
                t = threading.Thread(target=body)
                t.start()
                ts.append(t)
            for t in ts:
                t.join()
        with Profiler(["wall_clock"]):
            spawn()
        print(threading.Thread.start.__module__)
        timemory.finalize()
    """)
    assert r.rc == 0, r.err
    from conftest import find, laps
    tree = r.tree()
    assert laps(find(tree, "spawn", "body")) == 2, "both threads under spawn()"
    assert laps(find(tree, "spawn", "body", "work")) == 6
    assert find(tree, "body") is None
    assert r.out.strip() == "threading", "Thread.start restored after profiling"


def test_thread_pools_started_from_short_functions_never_give_negative_times(run_script):
    # A pool created in a short function (its threads run long after it returned), and
    # threads started from another short function: their work is concurrent, never
    # subtracted from the starters (negative self time), in every report and in pstats.
    r = run_script("""
        import threading, time, pstats, timemory
        from concurrent.futures import ThreadPoolExecutor
        from timemory.profiler import Profiler, Config
        Config.only_filenames = [__file__]
        def task(i):
            time.sleep(0.01)
            return i
        def make_pool():
            return ThreadPoolExecutor(max_workers=3)
        def submit_all(pool):
            return [pool.submit(task, i) for i in range(9)]
        def start_threads():
            ts = [threading.Thread(target=task, args=(i,)) for i in range(3)]
            for t in ts:
                t.start()
            return ts
        p = Profiler(["wall_clock"])
        with p:
            pool = make_pool()
            futures = submit_all(pool)
            ts = start_threads()
            assert sum(f.result() for f in futures) == 36
            for t in ts:
                t.join()
            pool.shutdown()
        p.dump_stats("run.prof")
        st = pstats.Stats("run.prof")
        bad = [(k, v[2], v[3]) for k, v in st.stats.items() if v[2] < 0 or v[3] < 0]
        print("negative:", bad)
        print("task calls:", sum(v[1] for k, v in st.stats.items() if k[2] == "task"))
        timemory.finalize()
    """)
    assert r.rc == 0, r.err
    assert "negative: []" in r.out, r.out
    assert "task calls: 12" in r.out, r.out
    recs = r.records()
    assert sum(x["inclusive"]["entry"]["laps"] for x in recs if x["prefix"].startswith("task/")) == 12
    for x in recs:
        assert x["exclusive"]["stats"]["sum"] >= 0, x["prefix"]

    def walk(n):
        for c in n["children"]:
            assert c["node"]["exclusive"]["stats"]["sum"] >= 0, c["node"]["prefix"]
            walk(c)
    walk(r.tree())
    # The threads' work is marked as such where it attaches.
    tasks = [x for x in recs if x["prefix"].startswith("task/")]
    assert all(x["tid"] != 0 for x in tasks)
    assert sum(x["threads"] for x in tasks) >= 2
    # The flame graph: a named track per thread, integer times, proper nesting on each.
    trace = r.json("wall.flamegraph.json")
    assert trace_check.problems(trace) == []
    tracks = {(e["pid"], e["tid"]) for e in trace_check.complete_events(trace)}
    assert len(tracks) >= 2, "the threads' work on tracks of their own"


def test_throttled_functions_keep_their_place_in_the_tree(run_script):
    # leaf() is short and called 40 000 times: it is throttled after 10 000 calls. It stays
    # under mid(), which really calls it (never directly under main()), every call counted,
    # and so does a generator it consumes after throttling.
    r = run_script("""
        import timemory
        from timemory.profiler import Profiler, Config
        Config.only_filenames = [__file__]
        def gen(n):
            for i in range(n):
                yield i
        def leaf(x):
            return x + 1
        def mid(n):
            s = 0
            for i in range(n):
                s += leaf(i)
            return s
        def main():
            for _ in range(40):
                mid(1000)
            return sum(gen(20))
        with Profiler(["wall_clock"]):
            main()
        timemory.finalize()
    """)
    assert r.rc == 0, r.err
    tree = r.tree()
    leaf = find(tree, "main", "mid", "leaf")
    assert laps(leaf) == 40000
    assert leaf["node"]["throttled"] is True
    assert leaf["node"]["untimed"] > 0
    assert find(tree, "main", "leaf") is None
    assert laps(find(tree, "main", "gen")) == 1
    for n in (find(tree, "main"), find(tree, "main", "mid"), leaf):
        assert n["node"]["exclusive"]["stats"]["sum"] >= 0


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_multiprocessing_children_write_their_own_reports(run_script, method):
    if True:
        r = run_script("""
            import json, multiprocessing as mp, os, sys, timemory
            from timemory.profiler import Profiler, Config
            Config.only_filenames = [__file__]
            def work(x):
                s = 0
                for i in range(20000):
                    s += i
                return x * 2
            def main(method):
                ctx = mp.get_context(method)
                with ctx.Pool(2) as p:
                    print(p.map(work, range(8), chunksize=1))
                pr = ctx.Process(target=work, args=(3,))
                pr.start(); pr.join()
                print("exit", pr.exitcode)
            if __name__ == "__main__":
                with Profiler(["wall_clock"]):
                    main(sys.argv[1])
        """, args=[method])
        assert r.rc == 0, r.err
        assert "[0, 2, 4, 6, 8, 10, 12, 14]" in r.out and "exit 0" in r.out
        base = os.path.dirname(r.outdir)
        lists = [n for n in os.listdir(base) if n.startswith("children-")]
        assert len(lists) == 1, os.listdir(base)
        with open(os.path.join(base, lists[0])) as f:
            children = json.load(f)["children"]
        assert len(children) == 3, children  # two pool workers, one Process
        assert {c["start_method"] for c in children} == {method}
        lone = children[-1]
        assert lone["exitcode"] == 0 and lone["folder"], children
        calls = 0
        for c in children:
            if not c["folder"]:
                continue
            with open(os.path.join(os.path.dirname(base), c["folder"], "wall.json")) as f:
                recs = json.load(f)["timemory"]["wall_clock"]["ranks"][0]["graph"]
            calls += sum(x["inclusive"]["entry"]["laps"] for x in recs
                         if x["prefix"].startswith("work/"))
        assert calls == 9, (method, calls)  # 8 pool tasks and the lone Process
        # the parent's own report has no work() of the children in it
        parent = [x for x in r.records() if x["prefix"].startswith("work/")]
        assert parent == []


def test_a_forked_child_ended_by_sigterm_while_it_waits_writes_its_reports(run_script):
    # A fork child blocked in a lock that is never released (as a Pool worker waits for
    # its task queue) and then terminated: it writes its reports and dies of SIGTERM. The
    # handler is the runtime's, at C level (the process catches SIGTERM while Python has no
    # handler for it), so a SIGTERM that comes just before the wait is not lost: with a
    # Python-level handler, 1 run in about 50 of a Pool(2) under Python 3.13 hung.
    r = run_script("""
        import multiprocessing as mp, signal, sys, time
        from timemory.profiler import Profiler, Config
        Config.only_filenames = [__file__]
        def work(lock, q):
            s = 0
            for i in range(20000):
                s += i
            with open("/proc/self/status") as f:
                caught = [l.split()[1] for l in f if l.startswith("SigCgt:")][0]
            # Caught by the process, yet no Python-level handler: the runtime's C handler.
            q.put("{} {}".format(bool(int(caught, 16) & (1 << (signal.SIGTERM - 1))),
                                 signal.getsignal(signal.SIGTERM) is signal.SIG_DFL))
            lock.acquire()  # never released: ended here by the parent's SIGTERM
        def main():
            ctx = mp.get_context("fork")
            lock, q = ctx.Lock(), ctx.Queue()
            lock.acquire()
            pr = ctx.Process(target=work, args=(lock, q))
            pr.start()
            print("handler", q.get(timeout=30))
            time.sleep(0.3)
            pr.terminate()
            pr.join(30)
            print("exit", pr.exitcode)
        if __name__ == "__main__":
            with Profiler(["wall_clock"]):
                main()
    """)
    assert r.rc == 0, r.err
    assert "handler True True" in r.out, r.out
    assert "exit -15" in r.out, r.out
    assert "[timemory]" not in r.err, r.err  # a terminated worker is normal: said nothing
    base = os.path.dirname(r.outdir)
    lists = [n for n in os.listdir(base) if n.startswith("children-")]
    with open(os.path.join(base, lists[0])) as f:
        child = json.load(f)["children"][0]
    assert child["exitcode"] == -15 and child["folder"], child
    with open(os.path.join(os.path.dirname(base), child["folder"], "wall.json")) as f:
        recs = json.load(f)["timemory"]["wall_clock"]["ranks"][0]["graph"]
    work = [x for x in recs if x["prefix"].startswith("work/")]
    assert len(work) == 1 and work[0]["inclusive"]["entry"]["laps"] == 1, recs


def test_threads_started_while_profilers_start_and_stop_never_die(run_script):
    # 150 start/stop cycles on the main thread while another thread keeps starting batches
    # of 4 threads: none may die (3.11 once raised "Cannot install a profile function
    # while another profile function is being installed" in such a thread).
    r = run_script("""
        import threading, timemory
        from timemory.profiler import Profiler, Config
        Config.only_filenames = [__file__]
        errors = []
        threading.excepthook = lambda args: errors.append(repr(args.exc_value))
        def body():
            s = 0
            for i in range(200):
                s += i
        def starter(stop):
            while not stop.is_set():
                ts = [threading.Thread(target=body) for _ in range(4)]
                for t in ts: t.start()
                for t in ts: t.join()
        stop = threading.Event()
        st = threading.Thread(target=starter, args=(stop,))
        st.start()
        for i in range(150):
            p = Profiler(["wall_clock"])
            p.start()
            body()
            p.stop()
        stop.set()
        st.join()
        print("errors", len(errors), errors[:2])
        timemory.finalize()
    """)
    assert r.rc == 0, r.err
    assert "errors 0 []" in r.out, r.out
    assert "Cannot install" not in r.err
