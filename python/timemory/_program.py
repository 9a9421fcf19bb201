"""What names a run: the script, not the interpreter.

The runtime names its output folder and metadata after argv[0]. For Python that is the
script (``python3 train.py`` writes ``timemory-train.py-output/``), the module's file for
``python -m pkg.mod`` (the package's folder for its ``__main__.py``), and ``python`` for
``-c`` code and interactive sessions; never the interpreter's own name, which every
script would share.
"""

import os
import sys

__all__ = ["program_argv"]


def program_argv(argv=None):
    """``argv`` (default sys.argv) as the runtime gets it: argv[0] is the script's path,
    or a name where Python has none."""
    # bytes as os.fsdecode gives them (surrogateescape), as Python gives sys.argv
    argv = [os.fsdecode(a) if isinstance(a, bytes) else str(a)
            for a in (sys.argv if argv is None else argv)]
    first = argv[0] if argv else ""
    if first in ("", "-c", "-m", "-"):
        first = "python"
    elif os.path.basename(first) == "__main__.py":  # python -m pkg
        first = os.path.basename(os.path.dirname(first)) or "python"
    return [first] + argv[1:]
