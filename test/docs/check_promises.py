#!/usr/bin/env python3
"""Every test docs/user-guide.md names in "What is promised" exists.

usage: check_promises.py REPO_ROOT

Names are read from backticks in that section: `Suite.Name` (a GoogleTest test, or
`Suite/Param.*`, `Suite.*` for all of a suite), `test_name` (a pytest function in
test/python), `e2e/file.ext` (a lit test in test/plugin), `file.cpp` (a test file),
`prefix.*` (the ctest tests of test/<prefix>/). Exits 1 listing each name that
matches no test, 0 when all do.
"""
import os
import re
import sys


def section(text, title):
    start = text.index(title)
    nxt = text.find("\n## ", start + len(title))
    return text[start:nxt if nxt >= 0 else len(text)]


def main(root):
    with open(os.path.join(root, "docs", "user-guide.md")) as f:
        promises = section(f.read(), "## What is promised, and what is not")
    sources = []
    for top, _, files in os.walk(os.path.join(root, "test")):
        for name in files:
            if name.endswith((".cpp", ".py")):
                with open(os.path.join(top, name), errors="replace") as f:
                    sources.append(f.read())
    code = "\n".join(sources)
    gtests = set(re.findall(r"TEST(?:_P|_F)?\(\s*(\w+)\s*,\s*(\w+)\s*\)", code))
    param_suites = set(re.findall(r"INSTANTIATE_TEST_SUITE_P\(\s*(\w+)\s*,\s*(\w+)", code))
    pytests = set(re.findall(r"^def (test_\w+)\(", code, re.M))
    missing, checked = [], 0
    files = set()
    for top, _, names in os.walk(os.path.join(root, "test")):
        files.update(names)
    for name in re.findall(r"`([^`]+)`", promises):
        if re.fullmatch(r"e2e/[\w.-]+", name):  # a lit test of the plugin
            checked += 1
            if not os.path.exists(os.path.join(root, "test", "plugin", name)):
                missing.append(name)
            continue
        if re.fullmatch(r"[\w-]+\.(cpp|py|c)", name):  # a test file
            checked += 1
            if name not in files:
                missing.append(name)
            continue
        if re.fullmatch(r"\w+\.\*", name) and os.path.isdir(
                os.path.join(root, "test", name[:-2])):  # a ctest prefix: test/<prefix>/
            checked += 1
            continue
        m = re.fullmatch(r"(\w+)(?:/(\w+))?\.(\w+|\*)", name)
        if m:
            checked += 1
            outer, inner, test = m.groups()
            if inner:  # a parameterised suite: Prefix/Suite.Test
                ok = (outer, inner) in param_suites and (
                    test == "*" or (inner, test) in gtests)
            else:
                ok = any(s == outer and (test == "*" or t == test) for s, t in gtests)
            if not ok:
                missing.append(name)
        elif re.fullmatch(r"test_\w+", name):
            checked += 1
            if name not in pytests:
                missing.append(name)
        elif re.fullmatch(r"e2e/[\w.-]+", name):
            checked += 1
            if not os.path.exists(os.path.join(root, "test", "plugin", name)):
                missing.append(name)
    if missing:
        print("docs/user-guide.md names tests that do not exist:\n  " + "\n  ".join(missing))
        return 1
    print("{} tests named in the promises, all found".format(checked))
    return 0 if checked > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
