"""Peak micro-kernels of this CPU's int8 units, built with the same MLIR -> LLVM path as the
models and run on every thread through ctypes: the ceilings `bench` compares the compiled GEMMs
against.

* VNNI: `vpdpbusd` (u8 x s8 -> i32, 64 MACs each) in a register-only loop; eight independent
  accumulators hide the instruction latency, so the loop measures throughput.
* AMX: `tdpbssd` (s8 x s8 -> i32, 16 x 16 x 64 MACs each) on four C tiles from two A and two B
  tiles held in tile registers, 32 products per loaded set (the blocking the GEMM kernels use).
"""

from __future__ import annotations

import ctypes
import tempfile
import threading
import time
from pathlib import Path

from intvit.lowering.llvm_cpu.aot import link_engine
from intvit.lowering.llvm_cpu.cpu_features import amx_ready, has_avx512_vnni
from intvit.lowering.llvm_cpu.pipeline import to_llvm_pipeline

ACCUMULATORS = 8
MACS_PER_VPDPBUSD = 64

KERNEL = """
func.func @vnni_peak(%iters: i64) -> i32 attributes {llvm.emit_c_interface} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = arith.index_cast %iters : i64 to index
  %z = arith.constant dense<0> : vector<16xi32>
  %a = arith.constant dense<1> : vector<64xi8>
  %b = arith.constant dense<2> : vector<64xi8>
  %r:ACC = scf.for %i = %c0 to %n step %c1 iter_args(ARGS) -> (TYPES) {
BODY
    scf.yield YIELDS : TYPES
  }
SUM
  %out = vector.reduction <add>, %s ACCm1 : vector<16xi32> into i32
  return %out : i32
}
"""


def kernel_text() -> str:
    acc = ACCUMULATORS
    args = ", ".join(f"%x{i} = %z" for i in range(acc))
    types = ", ".join(["vector<16xi32>"] * acc)
    body = "\n".join(
        f'    %y{i} = llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%x{i}, %a, %b) : '
        f"(vector<16xi32>, vector<64xi8>, vector<64xi8>) -> vector<16xi32>" for i in range(acc)
    )
    yields = ", ".join(f"%y{i}" for i in range(acc))
    sums = ["  %s0 = arith.addi %r#0, %r#1 : vector<16xi32>"]
    sums += [f"  %s{i - 1} = arith.addi %s{i - 2}, %r#{i} : vector<16xi32>" for i in range(2, acc)]
    text = KERNEL.replace("ACCm1", "").replace("%r:ACC", f"%r:{acc}").replace("ARGS", args)
    text = text.replace("TYPES", types).replace("BODY", body).replace("YIELDS", yields)
    return text.replace("SUM", "\n".join(sums)).replace("%s ", f"%s{acc - 2} ")



def _library(text: str, amx: bool, directory: str | Path, name: str) -> ctypes.CDLL:
    """MLIR text -> LLVM (the models' stage 2) -> `name.so` (the models' link), loaded."""
    from torch_mlir import ir, passmanager
    from torch_mlir.execution_engine import ExecutionEngine

    so = Path(directory) / f"{name}.so"
    with ir.Context():
        module = ir.Module.parse(text)
        passmanager.PassManager.parse(to_llvm_pipeline(amx=amx)).run(module.operation)
        link_engine(ExecutionEngine(module, opt_level=3), so)
    return ctypes.CDLL(str(so))


def build_peak_library(directory: str | Path) -> ctypes.CDLL:
    lib = _library(kernel_text(), False, directory, "peak")
    lib.vnni_peak.argtypes = [ctypes.c_int64]
    lib.vnni_peak.restype = ctypes.c_int32
    return lib


def measure_peak_gops(threads: int = 2, seconds: float = 0.3) -> float | None:
    """Measured int8 ops/s (2 per MAC) of vpdpbusd on `threads` threads; None without VNNI."""
    if not has_avx512_vnni():
        return None
    with tempfile.TemporaryDirectory() as tmp:
        lib = build_peak_library(tmp)
        iters, elapsed = _on_threads(lambda n, _k: lib.vnni_peak(n), 2_000_000, threads, seconds)
    ops = 2 * MACS_PER_VPDPBUSD * ACCUMULATORS * iters * threads
    return ops / elapsed / 1e9


