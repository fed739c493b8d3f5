"""Integer GEMM generics -> CUDA kernels: `dp4a` (shared-memory tiles, 64x64 per block, 4x4
per thread, `__dp4a` for s8 x s8 and inline PTX `dp4a.u32.s32` for u8 x s8) and `mma` (int8
tensor cores, `mma.sync.aligned.m16n8k32`, sm_80+, 64x64 per block of four warps).

Operands are staged into shared memory as 32-bit words of four consecutive k (zero beyond K,
so K is padded to the tile with zeros); constant weights are packed at compile time as
[batch][N][K rounded up to 4], which makes their staging one aligned word load.  The
elementwise consumer of the accumulator (the requant) runs in the epilogue, on the
accumulator registers, when it reads only the accumulator element and tensors indexed by the
same loop indices.

Accumulator bound: every dot product is `init + sum_k a_k b_k` with |a| <= 128 (255 for u8)
and |b| likewise, so |acc| <= K * amax * bmax + |init|; a GEMM where that can reach 2^31 is
refused at compile time, so int32 wrap-around (dp4a, mma without `.satfinite`) and
saturation never differ from exact arithmetic.  An init the compiler cannot bound (a bias passed
in at run time) is added after the products with the IR's own wrapping `arith.addi`, so only the
product sum is bounded there and the result is still exactly the IR's.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.dialects.linalg import ops as linalg
from xdsl.dialects.builtin import IntegerType
from xdsl.ir import Operation, SSAValue

from intvit.lowering.cuda.kernels import GenericView, Operand, decompose, map_exprs
from intvit.lowering.cuda.scalar import body_ops, located
from intvit.lowering.target import TargetError

ACC_LIMIT = 2**31
TILE = 64
KTILE = 32   # bytes of k per shared-memory stage: 8 words


@dataclass
class Gemm:
    op: linalg.GenericOp
    a_signed: bool
    b_signed: bool
    batch: list[int]          # loop dims of the batch
    m: int
    n: int
    k: int
    sizes: list[int]
    a_strides: dict[int, int]  # loop dim -> element stride in A
    b_strides: dict[int, int]

    @property
    def kind(self) -> str:
        return ("s" if self.a_signed else "u") + ("s" if self.b_signed else "u")

    def bound(self, init_bound: int) -> int:
        amax = 128 if self.a_signed else 255
        bmax = 128 if self.b_signed else 255
        return self.sizes[self.k] * amax * bmax + init_bound


def _ext_of(value: SSAValue, arg: SSAValue) -> bool | None:
    """True for extsi(arg i8), False for extui(arg i8), None otherwise."""
    op = value.owner
    if not isinstance(op, Operation) or op.name not in ("arith.extsi", "arith.extui") or op.operands[0] is not arg:
        return None
    src = arg.type
    if not isinstance(src, IntegerType) or src.width.data != 8:
        return None
    return op.name == "arith.extsi"


def _strides(shape: tuple[int, ...], exprs: list) -> dict[int, int] | None:
    out, s = {}, 1
    for d, e in zip(reversed(shape), reversed(exprs)):
        if not isinstance(e, int) or e in out:
            return None
        out[e] = s
        s *= d
    return out


def match_gemm(op: linalg.GenericOp) -> Gemm | None:
    """`out[b.., m, n] += ext(A[.. m .. k ..]) * ext(B[.. k .. n ..])` into i32, or None."""
    if len(op.inputs) != 2 or len(op.outputs) != 1:
        return None
    iters = [str(it.data) for it in op.iterator_types.data]
    red = [i for i, it in enumerate(iters) if "reduction" in it]
    if len(red) != 1:
        return None
    block = op.body.block
    ops, yields = body_ops(block)
    a, b, acc = block.args
    if len(ops) != 4 or not isinstance(acc.type, IntegerType) or acc.type.width.data != 32:
        return None
    add = yields[0].owner
    if not isinstance(add, Operation) or add.name != "arith.addi" or acc not in add.operands:
        return None
    mul = (add.operands[1] if add.operands[0] is acc else add.operands[0]).owner
    if not isinstance(mul, Operation) or mul.name != "arith.muli":
        return None
    x, y = mul.operands
    sa, sb = _ext_of(x, a), _ext_of(y, b)
    if sa is None or sb is None:
        sa, sb = _ext_of(y, a), _ext_of(x, b)
    if sa is None or sb is None:
        return None
    maps = [m.data for m in op.indexing_maps.data]
    exprs = [map_exprs(op, m) for m in maps]
    k = red[0]
    par = [i for i in range(len(iters)) if i != k]
    if exprs[2] != par or len(par) < 2:
        return None
    m, n, batch = par[-2], par[-1], par[:-2]
    sizes = list(op.get_static_loop_ranges())
    sa_ = _strides(tuple(op.inputs[0].type.get_shape()), exprs[0])
    sb_ = _strides(tuple(op.inputs[1].type.get_shape()), exprs[1])
    if sa_ is None or sb_ is None or n in sa_ or m in sb_ or k not in sa_ or k not in sb_ or m not in sa_ \
            or n not in sb_:
        return None
    return Gemm(op, sa, sb, batch, m, n, k, sizes, sa_, sb_)


def check_bound(g: Gemm, init_bound: int | None) -> None:
    bound = g.bound(init_bound or 0)
    if bound >= ACC_LIMIT:
        raise TargetError(f"{located(g.op)}cuda-dp4a: GEMM accumulator may overflow int32: K={g.sizes[g.k]}, "
                          f"K*|a|max*|b|max + |init| = {bound} >= 2^31")


@dataclass
class GemmCode:
    """What the plan hands the emitter: operands as kernel parameters, and the epilogue."""

    gemm: Gemm
    a: str                 # parameter names
    b: str
    init: str
    b_packed: bool         # B packed as [batch][N][Kp] words (constant weights)
    epilogue: GenericView | None
    out: Operand           # where the result goes (the GEMM's, or the consumer's output)


def _batch_offset(g: Gemm, strides: dict[int, int]) -> str:
    terms = [f"i{d} * {strides[d]}" for d in g.batch if d in strides]
    return " + ".join(terms) if terms else "0"


def _stage_lines(g: Gemm, c: GemmCode, words: str, threads: int) -> list[str]:
    """Fill As[m][kw], Bs[n][kw] (words of 4 k) for the k0 stage; zero outside M, N, K."""
    M, N, K = g.sizes[g.m], g.sizes[g.n], g.sizes[g.k]
    kp = (K + 3) // 4 * 4
    wa = f"{g.a_strides[g.k]}"
    lines = [f"for (int w = threadIdx.x; w < {TILE} * {words}; w += {threads}) {{",
             f"  const int row = w / {words}, kw = w % {words};",
             "  const int64_t k = k0 + 4 * kw;",
             f"  const int64_t m = m0 + row, n = n0 + row;",
             "  uint32_t wa = 0u, wb = 0u;",
             f"  if (m < {M}) {{",
             f"    for (int q = 0; q < 4; ++q) if (k + q < {K}) wa |= (uint32_t)(uint8_t)A[a_base + m * {g.a_strides[g.m]} + (k + q) * {wa}] << (8 * q);",
             "  }"]
    if c.b_packed:
        lines += [f"  if (n < {N} && k < {kp}) wb = Bw[(b_base + n * {kp} + k) / 4];"]
    else:
        lines += [f"  if (n < {N}) {{",
                  f"    for (int q = 0; q < 4; ++q) if (k + q < {K}) wb |= (uint32_t)(uint8_t)B[b_base + n * {g.b_strides[g.n]} + (k + q) * {g.b_strides[g.k]}] << (8 * q);",
                  "  }"]
    lines += ["  As[row][kw] = (int)wa;", "  Bs[row][kw] = (int)wb;", "}"]
    return lines


def _prologue(g: Gemm, c: GemmCode, name: str, params: str) -> list[str]:
    lines = [f"IV_GLOBAL void {name}({params}) {{",
             f"  const int64_t n0 = (int64_t)blockIdx.x * {TILE}, m0 = (int64_t)blockIdx.y * {TILE};",
             "  [[maybe_unused]] const int64_t bz = blockIdx.z;"]
    lines += ["  " + ln for ln in decompose("bz", g.batch, g.sizes)]
    kp = (g.sizes[g.k] + 3) // 4 * 4
    b_base = "0" if c.b_packed else _batch_offset(g, g.b_strides)   # packed weights have no batch
    lines += [f"  const int64_t a_base = {_batch_offset(g, g.a_strides)};",
              f"  const int64_t b_base = {b_base};"]
    if c.b_packed:
        lines.append("  const int* __restrict__ Bw = (const int*)B;")
    return lines


def _store(g: Gemm, c: GemmCode, row: str, col: str, acc: str, indent: str) -> list[str]:
    """Write one accumulator element (plus init) through the fused epilogue or directly."""
    M, N = g.sizes[g.m], g.sizes[g.n]
    idx = [f"i{d}" for d in range(len(g.sizes))]
    lines = [f"if ({row} < {M} && {col} < {N}) {{",
             f"  [[maybe_unused]] const int64_t i{g.m} = {row}, i{g.n} = {col};",
             f"  const int64_t o = {c.out.offset(idx)};",
             f"  const int32_t total = iv::addi<int32_t>({c.init}[o], {acc});"]
    if c.epilogue is None:
        lines.append(f"  {c.out.param}[o] = total;")
    else:
        e = c.epilogue
        tr = e.translator(idx, prefix="e")
        gemm_arg = e.op.body.block.args[[i for i, o in enumerate(e.op.inputs) if o is g.op.results[0]][0]]
        tr.names[gemm_arg] = "total"
        loads = e.load_inputs(idx, tr, skip=gemm_arg)
        ops, yields = body_ops(e.op.body.block)
        body = tr.run(ops, yields)
        lines += ["  " + ln for ln in loads + body]
        lines.append(f"  {c.out.param}[o] = {tr.name(yields[0])};")
    lines.append("}")
    return [indent + ln for ln in lines]


def dp4a_kernel(name: str, c: GemmCode, params: str) -> str:
    """256 threads, 16 x 16; each thread owns rows ty + 16 i and columns tx + 16 j (i, j < 4)."""
    g = c.gemm
    K = g.sizes[g.k]
    lines = _prologue(g, c, name, params)
    lines += ["  IV_SHARED int As[64][9];   // [m][k word], one word of padding against bank conflicts",
              "  IV_SHARED int Bs[64][9];",
              "  const int tx = threadIdx.x % 16, ty = threadIdx.x / 16;",
              "  int acc[4][4] = {};",
              f"  for (int64_t k0 = 0; k0 < {K}; k0 += {KTILE}) {{"]
    lines += ["    " + ln for ln in _stage_lines(g, c, "8", 256)]
    lines += ["    __syncthreads();",
              "    for (int kw = 0; kw < 8; ++kw) {",
              "      int a[4], b[4];",
              "      for (int i = 0; i < 4; ++i) { a[i] = As[ty + 16 * i][kw]; b[i] = Bs[tx + 16 * i][kw]; }",
              "      for (int i = 0; i < 4; ++i)",
              f"        for (int j = 0; j < 4; ++j) acc[i][j] = iv_dp4a_{g.kind}(a[i], b[j], acc[i][j]);",
              "    }",
              "    __syncthreads();",
              "  }",
              "  for (int i = 0; i < 4; ++i)",
              "    for (int j = 0; j < 4; ++j) {"]
    lines += _store(g, c, "m0 + ty + 16 * i", "n0 + tx + 16 * j", "acc[i][j]", "      ")
    lines += ["    }", "}"]
    return "\n".join(lines)


def mma_kernel(name: str, c: GemmCode, params: str) -> str:
    """128 threads = 4 warps in 2 x 2; a warp owns 32 x 32 = 2 (m16) x 4 (n8) tiles."""
    g = c.gemm
    K = g.sizes[g.k]
    lines = _prologue(g, c, name, params)
    lines += ["  IV_SHARED int As[64][9];",
              "  IV_SHARED int Bs[64][9];",
              "  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;",
              "  const int wm = (warp / 2) * 32, wn = (warp % 2) * 32, grp = lane / 4, tig = lane % 4;",
              "  int acc[2][4][4] = {};",
              f"  for (int64_t k0 = 0; k0 < {K}; k0 += {KTILE}) {{"]
    lines += ["    " + ln for ln in _stage_lines(g, c, "8", 128)]
    lines += ["    __syncthreads();",
              "    int fa[2][4], fb[4][2];",
              "    for (int mi = 0; mi < 2; ++mi) {",
              "      const int r = wm + 16 * mi + grp;",
              "      fa[mi][0] = As[r][tig]; fa[mi][1] = As[r + 8][tig];",
              "      fa[mi][2] = As[r][4 + tig]; fa[mi][3] = As[r + 8][4 + tig];",
              "    }",
              "    for (int ni = 0; ni < 4; ++ni) {",
              "      fb[ni][0] = Bs[wn + 8 * ni + grp][tig]; fb[ni][1] = Bs[wn + 8 * ni + grp][4 + tig];",
              "    }",
              "    for (int mi = 0; mi < 2; ++mi)",
              f"      for (int ni = 0; ni < 4; ++ni) iv_mma_{g.kind}(acc[mi][ni], fa[mi], fb[ni], acc[mi][ni]);",
              "    __syncthreads();",
              "  }",
              "  for (int mi = 0; mi < 2; ++mi)",
              "    for (int ni = 0; ni < 4; ++ni)",
              "      for (int q = 0; q < 4; ++q) {"]
    lines += _store(g, c, "m0 + wm + 16 * mi + grp + 8 * (q / 2)", "n0 + wn + 8 * ni + 2 * tig + (q % 2)",
                    "acc[mi][ni][q]", "        ")
    lines += ["      }", "}"]
    return "\n".join(lines)
