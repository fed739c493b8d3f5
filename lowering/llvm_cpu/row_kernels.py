"""Row-fused kernels for the `llvm-cpu` target: consecutive generics over the same rows become
one threaded kernel that runs them one after the other on each row.

I-LayerNorm (row sum, mean, sum of squares, 1/sqrt, output, then the requant to 8 bits),
Shiftmax (row max, sum of exponentials, factor, output) and ShiftGELU (row max, output) are
chains of row reductions, per-row scalar steps and elementwise ops over one `[.., rows, C]`
space.  As separate kernels each pays a fork/join and streams the tensor through the cache once
more; fused, a thread keeps its row in L1 from the first pass to the last, and a block of the
model opens a handful of parallel regions instead of dozens.

A chain is a run of generics in one block, each planned by `ewise_kernels.plan_generic` with the
same outer extents (a per-row scalar step: its whole space is the outer one), with only
side-effect-free ops (allocations, views, constants) between them.  Rows stay independent: a
buffer written by one member and touched by another is the same SSA value, accessed by both
through maps whose outer part is the identity, so a row never reads another row's results.  The
fused call replaces the last member, where every member's operands are defined.
"""

from __future__ import annotations

import hashlib

from intvit.lowering.analysis.buffers import PURE_OPS, is_memref, root
from intvit.lowering.analysis.linalg import Access, indexing_dims, iterator_kinds, output_count
from intvit.lowering.llvm_cpu.ewise_kernels import (PARALLEL_MIN_ELEMENTS, ElementwiseKernel, Plan, Unsupported, close_outer,
                                                   open_outer, plan_generic)
from intvit.lowering.llvm_cpu.kernel_builder import Emitter

__all__ = ["RowKernel", "plan_row_op", "find_chains", "fuse_rows"]


def plan_row_op(op, outer: tuple[int, ...]) -> Plan:
    """A per-row scalar step: an all-parallel generic whose space is `outer`."""
    from torch_mlir import ir

    iters = iterator_kinds(op)
    if len(iters) != len(outer) or any(i != "parallel" for i in iters) or len(op.results):
        raise Unsupported("not a row step")
    if output_count(op) != 1:
        raise Unsupported("several outputs")
    maps = indexing_dims(op)
    accesses = []
    for i, (value, dims) in enumerate(zip(op.operands, maps)):
        if dims is None:
            raise Unsupported("non-projection map")
        if not is_memref(value.type):
            if dims or i == len(op.operands) - 1:
                raise Unsupported("scalar output")
            accesses.append(Access(str(value.type), "scalar"))
            continue
        mt = ir.MemRefType(value.type)
        if [outer[d] for d in dims] != list(mt.shape):
            raise Unsupported("extents differ from the rows")
        accesses.append(Access(str(value.type), "row", dims))
    if accesses[-1].dims != list(range(len(outer))):
        raise Unsupported("row step output is not the identity")
    return Plan(list(outer), False, accesses, False, False)


class RowKernel:
    """Several members, one loop over the rows."""

    def __init__(self, members: list[tuple[object, Plan, bool]], outer: tuple[int, ...], parallel: bool):
        self.e = Emitter()
        self.outer, self.parallel = list(outer), parallel
        self.members = [ElementwiseKernel(op, plan, self.e, prefix=f"%x{k}_", tprefix=f"%t{k}_", row_op=row_op)
                        for k, (op, plan, row_op) in enumerate(members)]

    @property
    def call_args(self) -> list:
        return [v for m in self.members for v in m.call_args]

    def text(self, name: str) -> str:
        e = self.e
        ivs = open_outer(e, self.outer, self.parallel)
        for m in self.members:
            m.emit_row(ivs)
        close_outer(e, self.outer, self.parallel)
        e.emit("return")
        params = ", ".join(f"{n}: {t}" for m in self.members for n, t in m.params)
        preamble = [line for m in self.members for line in m.tr.preamble]
        return "\n".join([f"func.func private @{name}({params}) {{", *e.const_lines(), *preamble, *e.lines,
                          "}"]) + "\n"


def _outer_identity(acc: Access, depth: int) -> bool:
    return acc.kind != "scalar" and acc.dims[:depth] == list(range(depth))


class _Chain:
    def __init__(self, outer: tuple[int, ...]):
        self.outer = outer
        self.members: list[tuple[object, Plan, bool]] = []
        self.written: dict = {}   # root -> the SSA value written (identity outer map)
        self.read: dict = {}      # root -> {(SSA value read, through an outer-identity map)}

    def accepts(self, op, plan: Plan) -> bool:
        depth = len(self.outer)
        operands = list(op.operands)
        for i, (value, acc) in enumerate(zip(operands, plan.accesses)):
            if acc.kind == "scalar":
                continue
            base = root(value)
            same_row = _outer_identity(acc, depth)
            if base in self.written and (self.written[base] != value or not same_row):
                return False
            if i == len(operands) - 1 and base in self.read and (self.read[base] != {(value, True)} or not same_row):
                return False
        return True

    def add(self, op, plan: Plan, row_op: bool) -> None:
        operands = list(op.operands)
        depth = len(self.outer)
        for value, acc in zip(operands[:-1], plan.accesses[:-1]):
            if acc.kind != "scalar":
                self.read.setdefault(root(value), set()).add((value, _outer_identity(acc, depth)))
        self.written[root(operands[-1])] = operands[-1]
        self.members.append((op, plan, row_op))


