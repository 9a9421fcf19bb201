# lit configuration of the plugin tests: pass tests on .ll files with opt, front-end
# tests on C/C++ sources with clang -fplugin, and end-to-end tests that build programs
# with the compiler wrappers, run them and check the reports.
import os

import lit.formats

config.name = "timemory-plugin"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".ll", ".c", ".cpp", ".cu", ".test"]
config.excludes = ["Inputs", "tools", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.timemory_build_dir, "test", "plugin")

config.environment["PATH"] = os.pathsep.join(
    [config.llvm_tools_dir, os.path.join(config.timemory_build_dir, "bin"),
     config.environment.get("PATH", os.environ.get("PATH", ""))])
# Reports of the programs under test go where each test says, never to stdout.
for var in list(os.environ):
    if var.startswith("TIMEMORY_"):
        config.environment.pop(var, None)
config.environment["TIMEMORY_COUT_OUTPUT"] = "OFF"

lib = os.path.join(config.timemory_build_dir, "lib")
plugin = os.path.join(lib, "libtimemory-instr.so")
config.substitutions.append(("%plugin", plugin))
config.substitutions.append(("%opt-instr", "opt -load-pass-plugin " + plugin))
# Longer names first: lit replaces in list order, and %clangxx is a prefix of %clangxx-instr.
config.substitutions.append(("%clangxx-instr", "clang++ -fplugin=" + plugin))
config.substitutions.append(("%clang-instr", "clang -fplugin=" + plugin))
config.substitutions.append(("%tmcc", "timemory-clang"))
config.substitutions.append(("%tmcxx", "timemory-clang++"))
config.substitutions.append(("%rtinc", config.timemory_include_dirs))
config.substitutions.append(("%check-tree", config.python + " " +
                             os.path.join(config.test_source_root, "tools", "check_tree.py")))
config.substitutions.append(("%inputs", os.path.join(config.test_source_root, "Inputs")))
config.substitutions.append(("%cmake", config.cmake))