def _on_threads(run, probe: int, threads: int, seconds: float) -> tuple[int, float]:
    """Size the iteration count from a timed single run, then run it on every thread at once:
    (iterations per thread, elapsed seconds)."""
    run(max(1, probe // 1000), 0)
    t0 = time.perf_counter()
    run(probe, 0)
    single = time.perf_counter() - t0
    iters = max(100, int(probe * seconds / max(single, 1e-6)))
    workers = [threading.Thread(target=run, args=(iters, k)) for k in range(threads)]
    t0 = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return iters, time.perf_counter() - t0


AMX_PRODUCTS = 32  # tdpbssd per loop iteration (4 C tiles x 8)
MACS_PER_TDPBSSD = 16 * 16 * 64


def amx_kernel_text() -> str:
    tile_a, tile_c = "!x86.amx.tile<16x64xi8>", "!x86.amx.tile<16x16xi32>"
    lines = ["func.func @amx_peak(%iters: i64, %buf: memref<64x64xi8>, %out: memref<32x32xi32>) "
             "attributes {llvm.emit_c_interface} {",
             "  %c0 = arith.constant 0 : index", "  %c1 = arith.constant 1 : index",
             "  %c16 = arith.constant 16 : index", "  %c32 = arith.constant 32 : index",
             "  %c48 = arith.constant 48 : index",
             "  %n = arith.index_cast %iters : i64 to index",
             "  scf.for %i = %c0 to %n step %c1 {"]
    for t, row in (("a0", "%c0"), ("a1", "%c16"), ("b0", "%c32"), ("b1", "%c48")):
        lines.append(f"    %{t} = x86.amx.tile_load %buf[{row}, %c0] : memref<64x64xi8> into {tile_a}")
    cur = {}
    for i in range(2):
        for j in range(2):
            cur[i, j] = f"%z{i}{j}"
            lines.append(f"    %z{i}{j} = x86.amx.tile_zero : {tile_c}")
    for r in range(AMX_PRODUCTS // 4):
        for i in range(2):
            for j in range(2):
                nxt = f"%p{r}_{i}{j}"
                lines.append(f"    {nxt} = x86.amx.tile_muli %a{i}, %b{j}, {cur[i, j]} : {tile_a}, {tile_a}, {tile_c}")
                cur[i, j] = nxt
    for i in range(2):
        for j in range(2):
            lines.append(f"    x86.amx.tile_store %out[%c{16 * i if i else 0}, %c{16 * j if j else 0}], {cur[i, j]} : "
                         f"memref<32x32xi32>, {tile_c}")
    lines += ["  }", "  return", "}"]
    return "\n".join(lines).replace("%c16 * 0", "%c0")


def measure_amx_peak_gops(threads: int = 2, seconds: float = 0.3) -> float | None:
    """Measured int8 ops/s of `tdpbssd` on `threads` threads; None without usable AMX."""
    import numpy as np

    if not amx_ready():
        return None
    from torch_mlir.runtime import get_ranked_memref_descriptor

    with tempfile.TemporaryDirectory() as tmp:
        lib = _library(amx_kernel_text(), True, tmp, "amx_peak")
        buffers = [(np.ones((64, 64), np.int8), np.zeros((32, 32), np.int32)) for _ in range(threads)]
        descs = [[ctypes.pointer(get_ranked_memref_descriptor(x)) for x in pair] for pair in buffers]

        def run(iters: int, k: int) -> None:
            lib._mlir_ciface_amx_peak(ctypes.c_int64(iters), descs[k][0], descs[k][1])

        iters, elapsed = _on_threads(run, 20000, threads, seconds)
    ops = 2 * MACS_PER_TDPBSSD * AMX_PRODUCTS * iters * threads
    return ops / elapsed / 1e9
