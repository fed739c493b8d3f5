"""Threads for the `llvm-cpu` target: LLVM's OpenMP runtime (libomp) behind MLIR's `omp` dialect.

GEMM kernels mark their independent blocks with `scf.parallel`; `convert-scf-to-openmp` turns
them into `omp.parallel`/`omp.wsloop`, which LLVM's OpenMPIRBuilder lowers to `__kmpc_*` calls
into libomp (Debian: `apt-get install libomp-dev`).  No thread count is baked in: libomp uses
every core, or `OMP_NUM_THREADS`.  Without libomp the target compiles single-threaded kernels.
"""

from __future__ import annotations

import glob
import os
from pathlib import Path

from intvit.lowering.llvm_cpu.errors import CompileError

SEARCH = ["/usr/lib/llvm-*/lib/libomp.so.5", "/usr/lib/x86_64-linux-gnu/libomp.so.5",
          "/usr/lib/aarch64-linux-gnu/libomp.so.5", "/usr/local/lib/libomp.so*"]


def find_libomp() -> str | None:
    """Path of libomp (`INTVIT_LIBOMP` first, then the Debian/LLVM install locations)."""
    env = os.environ.get("INTVIT_LIBOMP")
    if env:
        return env if Path(env).is_file() else None
    for pattern in SEARCH:
        hits = sorted(glob.glob(pattern), reverse=True)  # newest llvm-N first
        if hits:
            return hits[0]
    return None


def available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def resolve_threads(threads: int | None) -> tuple[bool, str | None]:
    """(parallel kernels?, libomp path).  `None`: parallel when libomp is there and there are
    several CPUs; 1: single-threaded; >1: parallel, libomp required."""
    if threads is not None and threads < 1:
        raise CompileError(f"threads must be >= 1, got {threads}")
    if threads == 1:
        return False, None
    lib = find_libomp()
    if lib is None:
        if threads is None:
            return False, None
        raise CompileError("multi-threaded kernels need LLVM's OpenMP runtime libomp "
                           "(apt-get install libomp-dev, or set INTVIT_LIBOMP=/path/to/libomp.so)")
    if threads is None and available_cpus() < 2:
        return False, None
    return True, lib


# Kernels open their parallel regions themselves: `omp.parallel` with each thread taking one
# contiguous share of the (linearized) iteration space.  `scf.parallel` through
# `convert-scf-to-openmp` would add `__kmpc_for_static_init` and a second barrier per region;
# with Debian's libomp (built with KMP_DEBUG) that init also formats trace strings, and a model
# opens hundreds of regions per inference.
# The team queries are libomp's own `__kmpc_bound_*` entry points (their location argument may be
# null), not `omp_get_thread_num`: PyTorch loads GNU libgomp, which exports those names too, and
# a call bound to libgomp's answers "thread 0 of 1" inside a libomp team.
OMP_DECLS = ("func.func private @__kmpc_bound_thread_num(!llvm.ptr) -> i32",
             "func.func private @__kmpc_bound_num_threads(!llvm.ptr) -> i32")


def open_parallel_range(e, extents: list[int], prologue=None) -> list[str]:
    """Emit `omp.parallel { ... scf.for %r = lo to hi` over this thread's share of the
    row-major linearization of `extents`; return one index per extent (delinearized).
    `e` is a `kernel_builder.Emitter`; `prologue()` emits per-thread setup before the loop;
    close with `close_parallel_range`."""
    total = 1
    for x in extents:
        total *= x
    e.emit("omp.parallel {")
    e.indent += 1
    loc = e.op("llvm.mlir.zero : !llvm.ptr", "loc")
    t = e.op(f"func.call @__kmpc_bound_thread_num({loc}) : (!llvm.ptr) -> i32", "tid")
    n = e.op(f"func.call @__kmpc_bound_num_threads({loc}) : (!llvm.ptr) -> i32", "nth")
    t = e.op(f"arith.index_cast {t} : i32 to index", "tid")
    n = e.op(f"arith.index_cast {n} : i32 to index", "nth")
    lo = e.op(f"arith.divui {e.op(f'arith.muli {t}, {e.idx(total)} : index', 'lo')}, {n} : index", "lo")
    t1 = e.op(f"arith.addi {t}, {e.idx(1)} : index", "hi")
    hi = e.op(f"arith.divui {e.op(f'arith.muli {t1}, {e.idx(total)} : index', 'hi')}, {n} : index", "hi")
    if prologue is not None:
        prologue()
    r = e.fresh("r")
    e.emit(f"scf.for {r} = {lo} to {hi} step {e.idx(1)} {{")
    e.indent += 1
    ivs, rest = [], r
    for i in range(len(extents) - 1, -1, -1):
        if extents[i] == 1:
            ivs.append(e.idx(0))
        elif i == 0:
            ivs.append(rest)
        else:
            ivs.append(e.op(f"arith.remui {rest}, {e.idx(extents[i])} : index", "iv"))
            rest = e.op(f"arith.divui {rest}, {e.idx(extents[i])} : index", "iv")
    return list(reversed(ivs))


def close_parallel_range(e) -> None:
    e.indent -= 1
    e.emit("}")
    e.emit("omp.terminator")
    e.indent -= 1
    e.emit("}")


def add_declarations(module) -> None:
    """The two team queries, declared once per module (kernels call them)."""
    from torch_mlir import ir

    names = {ir.StringAttr(op.attributes["sym_name"]).value for op in module.body.operations
             if op.operation.name == "func.func"}
    missing = [d for d in OMP_DECLS if d.split("@")[1].split("(")[0] not in names]
    if missing:
        decls = ir.Module.parse("\n".join(missing))
        first = list(module.body.operations)[0]
        for op in list(decls.body.operations):
            op.operation.move_before(first)


def move_kernel(text: str, before) -> None:
    """Parse one kernel (with the libomp declarations it may call) and move its definitions
    before `before`; the declarations are added once per module by `add_declarations`."""
    from torch_mlir import ir

    kmod = ir.Module.parse("\n".join(OMP_DECLS) + "\n" + text)
    block = before.operation.block if hasattr(before, "operation") else before.block
    present = {ir.StringAttr(op.attributes["sym_name"]).value for op in block.operations
               if "sym_name" in op.attributes}
    for kop in list(kmod.body.operations):
        if len(kop.operation.regions[0].blocks) and ir.StringAttr(kop.attributes["sym_name"]).value not in present:
            kop.operation.move_before(before)  # a helper shared by several kernels comes once
