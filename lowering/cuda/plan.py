"""Walk the lowered function (linalg on tensors) into a `Program`: device buffers, the weight
blob, kernel texts and the host statements that launch them in order.

Buffers: every tensor lives contiguous row-major in one workspace (`iv_ws`, bump-allocated,
16-byte aligned) or in the weight blob (`iv_wt`); expand/collapse shapes and leading-dim slices
are views (same bytes); transposes and other slices are copy kernels.  A generic whose body
reads its init writes in place into that init when nobody else reads it, else into a copy.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from xdsl.dialects import arith, func, tensor
from xdsl.dialects.linalg import ops as linalg
from xdsl.dialects.builtin import ModuleOp, TensorType
from xdsl.ir import Operation, SSAValue

from intvit.lowering.cuda import gemm as gemm_mod
from intvit.lowering.cuda.kernels import (THREADS, GenericView, Operand, copy_kernel, decompose, ewise_kernel,
                                          find_combiner, map_exprs, row_kernel, sequential_kernel)
from intvit.lowering.cuda.scalar import constant_literal, ctype, located
from intvit.lowering.target import TargetError
from intvit.runtime.interpreter import constant_array, numpy_dtype

ALIGN = 16


@dataclass
class Buf:
    region: str              # "ws" (workspace) or "wt" (weights)
    offset: int              # bytes
    shape: tuple[int, ...]
    ctype: str
    itemsize: int

    @property
    def nbytes(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64)) * self.itemsize

    def ptr(self) -> str:
        return f"(({self.ctype}*)(iv_{self.region} + {self.offset}))"

    def view(self, shape, extra_elems: int = 0) -> "Buf":
        return Buf(self.region, self.offset + extra_elems * self.itemsize, tuple(shape), self.ctype, self.itemsize)


@dataclass
class Program:
    name: str
    gemm_variant: str
    kernels: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    ws_bytes: int = 0
    weights: bytearray = field(default_factory=bytearray)
    manifest: list[dict] = field(default_factory=list)
    inputs: list[tuple[Buf, tuple, np.dtype]] = field(default_factory=list)
    outputs: list[tuple[Buf, tuple, np.dtype]] = field(default_factory=list)
    kinds: dict[str, int] = field(default_factory=dict)
    bounds: list[dict] = field(default_factory=list)


def elem_info(t: TensorType, op: Operation | None) -> tuple[str, int]:
    c = ctype(t.element_type, op)
    size = {"bool": 1, "int8_t": 1, "int16_t": 2, "int32_t": 4, "int64_t": 8, "float": 4, "double": 8}[c]
    return c, size


def tensor_type(value: SSAValue, op: Operation | None) -> TensorType:
    t = value.type
    if not isinstance(t, TensorType):
        raise TargetError(f"{located(op)}cuda-dp4a: expected a ranked tensor, got {t}")
    if any(d < 0 for d in t.get_shape()):
        raise TargetError(f"{located(op)}cuda-dp4a: dynamic shape {t} is not supported (static shapes only)")
    return t


class Planner:
    def __init__(self, module: ModuleOp, fn: func.FuncOp, gemm_variant: str):
        self.module = module
        self.fn = fn
        self.prog = Program(fn.sym_name.data, gemm_variant)
        self.bufs: dict[SSAValue, Buf] = {}
        self.empty: set[SSAValue] = set()
        self.fused: set[Operation] = set()
        self.counter = 0

    # -- buffers --------------------------------------------------------------------------------
    def alloc(self, value: SSAValue, op: Operation | None) -> Buf:
        t = tensor_type(value, op)
        c, size = elem_info(t, op)
        buf = Buf("ws", self.prog.ws_bytes, tuple(t.get_shape()), c, size)
        self.prog.ws_bytes += (buf.nbytes + ALIGN - 1) // ALIGN * ALIGN
        return buf

    def add_weight(self, name: str, data: np.ndarray, t: TensorType, op: Operation) -> Buf:
        c, size = elem_info(t, op)
        blob = self.prog.weights
        blob.extend(b"\0" * ((-len(blob)) % ALIGN))
        buf = Buf("wt", len(blob), tuple(data.shape), c, size)
        raw = np.ascontiguousarray(data).tobytes()
        blob.extend(raw)
        self.prog.manifest.append({"name": name, "offset": buf.offset, "bytes": len(raw),
                                   "shape": list(data.shape), "dtype": str(data.dtype)})
        return buf

    def buf(self, value: SSAValue, op: Operation | None = None) -> Buf:
        if value in self.empty:
            self.empty.discard(value)
            self.bufs[value] = self.alloc(value, op)
        owner = value.owner
        if value not in self.bufs and isinstance(owner, arith.ConstantOp) and isinstance(value.type, TensorType):
            data = np.asarray(constant_array(owner.value, owner.result.type, self.module))
            self.bufs[value] = self.add_weight(self.name("const"), data, owner.result.type, owner)
        if value not in self.bufs:
            raise TargetError(f"{located(op)}cuda-dp4a: a tensor operand is not produced by a supported op")
        return self.bufs[value]

    def name(self, base: str) -> str:
        self.counter += 1
        return f"{base}_{self.counter}"

    def launch(self, kernel: str, grid: str, block: str, args: list[str], kind: str) -> None:
        flat = "_FLAT" if kind in ("elementwise", "copy", "sequential") else ""
        self.prog.steps.append(f"IV_LAUNCH{flat}({kernel}, {grid}, {block}, {', '.join(args)});")
        self.prog.kinds[kind] = self.prog.kinds.get(kind, 0) + 1

    # -- the walk -------------------------------------------------------------------------------
    def run(self) -> Program:
        block = self.fn.body.block
        for k, arg in enumerate(block.args):
            t = tensor_type(arg, self.fn)
            buf = self.alloc(arg, self.fn)
            self.bufs[arg] = buf
            self.prog.inputs.append((buf, tuple(t.get_shape()), numpy_dtype(t.element_type)))
        for op in block.ops:
            if op in self.fused or isinstance(op, arith.ConstantOp):
                continue
            self.visit(op)
        return self.prog

    def visit(self, op: Operation) -> None:
        if isinstance(op, arith.ConstantOp):
            pass   # tensors enter the weight blob when first read (packed GEMM weights never are)
        elif isinstance(op, tensor.EmptyOp):
            tensor_type(op.results[0], op)
            self.empty.add(op.results[0])
        elif isinstance(op, (tensor.ExpandShapeOp, tensor.CollapseShapeOp, tensor.ReshapeOp)):
            src = self.buf(op.operands[0], op)
            self.bufs[op.results[0]] = src.view(tensor_type(op.results[0], op).get_shape())
        elif isinstance(op, tensor.ExtractSliceOp):
            self.extract_slice(op)
        elif isinstance(op, tensor.InsertSliceOp):
            self.insert_slice(op)
        elif isinstance(op, linalg.TransposeOp):
            self.transpose(op)
        elif isinstance(op, linalg.FillOp):
            self.fill(op)
        elif isinstance(op, linalg.GenericOp):
            self.generic(op)
        elif isinstance(op, func.ReturnOp):
            for v in op.operands:
                t = tensor_type(v, op)
                self.prog.outputs.append((self.buf(v, op), tuple(t.get_shape()), numpy_dtype(t.element_type)))
        else:
            raise TargetError(f"{located(op)}cuda-dp4a: cannot compile '{op.name}' "
                              "(the target takes lowered intvit IR: linalg.generic/fill/transpose, tensor "
                              "reshapes and slices, arith constants)")

    # -- data movement ----------------------------------------------------------------------------
    def copy(self, src: Buf, src_extra: int, dst: Buf, in_strides: list[int], shape: tuple) -> None:
        kname = self.name("copy")
        text, total = copy_kernel(kname, src.ctype, shape, in_strides)
        self.prog.kernels.append(text)
        self.launch(kname, f"iv_blocks({total}, {THREADS})", str(THREADS),
                    [src.view(src.shape, src_extra).ptr(), dst.ptr()], "copy")

    def static_slice(self, op) -> tuple[list[int], list[int], list[int]]:
        if op.offsets or op.sizes or op.strides:
            raise TargetError(f"{located(op)}cuda-dp4a: '{op.name}' with dynamic offsets is not supported")
        return (list(op.static_offsets.get_values()), list(op.static_sizes.get_values()),
                list(op.static_strides.get_values()))

    @staticmethod
    def strides_of(shape) -> list[int]:
        out, s = [], 1
        for d in reversed(shape):
            out.append(s)
            s *= d
        return out[::-1]

    def slice_geometry(self, op, full_shape) -> tuple[int, list[int], list[int]]:
        offs, sizes, steps = self.static_slice(op)
        st = self.strides_of(full_shape)
        base = sum(o * s for o, s in zip(offs, st))
        return base, sizes, [s * k for s, k in zip(st, steps)]

    def extract_slice(self, op: tensor.ExtractSliceOp) -> None:
        src = self.buf(op.source, op)
        base, sizes, strides = self.slice_geometry(op, src.shape)
        out_shape = tuple(tensor_type(op.result, op).get_shape())
        # contiguous when every dim after the first non-unit one is whole, with unit steps
        dims = [(s, d, st) for s, d, st in zip(sizes, src.shape, strides)]
        first = next((i for i, (s, _, _) in enumerate(dims) if s != 1), len(dims))
        if all(s == d for s, d, _ in dims[first + 1:]) and all(st == ss for (_, _, st), ss in
                                                                  zip(dims, self.strides_of(src.shape))):
            self.bufs[op.result] = src.view(out_shape, base)
            return
        dst = self.alloc(op.result, op)
        self.bufs[op.result] = dst
        self.copy(src, base, dst.view(tuple(sizes)), strides, tuple(sizes))

    def insert_slice(self, op: tensor.InsertSliceOp) -> None:
        dest = self.writable(op.dest, op)
        src = self.buf(op.source, op)
        base, sizes, strides = self.slice_geometry(op, dest.shape)
        # a scatter into the strided window of dest (in place: dest is this op's to overwrite)
        kname = self.name("insert")
        total = int(np.prod(sizes))
        dims = list(range(len(sizes)))
        off = " + ".join(f"i{d} * {s}" for d, s in zip(dims, strides)) or "0"
        lines = [f"IV_GLOBAL void {kname}(const {src.ctype}* __restrict__ src, {src.ctype}* __restrict__ dst) {{",
                 f"  for (int64_t lin = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; lin < INT64_C({total});"
                 " lin += (int64_t)gridDim.x * blockDim.x) {"]
        lines += ["    " + ln for ln in decompose("lin", dims, sizes)]
        lines += [f"    dst[{off}] = src[lin];", "  }", "}"]
        self.prog.kernels.append("\n".join(lines))
        self.launch(kname, f"iv_blocks({total}, {THREADS})", str(THREADS),
                    [src.ptr(), dest.view(dest.shape, base).ptr()], "copy")
        self.bufs[op.result] = dest

    def writable(self, init: SSAValue, op: Operation) -> Buf:
        """A buffer holding `init`'s contents that this op may overwrite."""
        if init in self.empty:
            return self.buf(init, op)
        src = self.buf(init, op)
        owner = init.owner
        if len(list(init.uses)) == 1 and isinstance(owner, (linalg.GenericOp, linalg.FillOp, linalg.TransposeOp,
                                                              tensor.InsertSliceOp)):
            return src
        dst = self.alloc(init, op)
        self.prog.steps.append(f"if (iv_device_copy({dst.ptr()}, {src.ptr()}, {src.nbytes})) return 1;")
        return dst

    def transpose(self, op: linalg.TransposeOp) -> None:
        src = self.buf(op.inputs[0], op)
        perm = list(op.permutation.get_values())
        st = self.strides_of(src.shape)
        dst = self.alloc(op.results[0], op)
        self.empty.discard(op.outputs[0])
        self.bufs[op.results[0]] = dst
        self.copy(src, 0, dst, [st[p] for p in perm], dst.shape)

    def fill(self, op: linalg.FillOp) -> None:
        value = op.inputs[0]
        if not isinstance(value.owner, arith.ConstantOp):
            raise TargetError(f"{located(op)}cuda-dp4a: linalg.fill of a non-constant value")
        dst = self.alloc(op.results[0], op)
        self.bufs[op.results[0]] = dst
        kname = self.name("fill")
        total = int(np.prod(dst.shape))
        self.prog.kernels.append(
            f"IV_GLOBAL void {kname}({dst.ctype}* __restrict__ dst) {{\n"
            f"  for (int64_t lin = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; lin < INT64_C({total});"
            f" lin += (int64_t)gridDim.x * blockDim.x) dst[lin] = {constant_literal(value.owner)};\n}}")
        self.launch(kname, f"iv_blocks({total}, {THREADS})", str(THREADS), [dst.ptr()], "elementwise")

    # -- generics -------------------------------------------------------------------------------
    def view_of(self, op: linalg.GenericOp, out_buf: Buf) -> tuple[GenericView, dict[str, str]]:
        if len(op.outputs) != 1:
            raise TargetError(f"{located(op)}cuda-dp4a: generics with {len(op.outputs)} results are not supported")
        maps = [m.data for m in op.indexing_maps.data]
        pointers, ins = {}, []
        for k, v in enumerate(op.inputs):
            b = self.buf(v, op)
            o = Operand(f"in{k}", b.ctype, b.shape, map_exprs(op, maps[k]))
            pointers[o.param] = b.ptr()
            ins.append(o)
        captured = {}
        for inner in op.body.block.ops:
            for v in inner.operands:
                if isinstance(v.type, TensorType) and v not in captured:
                    b = self.buf(v, inner)
                    o = Operand(f"tab{len(captured)}", b.ctype, b.shape)
                    captured[v] = o
                    pointers[o.param] = b.ptr()
        out = Operand("out", out_buf.ctype, out_buf.shape, map_exprs(op, maps[-1]))
        pointers["out"] = out_buf.ptr()
        iters = [str(it.data) for it in op.iterator_types.data]
        sizes = list(op.get_static_loop_ranges())
        par = [i for i, it in enumerate(iters) if "parallel" in it]
        red = [i for i, it in enumerate(iters) if "reduction" in it]
        return GenericView(op, ins, out, captured, sizes, par, red), pointers

    def output_buffer(self, op: linalg.GenericOp) -> Buf:
        block = op.body.block
        out_arg = block.args[len(op.inputs)]
        reads_init = bool(out_arg.uses) or any("reduction" in str(it.data) for it in op.iterator_types.data)
        init = op.outputs[0]
        if reads_init:
            return self.writable(init, op)
        self.empty.discard(init)
        return self.alloc(op.results[0], op)

    def generic(self, op: linalg.GenericOp) -> None:
        for v in list(op.inputs) + list(op.outputs):
            tensor_type(v, op)
        g = gemm_mod.match_gemm(op)
        if g is not None:
            return self.gemm(g)
        out_buf = self.output_buffer(op)
        self.bufs[op.results[0]] = out_buf
        view, pointers = self.view_of(op, out_buf)
        kname = self.name("ewise" if not view.reduction else "row")
        if not view.reduction:
            text, total = ewise_kernel(kname, view)
            grid, block, kind = f"iv_blocks({total}, {THREADS})", str(THREADS), "elementwise"
        elif (comb := find_combiner(view)) is not None:
            text, rows, threads = row_kernel(kname, view, comb)
            grid, block, kind = f"iv_rows({rows})", str(threads), "row"
        else:
            text, rows = sequential_kernel(kname, view)
            grid, block, kind = f"iv_blocks({rows}, 64)", "64", "sequential"
        self.prog.kernels.append(text)
        self.launch(kname, grid, block, view.args(pointers).split(", "), kind)

    # -- GEMMs ----------------------------------------------------------------------------------
    def init_bound(self, value: SSAValue) -> int | None:
        owner = value.owner
        if isinstance(owner, arith.ConstantOp):
            data = np.asarray(constant_array(owner.value, owner.result.type, self.module)).astype(np.int64)
            return int(np.abs(data).max()) if data.size else 0
        if isinstance(owner, linalg.FillOp):
            return self.init_bound(owner.inputs[0])
        if isinstance(owner, linalg.GenericOp) and len(owner.outputs) == 1:
            y = list(owner.body.block.ops)[-1].operands[0]
            if isinstance(y.owner, arith.ConstantOp):
                return abs(int(y.owner.value.value.data))
            args = list(owner.body.block.args)
            if y in args and args.index(y) < len(owner.inputs):
                return self.init_bound(owner.inputs[args.index(y)])
        return None

    def epilogue_of(self, g: gemm_mod.Gemm) -> linalg.GenericOp | None:
        uses = list(g.op.results[0].uses)
        if len(uses) != 1 or not isinstance(uses[0].operation, linalg.GenericOp):
            return None
        c = uses[0].operation
        if len(c.outputs) != 1 or c.body.block.args[len(c.inputs)].uses:
            return None
        par = [d for d in range(len(g.sizes)) if d != g.k]
        if g.k != len(g.sizes) - 1 or any("reduction" in str(it.data) for it in c.iterator_types.data) \
                or len(c.iterator_types.data) != len(par):
            return None
        maps = [map_exprs(c, m.data) for m in c.indexing_maps.data]
        ident = list(range(len(par)))
        k = [i for i, v in enumerate(c.inputs) if v is g.op.results[0]]
        if len(k) != 1 or maps[k[0]] != ident or maps[-1] != ident:
            return None
        if any(v is not g.op.results[0] and v not in self.bufs and not isinstance(v.owner, arith.ConstantOp)
               for v in c.inputs):
            return None   # an operand computed after the GEMM
        if any(isinstance(v.type, TensorType) for o in c.body.block.ops for v in o.operands):
            return None
        return c

    def gemm(self, g: gemm_mod.Gemm) -> None:
        op = g.op
        init_bound = self.init_bound(op.outputs[0])
        gemm_mod.check_bound(g, init_bound)
        self.prog.bounds.append({"k": g.sizes[g.k], "bound": g.bound(init_bound or 0),
                                 "init": "runtime" if init_bound is None else "constant"})
        a = self.buf(op.inputs[0], op)
        init = self.buf(op.outputs[0], op)
        b_value = op.inputs[1]
        packed = isinstance(b_value.owner, arith.ConstantOp) and not any(d in g.b_strides for d in g.batch)
        if packed:
            b = self.pack_weights(g, b_value)
        else:
            b = self.buf(b_value, op)
        consumer = self.epilogue_of(g)
        idx_out = [d for d in range(len(g.sizes)) if d != g.k]
        pointers = {"A": a.ptr(), "B": b.ptr(), "C": init.ptr()}
        params = ["const int8_t* __restrict__ A", "const int8_t* __restrict__ B", "const int32_t* __restrict__ C"]
        epi_view = None
        if consumer is not None:
            self.fused.add(consumer)
            out_buf = self.alloc(consumer.results[0], consumer)
            self.empty.discard(consumer.outputs[0])
            self.bufs[consumer.results[0]] = out_buf
            self.bufs[op.results[0]] = out_buf   # never materialized: the epilogue reads registers
            epi_view, epi_ptrs = self.view_of(consumer, out_buf)
            for k, o in enumerate(epi_view.ins):
                if consumer.inputs[k] is op.results[0]:
                    continue   # the accumulator itself: never loaded
                params.append(f"const {o.ctype}* __restrict__ e{o.param}")
                pointers[f"e{o.param}"] = epi_ptrs[o.param]
                o.param = f"e{o.param}"
            out = Operand("out", out_buf.ctype, out_buf.shape, idx_out)
        else:
            out_buf = self.alloc(op.results[0], op)
            out = Operand("out", "int32_t", out_buf.shape, idx_out)
        self.bufs[op.results[0]] = out_buf
        params.append(f"{out.ctype}* __restrict__ out")
        pointers["out"] = out_buf.ptr()
        code = gemm_mod.GemmCode(g, "A", "B", "C", packed, epi_view, out)
        kname = self.name(f"gemm_{self.prog.gemm_variant}")
        text = (gemm_mod.mma_kernel if self.prog.gemm_variant == "mma" else gemm_mod.dp4a_kernel)(
            kname, code, ", ".join(params))
        self.prog.kernels.append(text)
        batch = int(np.prod([g.sizes[d] for d in g.batch])) if g.batch else 1
        M, N = g.sizes[g.m], g.sizes[g.n]
        grid = f"dim3({(N + 63) // 64}, {(M + 63) // 64}, {batch})"
        threads = "128" if self.prog.gemm_variant == "mma" else "256"
        names = ["A", "B", "C"] + [p.split()[-1] for p in params[3:]]
        self.launch(kname, grid, threads, [pointers[n] for n in names], f"gemm_{self.prog.gemm_variant}"
                    + ("+epilogue" if consumer is not None else ""))

    def pack_weights(self, g: gemm_mod.Gemm, value: SSAValue) -> Buf:
        """[N][K rounded up to 4] int8, zero padded: one aligned word per 4 k."""
        owner = value.owner
        data = np.asarray(constant_array(owner.value, owner.result.type, self.module))
        K, N = g.sizes[g.k], g.sizes[g.n]
        kp = (K + 3) // 4 * 4
        shape = data.shape
        axes = {d: i for i, d in enumerate(map_exprs(g.op, g.op.indexing_maps.data[1].data))}
        nk = np.transpose(data, (axes[g.n], axes[g.k])).reshape(N, K) if len(shape) == 2 else None
        if nk is None:
            raise TargetError(f"{located(g.op)}cuda-dp4a: constant GEMM operand of rank {len(shape)}")
        packed = np.zeros((N, kp), dtype=np.int8)
        packed[:, :K] = nk.view(np.int8) if nk.dtype.itemsize == 1 else nk.astype(np.int8)
        return self.add_weight(self.name("packed"), packed, g.op.inputs[1].type, g.op)
