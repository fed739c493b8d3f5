"""`dense_resource` blobs <-> numpy arrays.

Weights travel as MLIR `dense_resource` blobs (the `{-# dialect_resources #-}` section), never as
lists of attributes: a DeiT-Tiny has 5.7 M weights.  xDSL keeps each blob as a hex string in the
builtin dialect's resource storage: 4 bytes of alignment, then raw little-endian data.
"""

from __future__ import annotations

import numpy as np
from xdsl.dialect_interfaces.op_asm import OpAsmDialectInterface
from xdsl.dialects.builtin import Builtin, DenseResourceAttr, StringAttr, TensorType


class ResourceError(ValueError):
    pass


def _storage() -> OpAsmDialectInterface:
    interface = Builtin.get_interface(OpAsmDialectInterface)
    assert interface is not None
    return interface


def resource_array(attr: DenseResourceAttr, typ: TensorType | None = None, module=None) -> np.ndarray:
    """Decode the blob behind `attr` into an array of `typ` (default: the attribute's type)."""
    from intvit.runtime.interpreter import numpy_dtype

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
