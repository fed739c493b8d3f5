"""The bundle `tools/gpu_check.sh` runs on a GPU machine (no xDSL there): generated model
folders with inputs and golden outputs carried along.

    python -m intvit.runtime.gpu_bundle OUT_DIR [--models digits-vit,deit-tiny,deit-small]
                                                  [--batches 1,8] [--no-ops]

Each case is a folder: the `intvit compile --target cuda-dp4a` output (no builds), `inputs/in<k>.bin`,
`golden/out<k>.bin` (the golden model's outputs for those inputs) and `case.json` (shapes, dtypes,
model, batch, gemm variant).  Weight tensors are stored once: each case lists its parts in
`weights.parts.json`, content-addressed under `blobs/`, and `tools/gpu_check.py` reassembles
`weights.bin`; so DeiT-Small at batch 1 and 8 with both GEMM variants stays under the size budget.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np

from intvit.runtime.interpreter import find_entry, random_inputs, run_module
from intvit.runtime.targets import get_target

OP_FAMILIES = ("requant", "add", "matmul", "shiftmax", "shiftgelu", "layernorm", "isqrt", "quantize")


def t(shape, elem):
    return f"tensor<{''.join(f'{d}x' for d in shape)}{elem}>"


def op_cases() -> dict[str, str]:
    """One module per op family: several instances (odd shapes, every rounding mode)."""
    from intvit.runtime import golden
    from intvit.runtime.scales import quantize_multiplier

    modes = list(golden.ROUNDING_MODES)
    out: dict[str, str] = {}

    def module(lines, args, results):
        sig = ", ".join(f"%a{k}: {ty}" for k, ty in enumerate(args))
        res = ", ".join(ty for _, ty in results)
        return (f"func.func @main({sig}) -> ({res}) {{\n" + "\n".join(lines) +
                f"\n  func.return {', '.join(n for n, _ in results)} : {res}\n}}")

    lines, args, results = [], [], []
    for i, (shape, mode) in enumerate(zip([[7], [3, 13], [2, 5, 33], [65, 9], [1]], modes)):
        m, e = quantize_multiplier(2.0 ** (-3 - 5 * i))
        args.append(t(shape, "i32"))
        lines.append(f"  %r{i} = intvit.requant %a{len(args) - 1} multiplier [{m}] shift [{e}] bits 8 rounding {mode} "
                     f": {t(shape, 'i32')} -> {t(shape, 'i8')}")
        results.append((f"%r{i}", t(shape, "i8")))
    out["requant"] = module(lines, args, results)

    lines, args, results = [], [], []
    for i, (shape, mode) in enumerate(zip([[7], [3, 13], [2, 5, 33], [65, 9], [1]], modes)):
        (ma, ea), (mb, eb) = quantize_multiplier(0.7 / (i + 1)), quantize_multiplier(1.3 / (i + 2))
        ty = t(shape, "i16")
        args += [ty, ty]
        lines.append(f"  %s{i} = intvit.add %a{len(args) - 2}, %a{len(args) - 1} lhs_multiplier {ma} lhs_shift {ea} "
                     f"rhs_multiplier {mb} rhs_shift {eb} bits 16 rounding {mode} : {ty}, {ty} -> {t(shape, 'i16')}")
        results.append((f"%s{i}", t(shape, "i16")))
    out["add"] = module(lines, args, results)

    lines, args, results = [], [], []
    for i, (batch, m, k, n) in enumerate([([], 5, 7, 3), ([2, 3], 17, 16, 17), ([], 70, 100, 130), ([2], 65, 40, 66)]):
        lhs, rhs, acc = t([*batch, m, k], "i8"), t([*batch, n, k], "i8"), t([*batch, m, n], "i32")
        args += [lhs, rhs]
        lines.append(f"  %y{i} = intvit.matmul %a{len(args) - 2}, %a{len(args) - 1} transpose_rhs : {lhs}, {rhs} -> {acc}")
        lines.append(f"  %q{i} = intvit.requant %y{i} multiplier [1288490189] shift [40] bits 8 rounding "
                     f"{modes[i % len(modes)]} : {acc} -> {t([*batch, m, n], 'i8')}")
        results.append((f"%q{i}", t([*batch, m, n], "i8")))
    out["matmul"] = module(lines, args, results)

    s, p, v, o = t([2, 17, 33], "i8"), t([2, 17, 33], "ui8"), t([2, 33, 9], "i8"), t([2, 17, 9], "i32")
    out["shiftmax"] = module([f"  %p = intvit.shiftmax %a0 scale 0.05 bits 8 : {s} -> {p}",
                              f"  %y = intvit.matmul %p, %a1 : {p}, {v} -> {o}",
                              f"  %w = intvit.shiftmax %a2 scale 0.003 axis 0 bits 16 : {t([13, 5], 'i16')} -> {t([13, 5], 'i32')}"],
                             [s, v, t([13, 5], "i16")], [("%y", o), ("%w", t([13, 5], "i32"))])
    out["shiftgelu"] = module([f"  %g = intvit.shiftgelu %a0 scale 0.05 bits 16 : {t([17, 65], 'i8')} -> {t([17, 65], 'i16')}",
                               f"  %h = intvit.shiftgelu %a1 scale 0.01 bits 24 paper_shifts : {t([3, 7], 'i16')} -> {t([3, 7], 'i32')}"],
                              [t([17, 65], "i8"), t([3, 7], "i16")], [("%g", t([17, 65], "i16")), ("%h", t([3, 7], "i32"))])
    bias = ", ".join(str(v) for v in np.random.default_rng(0).integers(-2**20, 2**20, 192))
    out["layernorm"] = module([f"  %n = intvit.layernorm %a0 bias [{bias}] : {t([17, 192], 'i16')} -> {t([17, 192], 'i32')}",
                               f"  %m = intvit.layernorm %a1 bias [1, -2, 3] axis 0 isqrt_mode ivit : {t([3, 5], 'i8')} -> {t([3, 5], 'i32')}"],
                              [t([17, 192], "i16"), t([3, 5], "i8")], [("%n", t([17, 192], "i32")), ("%m", t([3, 5], "i32"))])
    out["isqrt"] = module([f"  %r = intvit.isqrt %a0 : {t([64], 'ui64')} -> {t([64], 'ui64')}",
                           f"  %s = intvit.isqrt %a1 iterations 8 : {t([64], 'ui32')} -> {t([64], 'ui32')}"],
                          [t([64], "ui64"), t([64], "ui32")], [("%r", t([64], "ui64")), ("%s", t([64], "ui32"))])
    out["quantize"] = module([f"  %q = intvit.quantize %a0 scale 0.02 bits 8 : {t([5, 33], 'f32')} -> {t([5, 33], 'i8')}",
                              f"  %d = intvit.dequantize %q scale 0.02 : {t([5, 33], 'i8')} -> {t([5, 33], 'f32')}"],
                             [t([5, 33], "f32")], [("%q", t([5, 33], "i8")), ("%d", t([5, 33], "f32"))])
    return out


def split_weights(root: Path, folder: Path) -> None:
    """weights.bin -> content-addressed parts under root/blobs (stored once for the whole bundle:
    batch 1 and 8 of a model, dp4a and mma, share their matrices) + weights.parts.json."""
    blob = (folder / "weights.bin").read_bytes()
    (root / "blobs").mkdir(exist_ok=True)
    parts = []
    for entry in json.loads((folder / "weights.json").read_text()):
        data = blob[entry["offset"]: entry["offset"] + entry["bytes"]]
        digest = hashlib.sha256(data).hexdigest()[:32]
        if not (root / "blobs" / digest).exists():
            (root / "blobs" / digest).write_bytes(data)
        parts.append([entry["offset"], entry["bytes"], digest])
    (folder / "weights.parts.json").write_text(json.dumps({"bytes": len(blob), "parts": parts}))
    (folder / "weights.bin").unlink()


def write_case(root: Path, name: str, module, inputs: list[np.ndarray], meta: dict, gemm: str = "dp4a") -> dict:
    folder = root / name
    t0 = time.perf_counter()
    report = get_target("cuda-dp4a").compile(module, folder, check_archs=False, emulated_build=False, gemm=gemm,
                                      arch="sm_80,sm_90" if gemm == "mma" else None)
    want = run_module(module, inputs)
    (folder / "inputs").mkdir(exist_ok=True)
    (folder / "golden").mkdir(exist_ok=True)
    for k, x in enumerate(inputs):   # inputs shared by the dp4a and mma cases: stored once too
        data = np.ascontiguousarray(x).tobytes()
        digest = hashlib.sha256(data).hexdigest()[:32]
        (root / "blobs").mkdir(exist_ok=True)
        if not (root / "blobs" / digest).exists():
            (root / "blobs" / digest).write_bytes(data)
        (folder / "inputs" / f"in{k}.bin.blob").write_text(digest)
    for k, y in enumerate(want):
        (folder / "golden" / f"out{k}.bin").write_bytes(np.ascontiguousarray(y).tobytes())
    split_weights(root, folder)
    case = {"name": name, "gemm": gemm, "outputs": report["outputs"], "inputs": report["inputs"],
            "kernels": report["kernels"], "seconds": round(time.perf_counter() - t0, 1), **meta}
    (folder / "case.json").write_text(json.dumps(case, indent=1))
    return case


def model_module(name: str, batch: int, seed: int = 0):
    from intvit.runtime.frontend import import_model
    from intvit.runtime.model_io import build_named_model

    model, shape = build_named_model(name, None, seed)
    rng = np.random.default_rng(seed)
    one = [rng.standard_normal(shape).astype(np.float32) for _ in range(2)]
    # the same images at every batch: the same ranges, scales and weights (one shared weights.bin)
    calib = [np.repeat(x, batch, axis=0) for x in one]
    return import_model(model, calib[0], calib).module, (batch, *shape[1:])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m intvit.runtime.gpu_bundle", description=__doc__.split("\n\n")[0])
    p.add_argument("out")
    p.add_argument("--models", default="digits-vit,deit-tiny,deit-small")
    p.add_argument("--batches", default="1,8")
    p.add_argument("--no-ops", action="store_true")
    args = p.parse_args(argv)
    from intvit.dialects.context import parse_module

    root = Path(args.out)
    root.mkdir(parents=True, exist_ok=True)
    cases = []
    if not args.no_ops:
        for family, text in op_cases().items():
            module = parse_module(text)
            inputs = random_inputs(find_entry(module), 1)
            for gemm in (("dp4a", "mma") if family in ("matmul", "shiftmax") else ("dp4a",)):
                cases.append(write_case(root, f"op-{family}-{gemm}", module, inputs, {"kind": "op"}, gemm))
                print(f"op {family} ({gemm})", flush=True)
    for name in [m for m in args.models.split(",") if m]:
        for batch in (int(b) for b in args.batches.split(",")):
            module, shape = model_module(name, batch)
            x = np.random.default_rng(batch).standard_normal(shape).astype(np.float32)
            for gemm in ("dp4a", "mma"):
                cases.append(write_case(root, f"{name}-b{batch}-{gemm}", module, [x],
                                        {"kind": "model", "model": name, "batch": batch}, gemm))
                print(f"model {name} batch {batch} ({gemm})", flush=True)
    (root / "bundle.json").write_text(json.dumps({"cases": [c["name"] for c in cases]}, indent=1))
    size = sum(f.stat().st_size for f in root.rglob("*") if f.is_file())
    print(f"wrote {len(cases)} cases to {root} ({size / 2**20:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
