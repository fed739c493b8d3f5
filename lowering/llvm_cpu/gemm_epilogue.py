"""Fused GEMM epilogues for the `llvm-cpu` target: the elementwise op that consumes a GEMM's
int32 accumulator (the requant after every Dense layer and after `Q K^T`) runs on the
accumulator registers inside the GEMM kernel, as gemmlowp's output stages and oneDNN's post-ops
do, instead of a round trip of the int32 tensor through memory and a second kernel.

A consumer qualifies when the accumulator `C` is a temporary (`memref.alloc`) that nothing but
the GEMM, its fused init, the consumer and `memref.dealloc` touches; the consumer is an
all-parallel `linalg.generic` over exactly C's iteration space, reading C through the identity
map and writing one output through the identity map; its other operands are per-column (the
per-channel multiplier and shift), per-row or same-shape; and nothing between the GEMM and the
consumer writes a buffer the GEMM reads.  The fused call then replaces the consumer (whose operands are
all defined by then) and the GEMM is erased.  The body is translated by
`ewise_kernels.BodyTranslator`, the same op-for-op translation as the standalone kernels, so the
integers are the same.
"""

from __future__ import annotations

from intvit.lowering.llvm_cpu.ewise_kernels import Access, BodyTranslator, _is_memref, _strides
from intvit.lowering.llvm_cpu.gemm_kernels import _PURE, _dims, _owner

__all__ = ["Epilogue", "find_epilogue"]


class Epilogue:
    """The consumer of one GEMM, as emitted into that GEMM's kernel."""

    def __init__(self, op, c_index: int, accesses: list[Access]):
        self.op, self.c_index, self.accesses = op, c_index, accesses
        self.block = op.regions[0].blocks[0]
        self.tr: BodyTranslator | None = None
        self.column: dict = {}

    @property
    def operands(self) -> list:
        """G's operands except C (the kernel's epilogue parameters), then captured values."""
        own = [v for i, v in enumerate(self.op.operands) if i != self.c_index]
        return own + (self.tr.call_args if self.tr else [])

    def params(self) -> list[str]:
        own = [f"%e{i}: {a.type}" for i, a in enumerate(self.accesses) if i != self.c_index]
        return own + [f"{n}: {t}" for n, t in self.tr.params]

    def bind(self, e) -> None:
        self.tr = BodyTranslator(self.block, e, vector=True, prefix="%ec")

    def _index(self, acc: Access, bidx: list[str], m: str, n: str | None) -> str:
        nb = len(bidx)
        return ", ".join(bidx[d] if d < nb else (m if d == nb else n) for d in acc.dims)

    def columns(self, bidx: list[str], cols: list[str], masks: list) -> None:
        """Per-tile loads of the per-column operands (multiplier and shift tables)."""
        args = list(self.block.arguments)
        self.column = {}
        for i, acc in enumerate(self.accesses[:-1]):
            if i != self.c_index and acc.kind == "vector" and len(acc.dims) == 1:
                elem = str(args[i].type)
                self.column[i] = [self.tr.load(f"%e{i}", acc.type, n, elem, mask) for n, mask in zip(cols, masks)]

    def store(self, value: str, bidx: list[str], m: str, j: int, n: str, mask: str | None) -> None:
        tr, args = self.tr, list(self.block.arguments)
        env = {args[self.c_index]: value}
        for i, acc in enumerate(self.accesses[:-1]):
            a = args[i]
            if i == self.c_index:
                continue
            if acc.kind == "scalar":
                env[a] = tr.splat(f"%e{i}", acc.type)
            elif acc.kind == "row":
                env[a] = tr.load_row(f"%e{i}", acc.type, self._index(acc, bidx, m, None), str(a.type))
            elif i in self.column:
                env[a] = self.column[i][j]
            else:
                env[a] = tr.load(f"%e{i}", acc.type, self._index(acc, bidx, m, n), str(a.type), mask)
        tr.body(env, mask)
        out = self.accesses[-1]
        k = len(self.accesses) - 1
        tr.store(tr.yielded(env), f"%e{k}", out.type, self._index(out, bidx, m, n), str(args[-1].type), mask)


