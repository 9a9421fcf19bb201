"""Top-level functions, settings, components: in this process (no report written)."""

import os
import subprocess
import sys
import time

import pytest

os.environ["TIMEMORY_AUTO_OUTPUT"] = "OFF"
os.environ["TIMEMORY_COUT_OUTPUT"] = "OFF"

import timemory  # noqa: E402
from timemory import component  # noqa: E402
from timemory.component import CpuClock, PeakRss, TripCount, WallClock  # noqa: E402


def test_settings_are_typed_attributes():
    s = timemory.settings
    assert s.max_depth == 65535 and isinstance(s.max_depth, int)
    assert s.collapse_threads is True
    s.precision = 5
    assert s.precision == 5
    s.flat_profile = True
    assert s.flat_profile is True
    s.flat_profile = False
    s.timing_units = "ms"
    assert s.timing_units == "ms"
    s.timing_units = "sec"
    assert "timing_units" in dir(s)
    assert any(d["env_name"] == "TIMEMORY_MAX_DEPTH" for d in s.describe())


def test_settings_describe_gives_the_value_a_fresh_process_starts_with(run_script):
    # Before the runtime starts: the environment and settings set in the program apply.
    r = run_script("""
        import timemory
        timemory.settings.precision = 6
        d = {x["name"]: x for x in timemory.settings.describe()}
        print(d["timing_units"]["value"], d["timing_units"]["default"], d["precision"]["value"])
    """, env={"TIMEMORY_TIMING_UNITS": "ms"})
    assert r.rc == 0, r.err
    assert r.out.split() == ["ms", "auto", "6"], r.out


def test_lists_split_as_the_runtime_splits_them():
    from timemory._settings import split_list
    assert split_list("wall_clock;cpu_clock, peak_rss\tpage_rss,,") == [
        "wall_clock", "cpu_clock", "peak_rss", "page_rss"]


def test_settings_reject_bad_values():
    s = timemory.settings
    with pytest.raises(ValueError, match="invalid value 'abc' for max_depth: expected an integer"):
        s.max_depth = "abc"
    with pytest.raises(ValueError, match="must be at least 1"):
        s.max_depth = 0
    with pytest.raises(TypeError, match="expects an int"):
        s.max_depth = 1.5
    with pytest.raises(AttributeError, match="no setting 'no_such_setting'"):
        s.no_such_setting = 1
    with pytest.raises(AttributeError):
        s.no_such_setting
    assert s.max_depth == 65535


def test_settings_parse_rereads_environment(monkeypatch):
    monkeypatch.setenv("TIMEMORY_PRECISION", "7")
    timemory.settings.parse()
    assert timemory.settings.precision == 7
    monkeypatch.setenv("TIMEMORY_PRECISION", "3")
    timemory.settings.parse()


def test_wall_clock_component_measures_a_sleep():
    wc = WallClock("nap")
    wc.start()
    time.sleep(0.05)
    wc.stop()
    assert 0.05 <= wc.get() < 0.1
    assert wc.laps() == 1 and wc.key() == "nap" and wc.units() == "sec"
    wc.start()
    time.sleep(0.02)
    wc.stop()
    assert wc.laps() == 2 and 0.07 <= wc.get() < 0.15
    total = wc + wc
    assert total.laps() == 4 and abs(total.get() - 2 * wc.get()) < 1e-9
    diff = total - wc
    assert abs(diff.get() - wc.get()) < 1e-9
    assert repr(wc).endswith("sec wall")
    wc.reset()
    assert wc.get() == 0 and wc.laps() == 0
    wc.rekey("other")
    assert wc.key() == "other" and wc.hash() != WallClock("nap").hash()


def test_component_class_information():
    assert WallClock.label() == "wall"
    assert WallClock.description() == "Real-clock timer (i.e. wall-clock timer)"
    assert WallClock.available() is True
    assert CpuClock.label() == "cpu"
    assert component.id.wall_clock.name == "wall_clock"
    assert len(list(component.id)) == 29
    for c in component.id:
        cls = component.by_id(c)
        assert cls.label() and cls.description()
    with pytest.raises(ValueError, match="closest valid names: peak_rss"):
        component.by_id("peak_rs")
    with pytest.raises(TypeError):
        WallClock(3)


