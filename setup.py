"""Builds the timemory wheel (see pyproject.toml for what the package is).

The native module, libpytimemory, is built by CMake for the interpreter running this, with
the runtime it needs (libtimemory-rt, and libtimemory-regex, which the runtime opens from
its own folder) placed beside it in the package and found there through an $ORIGIN rpath.
RE2 and the C++ runtime libraries come from the system (Debian: libre2-9), as for the
CMake build. TIMEMORY_WHEEL_BUILD_DIR names a CMake build folder to reuse.
"""
import os
import shutil
import subprocess
import sys
import sysconfig

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = os.path.dirname(os.path.abspath(__file__))


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        build = os.environ.get("TIMEMORY_WHEEL_BUILD_DIR") or os.path.join(
            os.path.abspath(self.build_temp), "cmake")
        generator = ["-G", "Ninja"] if shutil.which("ninja") else []
        subprocess.check_call(["cmake", "-S", ROOT, "-B", build, *generator,
                               "-DCMAKE_BUILD_TYPE=Release",
                               "-DTIMEMORY_USE_PYTHON=ON",
                               "-DTIMEMORY_PYTHON_INTERPRETERS=" + sys.executable,
                               "-DTIMEMORY_PYTHON_WHEEL=ON",
                               "-DTIMEMORY_USE_PLUGIN=OFF",
                               "-DTIMEMORY_BUILD_TESTING=OFF",
                               "-DTIMEMORY_BUILD_BENCHMARKS=OFF",
                               "-DTIMEMORY_BUILD_EXAMPLES=OFF"])
        subprocess.check_call(["cmake", "--build", build, "--target", "timemory-python",
                               "-j", str(os.cpu_count() or 2)])
        target = self.get_ext_fullpath(ext.name)
        package = os.path.dirname(target)
        os.makedirs(package, exist_ok=True)
        suffix = sysconfig.get_config_var("EXT_SUFFIX")
        shutil.copyfile(os.path.join(build, "python", "timemory", "libpytimemory" + suffix), target)
        for lib in ("libtimemory-rt.so.0", "libtimemory-regex.so"):
            shutil.copyfile(os.path.realpath(os.path.join(build, "lib", lib)),
                            os.path.join(package, lib))


setup(ext_modules=[Extension("timemory.libpytimemory", sources=[])],
      cmdclass={"build_ext": CMakeBuild})
