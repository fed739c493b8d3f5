"""lit configuration: FileCheck suites for the intvit dialect, passes, lowering and targets."""

import os
import sys

import lit.formats

config.name = "intvit"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir"]
config.test_source_root = os.path.dirname(__file__)
config.excludes = ["Inputs", "python", "lit.cfg.py"]

# Tools come from the same environment as the Python running lit, so a clean checkout with
# `pip install -e .[test]` (or a plain install) works without PATH tweaks.
bin_dir = os.path.dirname(sys.executable)
config.environment["PATH"] = os.pathsep.join([bin_dir, os.environ.get("PATH", "")])
for var in ("HOME", "TMPDIR", "PYTHONPATH", "INTVIT_TRACEBACK"):
    if var in os.environ:
        config.environment[var] = os.environ[var]

config.substitutions.append(("%python", sys.executable))
config.substitutions.append(("%inputs", os.path.join(os.path.dirname(__file__), "Inputs")))
