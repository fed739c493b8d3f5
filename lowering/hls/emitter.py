"""intvit IR -> the firmware of an hls4ml-shaped project (`firmware/<top>.cpp|.h`,
`parameters.h`, `weights/*`): a top function that is a sequence of calls into `intvit_nnet`.

Each op family has its own small emit function (`emit_*.py`); this file walks the entry
function, dispatches, and lays the files out.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.dialects import arith, func, tensor
from xdsl.dialects.builtin import ModuleOp, TensorType
from xdsl.dialects.linalg.ops import TransposeOp

from intvit.dialects import intvit as iv
from intvit.lowering.hls import emit_boundary, emit_matmul, emit_nonlinear, emit_requant, emit_shape
from intvit.lowering.hls.emission import Buffer, Emission, element_ctype, location_of
from intvit.lowering.target import TargetError

EMITTERS = {
    iv.QuantizeOp: emit_boundary.emit_quantize,
    iv.DequantizeOp: emit_boundary.emit_dequantize,
    iv.RequantOp: emit_requant.emit_requant,
    iv.AddOp: emit_requant.emit_add,
    iv.MatmulOp: emit_matmul.emit_matmul,
    iv.ShiftmaxOp: emit_nonlinear.emit_shiftmax,
    iv.ShiftgeluOp: emit_nonlinear.emit_shiftgelu,
    iv.LayernormOp: emit_nonlinear.emit_layernorm,
    iv.IsqrtOp: emit_nonlinear.emit_isqrt,
    arith.ConstantOp: emit_shape.emit_constant,
    tensor.CollapseShapeOp: emit_shape.emit_reshape,
    tensor.ExpandShapeOp: emit_shape.emit_reshape,
    tensor.ReshapeOp: emit_shape.emit_reshape,
    tensor.EmptyOp: emit_shape.emit_empty,
    tensor.ExtractSliceOp: emit_shape.emit_extract_slice,
    tensor.InsertSliceOp: emit_shape.emit_insert_slice,
    TransposeOp: emit_shape.emit_transpose,
}
# above this many weight elements, C simulation reads weights/*.txt instead of compiling the
# initializers (g++ spends minutes on a DeiT's 5.7 M-element arrays; synthesis keeps the .h)
WEIGHTS_TXT_ELEMENTS = 1 << 20


@dataclass
class Firmware:
    top: str
    files: dict[str, str]          # relative path -> text
    inputs: list[Buffer]
    outputs: list[Buffer]
    load_weights: bool
    families: dict[str, int]


def entry_function(module: ModuleOp) -> func.FuncOp:
    funcs = [op for op in module.walk() if isinstance(op, func.FuncOp) and op.body.blocks]
    public = [f for f in funcs if f.sym_visibility is None or f.sym_visibility.data == "public"]
    if len(public) != 1:
        names = ", ".join("@" + f.sym_name.data for f in public) or "none"
        raise TargetError(f"hls-cpp: the module needs exactly one public function to become the top (found {names})")
    return public[0]


def check_supported(fn: func.FuncOp) -> None:
    """Every op has an emitter: checked before any work, with the first offender's location."""
    for op in fn.body.ops:
        if type(op) not in EMITTERS and not isinstance(op, func.ReturnOp):
            raise TargetError(f"{location_of(op)}error: hls-cpp: op '{op.name}' has no HLS kernel "
                              "(compile intvit IR, not lowered linalg IR)")
    for typ in (*fn.function_type.inputs.data, *fn.function_type.outputs.data):
        if not isinstance(typ, TensorType):
            raise TargetError(f"hls-cpp: the top function takes and returns ranked tensors only, got {typ}")


