"""Constants of the IR as numpy arrays: `dense_resource` blobs and dense attributes, both ways.

Weights travel as MLIR `dense_resource` blobs (the `{-# dialect_resources #-}` section), never as
lists of attributes: a DeiT-Tiny has 5.7 M weights.  xDSL keeps each blob as a hex string in the
builtin dialect's resource storage: 4 bytes of alignment, then raw little-endian data.
"""

from __future__ import annotations

import numpy as np
from xdsl.dialect_interfaces.op_asm import OpAsmDialectInterface
from xdsl.dialects.builtin import (
    Builtin,
    DenseIntOrFPElementsAttr,
    DenseResourceAttr,
    FloatAttr,
    IntegerAttr,
    IntegerType,
    ModuleOp,
    Signedness,
    StringAttr,
    TensorType,
)
from xdsl.ir import Attribute


class ResourceError(ValueError):
    pass


def _storage() -> OpAsmDialectInterface:
    interface = Builtin.get_interface(OpAsmDialectInterface)
    assert interface is not None
    return interface


def numpy_dtype(elem: Attribute) -> np.dtype:
    if isinstance(elem, IntegerType):
        w = elem.width.data
        unsigned = elem.signedness.data == Signedness.UNSIGNED
        if w == 1:
            return np.dtype(np.bool_)
        for size in (8, 16, 32, 64):
            if w <= size:
                return np.dtype(f"{'u' if unsigned else ''}int{size}")
    name = str(elem)
    if name in ("f16", "f32", "f64"):
        return np.dtype({"f16": np.float16, "f32": np.float32, "f64": np.float64}[name])
    raise ResourceError(f"no numpy dtype for element type {elem}")


def constant_array(value: Attribute, typ: Attribute, module: ModuleOp | None) -> np.ndarray | int | float:
    if isinstance(value, IntegerAttr):
        return int(value.value.data)
    if isinstance(value, FloatAttr):
        return float(value.value.data)
    assert isinstance(typ, TensorType)
    dtype = numpy_dtype(typ.element_type)
    if isinstance(value, DenseIntOrFPElementsAttr):
        data = np.asarray(value.get_values(), dtype=dtype)
        if data.size == 1:
            data = np.full(typ.get_shape(), data.reshape(()), dtype=dtype)
        return data.reshape(typ.get_shape())
    if isinstance(value, DenseResourceAttr):
        return resource_array(value, typ, module)
    raise ResourceError(f"unsupported constant {value}")


def resource_array(attr: DenseResourceAttr, typ: TensorType | None = None, module=None) -> np.ndarray:
    """Decode the blob behind `attr` into an array of `typ` (default: the attribute's type)."""
    typ = typ or attr.type  # type: ignore[assignment]
    key = attr.resource_handle.data
    blob = _storage().lookup(key)
    if not blob:
        raise ResourceError(f"dense_resource<{key}> has no blob in the module's dialect_resources")
    raw = bytes.fromhex(blob[2:])[4:]
    dtype = numpy_dtype(typ.element_type).newbyteorder("<")  # type: ignore[union-attr]
    shape = tuple(typ.get_shape())  # type: ignore[union-attr]
    count = int(np.prod(shape))
    data = np.frombuffer(raw, dtype=dtype)
    if data.size == 1 and count != 1:  # a splat blob
        return np.full(shape, data[0], dtype=dtype.newbyteorder("="))
    if data.size != count:
        raise ResourceError(f"dense_resource<{key}> holds {data.size} elements, type {typ} needs {count}")
    return data.astype(dtype.newbyteorder("="), copy=True).reshape(shape)


def array_resource(name: str, array: np.ndarray, typ: TensorType) -> DenseResourceAttr:
    """Store `array` as a new blob (key derived from `name`) and return the attribute naming it."""
    storage = _storage()
    key = storage.declare_resource(name)
    alignment = max(array.dtype.itemsize, 1).to_bytes(4, "little")
    data = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<")).tobytes()
    storage.parse_resource(key, "0x" + (alignment + data).hex().upper())
    return DenseResourceAttr(StringAttr(key), typ)


def declare_resource_dialect(ctx) -> None:
    """Passes that create blobs call this: the printer writes `{-# dialect_resources #-}` only for
    dialects the context has loaded, and stock `xdsl-opt` registers `builtin` without loading it."""
    if all(d.name != "builtin" for d in ctx.loaded_dialects):
        if "builtin" in ctx.registered_dialect_names:
            ctx.load_registered_dialect("builtin")
        else:
            ctx.load_dialect(Builtin)
