"""The text of one register-blocked GEMM kernel (`kernel_text`), for `gemm_kernels.rewrite_gemms`.

A kernel `@name(A, B, C[, bias][, Bp, corr])` computes `C = init + A . B` for one `Plan`:

* **B packing** (`pack_b`): B -> 16-column panels `bp[nb, kb, 16 * ks]` (ks = 4 consecutive k
  per i32 lane for `vnni`/`amx`, 1 for `portable`), and for `vnni` with a signed A the
  correction `corr[nb] = 128 * colsum(B)`.  Skipped when the panels were packed at compile time
  (`prepacked`: they are parameters);
* **the sweep** (`sweep`, `thread_items`): (panel group, row tile) blocks, split over threads
  (`openmp.open_parallel_range`) when the plan is parallel;
* **a register tile** (`register_tile`): MR x NR accumulators start from C, the bias or zero,
  stay in registers across **the K loop** (`k_loop`), one **tile product** per step
  (`vnni_products`: `vpdpbusd`; `portable_products`: i32 multiply-add), then go to C or through
  **the fused epilogue** (`write_out`);
* **an AMX block** (`amx_block`): 32 x 32 of C from `tdpbssd` tiles (`emit_amx_tiles`) into a
  stack scratch, then a loop over its rows adds the init and runs the same store or epilogue.

Text is written with `kernel_builder.Emitter`; the ops are upstream (`x86.amx.*`,
`llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"`), so any host parses and verifies any
variant; only running it needs the unit.
"""

from __future__ import annotations

import hashlib
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from intvit.lowering.llvm_cpu.kernel_builder import Emitter, strided_memref
from intvit.lowering.llvm_cpu.openmp import close_parallel_range, open_parallel_range

__all__ = ["Plan", "kernel_text", "emit_amx_tiles", "amx_tiles_text", "MR_VNNI", "NR_VNNI", "MR_AMX", "NR_AMX",
           "MR_PORTABLE", "NR_PORTABLE", "SCRATCH_T"]

MR_VNNI, NR_VNNI = 6, 4  # 24 accumulators + 4 B panels + 1 A broadcast <= 32 zmm registers
MR_AMX, NR_AMX = 32, 2    # 2 x 2 C tiles + 2 A tiles + 2 B tiles = the 8 AMX tile registers
MR_PORTABLE, NR_PORTABLE = 4, 3
SCRATCH_T = "memref<32x32xi32>"
XOR80 = -2139062144  # 0x80808080 as i32
V32 = "vector<16xi32>"
VPDPBUSD = '"llvm.x86.avx512.vpdpbusd.512"'


