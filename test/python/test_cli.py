"""python -m timemory.profiler, as a user of python -m cProfile expects it: options before
the program are never taken for it, -m module, --, exit status, a profile rooted at the
user's code, -o for a pstats file, and output folders named after the script."""

import json
import os
import pstats
import subprocess
import sys

from conftest import PYTHON, find, laps

SCRIPT = """
import sys
def work(n):
    return sum(range(n))
def main():
    for a in sys.argv[1:]:
        if a.isdigit():
            work(int(a))
    print("args", sys.argv[1:])
main()
"""


def cli(tmp_path, args, env=None, script=SCRIPT, name="prog.py"):
    path = tmp_path / name
    path.write_text(script)
    e = {k: v for k, v in os.environ.items() if not k.startswith("TIMEMORY_")}
    e.update({"TIMEMORY_COUT_OUTPUT": "OFF", "HOME": str(tmp_path)})
    e.update(env or {})
    cmd = [PYTHON, "-m", "timemory.profiler"] + [str(path) if a == "@script" else a
                                                 for a in args]
    return subprocess.run(cmd, env=e, capture_output=True, text=True, timeout=120,
                          cwd=str(tmp_path))


def tree(outdir, label="wall", component="wall_clock"):
    with open(os.path.join(str(outdir), "latest", label + ".tree.json")) as f:
        body = json.load(f)["timemory"][component]
    return (body["graph"] if "graph" in body else body["mpi"])[0][0]


def top_names(node):
    return [c["node"]["name"].split("/")[0] for c in node["children"]]


def test_options_before_the_script_are_not_swallowed(tmp_path):
    out = tmp_path / "o"
    r = cli(tmp_path, ["-c", "wall_clock", "-d", str(out), "@script", "5", "-c", "7"])
    assert r.returncode == 0, r.stderr
    assert "args ['5', '-c', '7']" in r.stdout, "the program's own -c is its argument"
    t = tree(out)
    # rooted at the user's code: the script's module, then its functions; no runpy,
    # importlib or timemory frames anywhere
    assert top_names(t) == ["<module>"]
    assert laps(find(t, "<module>", "main", "work")) == 2
    text = json.dumps(t)
    for machinery in ("runpy", "importlib", "timemory/profiler", "pkgutil"):
        assert machinery not in text, machinery


def test_double_dash_and_exit_status(tmp_path):
    out = tmp_path / "o"
    r = cli(tmp_path, ["-d", str(out), "--", "@script", "3"],
            script=SCRIPT + "\nraise SystemExit(7)\n")
    assert r.returncode == 7, r.stderr
    assert "args ['3']" in r.stdout
    assert laps(find(tree(out), "<module>", "main", "work")) == 1

    r = cli(tmp_path, ["-d", str(out), "@script"], script="raise ValueError('boom')\n")
    assert r.returncode == 1
    assert "ValueError: boom" in r.stderr


def test_module_mode_runs_the_module_as_main(tmp_path):
    pkg = tmp_path / "mypkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "tool.py").write_text(SCRIPT.replace("main()\n", "if __name__ == '__main__':\n    main()\n"))
    out = tmp_path / "o"
    for args in (["-d", str(out), "-m", "mypkg.tool", "4", "9"],
                 ["-d", str(out), "-mmypkg.tool", "4", "9"]):
        r = cli(tmp_path, args)
        assert r.returncode == 0, r.stderr
        assert "args ['4', '9']" in r.stdout
        t = tree(out)
        assert top_names(t) == ["<module>"]
        assert laps(find(t, "<module>", "main", "work")) == 2
    r = cli(tmp_path, ["-m", "no_such_module_here"])
    assert r.returncode == 2
    assert "No module named no_such_module_here" in r.stderr


def test_pstats_file_with_o(tmp_path):
    out = tmp_path / "o"
    prof = tmp_path / "run.prof"
    r = cli(tmp_path, ["-d", str(out), "-o", str(prof), "@script", "10", "20", "30"])
    assert r.returncode == 0, r.stderr
    st = pstats.Stats(str(prof))
    by_name = {k[2]: v for k, v in st.stats.items()}
    assert by_name["work"][1] == 3
    assert by_name["main"][1] == 1


def test_bad_usage_is_a_clear_error(tmp_path):
    r = cli(tmp_path, [])
    assert r.returncode == 2 and "no script or -m module given" in r.stderr
    r = cli(tmp_path, ["missing.py"])
    assert r.returncode == 2 and "no such script: missing.py" in r.stderr
    r = cli(tmp_path, ["-c", "wal_clock", "@script"])
    assert r.returncode == 2 and "unknown component 'wal_clock'" in r.stderr


def test_output_folder_is_named_after_the_script(tmp_path):
    # With a Profiler inside the script too, not only through the CLI.
    script = tmp_path / "train_model.py"
    script.write_text("""
import timemory
from timemory.profiler import Profiler
def step():
    return 1
with Profiler(["wall_clock"]):
    step()
""")
    e = {k: v for k, v in os.environ.items() if not k.startswith("TIMEMORY_")}
    e.update({"TIMEMORY_COUT_OUTPUT": "OFF", "HOME": str(tmp_path)})
    r = subprocess.run([PYTHON, str(script)], env=e, capture_output=True, text=True,
                       timeout=120, cwd=str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert os.path.isdir(tmp_path / "timemory-train_model.py-output"), os.listdir(tmp_path)
    assert not any(n.startswith("timemory-python") for n in os.listdir(tmp_path))

    r = cli(tmp_path, ["@script"], name="other_job.py")
    assert r.returncode == 0, r.stderr
    assert os.path.isdir(tmp_path / "timemory-other_job.py-output"), os.listdir(tmp_path)
