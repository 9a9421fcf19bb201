"""timemory.hardware_counters: PAPI from Python, end to end through software-defined
counters (libsde), which need no hardware. Each test runs a fresh interpreter: libsde has
to be loaded before PAPI starts, and importing timemory.component already starts it."""

import ctypes.util
import json
import os
import subprocess
import sys

import pytest

SDE = ctypes.util.find_library("sde")

pytestmark = pytest.mark.skipif(SDE is None, reason="libsde (libpapi-dev) not installed")

PRELUDE = """
import ctypes, sys
sde = ctypes.CDLL({lib!r}, mode=ctypes.RTLD_GLOBAL)
sde.papi_sde_init.restype = ctypes.c_void_p
handle = sde.papi_sde_init(b"pylib")
ticks = ctypes.c_longlong(0)
# PAPI_SDE_RO | PAPI_SDE_DELTA = 0, PAPI_SDE_long_long = 0
sde.papi_sde_register_counter(ctypes.c_void_p(handle), b"TICKS", 0, 0, ctypes.byref(ticks))
import timemory
from timemory import hardware_counters as hw
if not hw.available()[0]:
    print("UNAVAILABLE", hw.available()[1]); sys.exit(0)
"""


def run(body, env=None, cwd=None):
    code = PRELUDE.format(lib=SDE) + body
    # Like conftest's run_script: no TIMEMORY_* leaking in from the caller or other tests.
    e = {k: v for k, v in os.environ.items() if not k.startswith("TIMEMORY_")}
    e["PYTHONPATH"] = os.pathsep.join(os.path.abspath(p)
                                      for p in e.get("PYTHONPATH", "").split(os.pathsep) if p)
    e.update(env or {})
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=e,
                       cwd=cwd, timeout=60)
    assert p.returncode == 0, p.stderr
    if p.stdout.startswith("UNAVAILABLE"):
        pytest.skip(p.stdout.strip())
    return p


def test_counters_count_exactly_around_blocks():
    p = run("""
c = hw.Counters("sde:::pylib::TICKS")
with c:
    ticks.value += 5
ticks.value += 100          # not counted: outside
with c:
    ticks.value += 2
print(c.values()["sde:::pylib::TICKS"])
""")
    assert p.stdout.split()[-1] == "7"


def test_unknown_event_raises_with_the_name():
    p = run("""
try:
    hw.Counters(["NOT_AN_EVENT_AT_ALL"])
except RuntimeError as e:
    print("ERR", e)
""")
    assert "ERR PAPI event 'NOT_AN_EVENT_AT_ALL' is not known here" in p.stdout


def test_listing_names_the_components_and_presets():
    p = run("""
print([c.split(':')[0] for c in hw.components()])
print(any(e["name"] == "PAPI_TOT_CYC" for e in hw.events()))
print(any(e["name"].startswith("sde:::pylib::TICKS") for e in hw.events(available_only=True)))
""")
    lines = p.stdout.splitlines()
    assert "'sde'" in lines[0] and "'perf_event'" in lines[0]
    assert lines[1] == "True"
    assert lines[2] == "True"


def test_papi_vector_in_the_profiler_counts_per_frame(tmp_path):
    p = run("""
from timemory.profiler import Profiler
def inner():
    ticks.value += 3
def outer():
    for _ in range(4):
        inner()
with Profiler(["wall_clock", "papi_vector"]):
    outer()
print(hw.in_use())
timemory.finalize()
""", env={"TIMEMORY_PAPI_EVENTS": "sde:::pylib::TICKS", "TIMEMORY_OUTPUT_PATH": "out",
          "TIMEMORY_COUT_OUTPUT": "OFF"}, cwd=str(tmp_path))
    assert "['sde:::pylib::TICKS']" in p.stdout
    data = json.load(open(tmp_path / "out" / "latest" / "papi_vector.json"))["timemory"]["papi_vector"]
    assert data["type"] == ["sde:::pylib::TICKS"]
    recs = {r["name"].split("/")[0]: r for r in data["ranks"][0]["graph"]}
    assert recs["inner"]["inclusive"]["entry"]["laps"] == 4
    assert recs["inner"]["inclusive"]["stats"]["sum"]["sde:::pylib::TICKS"] == 12
    assert recs["outer"]["inclusive"]["stats"]["sum"]["sde:::pylib::TICKS"] == 12
    assert recs["outer"]["exclusive"]["stats"]["sum"]["sde:::pylib::TICKS"] == 0


def test_papi_vector_component_class_counts_the_configured_events():
    p = run("""
from timemory.component import PapiVector
pv = PapiVector("blk")
pv.start(); ticks.value += 9; pv.stop()
print(pv.events(), pv.get(), pv.laps())
""", env={"TIMEMORY_PAPI_EVENTS": "sde:::pylib::TICKS"})
    assert p.stdout.strip() == "['sde:::pylib::TICKS'] [9] 1"
