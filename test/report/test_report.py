"""timemory-report and timemory.analysis on run folders with chosen values (the statistics,
deterministic), on real runs whose difference is exact (a call count, a function added),
and on every kind of bad input.

Run by ctest (report.tool) with TIMEMORY_BUILD_DIR set to the build folder."""
import json
import os
import subprocess
import sys
import textwrap

import pytest

BUILD = os.environ.get("TIMEMORY_BUILD_DIR", os.path.join(os.path.dirname(__file__), "..", "..",
                                                          "build"))
TOOL = os.path.join(BUILD, "bin", "timemory-report")


def analysis():
    import importlib.util

    path = os.path.join(BUILD, "share", "timemory", "timemory_analysis.py")
    spec = importlib.util.spec_from_file_location("timemory_analysis_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


A = analysis()


def tool(*args):
    p = subprocess.run([sys.executable, TOOL] + [str(a) for a in args], capture_output=True,
                       text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def write_run(folder, nodes, units="sec", label="wall", cid="wall_clock"):
    """A run folder as the runtime writes it. `nodes`: (name, parent index, count, total,
    self, stddev per call), pre-order."""
    os.makedirs(folder)
    meta = {"timemory": {"components": [{"id": cid, "label": label, "units": units}],
                         "command_line": ["synthetic"], "settings": {}}}
    with open(os.path.join(folder, "metadata.json"), "w") as f:
        json.dump(meta, f)
    graph = []
    for name, parent, count, total, self_, sd in nodes:
        graph.append({"prefix": name, "name": name, "file": "app.cpp", "line": 1,
                      "language": "c++", "depth": 0 if parent < 0 else 1, "tid": 0,
                      "parent": parent,
                      "inclusive": {"entry": {"laps": count, "value": total},
                                    "stats": {"sum": total, "stddev": sd}},
                      "exclusive": {"entry": {"laps": count, "value": self_},
                                    "stats": {"sum": self_}}})
    doc = {"timemory": {cid: {"type": label, "unit_repr": units,
                              "ranks": [{"rank": 0, "graph": graph}]}}}
    with open(os.path.join(folder, label + ".json"), "w") as f:
        json.dump(doc, f)
    return folder


def program(f_time, g_time=1.0, f_sd=0.001, count=1000):
    """main > f (count calls), main > g (one call)."""
    return [("main", -1, 1, f_time + g_time + 0.1, 0.1, 0.0),
            ("f", 0, count, f_time, f_time, f_sd),
            ("g", 0, 1, g_time, g_time, 0.0)]


def test_a_function_twice_as_slow_fails_the_gate_from_one_run_each(tmp_path):
    base = write_run(tmp_path / "base", program(1.0))
    cand = write_run(tmp_path / "cand", program(2.0))
    rc, out, err = tool("compare", base, cand, "--fail-on", "regression")
    assert rc == 1, (out, err)
    assert "regression in main > f" in err
    rows = [line for line in out.splitlines() if line.startswith("regression")]
    # f (its own code is slower); from single runs, main's total is not judged (a slower
    # machine would look the same).
    assert [r.split()[1] for r in rows] == ["f"], out
    # The same runs without the gate: reported, exit 0.
    assert tool("compare", base, cand)[0] == 0


def test_identical_runs_pass_and_a_change_within_the_noise_passes(tmp_path):
    base = write_run(tmp_path / "base", program(1.0))
    same = write_run(tmp_path / "same", program(1.0))
    # 3 % slower, within the 5 % threshold.
    near = write_run(tmp_path / "near", program(1.03))
    for cand in (same, near):
        rc, out, err = tool("compare", base, cand, "--fail-on", "regression")
        assert rc == 0, (out, err)
        assert "0 regression(s)" in out
    # 10 % slower but calls that vary a lot: 1 000 calls of 10 ms ± 40 ms, a noise of
    # sqrt(2 x 1000) x 40 ms = 1.8 s against a change of 0.1 s.
    noisy_b = write_run(tmp_path / "noisy_b", program(1.0, f_sd=0.04))
    noisy_c = write_run(tmp_path / "noisy_c", program(1.1, f_sd=0.04))
    assert tool("compare", noisy_b, noisy_c, "--fail-on", "regression")[0] == 0


def test_sets_of_runs_judge_by_the_spread_between_runs(tmp_path):
    # f: 1.00 s ± 0.02 between runs; candidate 1.20 s: far beyond the noise.
    base = [write_run(tmp_path / "b{}".format(i), program(1.0 + 0.02 * (i - 2)))
            for i in range(5)]
    slow = [write_run(tmp_path / "c{}".format(i), program(1.2 + 0.02 * (i - 2)))
            for i in range(5)]
    same = [write_run(tmp_path / "a{}".format(i), program(1.0 + 0.02 * (2 - i)))
            for i in range(5)]
    rc, out, err = tool("compare", "--base", *base, "--cand", *slow, "--fail-on", "regression")
    assert rc == 1 and "regression in main > f" in err, (out, err)
    rc, out, err = tool("compare", "--base", *base, "--cand", *same, "--fail-on", "regression")
    assert rc == 0, (out, err)
    # The statistics themselves.
    cmp = A.compare([A.load(str(p)) for p in base], [A.load(str(p)) for p in slow])
    f = next(r for r in cmp.rows if r.path[-1][0] == "f")
    assert f.base["self"] == pytest.approx(1.0) and f.cand["self"] == pytest.approx(1.2)
    assert f.self_rel == pytest.approx(0.2)
    # Standard error of the difference: sd 0.0316 over 5 runs on each side.
    assert f.noise == pytest.approx((2 * 0.02 ** 2 * 2.5 / 5) ** 0.5, rel=1e-6)
    assert f.verdict == "regression"
    g = next(r for r in cmp.rows if r.path[-1][0] == "g")
    assert g.verdict == "noise" and g.self_delta == pytest.approx(0)


def test_added_and_vanished_paths_are_listed(tmp_path):
    base = write_run(tmp_path / "base", program(1.0))
    cand_nodes = program(1.0)[:2] + [("h", 0, 3, 0.5, 0.5, 0.0)]
    cand = write_run(tmp_path / "cand", cand_nodes)
    rc, out, _ = tool("compare", base, cand, "--format", "json")
    assert rc == 0
    doc = json.loads(out)
    verdicts = {p["path"][-1][0]: p["verdict"] for p in doc["paths"]}
    assert verdicts["h"] == "added" and verdicts["g"] == "vanished" and verdicts["f"] == "noise"
    md = tool("compare", base, cand, "--format", "markdown")[1]
    assert "| added | h  < main |" in md and "| vanished | g  < main |" in md


def test_difffolded_has_base_and_candidate_per_stack(tmp_path):
    base = write_run(tmp_path / "base", program(1.0))
    cand = write_run(tmp_path / "cand", program(2.0))
    out = tmp_path / "diff.folded"
    assert tool("compare", base, cand, "--difffolded", out)[0] == 0
    lines = set(out.read_text().splitlines())
    assert "main;f 1000000 2000000" in lines  # microseconds of self time
    assert "main;g 1000000 1000000" in lines


def test_show_sorts_by_self_time(tmp_path):
    run = write_run(tmp_path / "run", program(2.0, g_time=3.0))
    rc, out, _ = tool("show", run, "--format", "json")
    assert rc == 0
    names = [n["name"] for n in json.loads(out)["nodes"]]
    assert names == ["g", "f", "main"]
    rc, out, _ = tool("show", run, "--sort", "count", "--top", "1")
    assert "f  < main" in out and "g  < main" not in out


@pytest.mark.parametrize("case", ["not-a-run", "truncated", "foreign", "units", "language"])
def test_bad_input_is_named_and_exits_2(tmp_path, case):
    base = write_run(tmp_path / "base", program(1.0))
    other = tmp_path / "other"
    if case == "not-a-run":
        os.makedirs(other)
        (other / "notes.txt").write_text("hello")
        want = "not a run folder"
    elif case == "truncated":
        write_run(other, program(1.0))
        text = (other / "wall.json").read_text()
        (other / "wall.json").write_text(text[: len(text) // 2])
        want = "not a readable JSON file"
    elif case == "foreign":
        write_run(other, program(1.0))
        (other / "wall.json").write_text('{"something": "else"}')
        want = "not a timemory report"
    elif case == "units":
        write_run(other, program(1.0), units="msec")
        want = "different units"
    else:  # a Python run against a C++ one: no path can match
        write_run(other, [("<module>/app.py:1", -1, 1, 1.0, 1.0, 0.0)])
        want = "no call path in common"
    rc, out, err = tool("compare", base, other)
    assert rc == 2, (out, err)
    assert want in err and "Traceback" not in err


@pytest.fixture
def python_runs(tmp_path):
    """Two real runs of a Python program whose difference is exact: a call count (3 → 5)
    and a function added."""
    script = textwrap.dedent("""
        import sys
        def work(n):
            return sum(range(n))
        def extra():
            return 1
        def main(calls, with_extra):
            for _ in range(calls):
                work(1000)
            if with_extra:
                extra()
        main(int(sys.argv[1]), sys.argv[2] == "1")
    """)
    if not os.path.isdir(os.path.join(BUILD, "python", "timemory")):
        pytest.skip("the Python package is not built here (TIMEMORY_USE_PYTHON=OFF)")
    (tmp_path / "app.py").write_text(script)
    env = dict((k, v) for k, v in os.environ.items() if not k.startswith("TIMEMORY_"))
    env["PYTHONPATH"] = os.path.join(BUILD, "python")
    runs = []
    for name, calls, extra in (("base", 3, 0), ("cand", 5, 1)):
        env["TIMEMORY_OUTPUT_PATH"] = str(tmp_path / name)
        subprocess.run([sys.executable, "-m", "timemory.profiler", "app.py", str(calls),
                        str(extra)], cwd=str(tmp_path), env=env, check=True, timeout=120,
                       capture_output=True)
        runs.append(tmp_path / name)
    return runs


def test_real_runs_exact_call_count_and_added_function(python_runs):
    base, cand = python_runs
    rc, out, err = tool("compare", base, cand, "--format", "json")
    assert rc == 0, err
    rows = {p["path"][-1][0]: p for p in json.loads(out)["paths"]}
    assert rows["work"]["count_delta"] == 2
    assert rows["work"]["base"]["count"] == 3 and rows["work"]["cand"]["count"] == 5
    assert rows["extra"]["verdict"] == "added"
    assert rows["main"]["count_delta"] == 0


def test_callgrind_output_reads_back_in_callgrind_annotate(tmp_path):
    import re
    import shutil

    annotate = shutil.which("callgrind_annotate")
    if not annotate:
        pytest.skip("callgrind_annotate is not installed (Debian package valgrind)")
    run = write_run(tmp_path / "run", program(2.0, g_time=3.0))
    out = tmp_path / "run.callgrind"
    rc, _, err = tool("convert", run, "--to", "callgrind", "-o", out)
    assert rc == 0, err

    def numbers(*flags):
        text = subprocess.run([annotate] + list(flags) + [str(out)], capture_output=True,
                              text=True, check=True, timeout=60).stdout
        rows = {}
        for line in text.splitlines():
            m = re.match(r"\s*([\d,]+)\s+\([^)]*\)\s+(.*)$", line)
            if m:
                rows[m.group(2).strip()] = int(m.group(1).replace(",", ""))
        return rows

    self_rows = numbers()
    assert self_rows["PROGRAM TOTALS"] == 5_100_000_000  # every self time, in ns
    assert self_rows["app.cpp:g"] == 3_000_000_000
    assert self_rows["app.cpp:f"] == 2_000_000_000
    incl = numbers("--inclusive=yes")
    assert incl["app.cpp:main"] == 5_100_000_000  # main's inclusive: the whole run
    assert "calls=1000 1" in out.read_text()  # f's call count on the edge from main


def test_pstats_output_loads_in_pstats_with_the_runs_times(tmp_path):
    import pstats

    # main > f > f (recursion: f's cumulative time counted once) ; main > g
    nodes = [("main", -1, 1, 6.1, 0.1, 0.0), ("f", 0, 2, 3.0, 1.0, 0.0),
             ("f", 1, 4, 2.0, 2.0, 0.0), ("g", 0, 1, 3.0, 3.0, 0.0)]
    run = write_run(tmp_path / "run", nodes)
    out = tmp_path / "run.pstats"
    rc, _, err = tool("convert", run, "--to", "pstats", "-o", out)
    assert rc == 0, err
    st = pstats.Stats(str(out))
    assert st.total_tt == pytest.approx(6.1)
    by_name = {k[2]: v for k, v in st.stats.items()}
    cc, nc, tt, ct, callers = by_name["f"]
    assert (cc, nc) == (2, 6)  # 2 primitive calls, 6 in all
    assert tt == pytest.approx(3.0) and ct == pytest.approx(3.0)  # not 5: the inner f is in it
    assert by_name["main"][3] == pytest.approx(6.1)
    assert {k[2] for k in callers} == {"main", "f"}


def test_merge_of_repeated_runs_sums_and_spreads_every_path(tmp_path):
    runs = [write_run(tmp_path / "r{}".format(k), program(float(k))) for k in (1, 2, 3)]
    # A path only the third run has.
    extra = write_run(tmp_path / "r4", program(3.0) + [("h", 0, 2, 0.5, 0.5, 0.0)])
    out = tmp_path / "merged"
    rc, stdout, err = tool("merge", runs[0], runs[1], extra, "-o", out)
    assert rc == 0, err
    merged = A.load(str(out))
    nodes = {n.path[-1][0]: n for n in merged.component()["nodes"]}
    assert nodes["f"].count == 3000 and nodes["f"].total == pytest.approx(1.0 + 2.0 + 3.0)
    assert nodes["h"].count == 2 and [n.path for n in merged.component()["nodes"]][0] == \
        (("main", "app.cpp"),)
    doc = json.loads((out / "wall.json").read_text())
    recs = {r["name"]: r for r in doc["timemory"]["wall_clock"]["ranks"][0]["graph"]}
    assert recs["f"]["runs"] == {"count": 3, "mean": pytest.approx(2.0), "min": 1.0, "max": 3.0}
    assert recs["h"]["runs"]["min"] == 0.0 and recs["h"]["parent"] == 0
    # Hatchet's layout: a root holding main, main holding f, g and h.
    tree = json.loads((out / "wall.tree.json").read_text())["timemory"]["wall_clock"]
    root = tree["graph"][0][0]
    assert root["node"]["hash"] == 0 and len(root["children"]) == 1
    kids = [c["node"]["prefix"].split(" ")[0] for c in root["children"][0]["children"]]
    assert sorted(kids) == ["f", "g", "h"]
    # Hatchet's reader (its label rules, test/realworld/check_hatchet_labels.py) names every
    # node right.
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                    "realworld"))
    import check_hatchet_labels

    assert check_hatchet_labels.check_tree(str(out / "wall.tree.json")) == []
    # Every command reads it.
    assert tool("show", out)[0] == 0
    assert tool("compare", out, out, "--fail-on", "regression")[0] == 0
    # Bad input: the folder exists, or the runs hold other components.
    rc, _, err = tool("merge", runs[0], "-o", out)
    assert rc == 2 and "already exists" in err
    other = write_run(tmp_path / "cpu", program(1.0), label="cpu", cid="cpu_clock")
    rc, _, err = tool("merge", runs[0], other, "-o", tmp_path / "m2")
    assert rc == 2 and "different components" in err


def test_a_run_slower_as_a_whole_regresses_at_its_top_and_not_in_every_function(tmp_path):
    # Every function 30 % slower (a slower build, or a slower machine): main's total
    # regressed; no single function is blamed for it.
    def scaled(k):
        return [(n, p, c, t * k, s * k, sd * k) for n, p, c, t, s, sd in program(1.0)]
    base = [write_run(tmp_path / "b{}".format(i), scaled(1.0 + 0.01 * i)) for i in range(5)]
    cand = [write_run(tmp_path / "c{}".format(i), scaled(1.3 + 0.01 * i)) for i in range(5)]
    rc, out, err = tool("compare", "--base", *base, "--cand", *cand, "--fail-on", "regression",
                        "--format", "json")
    assert rc == 1, (out, err)
    verdicts = {p["path"][-1][0]: p["verdict"] for p in json.loads(out)["paths"]}
    assert verdicts == {"main": "regression", "f": "noise", "g": "noise"}


def test_show_tree_keeps_the_path_to_each_top_node(tmp_path):
    # main > a > deep (the largest self time) ; main > b
    nodes = [("main", -1, 1, 10.0, 0.5, 0.0), ("a", 0, 1, 6.0, 0.5, 0.0),
             ("deep", 1, 1, 5.5, 5.5, 0.0), ("b", 0, 1, 3.5, 3.5, 0.0)]
    run = write_run(tmp_path / "run", nodes)
    rc, out, _ = tool("show", run, "--tree", "--top", "1")
    assert rc == 0
    names = [line.rstrip().split()[0] for line in out.splitlines()[3:]]
    assert names == ["main", "a", "deep"], out  # deep, with the path to it; not b
    assert "    deep" in out  # indented two levels
