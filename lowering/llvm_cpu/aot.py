"""Ahead-of-time `.so` for the `llvm-cpu` target.

The object file comes from `ExecutionEngine.dump_to_object_file` (the same LLVM compilation the
JIT runs); a generated C shim builds the ranked memref descriptors and exports

    int intvit_<name>(const T0 *in0, ..., R0 *out0, ...);

* `T`/`R`: `int8_t`, `int16_t`, `int32_t`, `int64_t` or their `uint*_t` where the source type is unsigned
  (`ui8` Shiftmax probabilities), `float`, `double` at float boundaries, in
  the order of the MLIR function's arguments, then its results;
* every buffer is contiguous, row-major (C order), distinct from the others (no two overlap:
  the code is compiled as if every pointer were `restrict`), fully allocated by the caller (outputs too:
  the library writes every output element and allocates nothing the caller must free);
* returns 0 on success, 2 if the running CPU lacks an instruction-set extension the library was
  compiled for (checked with `__builtin_cpu_supports` before any model code runs);
* reentrant: no global state is written, so distinct threads may call it with distinct buffers.

`gcc -shared` links shim and object.  The JSON sidecar `<so>.json` records `abi`
(`intvit-c-v1`), `entry`, `inputs`/`outputs` (`shape`, numpy `dtype`), `cpu_features`
(/proc/cpuinfo names), `gemm` (kernel variant), `source` and `sha256` (of the `.so`);
`intvit.lowering.llvm_cpu.loader.load_so` checks the ELF structure and digest before `dlopen`, then
every call's shapes and dtypes before entering the library.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from intvit.lowering.llvm_cpu.cpu_features import host_features
from intvit.lowering.llvm_cpu.loader import ABI, ExecutorError, SharedLibraryModel, file_sha256, load_so
from intvit.lowering.llvm_cpu.pipeline import GEMM_FEATURES, CompiledModule, TensorSig

__all__ = ["C_TYPES", "shim_source", "write_shared_library", "load_so", "SharedLibraryModel", "ExecutorError"]

C_TYPES = {"i8": "int8_t", "i16": "int16_t", "i32": "int32_t", "i64": "int64_t", "f32": "float", "f64": "double"}
GCC_FEATURE = {"avx2": "avx2", "avx512f": "avx512f", "avx512bw": "avx512bw", "avx512_vnni": "avx512vnni"}



def _descriptor_struct(rank: int) -> str:
    sizes = f" int64_t sizes[{rank}]; int64_t strides[{rank}];" if rank else ""
    return f"typedef struct {{ void *allocated; void *aligned; int64_t offset;{sizes} }} memref{rank}_t;"


WORKSPACE_C = r"""
/* Workspace cache: the model's temporaries (memref.alloc -> malloc/free, renamed in its object
   file to intvit_ws_malloc/intvit_ws_free) are kept for the next call instead of going back to
   the C library, which returns big blocks to the OS and makes every call page-fault them in
   again.  Blocks are reused by exact size (static shapes repeat every call). */
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#define WS_SLOTS 1024
typedef union { size_t size; max_align_t align; } ws_header;
static struct { size_t size; ws_header *block; } ws_cache[WS_SLOTS];
static int ws_count;
static pthread_mutex_t ws_lock = PTHREAD_MUTEX_INITIALIZER;

__attribute__((visibility("hidden"))) void *intvit_ws_malloc(size_t size) {
  pthread_mutex_lock(&ws_lock);
  for (int i = ws_count - 1; i >= 0; --i) {
    if (ws_cache[i].size == size) {
      ws_header *h = ws_cache[i].block;
      ws_cache[i] = ws_cache[--ws_count];
      pthread_mutex_unlock(&ws_lock);
      return h + 1;
    }
  }
  pthread_mutex_unlock(&ws_lock);
  ws_header *h = malloc(sizeof(ws_header) + size);
  if (!h) return NULL;
  h->size = size;
  return h + 1;
}

__attribute__((visibility("hidden"))) void intvit_ws_free(void *p) {
  if (!p) return;
  ws_header *h = (ws_header *)p - 1;
  pthread_mutex_lock(&ws_lock);
  if (ws_count < WS_SLOTS) {
    ws_cache[ws_count].size = h->size;
    ws_cache[ws_count].block = h;
    ++ws_count;
    pthread_mutex_unlock(&ws_lock);
    return;
  }
  pthread_mutex_unlock(&ws_lock);
  free(h);
}

static void ws_release(void) {
  pthread_mutex_lock(&ws_lock);
  for (int i = 0; i < ws_count; ++i) free(ws_cache[i].block);
  ws_count = 0;
  pthread_mutex_unlock(&ws_lock);
}
__attribute__((destructor)) static void ws_unload(void) { ws_release(); }
"""


AMX_C = r"""
/* AMX tiles need the CPU (CPUID.7.0:EDX bits 24 and 25) and Linux's permission for the tile data
   state, which a process must request once (arch_prctl ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA). */