def _plan_member(op, parallel: bool, vectorize: bool, outer: tuple[int, ...] | None):
    """(plan, row_op, outer extents) of a chain candidate, or None."""
    if op.name != "linalg.generic":
        return None
    if outer is not None:
        try:
            return plan_row_op(op, outer), True, outer
        except Unsupported:
            pass
    try:
        plan = plan_generic(op, parallel, vectorize)
    except Unsupported:
        return None
    return plan, False, tuple(plan.extents[:-1])


HEAVY_ROW_STEP = 32  # body ops: a costlier per-row step (isqrt) runs as its own 16-lane kernel


def _light(op) -> bool:
    return len(list(op.regions[0].blocks[0].operations)) <= HEAVY_ROW_STEP


def find_chains(block, parallel: bool, vectorize: bool) -> list[_Chain]:
    """Maximal runs of at least two fusable generics in `block`.  Row steps that come before
    the first full member (the init of a row reduction) join its chain when their space is its
    rows."""
    chains, current, pending = [], None, []   # pending: generics since the last committed chain

    def flush():
        nonlocal current, pending
        if current is not None and len(current.members) >= 2:
            chains.append(current)
            pending = []
        current = None

    def absorb(prefix, op, plan) -> _Chain | None:
        chain = _Chain(tuple(plan.extents[:-1]))
        for prev in prefix:
            try:
                step = plan_row_op(prev, chain.outer)
            except Unsupported:
                return None
            if not _light(prev) or not chain.accepts(prev, step):
                return None
            chain.add(prev, step, True)
        if not chain.accepts(op, plan):
            return None
        chain.add(op, plan, False)
        return chain

    def start(op, plan):
        nonlocal current
        for k in range(len(pending)):  # the longest run of preceding row steps that fits
            chain = absorb(pending[k:], op, plan)
            if chain is not None:
                current = chain
                return
        current = absorb([], op, plan) or _Chain(tuple(plan.extents[:-1]))
        if not current.members:
            current.add(op, plan, False)

    for op in block.operations:
        op = op.operation
        if op.name in PURE_OPS:  # allocations, views, constants: no effect on the members' buffers
            continue
        if op.name != "linalg.generic":
            flush()
            pending = []
            continue
        member = _plan_member(op, parallel, vectorize, current.outer if current else None)
        if member is not None and member[1] and not _light(op):
            member = None
        if member is not None and current is not None:
            plan, row_op, outer = member
            if outer == current.outer and current.accepts(op, plan):
                current.add(op, plan, row_op)
                pending.append(op)
                continue
        flush()
        if member is not None and not member[1] and member[2]:
            start(op, member[0])
        pending.append(op)
    flush()
    return chains


def fuse_rows(module, parallel: bool, vectorize: bool, kernels: set[str], first) -> dict:
    """Replace every chain with one row kernel call; returns counts for the stats."""
    from torch_mlir import ir

    from intvit.lowering.llvm_cpu.openmp import move_kernel

    blocks = []

    def visit(op):
        if op.name == "func.func" and len(op.regions[0].blocks):
            blocks.extend(op.regions[0].blocks)
        return ir.WalkResult.ADVANCE

    module.operation.walk(visit)
    fused = {"row_kernels": 0, "row_members": 0, "parallel": 0}
    for block in blocks:
        for chain in find_chains(block, parallel, vectorize):
            rows = 1
            for x in chain.outer:
                rows *= x
            work = sum(_elements(plan) for _, plan, _ in chain.members)
            threaded = parallel and work >= PARALLEL_MIN_ELEMENTS and rows > 1
            kernel = RowKernel(chain.members, chain.outer, threaded)
            try:
                text = kernel.text("KERNEL")
            except Unsupported:
                continue
            name = f"__intvit_rows_{hashlib.sha1(text.encode()).hexdigest()[:16]}"
            if name not in kernels:
                move_kernel(text.replace("@KERNEL(", f"@{name}(", 1), first)
                kernels.add(name)
            last = chain.members[-1][0]
            with ir.InsertionPoint(last), last.location:
                ir.Operation.create("func.call", results=[], operands=kernel.call_args,
                                    attributes={"callee": ir.FlatSymbolRefAttr.get(name)})
            for op, _, _ in chain.members:
                op.erase()
            fused["row_kernels"] += 1
            fused["row_members"] += len(chain.members)
            fused["parallel"] += int(threaded)
    return fused


def _elements(plan: Plan) -> int:
    n = 1
    for x in plan.extents:
        n *= x
    return n