def emit_firmware(module: ModuleOp, top: str, part: str, dsp_kind: str,
                  weights_txt_elements: int = WEIGHTS_TXT_ELEMENTS) -> Firmware:
    fn = entry_function(module)
    check_supported(fn)
    em = Emission(top=top, part=part, dsp_kind=dsp_kind)
    inputs = []
    for i, arg in enumerate(fn.args):
        buf = Buffer(f"in{i}", tuple(arg.type.get_shape()), element_ctype(arg.type))  # type: ignore[union-attr]
        em.buffers[arg] = buf
        inputs.append(buf)
    ret = None
    for op in fn.body.ops:
        if isinstance(op, func.ReturnOp):
            ret = op
            continue
        EMITTERS[type(op)](em, op)
    outputs = []
    for i, value in enumerate(ret.operands if ret else ()):
        src = em.buffer(value)
        out = Buffer(f"out{i}", src.shape, element_ctype(value.type))  # type: ignore[arg-type]
        em.body.append(f"    intvit_nnet::copy<{src.ctype}, {out.ctype}, {out.size}>({src.name}, {out.name});")
        outputs.append(out)
    load = sum(w.values.size for w in em.weights) > weights_txt_elements
    files = {f"firmware/{top}.h": _header(top, inputs, outputs),
             f"firmware/{top}.cpp": _top_source(em, inputs, outputs, load),
             "firmware/parameters.h": _parameters(em)}
    for w in em.weights:
        files[f"firmware/weights/{w.name}.h"] = _weight_header(w)
        if load:
            files[f"firmware/weights/{w.name}.txt"] = " ".join(str(int(v)) for v in w.values) + "\n"
    return Firmware(top, files, inputs, outputs, load, dict(em.families))


def signature(top: str, inputs: list[Buffer], outputs: list[Buffer]) -> str:
    ports = [f"const {b.ctype} {b.name}[{b.size}]" for b in inputs] + [f"{b.ctype} {b.name}[{b.size}]" for b in outputs]
    return f"void {top}({', '.join(ports)})"


def _header(top: str, inputs, outputs) -> str:
    guard = f"{top.upper()}_H_"
    return (f"#ifndef {guard}\n#define {guard}\n\n#include \"intvit_nnet/types.h\"\n\n"
            f"{signature(top, inputs, outputs)};\n\n#endif\n")


def _interface_pragmas(inputs, outputs) -> list[str]:
    lines = []
    for i, b in enumerate([*inputs, *outputs]):
        lines.append(f"#pragma HLS INTERFACE m_axi port = {b.name} offset = slave bundle = gmem{i} depth = {b.size}")
    lines.append("#pragma HLS INTERFACE s_axilite port = return")
    return lines


def _top_source(em: Emission, inputs, outputs, load: bool) -> str:
    lines = [f"// Generated by intvit (target hls-cpp): {em.top}.  Every call below is a kernel of",
             "// intvit_nnet (hand-written, tested against the golden model); buffers are flat",
             "// row-major arrays.", "",
             f'#include "{em.top}.h"', "", '#include "intvit_nnet/intvit_nnet.h"', '#include "parameters.h"', ""]
    if load:
        lines += ["#ifndef INTVIT_WEIGHTS_DIR", '#define INTVIT_WEIGHTS_DIR "firmware/weights"', "#endif", ""]
    lines.append(signature(em.top, inputs, outputs) + " {")
    lines += _interface_pragmas(inputs, outputs)
    if load:
        lines += ["#if defined(INTVIT_LOAD_WEIGHTS) && !defined(__SYNTHESIS__)", "    static bool loaded = false;", "    if (!loaded) {"]
        lines += [f'        intvit_nnet::load_weights_txt<{w.ctype}, {w.values.size}>({w.name}, '
                  f'std::string(INTVIT_WEIGHTS_DIR) + "/{w.name}.txt");' for w in em.weights]
        lines += ["        loaded = true;", "    }", "#endif"]
    lines.append("#pragma HLS DATAFLOW")
    for b in em.declared:
        lines.append(f"    static {b.ctype} {b.name}[{b.size}];  // {list(b.shape)}")
    lines.append("")
    lines += em.body
    lines.append("}")
    return "\n".join(lines) + "\n"


def _parameters(em: Emission) -> str:
    lines = ["// Per-op constants of the generated firmware (requant tables, LayerNorm biases, shapes).",
             "#ifndef INTVIT_PARAMETERS_H_", "#define INTVIT_PARAMETERS_H_", "",
             '#include "intvit_nnet/intvit_nnet.h"', ""]
    lines += [f'#include "weights/{w.name}.h"' for w in em.weights]
    lines.append("")
    lines += em.params
    lines += ["", "#endif"]
    return "\n".join(lines) + "\n"


def _weight_header(w) -> str:
    guard = f"INTVIT_WEIGHT_{w.name.upper()}_H_"
    values = ", ".join(str(int(v)) for v in w.values)
    return (f"// {w.comment}\n#ifndef {guard}\n#define {guard}\n\n#if defined(INTVIT_LOAD_WEIGHTS) && !defined(__SYNTHESIS__)\n"
            f"{w.ctype} {w.name}[{w.values.size}];\n#else\n"
            f"static const {w.ctype} {w.name}[{w.values.size}] = {{{values}}};\n#endif\n\n#endif\n")
