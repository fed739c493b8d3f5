"""Register-blocked integer GEMM micro-kernels for the `llvm-cpu` target.

After bufferization, every `linalg.generic` that is an integer GEMM

    C[b.., m, n] += ext(A[b.., m, k]) * ext(B[b.., k, n] or B[b.., n, k])      (i8 x i8 -> i32)

is replaced by a call to a generated kernel written in upstream `scf`/`vector`/`memref`/`arith`
(no hand-written C): B is repacked into 16-column panels, an MR x NR block of `vector<16xi32>`
accumulators stays in registers across the whole K loop, and each step is either

* `vnni`: one `llvm.x86.avx512.vpdpbusd.512` per accumulator (u8 x s8, 4 MACs per i32 lane;
  B panels interleave 4 consecutive k per lane).  A signed A is made unsigned by `a ^ 0x80`
  (= a + 128) and the tile starts from `C - 128 * colsum(B)`: exact in wrapping i32 arithmetic,
  like the reference; or
* `portable`: `C += sext(a) * ext(b)` on `vector<16xi32>`, for any LLVM target.

Constant B (a `memref.global`: dense elements or a `dense_resource` blob of the input text) is
packed at compile time with numpy, with the correction; otherwise B is packed on each call into a
scratch buffer (vector loads + shuffles).  When the op right before the GEMM fills C with a bias
broadcast along n or with zeros, the fill is erased and the kernel starts its accumulators from
the bias (zeros) instead of loading C.  `vnni` falls back to `portable` for an unsigned B.
GEMMs that do not fit (other widths, non-unit minor strides, accumulators other than i32) are
left to `convert-linalg-to-loops`.  The variant is chosen at compile time from /proc/cpuinfo
(`llvm_cpu.resolve_gemm`); the `.so` re-checks the CPU when called (`aot.py`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import numpy as np

from intvit.lowering.analysis.buffers import owner
from intvit.lowering.analysis.constants import constant_value, module_globals, resource_blobs  # noqa: F401 (re-export)
from intvit.lowering.analysis.gemm import Gemm, find_init, match_gemm
from intvit.lowering.analysis.transpose import fold_transposes
# `amx_ready`, `cpu_has_avx512_vnni`: the probes choosing a variant, importable from here too
from intvit.lowering.llvm_cpu.cpu_features import amx_ready  # noqa: F401
from intvit.lowering.llvm_cpu.cpu_features import has_avx512_vnni as cpu_has_avx512_vnni  # noqa: F401
from intvit.lowering.llvm_cpu.openmp import add_declarations, close_parallel_range, move_kernel, open_parallel_range

MR_VNNI, NR_VNNI = 6, 4  # 24 accumulators + 4 B panels + 1 A broadcast <= 32 zmm registers
MR_AMX, NR_AMX = 32, 2    # 2 x 2 C tiles + 2 A tiles + 2 B tiles = the 8 AMX tile registers
SCRATCH_T = "memref<32x32xi32>"
PARALLEL_MIN_MACS = 1 << 20  # below this (a few microseconds of work) a fork/join costs more
MR_PORTABLE, NR_PORTABLE = 4, 3
XOR80 = -2139062144  # 0x80808080 as i32



# --------------------------------------------------------------------------------------------
# packing
# --------------------------------------------------------------------------------------------


def pack_b(b: np.ndarray, b_nk: bool, ks: int) -> tuple[np.ndarray, np.ndarray]:
    """B ([k, n] or [n, k], int8) -> (panels [NB, KB, 16*ks] int8, 128*colsum [NB, 16] int32)."""
    bkn = b.T if b_nk else b
    k, n = bkn.shape
    nb, kb = -(-n // 16), -(-k // ks)
    pad = np.zeros((kb * ks, nb * 16), np.int8)
    pad[:k, :n] = bkn
    panels = pad.reshape(kb, ks, nb, 16).transpose(2, 0, 3, 1).reshape(nb, kb, 16 * ks)
    colsum = (pad.astype(np.int64).sum(axis=0) * 128) % (1 << 32)
    corr = colsum.astype(np.uint32).view(np.int32).reshape(nb, 16)
    return np.ascontiguousarray(panels), np.ascontiguousarray(corr)


# --------------------------------------------------------------------------------------------
# kernel text
# --------------------------------------------------------------------------------------------


def _strided(shape, strides, elem: str) -> str:
    dims = "x".join(str(d) for d in shape)
    return f"memref<{dims}x{elem}, strided<[{', '.join(map(str, strides))}], offset: ?>>"


class _Emitter:
    def __init__(self):
        self.lines: list[str] = []
        self.n = 0
        self.consts: dict[tuple, str] = {}
        self.indent = 1

    def fresh(self, hint: str = "v") -> str:
        self.n += 1
        return f"%{hint}_{self.n}"

    def emit(self, line: str) -> None:
        self.lines.append("  " * self.indent + line)

    def op(self, text: str, hint: str = "v") -> str:
        name = self.fresh(hint)
        self.emit(f"{name} = {text}")
        return name

    def idx(self, value: int) -> str:
        key = ("index", value)
        if key not in self.consts:
            self.consts[key] = f"%c{value}".replace("-", "m")
        return self.consts[key]

    def const(self, value, typ: str) -> str:
        key = (typ, value)
        if key not in self.consts:
            safe = re.sub(r"[^A-Za-z0-9]", "_", f"k_{typ}_{value}")
            self.consts[key] = f"%{safe}"
        return self.consts[key]

    def const_lines(self) -> list[str]:
        out = []
        for (typ, value), name in self.consts.items():
            if typ == "index":
                out.append(f"  {name} = arith.constant {value} : index")
            elif typ.startswith("vector"):
                out.append(f"  {name} = arith.constant dense<{value}> : {typ}")
            else:
                out.append(f"  {name} = arith.constant {value} : {typ}")
        return out

    def add(self, base: str, offset: int) -> str:
        return base if offset == 0 else self.op(f"arith.addi {base}, {self.idx(offset)} : index", "i")

    def mul(self, base: str, factor: int) -> str:
        return base if factor == 1 else self.op(f"arith.muli {base}, {self.idx(factor)} : index", "i")


@dataclass(frozen=True)
class Plan:
    """One kernel: the GEMM, the operand shapes, the variant and where C and B come from."""

    g: Gemm
    shapes: tuple            # (A, B, C) static shapes
    variant: str             # "amx" | "vnni" | "portable"
    prepacked: bool          # B panels (and the correction) passed in, packed at compile time
    init: str                # "c": accumulate onto C; "bias": C = bias[n] + A.B; "zero": C = A.B
    parallel: bool = False   # blocks (or batched items) split over threads (`openmp.open_parallel_range`)

    @property
    def ks(self) -> int:
        return 4 if self.variant in ("vnni", "amx") else 1

    @property
    def name(self) -> str:
        return f"__intvit_gemm_{self.variant}_{hashlib.sha1(repr(self).encode()).hexdigest()[:12]}"

    def arg_types(self) -> list[str]:
        g = self.g
        sa, sb, sc = self.shapes
        types = [_strided(sa, g.a_strides, "i8"), _strided(sb, g.b_strides, "i8"), _strided(sc, g.c_strides, "i32")]
        if self.init == "bias":
            types.append(f"memref<{g.n}xi32, strided<[1], offset: ?>>")
        if self.prepacked:
            nb, kb = -(-g.n // 16), -(-g.k // self.ks)
            types.append(f"memref<{nb}x{kb}x{16 * self.ks}xi8>")
            types.append(f"memref<{nb}x16xi32>")
        return types


def emit_amx_tiles(e, a: str, a_t: str, b: str, b_t: str, scr: str, m0: str, b_rows: list[str], a_rows: list[int],
                   widths: list[int], k: int) -> None:
    """C tiles (rows `a_rows` x `widths`) = A[m0.., :] . the B panels starting at `b_rows`, K
    unrolled in steps of 64 (a tile cannot be carried by an scf.for), stored to the scratch."""
    tiles = [[e.op(f"x86.amx.tile_zero : !x86.amx.tile<{r}x{w}xi32>", "ct") for w in widths] for r in a_rows]
    for kt in range(k // 64):
        a_tiles = [e.op(f"x86.amx.tile_load {a}[{e.add(m0, 16 * i)}, {e.idx(64 * kt)}] : {a_t} into "
                        f"!x86.amx.tile<{r}x64xi8>", "at") for i, r in enumerate(a_rows)]
        b_tiles = [e.op(f"x86.amx.tile_load {b}[{e.add(row, 16 * kt)}, {e.idx(0)}] : {b_t} into "
                        f"!x86.amx.tile<16x{4 * w}xi8>", "bt") for row, w in zip(b_rows, widths)]
        tiles = [[e.op(f"x86.amx.tile_muli {a_tiles[i]}, {b_tiles[j]}, {tiles[i][j]} : !x86.amx.tile<{r}x64xi8>, "
                       f"!x86.amx.tile<16x{4 * w}xi8>, !x86.amx.tile<{r}x{w}xi32>", "ct")
                  for j, w in enumerate(widths)] for i, r in enumerate(a_rows)]
    for i, r in enumerate(a_rows):
        for j, w in enumerate(widths):
            e.emit(f"x86.amx.tile_store {scr}[{e.idx(16 * i)}, {e.idx(16 * j)}], {tiles[i][j]} : {SCRATCH_T}, "
                   f"!x86.amx.tile<{r}x{w}xi32>")


def amx_tiles_text(a_t: str, b_t: str, a_rows: list[int], widths: list[int], k: int) -> tuple[str, str]:
    """(name, text) of `@name(A, Bp, scratch, m0, brow...)`: an AMX block of edge tiles in its
    own never-inlined function.  LLVM's tile register allocator runs out of the 8 tile
    registers when one function holds tiles of several shapes, so the kernel keeps only its
    full 32 x 32 blocks inline."""
    e = _Emitter()
    b_rows = [f"%brow{j}" for j in range(len(widths))]
    emit_amx_tiles(e, "%a", a_t, "%b", b_t, "%s", "%m0", b_rows, a_rows, widths, k)
    e.emit("return")
    params = ", ".join([f"%a: {a_t}", f"%b: {b_t}", f"%s: {SCRATCH_T}", "%m0: index"] +
                       [f"{b}: index" for b in b_rows])
    body = "\n".join([*e.const_lines(), *e.lines, "}"])
    name = f"__intvit_amx_{hashlib.sha1((params + body).encode()).hexdigest()[:16]}"
    return name, f"func.func private @{name}({params}) attributes {{llvm.no_inline}} {{\n{body}\n"


def kernel_text(plan: Plan, epilogue=None, name: str | None = None) -> str:
    """MLIR text of one kernel `func.func private @name(A, B, C[, bias][, Bp, corr])` on memrefs.

    With a fused `epilogue` (`gemm_epilogue.Epilogue`) C is not a parameter: the accumulators
    go through the consumer's body into its output, whose operands follow the others."""
    g, prepacked, init_kind = plan.g, plan.prepacked, plan.init
    amx = plan.variant == "amx"
    vnni = plan.variant in ("vnni", "amx")  # AMX B tiles use the VNNI panel layout
    ks = 4 if vnni else 1
    lanes = 16 * ks
    nb_all, kb_all = -(-g.n // 16), -(-g.k // ks)
    nb_full, n_rem = g.n // 16, g.n % 16
    kb_full, k_rem = g.k // ks, g.k % ks
    mr_max, nr_max = (MR_AMX, NR_AMX) if amx else (MR_VNNI, NR_VNNI) if vnni else (MR_PORTABLE, NR_PORTABLE)
    correct = plan.variant == "vnni" and not g.a_unsigned  # tdpbssd multiplies s8 x s8 itself
    nt_full = nb_full // nr_max
    mt_full, m_rem = g.m // mr_max, g.m % mr_max
    types = plan.arg_types()
    ta, tb, tc = types[:3]
    bias_t = types[3] if init_kind == "bias" else None
    bp_t = f"memref<{nb_all}x{kb_all}x{lanes}xi8>"
    corr_t = f"memref<{nb_all}x16xi32>"
    vb = f"vector<{lanes}xi8>"
    e = _Emitter()
    if epilogue is not None:
        epilogue.bind(e)

    # Batched GEMMs (attention heads) split (batch, row chunk) items over the threads, each item
    # packing its own B; others loop over the batch and split each GEMM's blocks.
    batches = 1
    for extent in g.batch:
        batches *= extent
    per_item = plan.parallel and batches > 1
    bp2_t = f"memref<{nb_all * kb_all}x{lanes}xi8>"
    bp = corr = bp2 = None

    def allocate_b() -> None:
        nonlocal bp, corr, bp2
        if prepacked:
            bp, corr = "%bp", "%corr"
        else:
            bp = e.op(f"memref.alloc() {{alignment = 64 : i64}} : {bp_t}", "bp")
            corr = e.op(f"memref.alloc() {{alignment = 64 : i64}} : {corr_t}", "corr") if correct else None
        bp2 = e.op(f"memref.collapse_shape {bp} [[0, 1], [2]] : {bp_t} into {bp2_t}", "bp2") if amx else None

    def free_b() -> None:
        if not prepacked:
            e.emit(f"memref.dealloc {bp} : {bp_t}")
            if correct:
                e.emit(f"memref.dealloc {corr} : {corr_t}")

    if not per_item or prepacked:
        allocate_b()
    # AMX tiles leave through a stack scratch: one at entry, one per thread in parallel regions
    # (an alloca in a loop body would grow the stack every iteration)
    scratch = [e.op(f"memref.alloca() {{alignment = 64 : i64}} : {SCRATCH_T}", "scr") if amx else None] * 2

    def thread_scratch() -> None:
        if amx:
            scratch[0] = e.op(f"memref.alloca() {{alignment = 64 : i64}} : {SCRATCH_T}", "scr")

    bidx: list[str] = []
    b_batch: list[str] = []
    if not per_item:
        for extent in g.batch:
            iv = e.fresh("b")
            e.emit(f"scf.for {iv} = {e.idx(0)} to {e.idx(extent)} step {e.idx(1)} {{")
            e.indent += 1
            bidx.append(iv)
        b_batch[:] = bidx if g.b_batched else []

    def b_index(k: str, n: str) -> str:
        return ", ".join([*b_batch, *((n, k) if g.b_nk else (k, n))])

    def zero_vec(typ: str) -> str:
        return e.const(0, typ)

    def load_i32(memref: str, mtype: str, at: str, mask: str | None, hint: str) -> str:
        """16 i32 lanes of a bias or of C (a partial panel: masked, zeros beyond it)."""
        if mask is None:
            return e.op(f"vector.load {memref}[{at}] : {mtype}, vector<16xi32>", hint)
        return e.op(f"vector.maskedload {memref}[{at}], {mask}, {zero_vec('vector<16xi32>')} : {mtype}, "
                    f"vector<16xi1>, vector<16xi32> into vector<16xi32>", hint)

    def store_c(value: str, at: str, mask: str | None) -> None:
        if mask is None:
            e.emit(f"vector.store {value}, %C[{at}] : {tc}, vector<16xi32>")
        else:
            e.emit(f"vector.maskedstore %C[{at}], {mask}, {value} : {tc}, vector<16xi1>, vector<16xi32>")

    def rest_chunks() -> list[tuple[int, list[int]]]:
        """(first panel, widths) of the panels after the full groups of `nr_max`."""
        rest = [16] * (nb_full - nt_full * nr_max) + ([n_rem] if n_rem else [])
        chunks = []
        while rest:
            chunk, rest = rest[:nr_max], rest[nr_max:]
            chunks.append((nb_all - len(chunk) - len(rest), chunk))
        return chunks

    # ---- runtime packing of B --------------------------------------------------------------
    def emit_packing() -> None:
        if prepacked:
            return

        def pack_block(nb: str, kb: str, n_valid: int, k_valid: int) -> None:
            """bp[nb, kb, :] from B rows kb*ks.. and columns nb*16.. (static validity counts)."""
            n0 = e.mul(nb, 16)
            k0 = e.mul(kb, ks)
            if not g.b_nk:
                rows = []
                mask = None
                if n_valid < 16:
                    mask = e.op(f"vector.constant_mask [{n_valid}] : vector<16xi1>", "mask")
                for r in range(ks):
                    if r >= k_valid:
                        rows.append(zero_vec("vector<16xi8>"))
                        continue
                    kr = e.add(k0, r)
                    if mask is None:
                        rows.append(e.op(f"vector.load %B[{b_index(kr, n0)}] : {tb}, vector<16xi8>", "row"))
                    else:
                        rows.append(e.op(f"vector.maskedload %B[{b_index(kr, n0)}], {mask}, "
                                         f"{zero_vec('vector<16xi8>')} : {tb}, vector<16xi1>, vector<16xi8> "
                                         f"into vector<16xi8>", "row"))
                if ks == 1:
                    panel = rows[0]
                else:
                    il = ", ".join(f"{j}, {16 + j}" for j in range(16))
                    p01 = e.op(f"vector.shuffle {rows[0]}, {rows[1]} [{il}] : vector<16xi8>, vector<16xi8>", "p")
                    p23 = e.op(f"vector.shuffle {rows[2]}, {rows[3]} [{il}] : vector<16xi8>, vector<16xi8>", "p")
                    il2 = ", ".join(f"{2 * j}, {2 * j + 1}, {32 + 2 * j}, {33 + 2 * j}" for j in range(16))
                    panel = e.op(f"vector.shuffle {p01}, {p23} [{il2}] : vector<32xi8>, vector<32xi8>", "p")
            else:
                # B[n, k]: one ks-byte group per column
                words = []
                for j in range(16):
                    if j >= n_valid:
                        words.append(e.const(0, "i32" if ks == 4 else "i8"))
                        continue
                    nj = e.add(n0, j)
                    if ks == 1:
                        words.append(e.op(f"memref.load %B[{b_index(k0, nj)}] : {tb}", "w"))
                    elif k_valid == ks:
                        v4 = e.op(f"vector.load %B[{b_index(k0, nj)}] : {tb}, vector<4xi8>", "w")
                        v1 = e.op(f"vector.bitcast {v4} : vector<4xi8> to vector<1xi32>", "w")
                        words.append(e.op(f"vector.extract {v1}[0] : i32 from vector<1xi32>", "w"))
                    else:
                        acc = e.const(0, "i32")
                        for r in range(k_valid):
                            kr = e.add(k0, r)
                            byte = e.op(f"memref.load %B[{b_index(kr, nj)}] : {tb}", "w")
                            wide = e.op(f"arith.extui {byte} : i8 to i32", "w")
                            if r:
                                wide = e.op(f"arith.shli {wide}, {e.const(8 * r, 'i32')} : i32", "w")
                            acc = e.op(f"arith.ori {acc}, {wide} : i32", "w")
                        words.append(acc)
                if ks == 1:
                    panel = e.op(f"vector.from_elements {', '.join(words)} : vector<16xi8>", "p")
                else:
                    v = e.op(f"vector.from_elements {', '.join(words)} : vector<16xi32>", "p")
                    panel = e.op(f"vector.bitcast {v} : vector<16xi32> to {vb}", "p")
            e.emit(f"vector.store {panel}, {bp}[{nb}, {kb}, {e.idx(0)}] : {bp_t}, {vb}")

        def pack_column(nb: str, n_valid: int) -> None:
            if kb_full:
                kb = e.fresh("kb")
                e.emit(f"scf.for {kb} = {e.idx(0)} to {e.idx(kb_full)} step {e.idx(1)} {{")
                e.indent += 1
                pack_block(nb, kb, n_valid, ks)
                e.indent -= 1
                e.emit("}")
            if k_rem:
                pack_block(nb, e.idx(kb_full), n_valid, k_rem)

        if nb_full:
            nb = e.fresh("nb")
            e.emit(f"scf.for {nb} = {e.idx(0)} to {e.idx(nb_full)} step {e.idx(1)} {{")
            e.indent += 1
            pack_column(nb, 16)
            e.indent -= 1
            e.emit("}")
        if n_rem:
            pack_column(e.idx(nb_full), n_rem)
        if correct:
            # corr[nb] = sum_kb vpdpbusd(0x80.., bp[nb, kb]) = 128 * colsum(B)
            nb = e.fresh("nb")
            e.emit(f"scf.for {nb} = {e.idx(0)} to {e.idx(nb_all)} step {e.idx(1)} {{")
            e.indent += 1
            kb, acc, res = e.fresh("kb"), e.fresh("acc"), e.fresh("cs")
            e.emit(f"{res} = scf.for {kb} = {e.idx(0)} to {e.idx(kb_all)} step {e.idx(1)} "
                   f"iter_args({acc} = {zero_vec('vector<16xi32>')}) -> (vector<16xi32>) {{")
            e.indent += 1
            pv = e.op(f"vector.load {bp}[{nb}, {kb}, {e.idx(0)}] : {bp_t}, {vb}", "p")
            nxt = e.op(f'llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"({acc}, '
                       f"{e.const(-128, 'vector<64xi8>')}, {pv}) : (vector<16xi32>, vector<64xi8>, "
                       f"vector<64xi8>) -> vector<16xi32>", "acc")
            e.emit(f"scf.yield {nxt} : vector<16xi32>")
            e.indent -= 1
            e.emit("}")
            e.emit(f"vector.store {res}, {corr}[{nb}, {e.idx(0)}] : {corr_t}, vector<16xi32>")
            e.indent -= 1
            e.emit("}")

    if not per_item:
        emit_packing()

    # ---- the register-blocked tile ---------------------------------------------------------
    def a_word(m: str, k0: str, k_valid: int) -> str:
        """vnni: the 4 A bytes at [m, k0..k0+4) as u8 lanes, broadcast to vector<64xi8>."""
        if k_valid == 4:
            v4 = e.op(f"vector.load %A[{', '.join([*bidx, m, k0])}] : {ta}, vector<4xi8>", "a")
            v1 = e.op(f"vector.bitcast {v4} : vector<4xi8> to vector<1xi32>", "a")
            word = e.op(f"vector.extract {v1}[0] : i32 from vector<1xi32>", "a")
        else:
            word = e.const(0, "i32")
            for r in range(k_valid):
                kr = e.add(k0, r)
                byte = e.op(f"memref.load %A[{', '.join([*bidx, m, kr])}] : {ta}", "a")
                wide = e.op(f"arith.extui {byte} : i8 to i32", "a")
                if r:
                    wide = e.op(f"arith.shli {wide}, {e.const(8 * r, 'i32')} : i32", "a")
                word = e.op(f"arith.ori {word}, {wide} : i32", "a")
        if correct:
            word = e.op(f"arith.xori {word}, {e.const(XOR80, 'i32')} : i32", "a")
        splat = e.op(f"vector.broadcast {word} : i32 to vector<16xi32>", "a")
        return e.op(f"vector.bitcast {splat} : vector<16xi32> to vector<64xi8>", "a")

    def a_scalar(m: str, k: str) -> str:
        """portable: A[m, k] extended to i32 and broadcast."""
        byte = e.op(f"memref.load %A[{', '.join([*bidx, m, k])}] : {ta}", "a")
        wide = e.op(f"arith.{'extui' if g.a_unsigned else 'extsi'} {byte} : i8 to i32", "a")
        return e.op(f"vector.broadcast {wide} : i32 to vector<16xi32>", "a")

    def step(accs: list[list[str]], rows: list[str], blocks: list[str], kb: str, k_valid: int) -> list[list[str]]:
        panels = [e.op(f"vector.load {bp}[{nbj}, {kb}, {e.idx(0)}] : {bp_t}, {vb}", "bv") for nbj in blocks]
        if not vnni:
            ext = "extui" if g.b_unsigned else "extsi"
            panels = [e.op(f"arith.{ext} {p} : vector<16xi8> to vector<16xi32>", "bv") for p in panels]
        out = []
        k0 = e.mul(kb, ks)
        for i, m in enumerate(rows):
            a = a_word(m, k0, k_valid) if vnni else a_scalar(m, kb)
            row = []
            for j, p in enumerate(panels):
                if vnni:
                    row.append(e.op(f'llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"({accs[i][j]}, {a}, {p}) : '
                                    f"(vector<16xi32>, vector<64xi8>, vector<64xi8>) -> vector<16xi32>", "acc"))
                else:
                    prod = e.op(f"arith.muli {a}, {p} : vector<16xi32>", "pr")
                    row.append(e.op(f"arith.addi {accs[i][j]}, {prod} : vector<16xi32>", "acc"))
            out.append(row)
        return out

    def tile(m0: str, mr: int, nb0: str, widths: list[int]) -> None:
        if amx:
            amx_tile(m0, mr, nb0, widths)
            return
        rows = [e.add(m0, i) for i in range(mr)]
        blocks = [e.add(nb0, j) for j in range(len(widths))]
        cols = [e.mul(b, 16) for b in blocks]
        masks = [None if w == 16 else e.op(f"vector.constant_mask [{w}] : vector<16xi1>", "mask") for w in widths]
        corr_v = []
        if correct:
            corr_v = [e.op(f"vector.load {corr}[{b}, {e.idx(0)}] : {corr_t}, vector<16xi32>", "cv") for b in blocks]
        if init_kind == "bias":
            bias_v = [load_i32("%bias", bias_t, n, mask, "bi") for n, mask in zip(cols, masks)]
            if correct:
                bias_v = [e.op(f"arith.subi {v}, {c} : vector<16xi32>", "bi") for v, c in zip(bias_v, corr_v)]
            init = [list(bias_v) for _ in rows]
        elif init_kind == "zero":
            init = [[e.op(f"arith.subi {zero_vec('vector<16xi32>')}, {c} : vector<16xi32>", "bi") for c in corr_v]
                    if correct else [zero_vec("vector<16xi32>")] * len(cols) for _ in rows]
        else:
            init = []
            for m in rows:
                row = []
                for j, (n, mask) in enumerate(zip(cols, masks)):
                    v = load_i32("%C", tc, ", ".join([*bidx, m, n]), mask, "c")
                    if correct:
                        v = e.op(f"arith.subi {v}, {corr_v[j]} : vector<16xi32>", "c")
                    row.append(v)
                init.append(row)
        flat = [v for row in init for v in row]
        count = len(flat)
        vt = ", ".join(["vector<16xi32>"] * count)
        if kb_full:
            kb, res = e.fresh("kb"), e.fresh("r")
            iters = [[e.fresh("acc") for _ in widths] for _ in rows]
            args = ", ".join(f"{it} = {v}" for it, v in zip([x for r in iters for x in r], flat))
            e.emit(f"{res}:{count} = scf.for {kb} = {e.idx(0)} to {e.idx(kb_full)} step {e.idx(1)} "
                   f"iter_args({args}) -> ({vt}) {{")
            e.indent += 1
            nxt = step(iters, rows, blocks, kb, ks)
            e.emit(f"scf.yield {', '.join(x for r in nxt for x in r)} : {vt}")
            e.indent -= 1
            e.emit("}")
            accs = [[f"{res}#{i * len(widths) + j}" for j in range(len(widths))] for i in range(len(rows))]
        else:
            accs = init
        if k_rem:
            accs = step(accs, rows, blocks, e.idx(kb_full), k_rem)
        if epilogue is not None:
            epilogue.columns(bidx, cols, masks)
            for i, m in enumerate(rows):
                for j, (n, mask) in enumerate(zip(cols, masks)):
                    epilogue.store(accs[i][j], bidx, m, j, n, mask)
            return
        for i, m in enumerate(rows):
            for j, (n, mask) in enumerate(zip(cols, masks)):
                store_c(accs[i][j], ", ".join([*bidx, m, n]), mask)

    def amx_tile(m0: str, mr: int, nb0: str, widths: list[int]) -> None:
        """C = A.B for up to 32 rows x 2 panels with AMX tiles (tdpbssd, s8 x s8) into a stack
        scratch, then a loop over its rows adds the init (bias, or C) and runs the store or
        the fused epilogue on each row's vector<16xi32> panels, as the VNNI path does for its
        registers (a loop, not 32 unrolled copies: the kernels stay small for LLVM)."""
        a_rows = [16] * (mr // 16) + ([mr % 16] if mr % 16 else [])
        blocks = [e.add(nb0, j) for j in range(len(widths))]
        cols = [e.mul(b, 16) for b in blocks]
        masks = [None if w == 16 else e.op(f"vector.constant_mask [{w}] : vector<16xi1>", "mask") for w in widths]
        scr, scr_t = scratch[0], SCRATCH_T
        sa = g.a_strides
        a2_t = f"memref<{g.m}x{g.k}xi8, strided<[{sa[-2]}, 1], offset: ?>>"
        if bidx:
            offs = ", ".join([*bidx, "0", "0"])
            a2 = e.op(f"memref.subview %A[{offs}] [{', '.join(['1'] * len(bidx))}, {g.m}, {g.k}] "
                      f"[{', '.join(['1'] * (len(bidx) + 2))}] : {ta} to {a2_t}", "a2")
        else:
            a2, a2_t = "%A", ta
        b_rows = [e.mul(b, kb_all) for b in blocks]
        if a_rows == [16, 16] and widths == [16, 16]:  # the common block: inline, one tile shape
            emit_amx_tiles(e, a2, a2_t, bp2, bp2_t, scr, m0, b_rows, a_rows, widths, g.k)
        else:
            helper = amx_tiles_text(a2_t, bp2_t, a_rows, widths, g.k)
            helpers[helper[0]] = helper[1]
            args = ", ".join([a2, bp2, scr, m0, *b_rows])
            types = ", ".join([a2_t, bp2_t, scr_t] + ["index"] * (1 + len(b_rows)))
            e.emit(f"func.call @{helper[0]}({args}) : ({types}) -> ()")
        bias_v = [load_i32("%bias", bias_t, n, mask, "bi") for n, mask in zip(cols, masks)] \
            if init_kind == "bias" else []
        if epilogue is not None:
            epilogue.columns(bidx, cols, masks)
        r = e.fresh("row")
        e.emit(f"scf.for {r} = {e.idx(0)} to {e.idx(mr)} step {e.idx(1)} {{")
        e.indent += 1
        m = e.op(f"arith.addi {m0}, {r} : index", "m")
        for j, (n, mask) in enumerate(zip(cols, masks)):
            v = e.op(f"vector.load {scr}[{r}, {e.idx(16 * j)}] : {scr_t}, vector<16xi32>", "cv")
            at = ", ".join([*bidx, m, n])
            if init_kind == "bias":
                v = e.op(f"arith.addi {v}, {bias_v[j]} : vector<16xi32>", "cv")
            elif init_kind == "c":
                v = e.op(f"arith.addi {v}, {load_i32('%C', tc, at, mask, 'c')} : vector<16xi32>", "cv")
            if epilogue is not None:
                epilogue.store(v, bidx, m, j, n, mask)
            else:
                store_c(v, at, mask)
        e.indent -= 1
        e.emit("}")

    helpers: dict[str, str] = {}

    def row_sweep(nb0: str, widths: list[int]) -> None:
        if mt_full:
            mt = e.fresh("mt")
            e.emit(f"scf.for {mt} = {e.idx(0)} to {e.idx(mt_full)} step {e.idx(1)} {{")
            e.indent += 1
            tile(e.mul(mt, mr_max), mr_max, nb0, widths)
            e.indent -= 1
            e.emit("}")
        if m_rem:
            tile(e.idx(mt_full * mr_max), m_rem, nb0, widths)

    def col_sweep(m0: str, mr: int) -> None:
        """One row tile across every panel group."""
        if nt_full:
            nt = e.fresh("nt")
            e.emit(f"scf.for {nt} = {e.idx(0)} to {e.idx(nt_full)} step {e.idx(1)} {{")
            e.indent += 1
            tile(m0, mr, e.mul(nt, nr_max), [16] * nr_max)
            e.indent -= 1
            e.emit("}")
        for start, chunk in rest_chunks():
            tile(m0, mr, e.idx(start), chunk)

    def emit_items() -> None:
        """Items (batch..., row chunk): a contiguous share of them per thread; each item packs
        its batch's B (small: these are the attention GEMMs) and sweeps its row tiles."""
        tiles_m = mt_full + (1 if m_rem else 0)
        chunks = max(1, min(tiles_m, -(-4 // batches)))  # at least 4 items, for load balance
        ivs = open_parallel_range(e, [*g.batch, chunks], prologue=thread_scratch)
        bidx[:] = ivs[:-1]
        b_batch[:] = bidx if g.b_batched else []
        if not prepacked:
            allocate_b()
        emit_packing()
        c = ivs[-1]
        lo = e.op(f"arith.divui {e.mul(c, tiles_m)}, {e.idx(chunks)} : index", "lo")
        hi = e.op(f"arith.divui {e.mul(e.add(c, 1), tiles_m)}, {e.idx(chunks)} : index", "hi")
        mt = e.fresh("mt")
        e.emit(f"scf.for {mt} = {lo} to {hi} step {e.idx(1)} {{")
        e.indent += 1
        if m_rem and mt_full:
            full = e.op(f"arith.cmpi ult, {mt}, {e.idx(mt_full)} : index", "full")
            e.emit(f"scf.if {full} {{")
            e.indent += 1
            col_sweep(e.mul(mt, mr_max), mr_max)
            e.indent -= 1
            e.emit("} else {")
            e.indent += 1
            col_sweep(e.idx(mt_full * mr_max), m_rem)
            e.indent -= 1
            e.emit("}")
        else:
            col_sweep(e.mul(mt, mr_max), mr_max if mt_full else m_rem)
        e.indent -= 1
        e.emit("}")
        if not prepacked:
            free_b()
        close_parallel_range(e)
        scratch[0] = scratch[1]

    if per_item:
        emit_items()
    elif nt_full and plan.parallel and nt_full * mt_full > 1:
        # Blocks write disjoint C tiles and only read A and the packed B: each thread takes one
        # contiguous share of the (panel group, row tile) blocks, panel-major, so that it keeps
        # its B panels in cache while it sweeps the rows.
        if mt_full:
            nt, mt = open_parallel_range(e, [nt_full, mt_full], prologue=thread_scratch)
            tile(e.mul(mt, mr_max), mr_max, e.mul(nt, nr_max), [16] * nr_max)
            close_parallel_range(e)
            scratch[0] = scratch[1]
        if m_rem:
            (nt,) = open_parallel_range(e, [nt_full], prologue=thread_scratch)
            tile(e.idx(mt_full * mr_max), m_rem, e.mul(nt, nr_max), [16] * nr_max)
            close_parallel_range(e)
            scratch[0] = scratch[1]
    elif nt_full:
        nt = e.fresh("nt")
        e.emit(f"scf.for {nt} = {e.idx(0)} to {e.idx(nt_full)} step {e.idx(1)} {{")
        e.indent += 1
        row_sweep(e.mul(nt, nr_max), [16] * nr_max)
        e.indent -= 1
        e.emit("}")
    if not per_item:
        for start, chunk in rest_chunks():
            row_sweep(e.idx(start), chunk)
        for _ in bidx:
            e.indent -= 1
            e.emit("}")
    if not per_item:
        free_b()
    e.emit("return")

    params = [f"%A: {ta}", f"%B: {tb}"] + ([] if epilogue is not None else [f"%C: {tc}"])
    if init_kind == "bias":
        params.append(f"%bias: {bias_t}")
    if prepacked:
        params += [f"%bp: {bp_t}", f"%corr: {corr_t}"]
    preamble = []
    if epilogue is not None:
        params += epilogue.params()
        preamble = epilogue.tr.preamble
    head = f"func.func private @{name or plan.name}({', '.join(params)}) {{"
    return "\n".join([head, *e.const_lines(), *preamble, *e.lines, "}", *helpers.values()]) + "\n"


# --------------------------------------------------------------------------------------------
# the rewrite
# --------------------------------------------------------------------------------------------

def kernel_variant(variant: str, g: Gemm) -> str:
    """The variant one GEMM gets: AMX takes s8 x s8 with K a multiple of 64 (a tile row), VNNI
    takes an unsigned or signed A but a signed B; the rest falls back a step."""
    if variant == "amx" and (g.a_unsigned or g.b_unsigned or g.k % 64):
        variant = "vnni"
    if variant == "vnni" and g.b_unsigned:
        variant = "portable"
    return variant


def rewrite_gemms(module, variant: str, blobs: dict[str, bytes], fuse_init: bool = True,
                  parallel: bool = False, fuse_epilogue: bool = True) -> list[dict]:
    """Replace every matching GEMM `linalg.generic` (memref form) with a kernel call, in place.
    `parallel`: kernels split their blocks over threads (`scf.parallel`, for OpenMP).
    `fuse_epilogue`: the elementwise consumer of the accumulator runs inside the kernel
    (`gemm_epilogue`).

    Returns one record per GEMM (shape, variant, B packed at compile time, fused init and
    epilogue)."""
    from torch_mlir import ir

    from intvit.lowering.llvm_cpu.ewise_kernels import Unsupported
    from intvit.lowering.llvm_cpu.gemm_epilogue import find_epilogue

    fold_transposes(module)
    found = []

    def visit(op):
        if op.name == "linalg.generic":
            g = match_gemm(op)
            if g is not None:
                found.append((op, g))
        return ir.WalkResult.ADVANCE

    module.operation.walk(visit)
    if not found:
        return []
    kernels: set[str] = set()
    packed: dict[tuple, tuple[str, str]] = {}
    globals_ = module_globals(module)
    records = []
    first = list(module.body.operations)[0]
    for op, g in found:
        kind = kernel_variant(variant, g)
        a, b, c = list(op.operands)
        shapes = tuple(tuple(ir.MemRefType(v.type).shape) for v in (a, b, c))
        const_b = None if g.b_batched else constant_value(globals_, b, blobs)
        init, init_op, bias = find_init(op, c) if fuse_init else ("c", None, None)
        macs = g.m * g.n * g.k
        for extent in g.batch:
            macs *= extent
        plan = Plan(g, shapes, kind, const_b is not None, init, parallel and macs >= PARALLEL_MIN_MACS)
        types = [ir.Type.parse(t) for t in plan.arg_types()]
        epi = find_epilogue(op, c, init_op) if fuse_epilogue and init != "c" else None
        name = plan.name
        if epi is not None:
            try:
                text = kernel_text(plan, epi, name="KERNEL")
            except Unsupported:  # a consumer body the translator does not know stays a kernel of its own
                epi = None
        if epi is None:
            text = kernel_text(plan) if name not in kernels else None
        else:
            name = f"{plan.name}_ep_{hashlib.sha1(text.encode()).hexdigest()[:12]}"
            text = text.replace("@KERNEL(", f"@{name}(", 1)
            del types[2]  # no C parameter
        with ir.InsertionPoint(op if epi is None else epi.op), op.location:
            if name not in kernels:
                move_kernel(text, first)
                kernels.add(name)
            values = [a, b] + ([c] if epi is None else []) + ([bias] if init == "bias" else [])
            operands = [v if v.type == t else ir.Operation.create("memref.cast", results=[t], operands=[v]).result
                        for v, t in zip(values, types)]
            if plan.prepacked:
                key = (str(owner(b).attributes["name"]), kind, g.b_nk)
                if key not in packed:
                    panels, corr = pack_b(const_b, g.b_nk, plan.ks)
                    base = f"__intvit_packed_{len(packed)}"
                    names = (f"{base}_bp", f"{base}_corr")
                    gtext = "\n".join(f'memref.global "private" constant @{n} : {t} = dense<0> {{alignment = 64 : i64}}'
                                      for n, t in zip(names, types[-2:]))
                    gmod = ir.Module.parse(gtext)
                    for gop, arr in zip(list(gmod.body.operations), (panels, corr)):
                        gop.attributes["initial_value"] = ir.DenseElementsAttr.get(arr)
                        gop.operation.move_before(first)
                    packed[key] = names
                for sym, t in zip(packed[key], types[-2:]):
                    operands.append(ir.Operation.create("memref.get_global", results=[t], attributes={
                        "name": ir.FlatSymbolRefAttr.get(sym)}).result)
            if epi is not None:
                operands += epi.operands
            ir.Operation.create("func.call", results=[], operands=operands,
                                attributes={"callee": ir.FlatSymbolRefAttr.get(name)})
        if epi is not None:
            epi.op.erase()
        op.erase()
        if init_op is not None:
            init_op.erase()
        records.append({"batch": list(g.batch), "m": g.m, "n": g.n, "k": g.k, "variant": kind,
                        "prepacked": plan.prepacked, "init": init, "kernel": name, "epilogue": epi is not None,
                        "b_nk": g.b_nk, "a_unsigned": g.a_unsigned, "b_unsigned": g.b_unsigned,
                        "b_batched": g.b_batched})
    if parallel:
        add_declarations(module)
    return records
