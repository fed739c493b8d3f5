"""`--target cuda-dp4a`: lowered integer IR -> CUDA C++ source (one folder), run on an NVIDIA
GPU where one is present, else the same kernels compiled for the host emulator."""

from __future__ import annotations

import ctypes
import json
import time
from importlib import resources
from pathlib import Path

import numpy as np
from xdsl.dialects.builtin import ModuleOp

from intvit.lowering.cuda import build as tools
from intvit.lowering.cuda.emit import harness_source, makefile, model_source
from intvit.lowering.cuda.plan import Planner, Program
from intvit.lowering.lower import lower_module
from intvit.lowering.target import (Executable, Target, TargetError, TargetOption, read_sidecar_json,
                                    signatures_from_json, signatures_to_json, write_sidecar)

GEMM_CHOICES = ("dp4a", "mma")
DEFAULT_ARCHS = {"dp4a": "sm_75,sm_80,sm_90", "mma": "sm_80,sm_90"}
KNOWN_ARCHS = ("sm_75", "sm_80", "sm_86", "sm_87", "sm_89", "sm_90")
HEADERS = ("intvit_cuda.h", "intvit_cuda_emu.h")


def parse_archs(text: str | None, gemm: str) -> list[str]:
    if text == "none":
        return []   # write the folder and the emulated build only (no nvcc)
    archs = [a.strip() for a in (text or DEFAULT_ARCHS[gemm]).split(",") if a.strip()]
    for a in archs:
        if a not in KNOWN_ARCHS:
            raise TargetError(f"cuda-dp4a: unknown --arch {a} (choose from {', '.join(KNOWN_ARCHS)})")
    if gemm == "mma" and "sm_75" in archs:
        raise TargetError("cuda-dp4a: --gemm mma needs sm_80 or newer (int8 mma.sync m16n8k32); "
                          "drop sm_75 from --arch or use --gemm dp4a")
    return archs


def plan_module(module: ModuleOp, gemm: str = "dp4a") -> Program:
    """Lower (if needed) and plan: the generated program for `module`'s entry."""
    from intvit.runtime.interpreter import find_entry

    if gemm not in GEMM_CHOICES:
        raise TargetError(f"target 'cuda-dp4a' does not take --gemm {gemm} (choose from {', '.join(GEMM_CHOICES)})")
    lowered = lower_module(module.clone())
    return Planner(lowered, find_entry(lowered), gemm).run()


def write_folder(prog: Program, out: Path, archs: list[str], source: str | None) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "model.cu").write_text(model_source(prog, source))
    (out / "harness.cu").write_text(harness_source(prog))
    (out / "Makefile").write_text(makefile(archs))
    (out / "weights.bin").write_bytes(bytes(prog.weights))
    (out / "weights.json").write_text(json.dumps(prog.manifest, indent=1))
    pkg = resources.files("intvit.lowering.cuda")
    for h in HEADERS:
        (out / h).write_text(pkg.joinpath(h).read_text())


