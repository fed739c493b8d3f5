"""`--target hls-cpp`: an intvit module -> an hls4ml-shaped Vitis HLS project folder; C
simulation (g++ over the same firmware) is its Executable (device "csim").

Options: `--part` (parts.py), `--clock-ns` (range-checked against the part), `--top` (the top
function's name; default `intvit_<entry>`).  Cheap checks (part, clock, names, every op has a
kernel, packing widths) run before the golden vectors and the files.
"""

from __future__ import annotations

import time
from pathlib import Path

from xdsl.dialects.builtin import ModuleOp

from intvit.lowering.hls import csim
from intvit.lowering.hls.emitter import emit_firmware, entry_function
from intvit.lowering.hls.estimate import DEFAULTS as ESTIMATE_DEFAULTS
from intvit.lowering.hls.estimate import Tiling, cycle_model, estimate, format_estimate
from intvit.lowering.hls.harness import bridge_symbol, numpy_dtype
from intvit.lowering.hls.names import cpp_identifier
from intvit.lowering.hls.parts import DEFAULT_PART, PARTS, get_part
from intvit.lowering.hls.project import golden_vectors, write_project
from intvit.lowering.target import (Executable, Target, TargetError, TargetOption, read_sidecar_json,
                                    signatures_from_json, signatures_to_json, write_sidecar)

DEFAULT_CLOCK_NS = 6.67   # 150 MHz, Quasar-ViT's ZCU102 design
MAX_CLOCK_NS = 100.0      # 10 MHz: below that a clock is a typo, not a design point
TB_SAMPLES = 2


def check_clock(clock_ns: float, part_name: str) -> float:
    part = get_part(part_name)
    fastest = 1000.0 / part.max_mhz
    if not (isinstance(clock_ns, (int, float)) and fastest <= clock_ns <= MAX_CLOCK_NS):
        raise TargetError(f"--clock-ns {clock_ns} is out of range for {part_name}: "
                          f"[{fastest:.2f}, {MAX_CLOCK_NS:.0f}] ns ({part.max_mhz:.0f} MHz down to 10 MHz)")
    return float(clock_ns)


class HlsCppTarget(Target):
    name = "hls-cpp"
    help = "FPGA: an hls4ml-shaped Vitis HLS C++ project (ap_int kernels, DSP packing); C simulation with g++"
    artifact = "folder"
    suffix = ""
    options = (
        TargetOption("--part", tuple(PARTS), help=f"FPGA part (default {DEFAULT_PART}, the ZCU102)",
                     commands=("compile", "run", "eval")),
        TargetOption("--clock-ns", type=float, metavar="NS", commands=("compile", "run", "eval"),
                     help=f"clock period for build_prj.tcl (default {DEFAULT_CLOCK_NS}, 150 MHz)"),
        TargetOption("--top", metavar="NAME", commands=("compile", "run", "eval"),
                     help="top function name (default intvit_<entry function>)"),
    )

    # `intvit estimate` (Quasar-ViT's resource and latency model) reaches the model through
    # these, so the CLI imports no target module but the registry
    default_part = DEFAULT_PART
    format_estimate = staticmethod(format_estimate)

    @staticmethod
    def tiling_defaults() -> dict:
        return dict(vars(Tiling()))

    estimate_defaults = staticmethod(lambda: dict(ESTIMATE_DEFAULTS))

    def estimate(self, module: ModuleOp, part: str, freq_mhz: float, dsp_util: float, lut_util: float,
                 **tiling) -> dict:
        return estimate(module, part, freq_mhz, dsp_util, lut_util, Tiling(**tiling))

    def cycle_model(self, part: str, freq_mhz: float, dsp_util: float, lut_util: float, **tiling):
        """The latency model of `estimate` for one GEMM, for a search under an FPS budget."""
        return cycle_model(part, freq_mhz, dsp_util, lut_util, Tiling(**tiling))

    def check_available(self) -> None:
        csim.check_compiler()
        csim.ap_types_dir()

    def compile(self, module: ModuleOp, output: Path, source: str | None = None, part: str = DEFAULT_PART,
                clock_ns: float = DEFAULT_CLOCK_NS, top: str | None = None,
                weights_txt_elements: int | None = None, tb_samples: int = TB_SAMPLES) -> dict:
        t0 = time.perf_counter()
        spec = get_part(part)
        clock_ns = check_clock(clock_ns, part)
        fn = entry_function(module)
        top_name = cpp_identifier(top, "--top") if top else cpp_identifier(f"intvit_{fn.sym_name.data}",
                                                                            "the entry function's name")
        extra = {} if weights_txt_elements is None else {"weights_txt_elements": weights_txt_elements}
        fw = emit_firmware(module, top_name, part, spec.dsp_kind, **extra)
        vectors = golden_vectors(module, tb_samples)
        out = Path(output)
        write_project(out, fw, vectors, part, clock_ns)
        inputs = [(b.shape, numpy_dtype(b.ctype)) for b in fw.inputs]
        outputs = [(b.shape, numpy_dtype(b.ctype)) for b in fw.outputs]
        meta = {"top": top_name, "entry": bridge_symbol(top_name), "part": part, "clock_ns": clock_ns,
                "inputs": signatures_to_json(inputs), "outputs": signatures_to_json(outputs),
                "load_weights": fw.load_weights, "kernels": fw.families, "tb_samples": tb_samples}
        if source:
            meta["source"] = source
        write_sidecar(out, self.name, meta)
        return {"target": self.name, "output": str(out), "compile_s": time.perf_counter() - t0, **meta}

    def load(self, artifact: Path) -> Executable:
        import numpy as np

        meta = read_sidecar_json(artifact)
        try:
            top, symbol, load_weights = meta["top"], meta["entry"], bool(meta.get("load_weights"))
        except KeyError as err:
            raise TargetError(f"corrupt hls-cpp sidecar in {artifact}: missing {err}") from None
        inputs = signatures_from_json(meta.get("inputs", []), "inputs")
        outputs = signatures_from_json(meta.get("outputs", []), "outputs")
        t0 = time.perf_counter()
        lib = csim.build_library(Path(artifact), top, load_weights)
        handle, fn = csim.load_library(lib, symbol, inputs, outputs)
        build_s = time.perf_counter() - t0

        def run(args, out=None):
            if len(args) != len(inputs):
                raise TargetError(f"{top} takes {len(inputs)} inputs, got {len(args)}")
            arrays = []
            for i, (x, (shape, dtype)) in enumerate(zip(args, inputs)):
                x = np.ascontiguousarray(x)
                if x.shape != tuple(shape) or x.dtype != dtype:
                    raise TargetError(f"input {i} of {top}: expected {dtype}{list(shape)}, got {x.dtype}{list(x.shape)}")
                arrays.append(x)
            results = out if out is not None else [np.empty(s, d) for s, d in outputs]
            if fn(*arrays, *results) != 0:
                raise TargetError(f"{top}: C simulation returned an error")
            return results

        return Executable(self.name, run, compile_s=build_s, artifact=str(artifact), inputs=inputs,
                          outputs=outputs, device="csim", takes_out=True, library=handle)