def test_memory_and_count_components():
    p = PeakRss()
    p.measure()
    assert p.get() > 1.0  # the process's high-water mark, in MB
    t = TripCount()
    for _ in range(3):
        t.start()
        t.stop()
    assert t.get() == 3


def test_enable_disable_toggle():
    timemory.init()
    assert timemory.is_enabled() and timemory.enabled()
    timemory.disable()
    assert not timemory.is_enabled()
    timemory.toggle(True)
    assert timemory.is_enabled()
    timemory.toggle(False)
    timemory.enable()
    assert timemory.is_enabled()


def test_file_func_line():
    assert timemory.FILE() == "test_api.py"
    assert timemory.FILE(use_dirname=True) == os.path.join("python", "test_api.py")
    assert timemory.FUNC() == "test_file_func_line"
    assert timemory.LINE() == test_file_func_line.__code__.co_firstlineno + 4


def test_set_exit_action_rejects_non_callables():
    with pytest.raises(TypeError, match="expects a callable"):
        timemory.set_exit_action(3)


def _stub_names(module_path, kind):
    import ast
    with open(module_path) as f:
        tree = ast.parse(f.read())
    if kind == "classes":
        return {n.name for n in tree.body if isinstance(n, ast.ClassDef)}
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == kind)
    return {n.target.id for n in cls.body if isinstance(n, ast.AnnAssign)}


def test_type_stubs_match_the_package():
    pkg = os.path.dirname(timemory.__file__)
    assert os.path.exists(os.path.join(pkg, "py.typed"))
    comp_stub = _stub_names(os.path.join(pkg, "component", "__init__.pyi"), "classes")
    classes = {n for n in component.__all__ if n not in ("id",)}
    assert comp_stub - {"id"} == classes
    settings_stub = _stub_names(os.path.join(pkg, "_settings.pyi"), "Settings")
    assert settings_stub == set(timemory.settings.names())
    id_stub = _stub_names(os.path.join(pkg, "component", "__init__.pyi"), "id")
    assert id_stub == {c.name for c in component.id}
    from timemory import storage
    storage_stub = _stub_names(os.path.join(pkg, "storage", "__init__.pyi"), "classes")
    assert {n for n in storage.__all__ if n.endswith("Storage")} <= storage_stub


def test_import_loads_no_optional_library():
    # PAPI, libpfm, CUDA and CUPTI are opened when a component of theirs is asked for, not
    # by `import timemory` (on a GPU node, opening libcuda starts the driver).
    code = ("import timemory, timemory.component, timemory.profiler, timemory.storage, "
            "timemory.util, timemory.hardware_counters, timemory.trace\n"
            "maps = open('/proc/self/maps').read()\n"
            "print(sorted({l for l in ('libpapi', 'libpfm', 'libcuda', 'libcupti', 'libfmt')"
            " if l in maps}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_settings_of_the_reference_example_are_accepted(run_script):
    # The reference's settings example, verbatim in its assignments.
    r = run_script("""
        import timemory
        timemory.settings.verbose = 1
        timemory.settings.debug = False
        timemory.settings.json_output = True
        timemory.settings.mpi_thread = False
        timemory.settings.dart_output = True
        timemory.settings.dart_count = 1
        timemory.settings.banner = False
        print(timemory.settings.mpi_thread, timemory.settings.dart_output,
              timemory.settings.dart_count)
        d = {x["name"]: x for x in timemory.settings.describe()}
        print(d["dart_output"]["description"].startswith("accepted, no effect"))
        try:
            timemory.settings.dart_count = "many"
        except ValueError as e:
            print("ValueError", e)
        try:
            timemory.settings.no_such_thing = 1
        except AttributeError as e:
            print("AttributeError", e)
    """)
    assert r.rc == 0, r.err
    lines = r.out.splitlines()
    assert lines[0] == "False True 1"
    assert lines[1] == "True"
    assert lines[2].startswith("ValueError setting 'dart_count' expects a int")
    assert lines[3] == "AttributeError timemory has no setting 'no_such_thing'"
