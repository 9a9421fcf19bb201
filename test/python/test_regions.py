"""Markers, auto_timer, regions, trace regions, the Tracer, and the storage example."""

import os
import re
import subprocess
import sys

from conftest import find, laps


def test_marker_and_auto_timer(run_script):
    r = run_script("""
        import time, timemory
        from timemory.util import marker, auto_timer
        @marker(["wall_clock", "trip_count"])
        def decorated():
            time.sleep(0.001)
        class Widget:
            @marker(is_class=True)
            def method(self):
                pass
        @auto_timer(report_at_exit=True)
        def reported():
            time.sleep(0.01)
        with marker(key="block"):
            for _ in range(3):
                decorated()
            Widget().method()
            reported()
        with auto_timer(key="timed", report_at_exit=True):
            time.sleep(0.01)
        timemory.finalize()
    """)
    assert r.rc == 0, r.err
    tree = r.tree()
    assert laps(find(tree, "block", "decorated")) == 3
    assert laps(find(tree, "block", "Widget.Widget.method")) == 1
    assert laps(find(tree, "block", "reported")) == 1
    assert laps(find(tree, "timed")) == 1
    trips = r.tree("trip_count", "trip_count")
    assert find(trips, "block", "decorated")["node"]["inclusive"]["stats"]["sum"] == 3
    # A 10 ms sleep reports at least 0.01 s (it may overshoot on a busy machine).
    for key in ("reported", "timed"):
        m = re.search(r"\[{}\] (\d+\.\d+)".format(key), r.out)
        assert m, r.out
        assert 0.0095 <= float(m.group(1)) < 1.0, r.out


def test_region_and_trace_push_pop(run_script):
    r = run_script("""
        import timemory
        timemory.trace.init(["wall_clock"])
        timemory.region.push("outer")
        for _ in range(4):
            timemory.trace.push("inner")
            timemory.trace.pop("inner")
        timemory.region.pop("outer")
        for bad in (3, None):
            try:
                timemory.region.push(bad)
            except TypeError as e:
                print("TypeError", e)
        timemory.finalize()
    """)
    assert r.rc == 0, r.err
    assert laps(find(r.tree(), "outer", "inner")) == 4
    assert "TypeError region name must be a str, not int" in r.out


def test_tracer_records_lines(run_script):
    r = run_script("""
        import timemory
        from timemory.trace import Tracer, Config
        Config.only_filenames = [__file__]
        @Tracer(["wall_clock"])
        def work():
            total = 0
            for i in range(3):
                total += i
            return total
        work()
        timemory.finalize()
    """)
    assert r.rc == 0, r.err
    counts = {x["prefix"].strip(): x["inclusive"]["entry"]["laps"] for x in r.records()}
    assert counts["total = 0"] == 1
    assert counts["total += i"] == 3
    assert counts["for i in range(3):"] == 4
    line_of = {x["prefix"].strip(): x["line"] for x in r.records()}
    assert line_of["total += i"] == line_of["total = 0"] + 2


def test_storage_example_of_the_reference():
    example = os.path.join(os.environ["TIMEMORY_EXAMPLES_DIR"], "python", "storage_example.py")
    env = dict(os.environ, TIMEMORY_COUT_OUTPUT="OFF")
    out = subprocess.run([sys.executable, example], capture_output=True, text=True, env=env,
                         timeout=60).stdout
    flat, tree = out.split("# Storage Tree")
    assert "Prefix               : >>> foo" in flat
    assert "Prefix               : >>> |_bar" in flat
    assert "[count: 5]" in flat, "bar: five push/pop pairs"
    import re
    bar_sum = float(re.search(r">>> \|_bar\n.*\n.*Data object\s+:\s+([0-9.]+) sec wall", flat).group(1))
    assert 0.55 <= bar_sum < 0.7, "sum of the ten sleeps, 0.01 .. 0.10 s"
    assert "Depth                : -1" in tree and "Hash                 : 0" in tree
    assert "Prefix               : foo" in tree and "Prefix               : bar" in tree
    foo_excl = float(re.search(r"Prefix\s+: foo\n.*\n.*\n.*Exclusive data\s+:\s+([0-9.]+)", tree).group(1))
    assert 0.1 <= foo_excl < 0.15, "foo's own time: its 0.1 s sleep"


