"""Every lowering lit case, lowered (convert-intvit-to-linalg, expand-intvit-helpers), is valid
upstream MLIR: `torch_mlir.ir.Module.parse` (which verifies, with unregistered dialects refused)
accepts it.  Cases of the `-invalid` files must instead fail to lower with a located diagnostic."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from torch_mlir import ir
from xdsl.utils.exceptions import PassFailedException

from intvit.dialects.context import make_context, parse_module
from intvit.lowering.convert_intvit_to_linalg import ConvertIntvitToLinalgPass
from intvit.lowering.expand_intvit_helpers import ExpandIntvitHelpersPass
from intvit.passes.assign_precision import AssignPrecisionPass
from intvit.runtime.golden import ROUNDING_MODES
from intvit.dialects.context import module_text

TEST = Path(__file__).resolve().parents[1]
# assign-precision's search cases are torch IR (the search runs before quantize-to-intvit)
SOURCES = (sorted((TEST / "lowering").glob("*.mlir"))
           + sorted(p for p in (TEST / "passes").glob("assign-precision*.mlir") if "search" not in p.name)
           + [TEST / "Inputs" / "mini_block.mlir"])


def _cases():
    for path in SOURCES:
        text = path.read_text()
        variants = [(m, text.replace("@ROUNDING@", m)) for m in ROUNDING_MODES] if "@ROUNDING@" in text else [("", text)]
        for variant, body in variants:
            for i, chunk in enumerate(body.split("// -----")):
                found = re.search(r"^func\.func @([^(]+)\(", chunk, re.MULTILINE)
                if found:
                    name = found.group(1)
                    yield pytest.param(path, chunk, id=f"{path.name}:{i}:{name}{':' + variant if variant else ''}")


def lower(chunk: str, name: str, assign: float | None):
    module = parse_module(chunk, name)
    ctx = make_context()
    if assign is not None:
        AssignPrecisionPass(ratio_4bit=assign).apply(ctx, module)
    ConvertIntvitToLinalgPass().apply(ctx, module)
    ExpandIntvitHelpersPass().apply(ctx, module)
    return module


@pytest.mark.parametrize("path, chunk", list(_cases()))
def test_lowered_lit_case_is_valid_upstream_mlir(path: Path, chunk: str):
    assign = (1.0 if "invalid" in path.name else 0.5) if path.name.startswith("assign-precision") else None
    if "invalid" in path.name:
        with pytest.raises(PassFailedException, match=rf"^{re.escape(path.name)}:\d+:\d+: error: "):
            lower(chunk, path.name, assign)
        return
    text = module_text(lower(chunk, path.name, assign))
    assert "intvit." not in text.replace("intvit.boundary", "").replace("intvit.gemm", "").replace(
        "intvit.row_bits", "").replace("intvit.split8", "").replace("intvit.packing_factor", "")
    ir.Module.parse(text, ir.Context())


def test_upstream_parse_is_not_vacuous():
    """The check rejects what is not upstream: an unexpanded helper, and xDSL-only `si` types."""
    chunk = """func.func @f(%a: tensor<4xi32>) -> tensor<4xi8> {
      %r = intvit.requant %a multiplier [1073741824] shift [31] bits 8 : tensor<4xi32> -> tensor<4xi8>
      func.return %r : tensor<4xi8>
    }"""
    module = parse_module(chunk)
    ConvertIntvitToLinalgPass().apply(make_context(), module)
    with pytest.raises(Exception, match="intvit_helper.apply_scale"):
        ir.Module.parse(module_text(module), ir.Context())
    bad = "func.func @g(%a: si32) -> i64 {\n  %0 = arith.extsi %a : si32 to i64\n  func.return %0 : i64\n}"
    with pytest.raises(Exception, match="signless"):
        ir.Module.parse(bad, ir.Context())
