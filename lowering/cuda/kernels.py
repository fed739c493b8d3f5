"""Kernel text for the non-GEMM generics: elementwise (grid-stride loops), row reductions (one
thread block per output element, shared-memory tree reduction with `__syncthreads`), and a
sequential per-output loop for reductions whose combiner is not associative, plus strided
copies (transpose, slices).  Every body goes through `scalar.BodyTranslator`."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from xdsl.dialects.linalg import ops as linalg
from xdsl.ir import Operation, SSAValue
from xdsl.ir.affine import AffineConstantExpr, AffineDimExpr

from intvit.lowering.cuda.scalar import (COMBINERS, BodyTranslator, body_ops, combine_expr, ctype,
                                         identity_literal, located)
from intvit.lowering.target import TargetError

THREADS = 256


@dataclass
class Operand:
    """A buffer a kernel reads or writes: its C parameter name, element type, shape and the
    indexing map results (loop dim index, or a constant as ('c', value))."""

    param: str
    ctype: str
    shape: tuple[int, ...]
    exprs: list = field(default_factory=list)

    def offset(self, idx: list[str]) -> str:
        strides, s = [], 1
        for d in reversed(self.shape):
            strides.append(s)
            s *= d
        strides.reverse()
        terms = []
        for e, st in zip(self.exprs, strides):
            term = idx[e] if isinstance(e, int) else str(e[1])
            if term == "0" or (isinstance(e, tuple) and e[1] == 0):
                continue
            terms.append(term if st == 1 else f"{term} * {st}")
        return " + ".join(terms) if terms else "0"


def map_exprs(op: Operation, amap) -> list:
    out = []
    for e in amap.results:
        if isinstance(e, AffineDimExpr):
            out.append(e.position)
        elif isinstance(e, AffineConstantExpr):
            out.append(("c", e.value))
        else:
            raise TargetError(f"{located(op)}cuda-dp4a: indexing map {amap} is not a projection")
    return out


def decompose(var: str, dims: list[int], sizes: list[int], prefix: str = "i") -> list[str]:
    """C lines splitting linear index `var` into loop indices `prefix<d>` (row-major)."""
    if not dims:
        return []
    lines = [f"int64_t rest_{var} = {var};"]
    for pos in range(len(dims) - 1, 0, -1):
        d = dims[pos]
        lines.append(f"[[maybe_unused]] const int64_t {prefix}{d} = rest_{var} % {sizes[d]}; "
                     f"rest_{var} /= {sizes[d]};")
    lines.append(f"[[maybe_unused]] const int64_t {prefix}{dims[0]} = rest_{var};")
    return lines


@dataclass
class GenericView:
    """What the kernel emitters need from one linalg.generic (one result)."""

    op: linalg.GenericOp
    ins: list[Operand]
    out: Operand
    captured: dict[SSAValue, Operand]      # tensors read by tensor.extract inside the body
    sizes: list[int]
    parallel: list[int]
    reduction: list[int]

    def extents(self) -> tuple[int, int]:
        """(output elements, reduction points per output element)."""
        return math.prod(self.sizes[d] for d in self.parallel), math.prod(self.sizes[d] for d in self.reduction)

    def translator(self, idx: list[str], prefix: str = "v") -> BodyTranslator:
        def extract(op, indices):
            buf = self.captured[op.operands[0]]
            strides, s = [], 1
            for d in reversed(buf.shape):
                strides.append(s)
                s *= d
            strides.reverse()
            off = " + ".join(f"(int64_t){i} * {st}" for i, st in zip(indices, strides))
            return f"{buf.param}[{off or '0'}]"

        return BodyTranslator({}, extract, lambda d: idx[d], prefix)

    def params(self) -> str:
        ps = [f"const {o.ctype}* __restrict__ {o.param}" for o in self.ins]
        ps += [f"const {o.ctype}* __restrict__ {o.param}" for o in self.captured.values()]
        ps.append(f"{self.out.ctype}* __restrict__ {self.out.param}")
        return ", ".join(ps)

    def args(self, pointers: dict[str, str]) -> str:
        names = [o.param for o in self.ins] + [o.param for o in self.captured.values()] + [self.out.param]
        return ", ".join(pointers[n] for n in names)

    def load_inputs(self, idx: list[str], tr: BodyTranslator, skip: SSAValue | None = None) -> list[str]:
        """Load each used block argument of the inputs (not `skip`)."""
        lines = []
        block = self.op.body.block
        for k, (arg, operand) in enumerate(zip(block.args, self.ins)):
            if arg is skip or not arg.uses:
                continue
            lines.append(f"const {operand.ctype} a{k} = {operand.param}[{operand.offset(idx)}];")
            tr.names[arg] = f"a{k}"
        return lines


def ewise_kernel(name: str, g: GenericView) -> tuple[str, int]:
    """Grid-stride loop over the (all-parallel) iteration space; returns (text, elements)."""
    idx = [f"i{d}" for d in range(len(g.sizes))]
    total = 1
    for s in g.sizes:
        total *= s
    tr = g.translator(idx)
    ops, yields = body_ops(g.op.body.block)
    loads = g.load_inputs(idx, tr)
    out_arg = g.op.body.block.args[len(g.ins)]
    if out_arg.uses:
        loads.append(f"const {g.out.ctype} o0 = {g.out.param}[{g.out.offset(idx)}];")
        tr.names[out_arg] = "o0"
    body = tr.run(ops, yields)
    lines = [f"IV_GLOBAL void {name}({g.params()}) {{",
             f"  for (int64_t lin = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; lin < INT64_C({total});"
             " lin += (int64_t)gridDim.x * blockDim.x) {"]
    lines += ["    " + ln for ln in decompose("lin", g.parallel, g.sizes)]
    lines += ["    " + ln for ln in loads + body]
    lines.append(f"    {g.out.param}[{g.out.offset(idx)}] = {tr.name(yields[0])};")
    lines += ["  }", "}"]
    return "\n".join(lines), total


def find_combiner(g: GenericView):
    """The yielded op `comb(out, v)` where the out argument is read only there, or None."""
    block = g.op.body.block
    out_arg = block.args[len(g.ins)]
    ops, yields = body_ops(block)
    y = yields[0].owner
    if not isinstance(y, Operation) or y.name not in COMBINERS or y not in ops:
        return None
    if len(list(out_arg.uses)) != 1 or out_arg not in y.operands:
        return None
    other = y.operands[1] if y.operands[0] is out_arg else y.operands[0]
    if other is out_arg:
        return None
    return y, other


def row_kernel(name: str, g: GenericView, comb) -> tuple[str, int, int]:
    """One block per output element; returns (text, rows, threads)."""
    y, v = comb
    idx = [f"i{d}" for d in range(len(g.sizes))]
    rows, red = g.extents()
    threads = 32
    while threads < min(red, THREADS):
        threads *= 2
    t = ctype(y.results[0].type, y)
    tr = g.translator(idx)
    ops, _ = body_ops(g.op.body.block)
    loads = g.load_inputs(idx, tr)
    body = tr.run([o for o in ops if o is not y], [v])
    c = lambda a, b: combine_expr(y.name, y.results[0].type, a, b)  # noqa: E731
    out = f"{g.out.param}[{g.out.offset(idx)}]"
    lines = [f"IV_GLOBAL void {name}({g.params()}) {{",
             f"  IV_SHARED {t} red[{threads}];",
             f"  for (int64_t row = blockIdx.x; row < INT64_C({rows}); row += gridDim.x) {{"]
    lines += ["    " + ln for ln in decompose("row", g.parallel, g.sizes)]
    lines += [f"    {t} acc = {identity_literal(y.name, y.results[0].type)};",
              f"    for (int64_t r = threadIdx.x; r < INT64_C({red}); r += blockDim.x) {{"]
    lines += ["      " + ln for ln in decompose("r", g.reduction, g.sizes)]
    lines += ["      " + ln for ln in loads + body]
    lines += [f"      acc = {c('acc', tr.name(v))};", "    }",
              "    red[threadIdx.x] = acc;", "    __syncthreads();",
              "    for (unsigned s = blockDim.x / 2; s > 0; s >>= 1) {",
              f"      if (threadIdx.x < s) red[threadIdx.x] = {c('red[threadIdx.x]', 'red[threadIdx.x + s]')};",
              "      __syncthreads();", "    }",
              f"    if (threadIdx.x == 0) {out} = {c(out, 'red[0]')};",
              "    __syncthreads();", "  }", "}"]
    return "\n".join(lines), rows, threads


def sequential_kernel(name: str, g: GenericView) -> tuple[str, int]:
    """A reduction in MLIR's own order: one thread per output element loops over the
    reduction dims (lexicographic), the out argument carried from step to step."""
    idx = [f"i{d}" for d in range(len(g.sizes))]
    rows, red = g.extents()
    block = g.op.body.block
    out_arg = block.args[len(g.ins)]
    tr = g.translator(idx)
    ops, yields = body_ops(block)
    loads = g.load_inputs(idx, tr)
    tr.names[out_arg] = "acc"
    body = tr.run(ops, yields)
    out = f"{g.out.param}[{g.out.offset(idx)}]"
    lines = [f"IV_GLOBAL void {name}({g.params()}) {{",
             f"  for (int64_t row = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; row < INT64_C({rows});"
             " row += (int64_t)gridDim.x * blockDim.x) {"]
    lines += ["    " + ln for ln in decompose("row", g.parallel, g.sizes)]
    lines += [f"    {g.out.ctype} acc = {out};", f"    for (int64_t r = 0; r < INT64_C({red}); ++r) {{"]
    lines += ["      " + ln for ln in decompose("r", g.reduction, g.sizes)]
    lines += ["      " + ln for ln in loads + body]
    lines += [f"      acc = {tr.name(yields[0])};", "    }", f"    {out} = acc;", "  }", "}"]
    return "\n".join(lines), rows


def copy_kernel(name: str, c: str, out_shape: tuple[int, ...], in_strides: list[int]) -> tuple[str, int]:
    """out[i...] = in[sum(i_d * in_strides[d])]: transposes and slices (the input pointer
    carries the slice offset)."""
    total = 1
    for s in out_shape:
        total *= s
    dims = list(range(len(out_shape)))
    off = " + ".join(f"i{d} * {s}" for d, s in zip(dims, in_strides) if s != 0) or "0"
    lines = [f"IV_GLOBAL void {name}(const {c}* __restrict__ src, {c}* __restrict__ dst) {{",
             f"  for (int64_t lin = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; lin < INT64_C({total});"
             " lin += (int64_t)gridDim.x * blockDim.x) {"]
    lines += ["    " + ln for ln in decompose("lin", dims, list(out_shape))]
    lines += [f"    dst[lin] = src[{off}];", "  }", "}"]
    return "\n".join(lines), total