#include <cpuid.h>
#include <sys/syscall.h>
#include <unistd.h>
static int intvit_amx_ready(void) {
  static volatile int state;  /* 0: not asked yet, 1: granted, -1: unavailable */
  if (state == 0) {
    unsigned a, b, c, d;
    int ok = __get_cpuid_count(7, 0, &a, &b, &c, &d) && (d & (1u << 24)) && (d & (1u << 25))
             && syscall(SYS_arch_prctl, 0x1023, 18) == 0;
    state = ok ? 1 : -1;
  }
  return state == 1;
}
"""


def c_type(sig: TensorSig) -> str:
    return ("u" if sig.unsigned else "") + C_TYPES[sig.dtype]


def shim_source(name: str, inputs: list[TensorSig], outputs: list[TensorSig], features: list[str] = (),
                workspace: bool = False, amx: bool = False) -> str:
    """C source of the plain entry point (descriptors built on the stack)."""
    sigs = [*inputs, *outputs]
    ranks = sorted({len(s.shape) for s in sigs})
    params = [f"const {c_type(s)} *in{i}" for i, s in enumerate(inputs)]
    params += [f"{c_type(s)} *out{i}" for i, s in enumerate(outputs)]
    lines = ["/* generated by intvit (llvm-cpu target); C ABI intvit-c-v1 */", "#include <stdint.h>",
             *(_descriptor_struct(r) for r in ranks)]
    if workspace:
        lines.append(WORKSPACE_C)
    if amx:
        lines.append(AMX_C)
    decl = ", ".join(f"memref{len(s.shape)}_t *" for s in sigs)
    lines.append(f"void _mlir_ciface_intvit_ciface_{name}({decl});")
    lines.append(f"__attribute__((visibility(\"default\"))) int intvit_{name}({', '.join(params)}) {{")
    for f in features:
        if f in GCC_FEATURE:
            lines.append(f"  if (!__builtin_cpu_supports(\"{GCC_FEATURE[f]}\")) return 2;")
    if amx:
        lines.append("  if (!intvit_amx_ready()) return 2;")
    names = [f"in{i}" for i in range(len(inputs))] + [f"out{i}" for i in range(len(outputs))]
    for var, s in zip(names, sigs):
        rank = len(s.shape)
        strides = [int(np.prod(s.shape[d + 1:])) for d in range(rank)]
        init = f"(void *){var}, (void *){var}, 0"
        if rank:
            init += ", {" + ", ".join(map(str, s.shape)) + "}, {" + ", ".join(map(str, strides)) + "}"
        lines.append(f"  memref{rank}_t d_{var} = {{{init}}};")
    lines.append(f"  _mlir_ciface_intvit_ciface_{name}({', '.join('&d_' + v for v in names)});")
    lines.append("  return 0;\n}")
    lines.append(f"__attribute__((visibility(\"default\"))) void intvit_{name}_release(void) {{"
                 + (" ws_release(); }" if workspace else " }"))
    return "\n".join(lines) + "\n"


def link_engine(engine, path: str | Path, shim=None, libomp: str | None = None) -> bool:
    """The one way from compiled MLIR to a `.so`: the `ExecutionEngine`'s object file (the same
    LLVM compilation the JIT runs), linked by gcc with the C source `shim(workspace)` returns
    (None: no shim) and the OpenMP runtime `libomp`.  Returns whether the object's malloc/free
    go through the shim's workspace cache (objcopy renamed them; without objcopy they do not)."""
    path = Path(path)
    with tempfile.TemporaryDirectory() as tmp:
        obj = Path(tmp) / "model.o"
        try:
            engine.dump_to_object_file(str(obj))
        except Exception as err:
            raise ExecutorError(f"writing the object file failed: {err}") from None
        workspace = shim is not None and shutil.which("objcopy") is not None and subprocess.run(
            ["objcopy", "--redefine-sym", "malloc=intvit_ws_malloc", "--redefine-sym", "free=intvit_ws_free",
             str(obj)], capture_output=True).returncode == 0
        sources = [str(obj)]
        if shim is not None:
            (Path(tmp) / "shim.c").write_text(shim(workspace))
            sources.insert(0, str(Path(tmp) / "shim.c"))
        # The JIT object is not position independent (large code model): allow its text relocations.
        cmd = ["gcc", "-shared", "-fPIC", "-O2", "-Wl,-z,notext", "-o", str(path), *sources, "-lm"]
        if libomp:  # the kernels' OpenMP calls: link the runtime found at compile time, by rpath
            cmd += [libomp, f"-Wl,-rpath,{Path(libomp).parent}"]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True)
        except OSError as err:
            raise ExecutorError(f"cannot run gcc to link {path}: {err}") from None
        if proc.returncode != 0:
            raise ExecutorError(f"linking {path} failed: {proc.stderr.strip()[:2000]}")
    return workspace


def write_shared_library(compiled: CompiledModule, path: str | Path, source: str | None = None) -> Path:
    """Link the compiled module into `path` (a .so) and write its JSON sidecar `<path>.json`."""
    path = Path(path).resolve()
    amx = getattr(compiled, "gemm", None) == "amx"
    host = host_features()  # the JIT compiles for all of them; a cross-compiled GEMM unit adds its own
    features = host + [f for f in GEMM_FEATURES.get(getattr(compiled, "gemm", None), ()) if f not in host]

    def shim(workspace: bool) -> str:
        return shim_source(compiled.name, compiled.inputs, compiled.outputs, features, workspace, amx)

    workspace = link_engine(compiled.engine, path, shim, getattr(compiled, "libomp", None))
    sidecar = {"target": "llvm-cpu", "abi": ABI, "entry": f"intvit_{compiled.name}",
               "inputs": [s.to_json() for s in compiled.inputs],
               "outputs": [s.to_json() for s in compiled.outputs],
               "cpu_features": features, "gemm": getattr(compiled, "gemm", None), "source": source,
               "gemms": getattr(compiled, "gemms", []),
               "workspace_cache": workspace, "openmp": getattr(compiled, "libomp", None),
               "sha256": file_sha256(path)}
    Path(str(path) + ".json").write_text(json.dumps(sidecar, indent=1))
    return path