def _users(value) -> list:
    return [use.owner.operation if hasattr(use.owner, "operation") else use.owner for use in value.uses]


_VIEWS = {"memref.subview", "memref.expand_shape", "memref.collapse_shape", "memref.cast",
          "memref.reinterpret_cast", "memref.transpose"}


def _root(value):
    """The buffer a view is taken of (an alloc, a global or a function argument)."""
    while True:
        owner = _owner(value)
        if getattr(owner, "name", None) not in _VIEWS:
            return value
        value = owner.operands[0]


def _written(op) -> list | None:
    """Buffers `op` may write (None: unknown, e.g. a call)."""
    from torch_mlir import ir

    if op.name in _PURE or op.name == "memref.dealloc":
        return []
    if op.name == "memref.copy":
        return [op.operands[1]]
    if op.name == "linalg.generic":
        n_out = list(ir.DenseI32ArrayAttr(op.attributes["operandSegmentSizes"]))[1]
        return list(op.operands)[len(op.operands) - n_out:]
    return None


def _moves_safely(between: list, gemm_op) -> bool:
    """The GEMM runs later, at its consumer: nothing in between may write what it reads.
    Distinct root buffers do not overlap (temporaries are distinct allocations; the entry's
    arguments are distinct, non-overlapping buffers by the C ABI)."""
    reads = {_root(v) for v in gemm_op.operands}
    for op in between:
        written = _written(op)
        if written is None or any(_root(v) in reads for v in written):
            return False
    return True


def find_epilogue(gemm_op, c_value, init_op) -> Epilogue | None:
    """The fusable consumer of the GEMM's C (see the module docstring), or None."""
    from torch_mlir import ir

    if getattr(_owner(c_value), "name", None) != "memref.alloc":
        return None
    consumers = []
    for user in _users(c_value):
        if user == gemm_op or (init_op is not None and user == init_op) or user.name == "memref.dealloc":
            continue
        consumers.append(user)
    if len(consumers) != 1 or consumers[0].name != "linalg.generic":
        return None
    op = consumers[0]
    if op.block != gemm_op.block:
        return None
    ops = [o.operation for o in gemm_op.block.operations]
    start, end = ops.index(gemm_op), ops.index(op)
    if end < start or not _moves_safely(ops[start + 1:end], gemm_op):
        return None
    iters = [str(i) for i in ir.ArrayAttr(op.attributes["iterator_types"])]
    rank = len(ir.MemRefType(c_value.type).shape)
    if len(iters) != rank or any("parallel" not in i for i in iters) or len(op.results):
        return None
    if list(ir.DenseI32ArrayAttr(op.attributes["operandSegmentSizes"]))[1] != 1:
        return None
    maps = [_dims(str(m)) for m in ir.ArrayAttr(op.attributes["indexing_maps"])]
    identity = [f"d{i}" for i in range(rank)]
    operands = list(op.operands)
    c_uses = [i for i, v in enumerate(operands) if v == c_value]
    if len(c_uses) != 1 or c_uses[0] == len(operands) - 1 or maps[c_uses[0]] != identity or maps[-1] != identity:
        return None
    accesses = []
    for i, (value, dims) in enumerate(zip(operands, maps)):
        if dims is None:
            return None
        dims = [int(d[1:]) for d in dims]
        if not _is_memref(value.type):
            if dims:
                return None
            accesses.append(Access(str(value.type), "scalar"))
            continue
        if rank - 1 in dims:
            if dims[-1] != rank - 1 or _strides(value)[-1] != 1:
                return None
            accesses.append(Access(str(value.type), "vector", dims))
        else:
            accesses.append(Access(str(value.type), "row", dims))
    if str(ir.MemRefType(operands[-1].type).element_type) in ("i1", "index"):
        return None
    return Epilogue(op, c_uses[0], accesses)