@dataclass(frozen=True)
class Plan:
    """One kernel: the GEMM, the operand shapes, the variant and where C and B come from."""

    g: object                # analysis.gemm.Gemm
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
        types = [strided_memref(sa, g.a_strides, "i8"), strided_memref(sb, g.b_strides, "i8"),
                 strided_memref(sc, g.c_strides, "i32")]
        if self.init == "bias":
            types.append(f"memref<{g.n}xi32, strided<[1], offset: ?>>")
        if self.prepacked:
            nb, kb = -(-g.n // 16), -(-g.k // self.ks)
            types.append(f"memref<{nb}x{kb}x{16 * self.ks}xi8>")
            types.append(f"memref<{nb}x16xi32>")
        return types


def kernel_text(plan: Plan, epilogue=None, name: str | None = None) -> str:
    """MLIR text of one kernel `func.func private @name(A, B, C[, bias][, Bp, corr])` on memrefs.

    With a fused `epilogue` (`gemm_epilogue.Epilogue`) C is not a parameter: the accumulators
    go through the consumer's body into its output, whose operands follow the others."""
    return GemmKernel(plan, epilogue).text(name or plan.name)


# --------------------------------------------------------------------------------------------
# AMX tiles
# --------------------------------------------------------------------------------------------


def emit_amx_tiles(e: Emitter, a: str, a_t: str, b: str, b_t: str, scr: str, m0: str, b_rows: list[str],
                   a_rows: list[int], widths: list[int], k: int) -> None:
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
    e = Emitter()
    b_rows = [f"%brow{j}" for j in range(len(widths))]
    emit_amx_tiles(e, "%a", a_t, "%b", b_t, "%s", "%m0", b_rows, a_rows, widths, k)
    e.emit("return")
    params = ", ".join([f"%a: {a_t}", f"%b: {b_t}", f"%s: {SCRATCH_T}", "%m0: index"] +
                       [f"{b}: index" for b in b_rows])
    body = "\n".join([*e.const_lines(), *e.lines, "}"])
    name = f"__intvit_amx_{hashlib.sha1((params + body).encode()).hexdigest()[:16]}"
    return name, f"func.func private @{name}({params}) attributes {{llvm.no_inline}} {{\n{body}\n"


# --------------------------------------------------------------------------------------------
# the kernel
# --------------------------------------------------------------------------------------------


class GemmKernel:
    """The emission state of one kernel: the plan's sizes, the emitter, the packed-B buffers,
    the batch indices in scope and the AMX scratch in scope."""

    def __init__(self, plan: Plan, epilogue=None):
        g = self.g = plan.g
        self.plan, self.epilogue = plan, epilogue
        self.amx = plan.variant == "amx"
        self.vnni = plan.variant in ("vnni", "amx")  # AMX B tiles use the VNNI panel layout
        self.ks = ks = 4 if self.vnni else 1
        self.nb_all, self.kb_all = -(-g.n // 16), -(-g.k // ks)
        self.nb_full, self.n_rem = g.n // 16, g.n % 16
        self.kb_full, self.k_rem = g.k // ks, g.k % ks
        self.mr_max, self.nr_max = (MR_AMX, NR_AMX) if self.amx else (MR_VNNI, NR_VNNI) if self.vnni \
            else (MR_PORTABLE, NR_PORTABLE)
        self.correct = plan.variant == "vnni" and not g.a_unsigned  # tdpbssd multiplies s8 x s8 itself
        self.nt_full = self.nb_full // self.nr_max
        self.mt_full, self.m_rem = g.m // self.mr_max, g.m % self.mr_max
        types = plan.arg_types()
        self.ta, self.tb, self.tc = types[:3]
        self.bias_t = types[3] if plan.init == "bias" else None
        self.bp_t = f"memref<{self.nb_all}x{self.kb_all}x{16 * ks}xi8>"
        self.bp2_t = f"memref<{self.nb_all * self.kb_all}x{16 * ks}xi8>"
        self.corr_t = f"memref<{self.nb_all}x16xi32>"
        self.vb = f"vector<{16 * ks}xi8>"
        self.e = Emitter()
        if epilogue is not None:
            epilogue.bind(self.e)
        batches = 1
        for extent in g.batch:
            batches *= extent
        # Batched GEMMs (attention heads) split (batch, row chunk) items over the threads, each
        # item packing its own B; others loop over the batch and split each GEMM's blocks.
        self.batches, self.per_item = batches, plan.parallel and batches > 1
        self.bp = self.corr = self.bp2 = None
        self.bidx: list[str] = []     # batch indices in scope
        self.b_batch: list[str] = []  # the part of them that indexes B
        self.scratch = self.entry_scratch = None
        self.helpers: dict[str, str] = {}

    # ---- the function ----------------------------------------------------------------------
    def text(self, name: str) -> str:
        e, plan = self.e, self.plan
        if not self.per_item or plan.prepacked:
            self.allocate_b()
        # AMX tiles leave through a stack scratch: one at entry, one per thread in parallel regions
        # (an alloca in a loop body would grow the stack every iteration)
        self.scratch = self.entry_scratch = self.alloca_scratch() if self.amx else None
        if self.per_item:
            self.thread_items()
        else:
            with ExitStack() as loops:
                self.bidx = [loops.enter_context(e.for_loop(extent, "b")) for extent in self.g.batch]
                self.b_batch = self.bidx if self.g.b_batched else []
                self.pack_b()
                self.sweep()
            self.free_b()
        e.emit("return")
        params = [f"%A: {self.ta}", f"%B: {self.tb}"] + ([] if self.epilogue is not None else [f"%C: {self.tc}"])
        if plan.init == "bias":
            params.append(f"%bias: {self.bias_t}")
        if plan.prepacked:
            params += [f"%bp: {self.bp_t}", f"%corr: {self.corr_t}"]
        preamble = []
        if self.epilogue is not None:
            params += self.epilogue.params()
            preamble = self.epilogue.tr.preamble
        head = f"func.func private @{name}({', '.join(params)}) {{"
        return "\n".join([*e.function(head, preamble), *self.helpers.values()]) + "\n"

    def alloca_scratch(self) -> str:
        return self.e.op(f"memref.alloca() {{alignment = 64 : i64}} : {SCRATCH_T}", "scr")

    def thread_scratch(self) -> None:
        if self.amx:
            self.scratch = self.alloca_scratch()

    @contextmanager
    def threads(self, extents: list[int]):
        """A parallel region over `extents` (each thread a contiguous share); yields the indices."""
        ivs = open_parallel_range(self.e, extents, prologue=self.thread_scratch)
        yield ivs
        close_parallel_range(self.e)
        self.scratch = self.entry_scratch

    # ---- thread split ----------------------------------------------------------------------
    def rest_chunks(self) -> list[tuple[int, list[int]]]:
        """(first panel, widths) of the panels after the full groups of `nr_max`."""
        rest = [16] * (self.nb_full - self.nt_full * self.nr_max) + ([self.n_rem] if self.n_rem else [])
        chunks = []
        while rest:
            chunk, rest = rest[:self.nr_max], rest[self.nr_max:]
            chunks.append((self.nb_all - len(chunk) - len(rest), chunk))
        return chunks

    def sweep(self) -> None:
        """Every block of one GEMM (one batch item), threaded when the plan says so."""
        e, mr, nr, full = self.e, self.mr_max, self.nr_max, [16] * self.nr_max
        if self.nt_full and self.plan.parallel and self.nt_full * self.mt_full > 1:
            # Blocks write disjoint C tiles and only read A and the packed B: each thread takes one
            # contiguous share of the (panel group, row tile) blocks, panel-major, so that it keeps
            # its B panels in cache while it sweeps the rows.
            if self.mt_full:
                with self.threads([self.nt_full, self.mt_full]) as (nt, mt):
                    self.tile(e.mul(mt, mr), mr, e.mul(nt, nr), full)
            if self.m_rem:
                with self.threads([self.nt_full]) as (nt,):
                    self.tile(e.idx(self.mt_full * mr), self.m_rem, e.mul(nt, nr), full)
        elif self.nt_full:
            with e.for_loop(self.nt_full, "nt") as nt:
                self.row_sweep(e.mul(nt, nr), full)
        for start, chunk in self.rest_chunks():
            self.row_sweep(e.idx(start), chunk)

    def row_sweep(self, nb0: str, widths: list[int]) -> None:
        """One panel group down every row tile."""
        e, mr = self.e, self.mr_max
        if self.mt_full:
            with e.for_loop(self.mt_full, "mt") as mt:
                self.tile(e.mul(mt, mr), mr, nb0, widths)
        if self.m_rem:
            self.tile(e.idx(self.mt_full * mr), self.m_rem, nb0, widths)

    def col_sweep(self, m0: str, mr: int) -> None:
        """One row tile across every panel group."""
        e = self.e
        if self.nt_full:
            with e.for_loop(self.nt_full, "nt") as nt:
                self.tile(m0, mr, e.mul(nt, self.nr_max), [16] * self.nr_max)
        for start, chunk in self.rest_chunks():
            self.tile(m0, mr, e.idx(start), chunk)

    def thread_items(self) -> None:
        """Items (batch..., row chunk): a contiguous share of them per thread; each item packs
        its batch's B (small: these are the attention GEMMs) and sweeps its row tiles."""
        e, g, mr = self.e, self.g, self.mr_max
        tiles_m = self.mt_full + (1 if self.m_rem else 0)
        chunks = max(1, min(tiles_m, -(-4 // self.batches)))  # at least 4 items, for load balance
        with self.threads([*g.batch, chunks]) as ivs:
            self.bidx = ivs[:-1]
            self.b_batch = self.bidx if g.b_batched else []
            if not self.plan.prepacked:
                self.allocate_b()
            self.pack_b()
            c = ivs[-1]
            lo = e.op(f"arith.divui {e.mul(c, tiles_m)}, {e.idx(chunks)} : index", "lo")
            hi = e.op(f"arith.divui {e.mul(e.add(c, 1), tiles_m)}, {e.idx(chunks)} : index", "hi")
            with e.for_loop(hi, "mt", lower=lo) as mt:
                if self.m_rem and self.mt_full:
                    full = e.op(f"arith.cmpi ult, {mt}, {e.idx(self.mt_full)} : index", "full")
                    e.if_else(full, lambda: self.col_sweep(e.mul(mt, mr), mr),
                              lambda: self.col_sweep(e.idx(self.mt_full * mr), self.m_rem))
                else:
                    self.col_sweep(e.mul(mt, mr), mr if self.mt_full else self.m_rem)
            if not self.plan.prepacked:
                self.free_b()

    # ---- B packing -------------------------------------------------------------------------
    def allocate_b(self) -> None:
        e = self.e
        if self.plan.prepacked:
            self.bp, self.corr = "%bp", "%corr"
        else:
            self.bp = e.op(f"memref.alloc() {{alignment = 64 : i64}} : {self.bp_t}", "bp")
            self.corr = e.op(f"memref.alloc() {{alignment = 64 : i64}} : {self.corr_t}", "corr") \
                if self.correct else None
        self.bp2 = e.op(f"memref.collapse_shape {self.bp} [[0, 1], [2]] : {self.bp_t} into {self.bp2_t}", "bp2") \
            if self.amx else None

    def free_b(self) -> None:
        if not self.plan.prepacked:
            self.e.emit(f"memref.dealloc {self.bp} : {self.bp_t}")
            if self.correct:
                self.e.emit(f"memref.dealloc {self.corr} : {self.corr_t}")

    def b_index(self, k: str, n: str) -> str:
        return ", ".join([*self.b_batch, *((n, k) if self.g.b_nk else (k, n))])

    def pack_b(self) -> None:
        """B -> the panels (and the VNNI correction), unless packed at compile time."""
        if self.plan.prepacked:
            return
        e = self.e
        if self.nb_full:
            with e.for_loop(self.nb_full, "nb") as nb:
                self.pack_column(nb, 16)
        if self.n_rem:
            self.pack_column(e.idx(self.nb_full), self.n_rem)
        if self.correct:
            self.pack_correction()

    def pack_column(self, nb: str, n_valid: int) -> None:
        e = self.e
        if self.kb_full:
            with e.for_loop(self.kb_full, "kb") as kb:
                self.pack_block(nb, kb, n_valid, self.ks)
        if self.k_rem:
            self.pack_block(nb, e.idx(self.kb_full), n_valid, self.k_rem)

    def pack_block(self, nb: str, kb: str, n_valid: int, k_valid: int) -> None:
        """bp[nb, kb, :] from B rows kb*ks.. and columns nb*16.. (static validity counts)."""
        e = self.e
        n0 = e.mul(nb, 16)
        k0 = e.mul(kb, self.ks)
        panel = self.panel_nk(n0, k0, n_valid, k_valid) if self.g.b_nk else self.panel_kn(n0, k0, n_valid, k_valid)
        e.emit(f"vector.store {panel}, {self.bp}[{nb}, {kb}, {e.idx(0)}] : {self.bp_t}, {self.vb}")

    def panel_kn(self, n0: str, k0: str, n_valid: int, k_valid: int) -> str:
        """B[k, n]: ks rows of 16 bytes, interleaved byte by byte for VNNI."""
        e, tb = self.e, self.tb
        rows = []
        mask = e.op(f"vector.constant_mask [{n_valid}] : vector<16xi1>", "mask") if n_valid < 16 else None
        for r in range(self.ks):
            if r >= k_valid:
                rows.append(e.const(0, "vector<16xi8>"))
                continue
            kr = e.add(k0, r)
            if mask is None:
                rows.append(e.op(f"vector.load %B[{self.b_index(kr, n0)}] : {tb}, vector<16xi8>", "row"))
            else:
                rows.append(e.op(f"vector.maskedload %B[{self.b_index(kr, n0)}], {mask}, "
                                 f"{e.const(0, 'vector<16xi8>')} : {tb}, vector<16xi1>, vector<16xi8> "
                                 f"into vector<16xi8>", "row"))
        if self.ks == 1:
            return rows[0]
        il = ", ".join(f"{j}, {16 + j}" for j in range(16))
        p01 = e.op(f"vector.shuffle {rows[0]}, {rows[1]} [{il}] : vector<16xi8>, vector<16xi8>", "p")
        p23 = e.op(f"vector.shuffle {rows[2]}, {rows[3]} [{il}] : vector<16xi8>, vector<16xi8>", "p")
        il2 = ", ".join(f"{2 * j}, {2 * j + 1}, {32 + 2 * j}, {33 + 2 * j}" for j in range(16))
        return e.op(f"vector.shuffle {p01}, {p23} [{il2}] : vector<32xi8>, vector<32xi8>", "p")

    def panel_nk(self, n0: str, k0: str, n_valid: int, k_valid: int) -> str:
        """B[n, k]: one ks-byte group per column."""
        e, tb, ks = self.e, self.tb, self.ks
        words = []
        for j in range(16):
            if j >= n_valid:
                words.append(e.const(0, "i32" if ks == 4 else "i8"))
                continue
            nj = e.add(n0, j)
            if ks == 1:
                words.append(e.op(f"memref.load %B[{self.b_index(k0, nj)}] : {tb}", "w"))
            elif k_valid == ks:
                words.append(self.load_word("%B", tb, self.b_index(k0, nj), "w"))
            else:
                words.append(self.gather_word("%B", tb, lambda kr: self.b_index(kr, nj), k0, k_valid, "w"))
        if ks == 1:
            return e.op(f"vector.from_elements {', '.join(words)} : vector<16xi8>", "p")
        v = e.op(f"vector.from_elements {', '.join(words)} : vector<16xi32>", "p")
        return e.op(f"vector.bitcast {v} : vector<16xi32> to {self.vb}", "p")

    def load_word(self, memref: str, mtype: str, at: str, hint: str) -> str:
        """4 consecutive bytes as one i32."""
        e = self.e
        v4 = e.op(f"vector.load {memref}[{at}] : {mtype}, vector<4xi8>", hint)
        v1 = e.op(f"vector.bitcast {v4} : vector<4xi8> to vector<1xi32>", hint)
        return e.op(f"vector.extract {v1}[0] : i32 from vector<1xi32>", hint)

    def gather_word(self, memref: str, mtype: str, at, k0: str, k_valid: int, hint: str) -> str:
        """The first `k_valid` (< 4) bytes from `at(k)`, k = k0.., little-endian in one i32."""
        e = self.e
        word = e.const(0, "i32")
        for r in range(k_valid):
            kr = e.add(k0, r)
            byte = e.op(f"memref.load {memref}[{at(kr)}] : {mtype}", hint)
            wide = e.op(f"arith.extui {byte} : i8 to i32", hint)
            if r:
                wide = e.op(f"arith.shli {wide}, {e.const(8 * r, 'i32')} : i32", hint)
            word = e.op(f"arith.ori {word}, {wide} : i32", hint)
        return word

    def pack_correction(self) -> None:
        """corr[nb] = sum_kb vpdpbusd(0x80.., bp[nb, kb]) = 128 * colsum(B)."""
        e = self.e
        with e.for_loop(self.nb_all, "nb") as nb:
            kb, acc, res = e.fresh("kb"), e.fresh("acc"), e.fresh("cs")
            e.emit(f"{res} = scf.for {kb} = {e.idx(0)} to {e.idx(self.kb_all)} step {e.idx(1)} "
                   f"iter_args({acc} = {e.const(0, V32)}) -> ({V32}) {{")
            with e.nested():
                pv = e.op(f"vector.load {self.bp}[{nb}, {kb}, {e.idx(0)}] : {self.bp_t}, {self.vb}", "p")
                nxt = e.op(f"llvm.call_intrinsic {VPDPBUSD}({acc}, {e.const(-128, 'vector<64xi8>')}, {pv}) : "
                           f"({V32}, vector<64xi8>, vector<64xi8>) -> {V32}", "acc")
                e.emit(f"scf.yield {nxt} : {V32}")
            e.emit("}")
            e.emit(f"vector.store {res}, {self.corr}[{nb}, {e.idx(0)}] : {self.corr_t}, {V32}")

    # ---- a register tile (vnni, portable) --------------------------------------------------
    def tile(self, m0: str, mr: int, nb0: str, widths: list[int]) -> None:
        if self.amx:
            self.amx_block(m0, mr, nb0, widths)
        else:
            self.register_tile(m0, mr, nb0, widths)

    def panel_columns(self, nb0: str, widths: list[int]):
        """(panel indices, first columns, masks: None for a full panel) of a tile's panels."""
        e = self.e
        blocks = [e.add(nb0, j) for j in range(len(widths))]
        cols = [e.mul(b, 16) for b in blocks]
        masks = [None if w == 16 else e.op(f"vector.constant_mask [{w}] : vector<16xi1>", "mask") for w in widths]
        return blocks, cols, masks

    def register_tile(self, m0: str, mr: int, nb0: str, widths: list[int]) -> None:
        """C[m0 : m0+mr, panels nb0..] with mr x len(widths) vector<16xi32> accumulators."""
        rows = [self.e.add(m0, i) for i in range(mr)]
        blocks, cols, masks = self.panel_columns(nb0, widths)
        init = self.initial_accumulators(rows, blocks, cols, masks)
        accs = self.k_loop(init, rows, blocks)
        self.write_out(accs, rows, cols, masks)

    def load_i32(self, memref: str, mtype: str, at: str, mask: str | None, hint: str) -> str:
        """16 i32 lanes of a bias or of C (a partial panel: masked, zeros beyond it)."""
        e = self.e
        if mask is None:
            return e.op(f"vector.load {memref}[{at}] : {mtype}, {V32}", hint)
        return e.op(f"vector.maskedload {memref}[{at}], {mask}, {e.const(0, V32)} : {mtype}, "
                    f"vector<16xi1>, {V32} into {V32}", hint)

    def store_c(self, value: str, at: str, mask: str | None) -> None:
        if mask is None:
            self.e.emit(f"vector.store {value}, %C[{at}] : {self.tc}, {V32}")
        else:
            self.e.emit(f"vector.maskedstore %C[{at}], {mask}, {value} : {self.tc}, vector<16xi1>, {V32}")

    def initial_accumulators(self, rows, blocks, cols, masks) -> list[list[str]]:
        """C, the bias or zero; minus 128 * colsum(B) for VNNI with a signed A (`a ^ 0x80`)."""
        e, kind = self.e, self.plan.init
        corr_v = []
        if self.correct:
            corr_v = [e.op(f"vector.load {self.corr}[{b}, {e.idx(0)}] : {self.corr_t}, {V32}", "cv") for b in blocks]
        if kind == "bias":
            bias_v = [self.load_i32("%bias", self.bias_t, n, mask, "bi") for n, mask in zip(cols, masks)]
            if self.correct:
                bias_v = [e.op(f"arith.subi {v}, {c} : {V32}", "bi") for v, c in zip(bias_v, corr_v)]
            return [list(bias_v) for _ in rows]
        if kind == "zero":
            return [[e.op(f"arith.subi {e.const(0, V32)}, {c} : {V32}", "bi") for c in corr_v]
                    if self.correct else [e.const(0, V32)] * len(cols) for _ in rows]
        init = []
        for m in rows:
            row = []
            for j, (n, mask) in enumerate(zip(cols, masks)):
                v = self.load_i32("%C", self.tc, ", ".join([*self.bidx, m, n]), mask, "c")
                if self.correct:
                    v = e.op(f"arith.subi {v}, {corr_v[j]} : {V32}", "c")
                row.append(v)
            init.append(row)
        return init

    def k_loop(self, init: list[list[str]], rows: list[str], blocks: list[str]) -> list[list[str]]:
        """The accumulators carried through `scf.for kb` over the full K blocks, then the K tail."""
        e, width = self.e, len(blocks)
        flat = [v for row in init for v in row]
        count = len(flat)
        vt = ", ".join([V32] * count)
        accs = init
        if self.kb_full:
            kb, res = e.fresh("kb"), e.fresh("r")
            iters = [[e.fresh("acc") for _ in range(width)] for _ in rows]
            args = ", ".join(f"{it} = {v}" for it, v in zip([x for r in iters for x in r], flat))
            e.emit(f"{res}:{count} = scf.for {kb} = {e.idx(0)} to {e.idx(self.kb_full)} step {e.idx(1)} "
                   f"iter_args({args}) -> ({vt}) {{")
            with e.nested():
                nxt = self.products(iters, rows, blocks, kb, self.ks)
                e.emit(f"scf.yield {', '.join(x for r in nxt for x in r)} : {vt}")
            e.emit("}")
            accs = [[f"{res}#{i * width + j}" for j in range(width)] for i in range(len(rows))]
        if self.k_rem:
            accs = self.products(accs, rows, blocks, e.idx(self.kb_full), self.k_rem)
        return accs

    def products(self, accs, rows, blocks, kb: str, k_valid: int) -> list[list[str]]:
        """One K step of the tile: the B panels once, each row's A broadcast against them."""
        e = self.e
        panels = [e.op(f"vector.load {self.bp}[{nbj}, {kb}, {e.idx(0)}] : {self.bp_t}, {self.vb}", "bv")
                  for nbj in blocks]
        if not self.vnni:
            ext = "extui" if self.g.b_unsigned else "extsi"
            panels = [e.op(f"arith.{ext} {p} : vector<16xi8> to {V32}", "bv") for p in panels]
            return self.portable_products(accs, rows, panels, kb)
        return self.vnni_products(accs, rows, panels, e.mul(kb, self.ks), k_valid)

    def vnni_products(self, accs, rows, panels, k0: str, k_valid: int) -> list[list[str]]:
        """acc += 4 u8 x s8 products per i32 lane (`vpdpbusd`)."""
        e = self.e
        out = []
        for i, m in enumerate(rows):
            a = self.a_word(m, k0, k_valid)
            out.append([e.op(f"llvm.call_intrinsic {VPDPBUSD}({accs[i][j]}, {a}, {p}) : "
                             f"({V32}, vector<64xi8>, vector<64xi8>) -> {V32}", "acc") for j, p in enumerate(panels)])
        return out

    def portable_products(self, accs, rows, panels, kb: str) -> list[list[str]]:
        """acc += ext(a) * ext(b) on i32 lanes."""
        e = self.e
        out = []
        for i, m in enumerate(rows):
            a = self.a_scalar(m, kb)
            row = []
            for j, p in enumerate(panels):
                prod = e.op(f"arith.muli {a}, {p} : {V32}", "pr")
                row.append(e.op(f"arith.addi {accs[i][j]}, {prod} : {V32}", "acc"))
            out.append(row)
        return out

    def a_word(self, m: str, k0: str, k_valid: int) -> str:
        """vnni: the 4 A bytes at [m, k0..k0+4) as u8 lanes, broadcast to vector<64xi8>."""
        e, at = self.e, lambda k: ", ".join([*self.bidx, m, k])
        if k_valid == 4:
            word = self.load_word("%A", self.ta, at(k0), "a")
        else:
            word = self.gather_word("%A", self.ta, at, k0, k_valid, "a")
        if self.correct:
            word = e.op(f"arith.xori {word}, {e.const(XOR80, 'i32')} : i32", "a")
        splat = e.op(f"vector.broadcast {word} : i32 to {V32}", "a")
        return e.op(f"vector.bitcast {splat} : {V32} to vector<64xi8>", "a")

    def a_scalar(self, m: str, k: str) -> str:
        """portable: A[m, k] extended to i32 and broadcast."""
        e = self.e
        byte = e.op(f"memref.load %A[{', '.join([*self.bidx, m, k])}] : {self.ta}", "a")
        wide = e.op(f"arith.{'extui' if self.g.a_unsigned else 'extsi'} {byte} : i8 to i32", "a")
        return e.op(f"vector.broadcast {wide} : i32 to {V32}", "a")

    def write_out(self, accs, rows, cols, masks) -> None:
        """The accumulators to C, or through the fused epilogue into its output."""
        if self.epilogue is not None:
            self.epilogue.columns(self.bidx, cols, masks)
        for i, m in enumerate(rows):
            for j, (n, mask) in enumerate(zip(cols, masks)):
                self.emit_result(accs[i][j], m, j, n, mask)

    def emit_result(self, value: str, m: str, j: int, n: str, mask: str | None) -> None:
        if self.epilogue is not None:
            self.epilogue.store(value, self.bidx, m, j, n, mask)
        else:
            self.store_c(value, ", ".join([*self.bidx, m, n]), mask)

    # ---- an AMX block ----------------------------------------------------------------------
    def amx_block(self, m0: str, mr: int, nb0: str, widths: list[int]) -> None:
        """C = A.B for up to 32 rows x 2 panels with AMX tiles (tdpbssd, s8 x s8) into a stack
        scratch, then a loop over its rows adds the init (bias, or C) and runs the store or
        the fused epilogue on each row's vector<16xi32> panels, as the VNNI path does for its
        registers (a loop, not 32 unrolled copies: the kernels stay small for LLVM)."""
        e, g = self.e, self.g
        a_rows = [16] * (mr // 16) + ([mr % 16] if mr % 16 else [])
        blocks, cols, masks = self.panel_columns(nb0, widths)
        scr = self.scratch
        a2, a2_t = self.a_matrix()
        b_rows = [e.mul(b, self.kb_all) for b in blocks]
        if a_rows == [16, 16] and widths == [16, 16]:  # the common block: inline, one tile shape
            emit_amx_tiles(e, a2, a2_t, self.bp2, self.bp2_t, scr, m0, b_rows, a_rows, widths, g.k)
        else:
            name, text = amx_tiles_text(a2_t, self.bp2_t, a_rows, widths, g.k)
            self.helpers[name] = text
            args = ", ".join([a2, self.bp2, scr, m0, *b_rows])
            types = ", ".join([a2_t, self.bp2_t, SCRATCH_T] + ["index"] * (1 + len(b_rows)))
            e.emit(f"func.call @{name}({args}) : ({types}) -> ()")
        bias_v = [self.load_i32("%bias", self.bias_t, n, mask, "bi") for n, mask in zip(cols, masks)] \
            if self.plan.init == "bias" else []
        if self.epilogue is not None:
            self.epilogue.columns(self.bidx, cols, masks)
        with e.for_loop(mr, "row") as r:
            m = e.op(f"arith.addi {m0}, {r} : index", "m")
            for j, (n, mask) in enumerate(zip(cols, masks)):
                v = e.op(f"vector.load {scr}[{r}, {e.idx(16 * j)}] : {SCRATCH_T}, {V32}", "cv")
                if self.plan.init == "bias":
                    v = e.op(f"arith.addi {v}, {bias_v[j]} : {V32}", "cv")
                elif self.plan.init == "c":
                    c = self.load_i32("%C", self.tc, ", ".join([*self.bidx, m, n]), mask, "c")
                    v = e.op(f"arith.addi {v}, {c} : {V32}", "cv")
                self.emit_result(v, m, j, n, mask)

    def a_matrix(self) -> tuple[str, str]:
        """A of the current batch item as a 2-D view (tile loads take rank-2 memrefs)."""
        g, bidx = self.g, self.bidx
        if not bidx:
            return "%A", self.ta
        a2_t = f"memref<{g.m}x{g.k}xi8, strided<[{g.a_strides[-2]}, 1], offset: ?>>"
        offs = ", ".join([*bidx, "0", "0"])
        a2 = self.e.op(f"memref.subview %A[{offs}] [{', '.join(['1'] * len(bidx))}, {g.m}, {g.k}] "
                       f"[{', '.join(['1'] * (len(bidx) + 2))}] : {self.ta} to {a2_t}", "a2")
        return a2, a2_t