def test_storage_classes_and_dummy_root(run_script):
    r = run_script("""
        import timemory
        from timemory.storage import WallClockStorage, PeakRssStorage
        timemory.region.push("a"); timemory.region.push("b")
        timemory.region.pop("b"); timemory.region.pop("a")
        flat = WallClockStorage.get()
        print([(x.depth(), x.name(), x.hierarchy() == [f.rolling_hash() for f in flat[:x.depth()+1]]) for x in flat])
        root = WallClockStorage.get_tree()[0]
        print(root.value().is_dummy(), [c.value().prefix() for c in root.children()],
              [g.value().prefix() for g in root.children()[0].children()])
        print("peak", PeakRssStorage.get())
    """, env={"TIMEMORY_AUTO_OUTPUT": "OFF"})
    assert r.rc == 0, r.err
    assert "[(0, 'a', True), (1, 'b', True)]" in r.out
    assert "True ['a'] ['b']" in r.out
    assert "peak []" in r.out, "a component not collected has an empty storage"


def test_mixed_language_tree(run_script):
    example = os.path.join(os.environ["TIMEMORY_EXAMPLES_DIR"], "mixed", "mixed.py")
    with open(example) as f:
        code = f.read()
    r = run_script(code)
    assert r.rc == 0, r.err
    tree = r.tree()
    step = find(tree, "run", "step")
    assert laps(step) == 3 and step["node"]["language"] == "python"
    wrapper = find(step, "py_solve(_object*, _object*)")
    assert laps(wrapper) == 3 and wrapper["node"]["language"] == "c++"
    solve = find(wrapper, "numerics::solve(int)")
    assert laps(solve) == 3 and solve["node"]["language"] == "c++"
    kernel = find(solve, "numerics::kernel(int)")
    assert laps(kernel) == 60, "10 + 20 + 30 kernel calls"
    with open(os.path.join(r.outdir, "wall.txt")) as f:
        text = f.read()
    assert "|_[pyc] step/script.py" in text and "|_[cxx] numerics::kernel(int)" in text


def test_fatal_signal_writes_reports_and_calls_exit_action(run_script):
    r = run_script("""
        import os, signal, timemory
        timemory.enable_signal_detection([signal.SIGTERM])
        timemory.set_exit_action(lambda sig: print("exit action", sig, flush=True))
        timemory.region.push("before_signal")
        timemory.region.pop("before_signal")
        os.kill(os.getpid(), signal.SIGTERM)
    """)
    assert r.rc == -15
    assert "exit action 15" in r.out
    assert [x["prefix"] for x in r.records()] == ["before_signal"]


def test_marker_in_a_loop_reuses_one_node_and_auto_timer_names_its_caller(run_script):
    r = run_script("""
        import timemory
        from timemory.util import marker, auto_timer
        def work():
            for i in range(20000):
                with marker(["wall_clock"], "step"):
                    pass
            m = marker(key="same")
            for i in range(50):
                with m:
                    pass
            for i in range(30):
                with auto_timer():
                    pass
        work()
        timemory.finalize()
    """)
    assert r.rc == 0, r.err
    recs = r.records()
    step = [x for x in recs if x["prefix"] == "step"]
    assert len(step) == 1 and step[0]["inclusive"]["entry"]["laps"] == 20000
    same = [x for x in recs if x["prefix"] == "same"]
    assert len(same) == 1 and same[0]["inclusive"]["entry"]["laps"] == 50
    auto = [x for x in recs if x["prefix"].startswith("work:")]
    assert len(auto) == 1, [x["prefix"] for x in recs]
    assert auto[0]["inclusive"]["entry"]["laps"] == 30
    assert auto[0]["file"].endswith("script.py")
    assert not any("timemory" in x["file"] for x in recs)
