"""Export a `torch.nn.Module` with torch-mlir's fx importer and parse it into xDSL.

Chosen setting (`mode="composite"`, the default):
`torch_mlir.fx.export_and_import(model, x, output_type="raw", decomposition_table={})`.
It keeps the module-level ATen ops whole, so `quantize-to-intvit` maps each to one I-ViT operator:

    LayerNorm  torch.aten.layer_norm %x, %shape, %w, %b, %eps, %cudnn_enable
                   : !torch.vtensor<[1,17,64],f32>, !torch.list<int>, !torch.vtensor<[64],f32>,
                     !torch.vtensor<[64],f32>, !torch.float, !torch.bool -> !torch.vtensor<[1,17,64],f32>
    GELU       torch.aten.gelu %x, %str : !torch.vtensor<[1,17,128],f32>, !torch.str -> ...
               (%str = torch.constant.str "none": exact erf GELU)
    softmax    torch.aten.softmax.int %x, %dim, %none : !torch.vtensor<[1,4,17,17],f32>,
                   !torch.int, !torch.none -> !torch.vtensor<[1,4,17,17],f32>
    Linear     torch.aten.linear %x, %w, %b        (weight [out, in], not transposed)
    attention  torch.aten.matmul (q @ k^T, p @ v), torch.aten.mul.Scalar (the head_dim^-0.5 scale),
               qkv split by torch.aten.unbind.int + torch.prim.ListUnpack
    patches    torch.aten.conv2d, flatten.using_ints, transpose.int; cls token by expand + cat

The other settings measured on the zoo (torch 2.13.0, torch-mlir 20261001), selectable with `mode`
(for experiments and the regression tests that pin this table; the frontend uses "composite"):

    mode        export_and_import arguments         LayerNorm                 softmax          GELU  Linear
    composite   output_type="raw", table {}         aten.layer_norm           aten.softmax.int gelu  aten.linear
    raw         output_type="raw", default table    var_mean.correction+rsqrt aten._softmax    gelu  view+mm+add
    torch       output_type="torch", default table  sum/div/sub/mul/rsqrt     max.dim/sub/exp/ gelu  view+mm+add
                                                                              sum.dim_IntList/div
(with output_type="torch" torch-mlir's own backend-contract lowering decomposes LayerNorm and
softmax whatever decomposition table is passed.)

Every ATen op that came from a line of Python carries `intvit.source = "file.py:LINE"`: the innermost
frame of the FX node's stack trace outside torch itself (torch-mlir's importer turns the trace
into a call-site location; the text keeps the attribute, since xDSL's parser stamps ops with
their place in the torch-dialect text), so diagnostics can name the user's own line.

Weights arrive as `dense_resource` blobs in the `{-# dialect_resources #-}` section, one blob per
parameter, never as element lists; `intvit.dialects.torch.resource_to_numpy` decodes one.
intvit compiles for one static input shape: `dynamic_shapes` is rejected, and so is any `?` size
in the exported IR.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import warnings

import numpy as np
import torch
from xdsl.dialects.builtin import ModuleOp

from intvit.dialects.context import make_context
from intvit.dialects.located_parser import parse_located

MODES = ("composite", "raw", "torch")

_DYNAMIC_VTENSOR = re.compile(r"!torch\.vtensor<\[[^\]]*\?[^\]]*\]")
_FRAME = re.compile(r'"([^"]+)":(\d+):\d+')


class ExportError(RuntimeError):
    pass


def _export_arguments(mode: str) -> dict:
    if mode == "composite":
        return {"output_type": "raw", "decomposition_table": {}}
    if mode == "raw":
        return {"output_type": "raw"}
    if mode == "torch":
        return {"output_type": "torch"}
    raise ExportError(f"unknown export mode '{mode}' (choose from {', '.join(MODES)})")


def export_to_torch_mlir(model: torch.nn.Module, example_input: torch.Tensor | np.ndarray, *,
                         mode: str = "composite", dynamic_shapes=None) -> str:
    """torch-dialect MLIR text (with its blob section) of `model` at the static shape of
    `example_input` (batch included).  Raises `ExportError` with a one-line message."""
    from torch_mlir import fx

    name = type(model).__name__
    if dynamic_shapes is not None:
        raise ExportError(f"cannot export {name} with dynamic shapes: intvit compiles for one static "
                          f"input shape; pass an example input of that shape and no dynamic_shapes")
    if isinstance(example_input, np.ndarray):
        example_input = torch.from_numpy(np.ascontiguousarray(example_input))
    if not isinstance(example_input, torch.Tensor):
        raise ExportError(f"cannot export {name}: the example input must be a tensor, "
                          f"got {type(example_input).__name__}")
    arguments = _export_arguments(mode)
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            module = fx.export_and_import(model.eval(), example_input, **arguments)
    except Exception as err:  # torch.export raises many types; all mean "cannot export"
        message = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ExportError(f"torch-mlir could not export {name}: {message}") from None
    annotate_sources(module)
    text = str(module)
    dynamic = _DYNAMIC_VTENSOR.search(text)
    if dynamic:
        raise ExportError(f"cannot export {name}: the exported graph has a dynamic shape "
                          f"({dynamic.group(0)}>); intvit needs static shapes")
    return text


def _library_folders() -> tuple[str, ...]:
    import torch_mlir

    return tuple(os.path.join(folder, "") for m in (torch, torch_mlir) for folder in m.__path__)


def user_frame(location: str, skip: tuple[str, ...]) -> str | None:
    """`file:line` of the innermost frame of an MLIR location outside `skip` (torch's folders).
    torch-mlir prints a call site callee first, so the frames come innermost first."""
    for path, line in _FRAME.findall(location):
        if not path.startswith(skip):
            return f"{path}:{line}"
    return None


def annotate_sources(module) -> None:
    """Stamp each ATen op with `intvit.source = "file:line"` (see the module docstring)."""
    from torch_mlir import ir

    from intvit.passes.quantize_to_intvit import SOURCE

    skip = _library_folders()
    ops = []

    def visit(op):
        if op.name.startswith("torch.aten."):  # the ops diagnostics name (and whose syntax has an attr-dict)
            ops.append(op)
        return ir.WalkResult.ADVANCE

    module.operation.walk(visit)
    with module.context:
        for op in ops:
            source = user_frame(str(op.location), skip)
            if source is not None:
                op.attributes[SOURCE] = ir.StringAttr.get(source)


def parse_torch_module(text: str, name: str = "<torch-mlir>") -> ModuleOp:
    """Parse torch-mlir output into xDSL (builtin, func, the torch subset and the intvit
    dialects registered) and verify it.  ATen ops the torch subset does not list parse with its
    generic op class, so that `import-torch` can reject them with their location."""
    from intvit.dialects.torch import load_aten_ops

    ctx = make_context()
    load_aten_ops(ctx, text)
    module = parse_located(ctx, text, name)
    module.verify()
    return module


def print_torch_module(module: ModuleOp) -> str:
    """xDSL's text of `module` followed by its `{-# dialect_resources #-}` blob section; the
    result re-parses in xDSL (`parse_torch_module`) and in upstream torch-mlir."""
    from xdsl.dialects.builtin import Builtin
    from xdsl.printer import Printer

    out = io.StringIO()
    printer = Printer(stream=out)
    printer.print_op(module)
    printer.print_metadata([Builtin])
    out.write("\n")
    return out.getvalue()
