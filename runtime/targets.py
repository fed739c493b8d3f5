"""Execution targets behind `intvit run/compile/eval/bench --target NAME`.

A target turns an `intvit` module into something callable on numpy arrays.  `interpreter` runs
the golden model op by op; `llvm-cpu` lowers to linalg and compiles with upstream MLIR; GPU
(`cuda-dp4a`) and FPGA (`hls-cpp`) targets register here the same way when they exist, so every
subcommand, flag and `--json` key stays the same across targets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from xdsl.dialects.builtin import ModuleOp


class TargetError(RuntimeError):
    pass


@dataclass
class Executable:
    """A compiled model: call it with the entry's inputs, get its outputs."""

    target: str
    run: Callable[..., list[np.ndarray]]
    compile_s: float = 0.0
    artifact: str | None = None
    library: object = None   # the loaded artifact, where there is one
    keep: object = None      # what must live as long as the artifact (its temporary folder)

    def __call__(self, *inputs: np.ndarray, out: list[np.ndarray] | None = None) -> list[np.ndarray]:
        """`out`: preallocated outputs, for targets whose artifact writes into them (timing)."""
        return self.run(inputs) if out is None else self.run(inputs, out=out)


def _interpreter(module: ModuleOp, workdir: Path | None, options: dict) -> Executable:
    from intvit.runtime.interpreter import run_module

    return Executable("interpreter", lambda inputs: run_module(module, list(inputs)))


def _llvm_cpu(module: ModuleOp, workdir: Path | None, options: dict) -> Executable:
    from intvit.lowering.llvm_cpu_target import compile_intvit_module

    return compile_intvit_module(module, workdir, **options)


TARGETS: dict[str, Callable[[ModuleOp, Path | None, dict], Executable]] = {
    "interpreter": _interpreter,
    "llvm-cpu": _llvm_cpu,
}
PLANNED = {"cuda-dp4a": "the GPU (DP4A) backend is not built yet",
           "hls-cpp": "the HLS C++ backend is not built yet"}


def compile_for(target: str, module: ModuleOp, workdir: str | Path | None = None, **options) -> Executable:
    if target in PLANNED:
        raise TargetError(f"target '{target}' is not available: {PLANNED[target]}")
    if target not in TARGETS:
        raise TargetError(f"unknown target '{target}' (choose from {', '.join([*TARGETS, *PLANNED])})")
    return TARGETS[target](module, Path(workdir) if workdir else None, options)
