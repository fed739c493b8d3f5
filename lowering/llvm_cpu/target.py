"""`--target llvm-cpu`: an `intvit` (or already lowered) module -> a `.so` with a C entry point.

Steps: `lower_module` (convert-intvit-to-linalg, expand-intvit-helpers, verify-integer-only),
then upstream MLIR to LLVM (`llvm_cpu.compile_module`); `aot.write_shared_library` links the
same compilation into a `.so` + sidecar, which `load` opens through the checked ctypes loader.
"""

from __future__ import annotations

import time
from pathlib import Path

from xdsl.dialects.builtin import ModuleOp

from intvit.lowering.llvm_cpu.pipeline import ELEMENTWISE_VARIANTS, GEMM_VARIANTS, CompiledModule, compile_module
from intvit.lowering.lower import lower_module
from intvit.lowering.target import Executable, Target, TargetOption

__all__ = ["LlvmCpuTarget", "compile_intvit", "lower_module"]


def compile_intvit(module: ModuleOp, **options) -> tuple[CompiledModule, float]:
    """`options`: `gemm`, `elementwise`, `threads`, `line_info` of `llvm_cpu.compile_module`."""
    from intvit.dialects.context import module_text

    t0 = time.perf_counter()
    lowered = lower_module(module.clone())
    compiled = compile_module(module_text(lowered), **options)
    mark_unsigned(compiled, module)
    return compiled, time.perf_counter() - t0


def mark_unsigned(compiled: CompiledModule, module: ModuleOp) -> None:
    """Lowered IR is signless; the entry's source types say which buffers are unsigned."""
    from intvit.lowering.llvm_cpu.pipeline import parse_tensor_type

    for op in module.walk():
        if getattr(op, "sym_name", None) is not None and op.name == "func.func" and op.sym_name.data == compiled.name:
            ftype = op.function_type
            for sigs, types in ((compiled.inputs, ftype.inputs.data), (compiled.outputs, ftype.outputs.data)):
                for sig, typ in zip(sigs, types):
                    sig.unsigned = parse_tensor_type(str(typ)).unsigned
            return


class LlvmCpuTarget(Target):
    name = "llvm-cpu"
    help = "x86-64 CPU through upstream MLIR and LLVM: AMX/VNNI GEMM kernels, OpenMP threads, .so with a C ABI"
    artifact = "file"
    suffix = ".so"
    options = (
        TargetOption("--gemm", GEMM_VARIANTS,
                     help="GEMM kernels (default auto: amx where the CPU grants it, else vnni, else portable; "
                          "amx/vnni build on any host, the library refuses a CPU without the unit)"),
        TargetOption("--elementwise", ELEMENTWISE_VARIANTS,
                     help="non-GEMM ops: 16-lane kernels (default), the same kernels scalar, or plain loops"),
        TargetOption("--threads", type=int, metavar="N",
                     help="1: single-threaded code; default: OpenMP over all cores",
                     commands=("compile", "run", "eval")),
        TargetOption("--line-info", metavar="LOWERED.mlir", commands=("compile",),
                     help="write the lowered module there with line tables (perf report --sort srcline)"),
    )

    def compile(self, module: ModuleOp, output: Path, source: str | None = None, **options) -> dict:
        from intvit.lowering.llvm_cpu.aot import write_shared_library

        compiled, seconds = compile_intvit(module, **options)
        so = write_shared_library(compiled, output, source=source)
        return {"target": self.name, "output": str(so), "entry": f"intvit_{compiled.name}",
                "compile_s": seconds, "inputs": [s.to_json() for s in compiled.inputs],
                "outputs": [s.to_json() for s in compiled.outputs], "gemm": compiled.gemm,
                "gemm_kernels": len(compiled.gemms), "elementwise": compiled.elementwise,
                "threads": "openmp" if compiled.libomp else 1, "timings": compiled.timings}

    def load(self, artifact: Path) -> Executable:
        from intvit.lowering.llvm_cpu.aot import load_so

        lib = load_so(artifact)
        return Executable(self.name, lambda inputs, out=None: lib(*inputs, out=out), artifact=str(artifact),
                          inputs=list(lib.inputs), outputs=list(lib.outputs), device="cpu", takes_out=True,
                          library=lib)

    def bench_options(self, threads: int) -> dict:
        return {"threads": 1} if threads == 1 else {}

    def bench_extras(self, executable: Executable, threads: int, gemm_kernels: bool = True) -> dict:
        """The peaks of `vpdpbusd` and `tdpbssd` on `threads` threads (`peak.py`), and every GEMM
        the library's sidecar lists rebuilt and timed alone (`gemm_bench.py`)."""
        from intvit.lowering.llvm_cpu.gemm_bench import time_gemm_kernels
        from intvit.lowering.llvm_cpu.peak import measure_amx_peak_gops, measure_peak_gops

        meta = executable.library.meta
        unit = meta.get("gemm")
        peak, amx_peak = measure_peak_gops(threads), measure_amx_peak_gops(threads)
        extras = {"gemm_unit": unit, "peak_gops": peak, "amx_peak_gops": amx_peak,
                  "unit_peak_gops": amx_peak if unit == "amx" else peak if unit == "vnni" else None}
        if gemm_kernels:
            kernels = time_gemm_kernels(meta.get("gemms", []), 1 if threads == 1 else None)
            extras.update(gemm_kernel_ms=kernels["gemm_ms"], gemm_kernel_macs=kernels["gemm_macs"],
                          gemm_shapes=kernels["shapes"])
        return extras
