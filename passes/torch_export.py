"""Export a `torch.nn.Module` with torch-mlir's fx importer and parse it into xDSL.

`torch_mlir.fx.export_and_import(model, x, output_type="raw", decomposition_table={})` keeps
the module-level ATen ops: `aten.linear`, `aten.layer_norm`, `aten.gelu`, `aten.softmax.int`,
`aten.conv2d`, `aten.matmul`.  The default table would break LayerNorm into `var_mean` +
`rsqrt` and linear into `permute` + `mm` + `add`; keeping them whole is what lets
`quantize-to-intvit` map each to one I-ViT operator.  Weights arrive as `dense_resource` blobs.
"""

from __future__ import annotations

import contextlib
import io
import warnings

import torch
from xdsl.dialects.builtin import ModuleOp

from intvit.dialects.context import make_context
from intvit.dialects.located_parser import parse_located


class ExportError(RuntimeError):
    pass


def export_to_torch_mlir(model: torch.nn.Module, example: torch.Tensor) -> str:
    """torch-dialect MLIR text of `model` at the static shape of `example`."""
    from torch_mlir import fx

    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            module = fx.export_and_import(model.eval(), example, output_type="raw", decomposition_table={})
    except Exception as err:  # torch.export raises many types; all mean "cannot export"
        message = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ExportError(f"torch-mlir could not export {type(model).__name__}: {message}") from None
    return str(module)


def parse_torch_module(text: str, name: str = "<torch-mlir>") -> ModuleOp:
    """Parse torch-mlir output with the intvit context (torch subset dialect registered)."""
    module = parse_located(make_context(), text, name)
    module.verify()
    return module
