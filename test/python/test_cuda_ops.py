"""Every intvit op through `--target cuda-dp4a`, run by the host emulator from the generated
CUDA source, bit-exact with the golden model.

Property cases (random shapes with odd sizes, every rounding mode, exact ties, type extremes,
per-channel scales) are drawn from seeded generators and merged into one function per op
family, so each family costs one g++ build (nvcc is not needed here: `test_cuda_model.py`
builds the digits model for three architectures).  GEMMs run with both kernel variants.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from intvit.dialects.context import parse_module
from intvit.lowering.cuda.build import find_gxx
from intvit.lowering.cuda.target import CudaDp4aTarget
from intvit.runtime import golden
from intvit.runtime.interpreter import run_module
from intvit.runtime.scales import quantize_multiplier

pytestmark = pytest.mark.skipif(find_gxx() is None, reason="no g++ for the cuda-dp4a emulator")
MODES = list(golden.ROUNDING_MODES)
NP = {"i8": np.int8, "i16": np.int16, "i32": np.int32, "i64": np.int64, "ui32": np.uint32, "ui64": np.uint64}


def t(shape, elem):
    return f"tensor<{''.join(f'{d}x' for d in shape)}{elem}>"


def extreme(shape, elem, rng, lo=None, hi=None):
    info = np.iinfo(NP[elem])
    lo = info.min if lo is None else lo
    hi = info.max if hi is None else hi
    x = rng.integers(lo, hi, size=shape, dtype=NP[elem], endpoint=True)
    flat = x.reshape(-1)
    flat[: min(2, flat.size)] = [lo, hi][: min(2, flat.size)]
    return x


class Cases:
    """Independent subgraphs merged into one entry (arguments and results concatenated)."""

    def __init__(self):
        self.args, self.lines, self.results, self.inputs = [], [], [], []

    def add(self, args: list[tuple[str, str]], body: str, results: list[tuple[str, str]], inputs: list) -> None:
        i = len(self.lines)
        rename = lambda s: re.sub(r"%(\w+)", rf"%c{i}_\1", s)  # noqa: E731
        self.args += [(rename(n), ty) for n, ty in args]
        self.lines.append(rename(body))
        self.results += [(rename(n), ty) for n, ty in results]
        self.inputs += inputs

    def text(self) -> str:
        sig = ", ".join(f"{n}: {ty}" for n, ty in self.args)
        res = ", ".join(ty for _, ty in self.results)
        ret = ", ".join(n for n, _ in self.results)
        return (f"func.func @f({sig}) -> ({res}) {{\n" + "\n".join(self.lines) +
                f"\n  func.return {ret} : {res}\n}}")

    def unary(self, name, inp, out, attrs, x):
        self.add([("%x", inp)], f"  %y = intvit.{name} %x {attrs} : {inp} -> {out}", [("%y", out)], [x])


def check_cases(cases: Cases, tmp_path, gemm: str = "dp4a") -> dict:
    module = parse_module(cases.text())
    want = run_module(module, cases.inputs)
    target = CudaDp4aTarget()
    report = target.compile(module, tmp_path / f"out_{gemm}", check_archs=False, gemm=gemm)
    exe = target.load(tmp_path / f"out_{gemm}")
    assert exe.device == "emulated"
    got = exe(*cases.inputs)
    assert len(got) == len(want)
    for k, (g, w) in enumerate(zip(got, want, strict=True)):
        assert g.shape == w.shape, k
        if w.dtype.kind in "iu":
            np.testing.assert_array_equal(g.view(w.dtype), w, err_msg=f"result {k}")
        else:
            np.testing.assert_array_equal(g.view(np.uint8), w.view(np.uint8), err_msg=f"result {k}")
    return report


def shapes(rng, n, rank=(1, 3)):
    dims = [1, 2, 3, 5, 7, 13, 33]
    return [[int(rng.choice(dims)) for _ in range(int(rng.integers(rank[0], rank[1] + 1)))] for _ in range(n)]


def test_requant(tmp_path):
    rng = np.random.default_rng(1)
    c = Cases()
    for i, shape in enumerate(shapes(rng, 10)):
        mode, inp = MODES[i % len(MODES)], ["i32", "i16", "i8"][i % 3]
        bits = [2, 4, 8, 16, 32][i % 5]
        axis = int(rng.integers(0, len(shape)))
        ratio = 2.0 ** rng.uniform(-30, 6)
        pairs = [quantize_multiplier(float(r)) for r in rng.uniform(0.5, 2.0, shape[axis]) * ratio] \
            if i % 2 else [quantize_multiplier(ratio)]
        out = "i8" if bits <= 8 else "i16" if bits <= 16 else "i32"
        attrs = (f"multiplier [{', '.join(str(m) for m, _ in pairs)}] shift [{', '.join(str(e) for _, e in pairs)}] "
                 f"axis {axis} bits {bits} rounding {mode}")
        c.unary("requant", t(shape, inp), t(shape, out), attrs, extreme(shape, inp, rng))
    ties = np.array([-(2**31), -(2**31) + 1, -13, -12, -5, -4, -3, -1, 0, 1, 3, 4, 5, 12, 13, 2**31 - 1], np.int32)
    for mode in MODES:
        for shift in (1, 31, 33, 62):
            c.unary("requant", t([16], "i32"), t([16], "i32"),
                    f"multiplier [1073741824] shift [{shift}] bits 32 rounding {mode}", ties.copy())
    check_cases(c, tmp_path)


def test_add(tmp_path):
    rng = np.random.default_rng(2)
    c = Cases()
    for i, shape in enumerate(shapes(rng, 10)):
        mode, elem, bits = MODES[i % len(MODES)], ["i8", "i16", "i32"][i % 3], [8, 16][i % 2]
        (ma, ea), (mb, eb) = (quantize_multiplier(2.0 ** rng.uniform(-8, 3)) for _ in range(2))
        ty, out = t(shape, elem), t(shape, f"i{bits}")
        c.add([("%a", ty), ("%b", ty)],
              f"  %s = intvit.add %a, %b lhs_multiplier {ma} lhs_shift {ea} rhs_multiplier {mb} rhs_shift {eb} "
              f"bits {bits} rounding {mode} : {ty}, {ty} -> {out}", [("%s", out)],
              [extreme(shape, elem, rng), extreme(shape, elem, rng)])
    check_cases(c, tmp_path)


def matmul_cases(seed: int) -> Cases:
    rng = np.random.default_rng(seed)
    c = Cases()
    configs = [([], 5, 7, 3), ([1], 13, 33, 7), ([2], 3, 5, 13), ([2, 3], 7, 13, 5), ([], 70, 100, 130),
               ([2], 65, 40, 66), ([], 1, 1, 1), ([3], 17, 16, 17)]
    for i, (batch, m, k, n) in enumerate(configs):
        transpose, bias, batched_rhs, packed = i % 2 == 0, i % 3 != 1, i in (2, 3, 7), i in (0, 4)
        rbatch = batch if batched_rhs else []
        rshape = [*rbatch, n, k] if transpose else [*rbatch, k, n]
        lhs, rhs, out, bt = t([*batch, m, k], "i8"), t(rshape, "i8"), t([*batch, m, n], "i32"), t([n], "i32")
        row_bits = rng.choice([4, 8], size=n)
        flags = (" transpose_rhs" if transpose else "") + (
            f" packing #intvit.packing<row_bits = [{', '.join(map(str, row_bits))}], split8 = true, factor = 2>"
            if packed and not rbatch else "")
        w = extreme(rshape, "i8", rng)
        if packed and not rbatch:
            for col in np.flatnonzero(row_bits == 4):
                w[(col, slice(None)) if transpose else (slice(None), col)] = rng.integers(-8, 7, size=k, endpoint=True)
        args = [("%x", lhs), ("%w", rhs)] + ([("%b", bt)] if bias else [])
        inputs = [extreme([*batch, m, k], "i8", rng), w] + ([extreme([n], "i32", rng, -2**24, 2**24)] if bias else [])
        ops = "%x, %w" + (", %b" if bias else "")
        types = f"{lhs}, {rhs}" + (f", {bt}" if bias else "")
        body = f"  %y = intvit.matmul {ops}{flags} : {types} -> {out}"
        results = [("%y", out)]
        if i % 2:   # a requant consumer: fused into the GEMM epilogue
            r8 = t([*batch, m, n], "i8")
            body += (f"\n  %q = intvit.requant %y multiplier [1288490189] shift [38] bits 8 rounding "
                     f"{MODES[i % len(MODES)]} : {out} -> {r8}")
            results = [("%q", r8)]
        c.add(args, body, results, inputs)
    return c


@pytest.mark.parametrize("gemm", ["dp4a", "mma"])
def test_matmul_both_variants(tmp_path, gemm):
    report = check_cases(matmul_cases(3), tmp_path, gemm)
    kinds = report["kernels"]
    assert kinds.get(f"gemm_{gemm}", 0) + kinds.get(f"gemm_{gemm}+epilogue", 0) == 8
    assert kinds.get(f"gemm_{gemm}+epilogue", 0) >= 3
    source = (tmp_path / f"out_{gemm}" / "model.cu").read_text()
    assert ("iv_mma_ss(" if gemm == "mma" else "iv_dp4a_ss(") in source


def test_shiftmax_and_unsigned_gemm(tmp_path):
    """Shiftmax (row kernels), and its ui8 probabilities into a GEMM: u8 x s8 (dp4a.u32.s32)."""
    rng = np.random.default_rng(4)
    c = Cases()
    for i, shape in enumerate(shapes(rng, 6, (1, 3))):
        axis = int(rng.integers(0, len(shape)))
        bits, inp = [8, 16][i % 2], ["i8", "i16"][(i // 2) % 2]
        result = ["unsigned", "wider", "saturate"][i % 3]
        out = {"unsigned": f"ui{bits}", "wider": f"i{2 * bits}", "saturate": f"i{bits}"}[result]
        flag = " saturate" if result == "saturate" else ""
        scale = float(2.0 ** rng.uniform(-15.5, 1))
        c.unary("shiftmax", t(shape, inp), t(shape, out), f"scale {scale!r} axis {axis} bits {bits}{flag}",
                extreme(shape, inp, rng))
    for rows, cols in ((5, 7), (17, 70)):
        s, p, v, o = t([2, rows, cols], "i8"), t([2, rows, cols], "ui8"), t([2, cols, 9], "i8"), t([2, rows, 9], "i32")
        c.add([("%s", s), ("%v", v)],
              f"  %p = intvit.shiftmax %s scale 0.05 bits 8 : {s} -> {p}\n"
              f"  %y = intvit.matmul %p, %v : {p}, {v} -> {o}", [("%y", o)],
              [extreme([2, rows, cols], "i8", rng), extreme([2, cols, 9], "i8", rng)])
    report = check_cases(c, tmp_path)
    assert report["kernels"].get("row", 0) >= 6
    for gemm in ("dp4a", "mma"):
        if gemm == "mma":
            report = check_cases(c, tmp_path, gemm)
        assert f"iv_{gemm}_us(" in (tmp_path / f"out_{gemm}" / "model.cu").read_text()


def test_shiftgelu(tmp_path):
    rng = np.random.default_rng(5)
    c = Cases()
    for i, shape in enumerate(shapes(rng, 6)):
        axis = int(rng.integers(0, len(shape)))
        inp = ["i8", "i16"][i % 2]
        bits, out = (16, "i16") if inp == "i8" else (24, "i32")
        paper = i % 3 == 0
        scale = float(rng.uniform(0.0024, 0.5))
        scale = max(scale, 1 / 250) if paper else scale
        flag = " paper_shifts" if paper else ""
        c.unary("shiftgelu", t(shape, inp), t(shape, out), f"scale {scale!r} axis {axis} bits {bits}{flag}",
                extreme(shape, inp, rng))
    x = np.array([[-1, -1], [-2, -1], [-3, -5], [-1, -128], [-7, -6], [-128, -128], [0, -1], [5, -1]], np.int8)
    for scale in (0.5, 0.05, 0.0024):
        c.unary("shiftgelu", t([8, 2], "i8"), t([8, 2], "i16"), f"scale {scale!r} bits 16", x.copy())
    check_cases(c, tmp_path)


def test_layernorm(tmp_path):
    rng = np.random.default_rng(6)
    c = Cases()
    for i, (rows, ch) in enumerate([([1], 1), ([3], 7), ([2, 3], 64), ([3], 192), ([5], 2)]):
        axis_first = i % 2 == 1
        shape = [ch, *rows] if axis_first else [*rows, ch]
        axis = 0 if axis_first else -1
        inp = ["i8", "i16"][i % 2]
        bias = ", ".join(str(int(v)) for v in rng.integers(-(2**31), 2**31, size=ch))
        const = (" const_channels [" + ", ".join(str(int(v)) for v in rng.integers(0, 2, size=ch)) + "]") if i % 2 else ""
        mode = " isqrt_mode ivit" if i % 3 == 0 else ""
        data = extreme(shape, inp, rng)
        np.moveaxis(data, axis, -1)[(0,) * (len(shape) - 1)] = 77
        c.unary("layernorm", t(shape, inp), t(shape, "i32"), f"bias [{bias}] axis {axis}{const}{mode}", data)
    x = np.array([[-1, -2], [-3, 0], [-5, 0], [1, 2], [-7, -8], [-32768, -32767]], dtype=np.int16)
    c.unary("layernorm", t([6, 2], "i16"), t([6, 2], "i32"), "bias [0, 0]", x)
    check_cases(c, tmp_path)


def isqrt_values(elem, rng, n=64):
    dtype = NP[elem]
    hi = int(np.iinfo(dtype).max)
    roots = [int(r) for r in rng.integers(0, int(np.sqrt(float(hi))), size=n // 4, dtype=np.uint64)]
    near = [v for r in roots for v in (r * r - 1, r * r, r * r + 1) if 0 <= v <= hi]
    edges = [0, 1, 2, 3, 4, 15, 16, 17, hi, hi - 1]
    rand = [int(v) for v in rng.integers(0, hi, size=n, dtype=dtype, endpoint=True)]
    return np.array((edges + near + rand)[:n], dtype=dtype)


def test_isqrt(tmp_path):
    rng = np.random.default_rng(7)
    c = Cases()
    for elem, attrs in (("ui64", ""), ("ui32", ""), ("ui64", "mode ivit"), ("ui64", "iterations 8"),
                        ("ui32", "iterations 10")):
        c.unary("isqrt", t([64], elem), t([64], elem), attrs, isqrt_values(elem, rng))
    check_cases(c, tmp_path)


def test_quantize_dequantize(tmp_path):
    rng = np.random.default_rng(8)
    c = Cases()
    for i, shape in enumerate(shapes(rng, 6)):
        bits, fin, fout = [2, 4, 8, 16][i % 4], ["f32", "f64"][i % 2], ["f32", "f64"][(i // 2) % 2]
        scale = float(2.0 ** rng.uniform(-10, 0))
        f, q, o = t(shape, fin), t(shape, f"i{max(bits, 8)}"), t(shape, fout)
        x = rng.standard_normal(shape) * scale * (1 << (bits - 1)) * 1.5
        flat = x.reshape(-1)
        flat[: min(3, flat.size)] = [0.5 * scale, -2.5 * scale, 1e6 * scale][: min(3, flat.size)]
        c.add([("%x", f)], f"  %q = intvit.quantize %x scale {scale!r} bits {bits} : {f} -> {q}\n"
                           f"  %d = intvit.dequantize %q scale {scale!r} : {q} -> {o}",
              [("%q", q), ("%d", o)], [x.astype(np.float32 if fin == "f32" else np.float64)])
    check_cases(c, tmp_path)