class CudaDp4aTarget(Target):
    name = "cuda-dp4a"
    help = ("NVIDIA GPUs: generated CUDA C++ (dp4a or int8 mma.sync GEMMs, row and elementwise kernels); "
            "runs on a GPU where present, else the same kernels emulated on the CPU")
    artifact = "folder"
    suffix = ""
    options = (
        TargetOption("--gemm", GEMM_CHOICES,
                     help="GEMM kernels: dp4a (default; __dp4a / dp4a.u32.s32, sm_75+) or mma "
                          "(int8 tensor cores, mma.sync m16n8k32, sm_80+)"),
        TargetOption("--arch", metavar="SM,..", commands=("compile",),
                     help="architectures nvcc builds and checks (default sm_75,sm_80,sm_90; sm_80,sm_90 for mma; "
                          "none: no nvcc)"),
    )

    def check_available(self) -> None:
        if not tools.gpu_present() and tools.find_gxx() is None:
            raise TargetError("target 'cuda-dp4a' is not available: no GPU (nvidia-smi/libcuda) and no g++ "
                              "for the emulated build")

    def compile(self, module: ModuleOp, output: Path, source: str | None = None, check_archs: bool = True,
                emulated_build: bool = True, **options) -> dict:
        gemm = options.get("gemm") or "dp4a"
        if gemm not in GEMM_CHOICES:
            raise TargetError(f"target 'cuda-dp4a' does not take --gemm {gemm} (choose from {', '.join(GEMM_CHOICES)})")
        archs = parse_archs(options.get("arch"), gemm)
        t0 = time.perf_counter()
        prog = plan_module(module, gemm)
        out = Path(output)
        write_folder(prog, out, archs, source)
        generate_s = time.perf_counter() - t0
        emu_s = tools.build_emulated(out) if emulated_build and tools.find_gxx() else None
        checks = tools.check_archs(out, archs, gemm) if check_archs and archs else \
            {"checked": False, "why": "not requested"}
        meta = {"entry": f"intvit_run (@{prog.name})",
                "inputs": signatures_to_json([(s, d) for _, s, d in prog.inputs]),
                "outputs": signatures_to_json([(s, d) for _, s, d in prog.outputs]),
                "archs": archs, "gemm": gemm, "kernels": prog.kinds, "workspace_bytes": prog.ws_bytes,
                "weight_bytes": len(prog.weights), "accumulator_bounds": prog.bounds,
                "source": str(Path(source).resolve()) if source else None,
                "emulated_library": tools.EMU_LIB if emu_s is not None else None, "nvcc_checks": checks}
        write_sidecar(out, self.name, meta)
        return {"target": self.name, "output": str(out), "compile_s": time.perf_counter() - t0,
                "generate_s": round(generate_s, 3), "emulated_build_s": emu_s, **meta}

    def build(self, module: ModuleOp, workdir: Path | None = None, **options) -> Executable:
        # run/eval/tests: the emulated (or GPU) library only; the 3-arch nvcc checks are
        # `intvit compile`'s job.
        return super().build(module, workdir, check_archs=False, **options)

    def load(self, artifact: Path) -> Executable:
        meta = read_sidecar_json(artifact)
        folder = Path(artifact)
        if tools.gpu_present():
            lib_path = folder / tools.GPU_LIB
            if not lib_path.is_file():
                tools.build_gpu(folder)
        else:
            lib_path = folder / tools.EMU_LIB
            if not lib_path.is_file():
                tools.build_emulated(folder)
        runner = Runner(lib_path, folder, signatures_from_json(meta.get("inputs", []), "inputs"),
                        signatures_from_json(meta.get("outputs", []), "outputs"))
        return Executable(self.name, runner, artifact=str(folder), inputs=runner.inputs, outputs=runner.outputs,
                          device=runner.device, takes_out=True, library=runner)


class Runner:
    """The loaded library: checks shapes and dtypes, then calls `intvit_run`."""

    def __init__(self, lib_path: Path, folder: Path, inputs, outputs):
        self.lib = ctypes.CDLL(str(lib_path))
        self.inputs, self.outputs = inputs, outputs
        self.lib.intvit_load.argtypes = [ctypes.c_char_p]
        self.lib.intvit_run.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_void_p)]
        rc = self.lib.intvit_load(str(folder).encode())
        if rc != 0:
            raise TargetError(f"cuda-dp4a: loading {folder} failed (code {rc}: 3 = allocation, 4 = weights.bin)")
        name = ctypes.create_string_buffer(256)
        self.lib.intvit_device(name, 256)
        self.device = name.value.decode() or "unknown GPU"

    def __call__(self, inputs, out=None) -> list[np.ndarray]:
        if len(inputs) != len(self.inputs):
            raise TargetError(f"cuda-dp4a: the model takes {len(self.inputs)} inputs, got {len(inputs)}")
        arrays = []
        for k, (x, (shape, dtype)) in enumerate(zip(inputs, self.inputs)):
            x = np.asarray(x)
            if tuple(x.shape) != tuple(shape) or x.dtype.itemsize != dtype.itemsize or x.dtype.kind != dtype.kind \
                    and not {x.dtype.kind, dtype.kind} <= {"i", "u"}:
                raise TargetError(f"cuda-dp4a: input {k} must be {dtype}{list(shape)}, got {x.dtype}{list(x.shape)}")
            arrays.append(np.ascontiguousarray(x))
        outs = out if out is not None else [np.empty(s, d) for s, d in self.outputs]
        in_ptrs = (ctypes.c_void_p * max(1, len(arrays)))(*[a.ctypes.data for a in arrays])
        out_ptrs = (ctypes.c_void_p * max(1, len(outs)))(*[o.ctypes.data for o in outs])
        rc = self.lib.intvit_run(in_ptrs, out_ptrs)
        if rc != 0:
            raise TargetError(f"cuda-dp4a: the generated program failed (code {rc})")
        return outs

