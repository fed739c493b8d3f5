"""`import-torch`: check and normalize torch-mlir output before quantization.

torch-mlir's fx importer (`passes/torch_export.py`, with no decompositions, so LayerNorm, GELU,
softmax and linear stay single ops) emits the `torch` dialect.  This pass
  * rejects, with the op's location, every op `quantize-to-intvit` has no integer rule for,
    and dynamic shapes (a decomposed LayerNorm, `var_mean` + `rsqrt`, gets a hint);
  * forwards identity ops (`clone`, `contiguous`, `detach`, `dropout` in eval mode, ...);
  * drops constants nothing uses.
What remains is the op set of `passes/quantize/rules.py`.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Operation
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import PassFailedException

from intvit.passes.quantize.rules import IDENTITY_OPS, MOVEMENT_OPS, RESHAPE_OPS
from intvit.dialects.located_parser import location_of
from intvit.passes.quantize_to_intvit import at_source

RULE_OPS = {
    "torch.aten.linear", "torch.aten.matmul", "torch.aten.mm", "torch.aten.bmm", "torch.aten.conv2d",
    "torch.aten.add.Tensor", "torch.aten.softmax.int", "torch.aten._softmax", "torch.aten.gelu",
    "torch.aten.layer_norm",
}
STRUCTURAL = {"torch.vtensor.literal", "func.return", "torch.return"}
SUPPORTED = RULE_OPS | MOVEMENT_OPS | RESHAPE_OPS | STRUCTURAL
HINTS = {
    "torch.aten.var_mean.correction": "a decomposed LayerNorm: export with intvit's exporter "
                                      "(`intvit import`), which keeps aten.layer_norm",
    "torch.aten.rsqrt": "a decomposed LayerNorm: export without decompositions",
    "torch.aten.scaled_dot_product_attention": "write attention as q @ k.transpose(-2, -1), softmax, @ v",
}


def _supported(op: Operation) -> bool:
    return op.name in SUPPORTED or op.name.startswith("torch.constant.")


def _has_dynamic_shape(op: Operation) -> bool:
    for value in (*op.operands, *op.results):
        sizes = getattr(value.type, "sizes", None)
        if sizes is not None and any(int(s) < 0 for s in sizes):
            return True
    return False


@dataclass(frozen=True)
class ImportTorchPass(ModulePass):
    """Check torch-mlir output against the supported op set; forward identity ops."""

    name = "import-torch"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for fn in [f for f in op.ops if isinstance(f, func.FuncOp)]:
            block = fn.body.blocks.first
            if block is None:
                raise PassFailedException(f"import-torch: @{fn.sym_name.data} has no body")
            for inner in list(block.ops):
                where = location_of(inner)
                if not _supported(inner):
                    hint = HINTS.get(inner.name)
                    message = f"import-torch: unsupported torch op '{inner.name}'" + (
                        f" ({hint})" if hint else " (no integer-only rule for it)")
                    raise PassFailedException(at_source(inner, where, message))
                if _has_dynamic_shape(inner):
                    raise PassFailedException(
                        f"{where}error: import-torch: '{inner.name}' has a dynamic shape; export with static shapes"
                    )
                if inner.name in IDENTITY_OPS:
                    inner.results[0].replace_all_uses_with(inner.operands[0])
                    block.erase_op(inner)
            for inner in reversed(list(block.ops)):
                if inner.results and all(not r.uses for r in inner.results) and inner.name not in STRUCTURAL \
                        and (inner.name.startswith("torch.constant.") or inner.name in
                             {"torch.vtensor.literal", "torch.prim.ListConstruct"}):
                    block.erase_op(inner)
