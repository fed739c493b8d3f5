"""Constant weights behind `memref.get_global` as numpy arrays.

Dense elements are read through the bindings (`DenseIntElementsAttr`).  A `dense_resource`
blob cannot be: torch-mlir's `DenseResourceElementsAttr` binding only creates blobs
(`get_from_buffer`), it has no reader.  Its bytes are therefore taken from the module's
`{-# dialect_resources #-}` section (the last section of the text the module was parsed
from), each `key: "0x<alignment><data>"` entry once, by `resource_blobs`.
"""

from __future__ import annotations

import re

import numpy as np

from intvit.lowering.analysis.buffers import owner

_RESOURCE = re.compile(r'("(?:[^"\\]|\\.)*"|[A-Za-z_][\w.$-]*)\s*:\s*"0x([0-9A-Fa-f]*)"')


def resource_blobs(text: str) -> dict[str, bytes]:
    """`{-# dialect_resources: { builtin: { key: "0x.." } } #-}` -> {key: raw data} (alignment dropped)."""
    start = text.rfind("{-#")
    if start < 0:
        return {}
    return {m.group(1).strip('"'): bytes.fromhex(m.group(2))[4:] for m in _RESOURCE.finditer(text, start)}


def module_globals(module) -> dict:
    """sym_name -> `memref.global` op of a module's top level."""
    from torch_mlir import ir

    return {ir.StringAttr(op.attributes["sym_name"]).value: op.operation
            for op in module.body.operations if op.operation.name == "memref.global"}


def constant_value(globals_: dict, value, blobs: dict[str, bytes]) -> np.ndarray | None:
    """The int8 numpy value behind `memref.get_global @g` when `@g` is a constant global (dense
    elements, or a `dense_resource` blob of `blobs`); None otherwise."""
    from torch_mlir import ir

    op = owner(value)
    if getattr(op, "name", None) != "memref.get_global":
        return None
    glob = globals_.get(ir.FlatSymbolRefAttr(op.attributes["name"]).value)
    if glob is None or "constant" not in glob.attributes or "initial_value" not in glob.attributes:
        return None
    attr = glob.attributes["initial_value"]
    shape = tuple(ir.MemRefType(value.type).shape)
    dense = attr.maybe_downcast()
    if isinstance(dense, ir.DenseIntElementsAttr):
        if dense.is_splat:
            return np.full(shape, ir.IntegerAttr(dense.get_splat_value()).value, np.int64).astype(np.int8)
        return np.array(dense).astype(np.int8).reshape(shape)
    try:
        ir.DenseResourceElementsAttr(attr)
    except (ValueError, TypeError):
        return None
    data = blobs.get(_resource_key(attr))
    if data is None or len(data) != int(np.prod(shape)):
        return None
    return np.frombuffer(data, np.int8).reshape(shape)


def _resource_key(attr) -> str:
    # the binding exposes no handle name either: the attribute prints as `dense_resource<KEY> : type`
    text = str(attr)
    return text[len("dense_resource<"):text.index(">")].strip('"')
