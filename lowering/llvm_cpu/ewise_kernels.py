"""Vectorized, threaded kernels for the non-GEMM `linalg.generic` ops of the `llvm-cpu` target.

After bufferization (and after `gemm_kernels.rewrite_gemms`), every `linalg.generic` whose
iterators are all parallel, or all parallel but a reduction over the innermost dimension
(row max, row sum, sum of squares), becomes a call to a generated kernel in upstream
`scf`/`vector`/`memref`/`arith`:

* the innermost iteration dimension runs in chunks of `LANES` (16) lanes: operands whose
  indexing map ends with that dimension are `vector.load`ed, operands without it (row values,
  the row max of Shiftmax) are loaded once per row and broadcast; the scalar body is translated
  op for op to the same `arith` ops on vectors, table lookups (`memref.load` of a constant
  table) become `vector.gather`; the tail is masked; a row reduction keeps a vector accumulator
  and ends with `vector.reduction`;
* the outer dimensions are split over threads (one `omp.parallel`, each thread a contiguous
  share of the rows: `openmp.open_parallel_range`) when the op is large enough to pay for a
  fork/join.

A division or remainder in the body stays a vector op (LLVM scalarizes it); in the masked tail
its divisor is replaced by one in the masked-off lanes, which hold zeros.  Anything else the translator
does not know (other maps, non-unit inner strides, several outputs, unknown ops) is left to
`convert-linalg-to-loops`, unchanged.  The translation is one-to-one on the same integer ops,
so results are bit-identical to the loop form (the tests compare both with the golden model).

Why not LLVM's loop vectorizer: on the loops of `convert-linalg-to-loops` it picks 256-bit
vectors, gives up on the table lookups and never uses the second core.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from intvit.lowering.analysis.buffers import block_arg, is_memref, owner, strides
from intvit.lowering.analysis.linalg import Access, generic_ops, indexing_dims, iterator_kinds, output_count
from intvit.lowering.llvm_cpu.kernel_builder import Emitter
from intvit.lowering.llvm_cpu.openmp import add_declarations, close_parallel_range, move_kernel, open_parallel_range

LANES = 16
PARALLEL_MIN_ELEMENTS = 8192  # below this a fork/join costs more than the op

SAME_TYPE = {"arith.addi", "arith.subi", "arith.muli", "arith.andi", "arith.ori", "arith.xori", "arith.shli",
             "arith.shrsi", "arith.shrui", "arith.maxsi", "arith.minsi", "arith.maxui", "arith.minui",
             "arith.addf", "arith.subf", "arith.mulf", "arith.divf", "arith.maxnumf", "arith.minnumf",
             "arith.maximumf", "arith.minimumf"}
DIVISIONS = {"arith.divsi", "arith.divui", "arith.floordivsi", "arith.ceildivsi", "arith.remsi", "arith.remui"}
CASTS = {"arith.extsi", "arith.extui", "arith.trunci", "arith.sitofp", "arith.uitofp", "arith.fptosi",
         "arith.fptoui", "arith.extf", "arith.truncf"}
UNARY = {"math.roundeven", "math.absi", "arith.negf", "math.absf"}
CMPI = ["eq", "ne", "slt", "sle", "sgt", "sge", "ult", "ule", "ugt", "uge"]
CMPF = ["false", "oeq", "ogt", "oge", "olt", "ole", "one", "ord", "ueq", "ugt", "uge", "ult", "ule", "une",
        "uno", "true"]
# combiner -> (vector.reduction kind, identity as a function of the bit width)
COMBINERS = {
    "arith.addi": ("add", lambda w: 0), "arith.muli": ("mul", lambda w: 1),
    "arith.maxsi": ("maxsi", lambda w: -(1 << (w - 1))), "arith.minsi": ("minsi", lambda w: (1 << (w - 1)) - 1),
    "arith.maxui": ("maxui", lambda w: 0), "arith.minui": ("minui", lambda w: -1),
    "arith.andi": ("and", lambda w: -1), "arith.ori": ("or", lambda w: 0), "arith.xori": ("xor", lambda w: 0),
}
_INT = re.compile(r"i(\d+)")


class Unsupported(Exception):
    """The generic is left to convert-linalg-to-loops."""





@dataclass
class Plan:
    extents: list[int]       # iteration space; the last dimension is vectorized
    reduction: bool          # the last dimension is a reduction
    accesses: list[Access]   # inputs, then the one output
    vector: bool             # False: one element per step (scalar kernels, for comparison)
    parallel: bool           # outer dimensions split over threads (`openmp.open_parallel_range`)



def plan_generic(op, parallel: bool, vectorize: bool = True) -> Plan:
    from torch_mlir import ir

    iters = iterator_kinds(op)
    rank = len(iters)
    if rank == 0 or len(op.results):
        raise Unsupported("0-d or tensor form")
    reds = [i for i, it in enumerate(iters) if it == "reduction"]
    if reds not in ([], [rank - 1]):
        raise Unsupported("reduction other than the innermost dimension")
    if output_count(op) != 1:
        raise Unsupported("several outputs")
    maps = indexing_dims(op)
    if any(m is None for m in maps):
        raise Unsupported("non-projection indexing map")
    inner = rank - 1
    accesses, extents = [], [None] * rank
    for i, (value, dims) in enumerate(zip(op.operands, maps)):
        is_out = i == len(op.operands) - 1
        if not is_memref(value.type):
            if dims or is_out:
                raise Unsupported("non-memref operand with a map")
            accesses.append(Access(str(value.type), "scalar"))
            continue
        mt = ir.MemRefType(value.type)
        if not mt.has_static_shape or str(mt.element_type) == "i1" or "index" in str(mt.element_type):
            raise Unsupported("dynamic shape or i1/index elements")
        for d, size in zip(dims, mt.shape):
            if extents[d] is None:
                extents[d] = size
            elif extents[d] != size:
                raise Unsupported("inconsistent extents")
        if inner in dims:
            if dims[-1] != inner or strides(value)[-1] != 1:
                raise Unsupported("inner dimension not contiguous in an operand")
            kind = "vector"
        else:
            kind = "row"
        if is_out and (kind == "vector") == bool(reds):
            raise Unsupported("output map does not match the iterators")
        accesses.append(Access(str(value.type), kind, dims))
    if any(e is None for e in extents) or 0 in extents:
        raise Unsupported("unbound or empty dimension")
    vector = vectorize
    total = 1
    for e in extents:
        total *= e
    par = parallel and rank > 1 and total >= PARALLEL_MIN_ELEMENTS and any(e > 1 for e in extents[:-1])
    return Plan(extents, bool(reds), accesses, vector, par)


class BodyTranslator:
    """Translates a `linalg.generic` body, op for op, into kernel text on `lanes`-wide vectors
    (or scalars).  Values the body captures from outside become kernel parameters (`params`,
    `call_args`) or constants, broadcast once in `preamble` (function scope, before any loop).
    Shared by the elementwise kernels and the GEMM epilogues."""

    def __init__(self, block, e: Emitter, vector: bool = True, prefix: str = "%t"):
        self.block, self.e, self.vector, self.prefix = block, e, vector, prefix
        self.lanes = LANES if vector else 1
        self.params: list[tuple[str, str]] = []
        self.call_args: list = []
        self.captured: dict = {}
        self.preamble: list[str] = []

    def vt(self, t: str) -> str:
        return f"vector<{self.lanes}x{t}>" if self.vector else t

    def splat(self, scalar: str, t: str) -> str:
        if not self.vector:
            return scalar
        name = self.e.fresh("s")
        self.preamble.append(f"  {name} = vector.broadcast {scalar} : {t} to {self.vt(t)}")
        return name

    def param(self, value) -> str:
        name = f"{self.prefix}{len(self.params)}"
        self.params.append((name, str(value.type)))
        self.call_args.append(value)
        return name

    def outer(self, value) -> str:
        """A value defined outside the body: a constant (re-emitted), a memref table or another
        scalar (a kernel parameter), broadcast once before the loops."""
        if value in self.captured:
            return self.captured[value]
        defining = owner(value)
        t = str(value.type)
        if is_memref(value.type):
            self.captured[value] = self.param(value)
            return self.captured[value]
        if getattr(defining, "name", None) == "arith.constant":
            scalar = self.e.fresh("k")
            self.preamble.append(f"  {scalar} = arith.constant {defining.attributes['value']}")
        else:
            scalar = self.param(value)
        self.captured[value] = self.splat(scalar, t)
        return self.captured[value]

    def inside(self, value) -> bool:
        arg = block_arg(value)
        if arg is not None:
            return arg.owner == self.block
        return owner(value).block == self.block

    def value(self, env: dict, v) -> str:
        if v in env:
            return env[v]
        if self.inside(v):
            raise Unsupported("value used before definition")
        return self.outer(v)

    def yielded(self, env: dict) -> str:
        return self.value(env, list(self.block.operations)[-1].operands[0])

    def body(self, env: dict, mask: str | None, skip=None) -> None:
        """Translate the body ops (all but the yield and `skip`) into `env` (value -> name)."""
        e, vt = self.e, self.vt

        def val(v):
            return self.value(env, v)

        for inner in self.block.operations:
            inner = inner.operation
            name = inner.name
            if name == "linalg.yield" or (skip is not None and inner == skip):
                continue
            ops = list(inner.operands)
            res_t = str(inner.results[0].type) if len(inner.results) == 1 else None
            if name in SAME_TYPE:
                r = e.op(f"{name} {val(ops[0])}, {val(ops[1])} : {vt(res_t)}", "b")
            elif name in DIVISIONS:
                divisor = val(ops[1])
                if mask is not None:  # masked-off lanes hold zeros: divide them by one
                    divisor = e.op(f"arith.select {mask}, {divisor}, {self.one(res_t)} : {vt('i1')}, {vt(res_t)}", "b")
                r = e.op(f"{name} {val(ops[0])}, {divisor} : {vt(res_t)}", "b")
            elif name == "arith.cmpi":
                pred = CMPI[_int_attr(inner.attributes["predicate"])]
                r = e.op(f"arith.cmpi {pred}, {val(ops[0])}, {val(ops[1])} : {vt(str(ops[0].type))}", "b")
            elif name == "arith.cmpf":
                pred = CMPF[_int_attr(inner.attributes["predicate"])]
                r = e.op(f"arith.cmpf {pred}, {val(ops[0])}, {val(ops[1])} : {vt(str(ops[0].type))}", "b")
            elif name == "arith.select":
                r = e.op(f"arith.select {val(ops[0])}, {val(ops[1])}, {val(ops[2])} : {vt('i1')}, {vt(res_t)}", "b")
            elif name in CASTS:
                r = e.op(f"{name} {val(ops[0])} : {vt(str(ops[0].type))} to {vt(res_t)}", "b")
            elif name in UNARY:
                r = e.op(f"{name} {val(ops[0])} : {vt(res_t)}", "b")
            elif name == "arith.constant":
                scalar = e.op(f"arith.constant {inner.attributes['value']}", "k")
                r = scalar if not self.vector else e.op(f"vector.broadcast {scalar} : {res_t} to {vt(res_t)}", "b")
            elif name == "arith.index_cast":
                src = str(ops[0].type)
                if self.vector:  # gather offsets: i32 lanes (tables are far below 2^31 elements)
                    w = int(_INT.fullmatch(src).group(1)) if _INT.fullmatch(src) else 0
                    if w == 0:
                        raise Unsupported("index_cast from index")
                    x = val(ops[0])
                    r = x if w == 32 else e.op(f"arith.{'trunci' if w > 32 else 'extsi'} {x} : {vt(src)} to "
                                               f"{vt('i32')}", "b")
                else:
                    r = e.op(f"arith.index_cast {val(ops[0])} : {src} to index", "b")
            elif name == "memref.load":
                r = self.lookup(ops[0], [val(v) for v in ops[1:]], res_t, mask)
            else:
                raise Unsupported(f"op {name} in the body")
            env[inner.results[0]] = r

    def lookup(self, table, idx: list[str], elem: str, mask: str | None) -> str:
        from torch_mlir import ir

        if self.inside(table):
            raise Unsupported("load from a body value")
        mt = ir.MemRefType(table.type)
        base = self.outer(table)
        e = self.e
        if not self.vector:
            return e.op(f"memref.load {base}[{', '.join(idx)}] : {table.type}", "g")
        strides, offset = mt.get_strides_and_offset()
        if offset < 0 or any(s < 0 for s in strides) or list(strides) != _row_major(list(mt.shape)):
            raise Unsupported("gather from a non-contiguous table")
        flat = self.flat_table(base, mt)
        lin = idx[-1]
        for i, s in enumerate(strides[:-1]):
            scaled = e.op(f"arith.muli {idx[i]}, {e.const(s, 'vector<16xi32>')} : vector<16xi32>", "g")
            lin = e.op(f"arith.addi {lin}, {scaled} : vector<16xi32>", "g")
        m = mask or self.full_mask()
        size = 1
        for d in mt.shape:
            size *= d
        zero = self.zero(elem)
        return e.op(f"vector.gather {flat}[{e.idx(0)}][{lin}], {m}, {zero} : memref<{size}x{elem}>, "
                    f"vector<16xi32>, vector<16xi1>, vector<16x{elem}> into vector<16x{elem}>", "g")

    def flat_table(self, base: str, mt) -> str:
        key = ("flat", base)
        if key not in self.captured:
            rank = len(mt.shape)
            size = 1
            for d in mt.shape:
                size *= d
            if rank == 1:
                self.captured[key] = base
            else:
                name = self.e.fresh("flat")
                group = ", ".join(str(i) for i in range(rank))
                self.preamble.append(f"  {name} = memref.collapse_shape {base} [[{group}]] : {mt} into "
                                     f"memref<{size}x{mt.element_type}>")
                self.captured[key] = name
        return self.captured[key]

    def one(self, elem: str) -> str:
        return self.e.const(1, self.vt(elem))

    def full_mask(self) -> str:
        if ("mask", 16) not in self.captured:
            name = self.e.fresh("all")
            self.preamble.append(f"  {name} = vector.constant_mask [{LANES}] : vector<{LANES}xi1>")
            self.captured[("mask", 16)] = name
        return self.captured[("mask", 16)]

    def zero(self, elem: str) -> str:
        key = ("zero", elem)
        if key not in self.captured:
            name = self.e.fresh("z")
            value = "0.0" if elem.startswith("f") or elem.startswith("bf") else "0"
            self.preamble.append(f"  {name} = arith.constant dense<{value}> : vector<{LANES}x{elem}>")
            self.captured[key] = name
        return self.captured[key]

    def load_row(self, memref: str, mtype: str, idx: str, elem: str) -> str:
        """One element per row (a row maximum, a row factor), broadcast to the lanes."""
        s = self.e.op(f"memref.load {memref}[{idx}] : {mtype}", "r")
        return s if not self.vector else self.e.op(f"vector.broadcast {s} : {elem} to {self.vt(elem)}", "r")

    def load(self, memref: str, mtype: str, idx: str, elem: str, mask: str | None) -> str:
        if not self.vector:
            return self.e.op(f"memref.load {memref}[{idx}] : {mtype}", "l")
        vt = self.vt(elem)
        if mask is None:
            return self.e.op(f"vector.load {memref}[{idx}] : {mtype}, {vt}", "l")
        return self.e.op(f"vector.maskedload {memref}[{idx}], {mask}, {self.zero(elem)} : {mtype}, "
                         f"vector<{LANES}xi1>, {vt} into {vt}", "l")

    def store(self, value: str, memref: str, mtype: str, idx: str, elem: str, mask: str | None) -> None:
        if not self.vector:
            self.e.emit(f"memref.store {value}, {memref}[{idx}] : {mtype}")
        elif mask is None:
            self.e.emit(f"vector.store {value}, {memref}[{idx}] : {mtype}, {self.vt(elem)}")
        else:
            self.e.emit(f"vector.maskedstore {memref}[{idx}], {mask}, {value} : {mtype}, vector<{LANES}xi1>, "
                        f"{self.vt(elem)}")


class ElementwiseKernel:
    """One generic's code: `emit_row` writes what one iteration of the outer dimensions does;
    `text` wraps it into a standalone kernel.  `row_op`: the generic's whole iteration space is
    the outer one (a per-row scalar step inside a fused row kernel, `_RowKernel`)."""

    def __init__(self, op, plan: Plan, e: Emitter | None = None, prefix: str = "%x", tprefix: str = "%t",
                 row_op: bool = False):
        self.op, self.plan, self.prefix, self.row_op = op, plan, prefix, row_op
        self.e = e or Emitter()
        self.block = op.regions[0].blocks[0]
        self.tr = BodyTranslator(self.block, self.e, plan.vector and not row_op, prefix=tprefix)
        self.lanes = self.tr.lanes
        self.vt, self.splat, self.outer = self.tr.vt, self.tr.splat, self.tr.outer

    def name(self, i: int) -> str:
        return f"{self.prefix}{i}"

    @property
    def params(self) -> list[tuple[str, str]]:
        return [(self.name(i), a.type) for i, a in enumerate(self.plan.accesses)] + self.tr.params

    @property
    def call_args(self) -> list:
        return list(self.op.operands) + self.tr.call_args

    def text(self, name: str) -> str:
        p, e = self.plan, self.e
        ivs = open_outer(e, p.extents[:-1], p.parallel)
        self.emit_row(ivs)
        close_outer(e, p.extents[:-1], p.parallel)
        e.emit("return")
        params = ", ".join(f"{n_}: {t}" for n_, t in self.params)
        return "\n".join([f"func.func private @{name}({params}) {{", *e.const_lines(), *self.tr.preamble,
                          *e.lines, "}"]) + "\n"

    def emit_row(self, ivs: list[str]) -> None:
        p, e, x = self.plan, self.e, self.name
        args = list(self.block.arguments)
        out_arg, out, last = args[-1], p.accesses[-1], len(args) - 1

        def index(acc: Access, j: str | None) -> str:
            return ", ".join(ivs[d] if d < len(ivs) else j for d in acc.dims)

        # row operands: once per row
        row_env = {}
        for i, acc in enumerate(p.accesses[:-1]):
            a = args[i]
            if acc.kind == "scalar":
                row_env[a] = self.splat(x(i), acc.type)
            elif acc.kind == "row":
                row_env[a] = self.tr.load_row(x(i), acc.type, index(acc, None), str(a.type))
        if self.row_op:
            if _uses(out_arg):
                row_env[out_arg] = e.op(f"memref.load {x(last)}[{index(out, None)}] : {out.type}", "r")
            self.tr.body(row_env, None)
            e.emit(f"memref.store {self.tr.yielded(row_env)}, {x(last)}[{index(out, None)}] : {out.type}")
            return
        combiner = self.combiner(out_arg) if p.reduction else None

        def chunk(j: str, mask: str | None, acc_in: str | None) -> str | None:
            env = dict(row_env)
            for i, acc in enumerate(p.accesses[:-1]):
                if acc.kind == "vector":
                    env[args[i]] = self.tr.load(x(i), acc.type, index(acc, j), str(args[i].type), mask)
            if not p.reduction and _uses(out_arg):
                env[out_arg] = self.tr.load(x(last), out.type, index(out, j), str(out_arg.type), mask)
            if p.reduction:
                env[out_arg] = acc_in
            self.tr.body(env, mask, skip=combiner[0] if combiner else None)
            if p.reduction:
                op_, value = combiner
                v = self.tr.value(env, value)
                if mask is not None:
                    v = e.op(f"arith.select {mask}, {v}, {self.identity(op_)} : {self.vt('i1')}, "
                             f"{self.vt(str(out_arg.type))}", "b")
                return e.op(f"{op_.name} {acc_in}, {v} : {self.vt(str(out_arg.type))}", "acc")
            self.tr.store(self.tr.yielded(env), x(last), out.type, index(out, j), str(out_arg.type), mask)
            return None

        n = p.extents[-1]
        step = self.lanes
        full, tail = (n // step) * step, n % step
        elem = str(out_arg.type)
        acc = None
        if p.reduction:
            acc = self.identity(combiner[0]) if p.vector else \
                e.op(f"memref.load {x(last)}[{index(out, None)}] : {out.type}", "r")
        if full:
            j = e.fresh("j")
            if p.reduction:
                res, it = e.fresh("red"), e.fresh("acc")
                e.emit(f"{res} = scf.for {j} = {e.idx(0)} to {e.idx(full)} step {e.idx(step)} "
                       f"iter_args({it} = {acc}) -> ({self.vt(elem)}) {{")
                e.indent += 1
                e.emit(f"scf.yield {chunk(j, None, it)} : {self.vt(elem)}")
                e.indent -= 1
                e.emit("}")
                acc = res
            else:
                e.emit(f"scf.for {j} = {e.idx(0)} to {e.idx(full)} step {e.idx(step)} {{")
                e.indent += 1
                chunk(j, None, None)
                e.indent -= 1
                e.emit("}")
        if tail:
            mask = e.op(f"vector.constant_mask [{tail}] : vector<{LANES}xi1>", "m")
            acc = chunk(e.idx(full), mask, acc)
        if p.reduction:
            if p.vector:
                kind = COMBINERS[combiner[0].name][0]
                s = e.op(f"vector.reduction <{kind}>, {acc} : {self.vt(elem)} into {elem}", "s")
                o = e.op(f"memref.load {x(last)}[{index(out, None)}] : {out.type}", "r")
                acc = e.op(f"{combiner[0].name} {o}, {s} : {elem}", "s")
            e.emit(f"memref.store {acc}, {x(last)}[{index(out, None)}] : {out.type}")

    def combiner(self, out_arg):
        """(combining op, the other operand) of a reduction body `yield op(out, v)`."""
        ops = list(self.block.operations)
        y = ops[-1].operands[0]
        op_ = owner(y)
        if not self.tr.inside(y) or op_.name not in COMBINERS or out_arg not in list(op_.operands):
            raise Unsupported("reduction body is not a known combiner of the output")
        other = [v for v in op_.operands if v != out_arg]
        if len(other) != 1 or sum(1 for _ in out_arg.uses) != 1:
            raise Unsupported("output used beyond the combiner")
        if not _INT.fullmatch(str(out_arg.type)):
            raise Unsupported("non-integer reduction")
        return op_, other[0]

    def identity(self, op_) -> str:
        elem = str(op_.results[0].type)
        w = int(_INT.fullmatch(elem).group(1))
        value = COMBINERS[op_.name][1](w)
        if not self.plan.vector:
            return self.e.const(value, elem)
        return self.e.const(value, self.vt(elem))


def open_outer(e: Emitter, extents: list[int], parallel: bool) -> list[str]:
    """Loops over the outer dimensions (threaded: one contiguous share of rows per thread)."""
    if not extents:
        return []
    if parallel:
        return open_parallel_range(e, list(extents))
    ivs = []
    for extent in extents:
        iv = e.fresh("i")
        e.emit(f"scf.for {iv} = {e.idx(0)} to {e.idx(extent)} step {e.idx(1)} {{")
        e.indent += 1
        ivs.append(iv)
    return ivs


def close_outer(e: Emitter, extents: list[int], parallel: bool) -> None:
    if not extents:
        return
    if parallel:
        close_parallel_range(e)
        return
    for _ in extents:
        e.indent -= 1
        e.emit("}")


def _int_attr(attr) -> int:
    from torch_mlir import ir

    return ir.IntegerAttr(attr).value


def _uses(value) -> bool:
    return any(True for _ in value.uses)


def _row_major(shape: list[int]) -> list[int]:
    strides, acc = [], 1
    for d in reversed(shape):
        strides.append(acc)
        acc *= d
    return list(reversed(strides))


def rewrite_elementwise(module, parallel: bool = False, vectorize: bool = True, kernels: set[str] | None = None,
                        before=None) -> dict:
    """Replace every generic the translator handles with a kernel call of its own, in place (the
    runs of row generics that `row_kernels.fuse_rows` takes go first, in the pipeline).
    `kernels`: names of the kernels already in the module (shared with the row kernels);
    `before`: the op the kernel definitions go before (default: the module's first).

    Returns counts: {"vector", "scalar", "parallel", "left", "kernels"}."""
    from torch_mlir import ir

    kernels = set() if kernels is None else kernels
    first = list(module.body.operations)[0] if before is None else before
    found = generic_ops(module)
    stats = {"vector": 0, "scalar": 0, "parallel": 0, "left": 0, "kernels": 0}
    for op in found:
        try:
            plan = plan_generic(op, parallel, vectorize)
            kernel = ElementwiseKernel(op, plan)
            body_text = kernel.text("KERNEL")
        except Unsupported:
            stats["left"] += 1
            continue
        name = f"__intvit_ew_{hashlib.sha1(body_text.encode()).hexdigest()[:16]}"
        if name not in kernels:
            move_kernel(body_text.replace("@KERNEL(", f"@{name}(", 1), first)
            kernels.add(name)
        with ir.InsertionPoint(op), op.location:
            ir.Operation.create("func.call", results=[], operands=list(kernel.call_args),
                                attributes={"callee": ir.FlatSymbolRefAttr.get(name)})
        op.erase()
        stats["vector" if plan.vector else "scalar"] += 1
        stats["parallel"] += int(plan.parallel)
    stats["kernels"] = len(kernels)
    if stats["parallel"]:
        add_declarations(module)
    return stats
