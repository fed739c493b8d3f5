"""Write the hls4ml-shaped project folder:

    prj/firmware/<top>.cpp|.h, parameters.h, weights/*.h (+ *.txt), intvit_nnet/*.h
    prj/<top>_test.cpp, <top>_bridge.cpp, tb_data/tb_{input,output}_N.dat, build_prj.tcl
    prj/intvit.json

The kernel headers are copied into the project (as hls4ml copies nnet_utils), so the folder is
all a Vitis machine needs; the ap_int headers are Vitis's own there, the hls4ml wheel's here.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
from xdsl.dialects.builtin import ModuleOp

from intvit.lowering.hls.csim import INCLUDE_DIR
from intvit.lowering.hls.emitter import Firmware, entry_function
from intvit.lowering.hls.harness import bridge, format_sample, numpy_dtype, testbench
from intvit.lowering.hls.tcl import build_prj_tcl

OWNED = ("firmware", "tb_data", "csim")


def golden_vectors(module: ModuleOp, samples: int) -> list[tuple[list[np.ndarray], list[np.ndarray]]]:
    """Seeded random inputs and the golden model's outputs for them (the testbench's truth)."""
    from intvit.runtime.interpreter import random_inputs, run_module

    fn = entry_function(module)
    vectors = []
    for seed in range(samples):
        inputs = random_inputs(fn, seed)
        vectors.append((inputs, run_module(module, inputs, fn.sym_name.data)))
    return vectors


def write_project(out: Path, fw: Firmware, vectors, part: str, clock_ns: float) -> None:
    out.mkdir(exist_ok=True)
    for name in OWNED:
        if (out / name).is_dir():
            shutil.rmtree(out / name)
    for rel, text in fw.files.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    shutil.copytree(INCLUDE_DIR / "intvit_nnet", out / "firmware" / "intvit_nnet")
    (out / f"{fw.top}_test.cpp").write_text(testbench(fw.top, fw.inputs, fw.outputs))
    (out / f"{fw.top}_bridge.cpp").write_text(bridge(fw.top, fw.inputs, fw.outputs))
    (out / "build_prj.tcl").write_text(build_prj_tcl(fw.top, part, clock_ns, fw.load_weights))
    tb = out / "tb_data"
    tb.mkdir()
    for kind, bufs, index in (("input", fw.inputs, 0), ("output", fw.outputs, 1)):
        for i, buf in enumerate(bufs):
            lines = [format_sample(np.asarray(v[index][i]).astype(numpy_dtype(buf.ctype))) for v in vectors]
            (tb / f"tb_{kind}_{i}.dat").write_text("\n".join(lines) + "\n")
