"""`--target llvm-cpu`: an `intvit` (or already lowered) module -> a JIT-compiled Executable.

Steps: convert-intvit-to-linalg, expand-intvit-helpers, verify-integer-only (xDSL), then
upstream MLIR to LLVM and the JIT (`llvm_cpu.compile_module`); `aot.write_shared_library`
turns the same compilation into a `.so`.
"""

from __future__ import annotations

import time
from pathlib import Path

from xdsl.dialects.builtin import ModuleOp

from intvit.dialects.context import make_context
from intvit.lowering.llvm_cpu import CompiledModule, compile_module
from intvit.runtime.targets import Executable


def lower_module(module: ModuleOp) -> ModuleOp:
    """intvit -> integer-only linalg/arith, in place; a module with no intvit op is only checked."""
    from intvit.lowering.convert_intvit_to_linalg import ConvertIntvitToLinalgPass
    from intvit.lowering.expand_intvit_helpers import ExpandIntvitHelpersPass
    from intvit.lowering.verify_integer_only import VerifyIntegerOnlyPass

    ctx = make_context()
    for p in (ConvertIntvitToLinalgPass(), ExpandIntvitHelpersPass(), VerifyIntegerOnlyPass()):
        p.apply(ctx, module)
    return module


def compile_intvit(module: ModuleOp, **options) -> tuple[CompiledModule, float]:
    """`options`: `gemm`, `elementwise`, `threads`, `line_info` of `llvm_cpu.compile_module`."""
    from intvit.runtime.model_io import module_text

    t0 = time.perf_counter()
    lowered = lower_module(module.clone())
    compiled = compile_module(module_text(lowered), **options)
    return compiled, time.perf_counter() - t0


def compile_intvit_module(module: ModuleOp, workdir: Path | None = None, so_path: str | None = None,
                          **options) -> Executable:
    """Compile and link the `.so` (in `workdir`, else a temporary folder the Executable keeps)
    and run through its C entry point: what a deployment calls, and a tenth of the JIT's call
    overhead.  `options`: see `compile_intvit`."""
    import tempfile

    from intvit.lowering.aot import load_so, write_shared_library

    compiled, seconds = compile_intvit(module, **options)
    keep = None
    if so_path is None:
        if workdir is None:
            keep = tempfile.TemporaryDirectory(prefix="intvit-")
            workdir = Path(keep.name)
        so_path = str(Path(workdir) / f"{compiled.name}.so")
    artifact = str(write_shared_library(compiled, so_path))
    lib = load_so(artifact)
    return Executable("llvm-cpu", lambda inputs, out=None: lib(*inputs, out=out), seconds, artifact, lib, keep)
