"""torch-mlir export and the xDSL `torch` subset: the zoo exports with LayerNorm, GELU and softmax
as single ops, xDSL parses and prints them, upstream torch-mlir re-parses xDSL's output, and the
`dense_resource` blobs decode to the PyTorch parameters."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pytest
import torch

from intvit.dialects.torch import (
    ATEN_OP_NAMES,
    LiteralOp,
    ResourceError,
    VTensorType,
    resource_to_numpy,
)
from intvit.passes.torch_export import (
    ExportError,
    export_to_torch_mlir,
    parse_torch_module,
    print_torch_module,
)
from intvit.runtime.zoo import digits, vit

# What the "composite" export of the zoo ViT contains (per model, for `depth` blocks).
COMPOSITE_OPS = {
    "torch.aten.conv2d", "torch.aten.flatten.using_ints", "torch.aten.transpose.int", "torch.aten.expand",
    "torch.aten.cat", "torch.aten.add.Tensor", "torch.aten.layer_norm", "torch.aten.linear",
    "torch.aten.reshape", "torch.aten.permute", "torch.aten.unbind.int", "torch.aten.matmul",
    "torch.aten.mul.Scalar", "torch.aten.softmax.int", "torch.aten.gelu", "torch.aten.select.int",
}


def _op_counts(text: str) -> Counter:
    return Counter(re.findall(r"= (torch\.(?:aten|prims)\.[\w.]+)", text))


def _blobs(text: str) -> dict[str, str]:
    """key -> hex of the `{-# dialect_resources #-}` section (MLIR and xDSL layouts)."""
    meta = text[text.index("{-#"):]
    return dict(re.findall(r'([\w.]+)\s*:\s*"(0x[0-9A-Fa-f]*)"', meta))


def _mlir_parse(text: str):
    import torch_mlir.ir as ir
    from torch_mlir.dialects import torch as torch_dialect

    ctx = ir.Context()
    torch_dialect.register_dialect(ctx)
    with ctx:
        return ir.Module.parse(text)


@pytest.fixture(scope="module")
def exports():
    torch.manual_seed(0)
    models = {
        "digits-vit": (digits.load_trained(), torch.from_numpy(digits.load_digits_split()[2][:1])),
        "deit-tiny-1block": (vit.build_model("deit-tiny", depth=1).eval(), torch.randn(1, 3, 224, 224)),
    }
    return {name: (model, export_to_torch_mlir(model, x)) for name, (model, x) in models.items()}


@pytest.mark.parametrize("name, depth", [("digits-vit", 3), ("deit-tiny-1block", 1)])
def test_composite_export_keeps_layernorm_gelu_softmax_whole(exports, name, depth):
    _, text = exports[name]
    counts = _op_counts(text)
    assert set(counts) == COMPOSITE_OPS
    assert counts["torch.aten.layer_norm"] == 2 * depth + 1
    assert counts["torch.aten.gelu"] == counts["torch.aten.softmax.int"] == depth
    assert counts["torch.aten.linear"] == 4 * depth + 1
    assert counts["torch.aten.matmul"] == 2 * depth
    assert counts["torch.aten.conv2d"] == 1
    # exact GELU, LayerNorm eps 1e-6, softmax over the last axis
    assert 'torch.constant.str "none"' in text
    assert re.search(r"torch\.constant\.float 9\.99999\d*E-7", text)
    assert re.search(r"torch\.aten\.softmax\.int %\w+, %int-1", text)
    # weights stay blobs: one literal per parameter, no element lists
    assert text.count("torch.vtensor.literal(dense_resource<") == len(exports[name][0].state_dict())
    assert "dense<[" not in text and "{-#" in text


def test_every_zoo_op_is_listed_in_the_dialect(exports):
    listed = {f"torch.aten.{n}" for n in ATEN_OP_NAMES}
    for _, text in exports.values():
        assert set(_op_counts(text)) <= listed


@pytest.mark.parametrize("name", ["digits-vit", "deit-tiny-1block"])
def test_xdsl_parses_prints_and_torch_mlir_reparses(exports, name):
    _, text = exports[name]
    module = parse_torch_module(text)
    printed = print_torch_module(module)
    assert "!torch.vtensor<[" in printed and "torch.aten.layer_norm" in printed
    # same op sequence as torch-mlir's own print
    assert _op_counts(printed) == _op_counts(text)
    upstream = _mlir_parse(printed)
    upstream_text = str(upstream)
    assert _op_counts(upstream_text) == _op_counts(text)
    # every float constant survives exactly (xDSL prints %.17e, MLIR re-reads it)
    floats = lambda t: [float(v) for v in re.findall(r"torch\.constant\.float ([-+\w.]+)", t)]  # noqa: E731
    assert floats(upstream_text) == floats(text) and floats(text)
    # and the blobs: xDSL may rename keys (unique per process), the data must be identical
    original, mine, theirs = _blobs(text), _blobs(printed), _blobs(upstream_text)
    assert sorted(original.values()) == sorted(mine.values()) == sorted(theirs.values())
    assert len(original) == len(exports[name][0].state_dict())
    # xDSL re-parses its own output too
    again = parse_torch_module(printed)
    assert _op_counts(print_torch_module(again)) == _op_counts(text)


@pytest.mark.parametrize("name", ["digits-vit", "deit-tiny-1block"])
def test_blobs_decode_to_the_pytorch_parameters(exports, name):
    model, text = exports[name]
    module = parse_torch_module(text)
    literals = [op for op in module.walk() if isinstance(op, LiteralOp)]
    decoded = [resource_to_numpy(op) for op in literals]
    # the handle form, with the module to find the type
    first = literals[0].value
    np.testing.assert_array_equal(resource_to_numpy(first.resource_handle.data, module), decoded[0])
    params = [t.detach().numpy() for t in model.state_dict().values()]
    signature = lambda a: (a.dtype.str, a.shape, a.tobytes())  # noqa: E731
    assert Counter(map(signature, decoded)) == Counter(map(signature, params))
    for array, op in zip(decoded, literals, strict=True):
        assert isinstance(op.result_types[0], VTensorType)
        assert list(array.shape) == op.result_types[0].sizes and array.dtype == np.float32
        assert array.flags.writeable


RESOURCE_MODULE = """
func.func @f() -> !torch.vtensor<[2],si64> {
  %0 = torch.vtensor.literal(dense_resource<ints> : tensor<2xsi64>) : !torch.vtensor<[2],si64>
  %1 = torch.vtensor.literal(dense_resource<flags> : tensor<3xi1>) : !torch.vtensor<[3],i1>
  %2 = torch.vtensor.literal(dense_resource<short> : tensor<4xf32>) : !torch.vtensor<[4],f32>
  return %0 : !torch.vtensor<[2],si64>
}
{-#
  dialect_resources: {
    builtin: {
      ints: "0x080000000100000000000000FEFFFFFFFFFFFFFF",
      flags: "0x01000000010001",
      short: "0x040000000000803F"
    }
  }
#-}
"""


def test_resource_to_numpy_dtypes_and_errors():
    module = parse_torch_module(RESOURCE_MODULE)
    ints, flags, short = [op for op in module.walk() if isinstance(op, LiteralOp)]
    np.testing.assert_array_equal(resource_to_numpy(ints), np.array([1, -2], np.int64))
    np.testing.assert_array_equal(resource_to_numpy(flags.value), np.array([True, False, True]))
    with pytest.raises(ResourceError, match="holds 1 elements, its type .* needs 4"):
        resource_to_numpy(short)
    with pytest.raises(ResourceError, match="no dense_resource<missing> in the module"):
        resource_to_numpy("missing", module)
    with pytest.raises(ResourceError, match="pass the module"):
        resource_to_numpy("ints")


def test_unlisted_aten_op_and_dynamic_sizes_parse():
    """An op outside ATEN_OP_NAMES parses (import-torch then rejects it with its location)."""
    text = """
func.func @f(%x: !torch.vtensor<[?,4],f32>) -> !torch.vtensor<[?,4],f32> {
  %0 = torch.aten.frobnicate.Tensor %x : !torch.vtensor<[?,4],f32> -> !torch.vtensor<[?,4],f32>
  %1 = torch.prims.squeeze %0 : !torch.vtensor<[?,4],f32> -> !torch.vtensor<[?,4],f32>
  return %1 : !torch.vtensor<[?,4],f32>
}
"""
    module = parse_torch_module(text)
    printed = print_torch_module(module)
    assert "torch.aten.frobnicate.Tensor %x : !torch.vtensor<[?,4],f32> -> !torch.vtensor<[?,4],f32>" in printed
    op = next(o for o in module.walk() if o.name == "torch.aten.frobnicate.Tensor")
    assert op.result_types[0].sizes == [-1, 4]


@pytest.mark.parametrize("mode, present, absent", [
    ("raw", {"torch.aten.var_mean.correction", "torch.aten.rsqrt", "torch.aten._softmax", "torch.aten.gelu",
             "torch.aten.mm", "torch.prims.squeeze"},
     {"torch.aten.layer_norm", "torch.aten.softmax.int", "torch.aten.linear"}),
    ("torch", {"torch.aten.rsqrt", "torch.aten.max.dim", "torch.aten.exp", "torch.aten.gelu", "torch.aten.mm"},
     {"torch.aten.layer_norm", "torch.aten.var_mean.correction", "torch.aten._softmax",
      "torch.aten.softmax.int", "torch.aten.linear"}),
])
def test_other_export_modes_decompose_and_still_parse(mode, present, absent):
    """Pins the measurements in passes/torch_export.py's docstring (why "composite" is the default)."""
    model = vit.build_model("digits-vit", depth=1)
    text = export_to_torch_mlir(model, torch.zeros(1, 1, 8, 8), mode=mode)
    ops = set(_op_counts(text))
    assert present <= ops and not (absent & ops)
    _mlir_parse(print_torch_module(parse_torch_module(text)))


class _Raises(torch.nn.Module):
    def forward(self, x):
        raise RuntimeError("boom\nsecond line")


def test_export_errors_are_clean():
    model = vit.build_model("digits-vit", depth=1)
    x = torch.zeros(1, 1, 8, 8)
    with pytest.raises(ExportError, match="dynamic shapes"):
        export_to_torch_mlir(model, x, dynamic_shapes={"x": {0: torch.export.Dim("batch")}})
    with pytest.raises(ExportError, match=r"could not export _Raises: .*boom$"):
        export_to_torch_mlir(_Raises(), x)
    with pytest.raises(ExportError, match="must be a tensor"):
        export_to_torch_mlir(model, [x])
    with pytest.raises(ExportError, match="unknown export mode 'tosa'"):
        export_to_torch_mlir(model, x, mode="tosa")
    # a numpy example is accepted
    assert "torch.aten.layer_norm" in export_to_torch_mlir(model, np.zeros((1, 1, 8, 8), np.float32))
