"""Run a cuda-dp4a bundle on a GPU machine: build every case with nvcc for this GPU, run it,
compare bit for bit with the golden outputs carried along, then time the models against PyTorch
FP32 (TF32 off) and FP16 on the same GPU.  Needs only Python 3, numpy, nvcc (and torch for the
peers): no intvit install, no xDSL.

    python3 tools/gpu_check.py BUNDLE [--no-bench] [--repeat 50] [--jobs 8] [--emulated]

`--emulated` builds the harnesses with g++ against the emulator header instead (no GPU): the
same flow on any machine, used to test this script.  Exit status: 0 when every case is
bit-exact, 1 otherwise (or when a build fails).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]


def gpu_arch() -> str:
    out = subprocess.run(["nvidia-smi", "--query-gpu=compute_cap", "--format=csv,noheader"],
                         capture_output=True, text=True, check=True).stdout.split()[0]
    return "sm_" + out.replace(".", "")


def prepare(case: Path) -> None:
    """Reassemble weights.bin from the bundle's content-addressed parts (stored once)."""
    parts = case / "weights.parts.json"
    if parts.is_file() and not (case / "weights.bin").exists():
        spec = json.loads(parts.read_text())
        blob = bytearray(spec["bytes"])
        for offset, size, digest in spec["parts"]:
            data = (case.parent / "blobs" / digest).read_bytes()
            assert len(data) == size, f"{case.name}: part {digest} has {len(data)} bytes, expected {size}"
            blob[offset: offset + size] = data
        (case / "weights.bin").write_bytes(bytes(blob))
    for ref in (case / "inputs").glob("*.blob"):
        target = ref.with_suffix("")
        if not target.exists():
            target.write_bytes((case.parent / "blobs" / ref.read_text().strip()).read_bytes())


def build(case: Path, arch: str | None, emulated: bool) -> tuple[Path, str | None]:
    prepare(case)
    target = "harness_emu" if emulated else "harness"
    cmd = ["make", "-s", "-C", str(case), target] + ([] if emulated or arch is None else [f"ARCH={arch}"])
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        return case, (done.stderr or done.stdout)[-3000:]
    return case, None


def mismatches(case: Path, out_dir: Path) -> tuple[int, int]:
    """(differing elements, total elements) over all outputs, compared by bit pattern."""
    meta = json.loads((case / "case.json").read_text())
    bad = total = 0
    for k, sig in enumerate(meta["outputs"]):
        dtype = np.dtype(sig["dtype"])
        want = np.fromfile(case / "golden" / f"out{k}.bin", dtype=dtype)
        got = np.fromfile(out_dir / f"out{k}.bin", dtype=dtype) if (out_dir / f"out{k}.bin").is_file() else None
        total += want.size
        if got is None or got.size != want.size:
            bad += want.size
            continue
        bad += int(np.sum(got.view(f"u{dtype.itemsize}") != want.view(f"u{dtype.itemsize}")))
    return bad, total


def run_case(case: Path, emulated: bool, repeat: int = 0) -> tuple[int, int, float | None, str]:
    exe = case / ("harness_emu" if emulated else "harness")
    out_dir = case / "outputs"
    out_dir.mkdir(exist_ok=True)
    cmd = [str(exe), str(case), str(case / "inputs"), str(out_dir)] + ([str(repeat)] if repeat else [])
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        return -1, 0, None, done.stderr[-500:]
    ms = None
    for line in done.stdout.splitlines():
        if line.startswith("median_ms"):
            ms = float(line.split()[1])
    bad, total = mismatches(case, out_dir)
    return bad, total, ms, ""


def torch_peers(model: str, batch: int, repeat: int) -> dict:
    """PyTorch FP32 (TF32 off) and FP16 of the same architecture (random weights: speed only)."""
    import torch

    spec = importlib.util.spec_from_file_location("intvit_zoo_vit", REPO / "runtime" / "zoo" / "vit.py")
    vit = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(vit)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    net = vit.build_model(model).eval().cuda()
    shape = (batch, 1, 8, 8) if model == "digits-vit" else (batch, 3, 224, 224)
    out = {}
    for name, dtype in (("torch_fp32_ms", torch.float32), ("torch_fp16_ms", torch.float16)):
        m = net.to(dtype)
        x = torch.randn(shape, device="cuda", dtype=dtype)
        times = []
        with torch.no_grad():
            for r in range(repeat + 5):
                a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                a.record()
                m(x)
                b.record()
                torch.cuda.synchronize()
                if r >= 5:
                    times.append(a.elapsed_time(b))
        out[name] = float(np.median(times))
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("bundle")
    p.add_argument("--no-bench", action="store_true")
    p.add_argument("--repeat", type=int, default=50)
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 4)
    p.add_argument("--emulated", action="store_true", help="g++ + the emulator instead of nvcc + a GPU")
    p.add_argument("--only", default="", help="comma-separated case-name prefixes")
    args = p.parse_args(argv)
    root = Path(args.bundle)
    names = json.loads((root / "bundle.json").read_text())["cases"]
    if args.only:
        names = [n for n in names if any(n.startswith(o) for o in args.only.split(","))]
    cases = [root / n for n in names]
    arch = None if args.emulated else gpu_arch()
    print(f"{len(cases)} cases, {'emulated (g++)' if args.emulated else 'nvcc for ' + arch}", flush=True)
    t0 = time.perf_counter()
    with ThreadPoolExecutor(args.jobs) as pool:
        failures = [(c, e) for c, e in pool.map(lambda c: build(c, arch, args.emulated), cases) if e]
    print(f"built in {time.perf_counter() - t0:.0f} s", flush=True)
    for c, e in failures:
        print(f"BUILD FAILED {c.name}:\n{e}")
    ok = not failures
    results = {}
    for case in cases:
        if any(case == c for c, _ in failures):
            continue
        bad, total, _, err = run_case(case, args.emulated)
        ok = ok and bad == 0
        verdict = "bit-exact" if bad == 0 else (f"RUN FAILED {err}" if bad < 0 else f"{bad} of {total} MISMATCH")
        print(f"{case.name:32s} {total:9d} elements  {verdict}", flush=True)
        results[case.name] = {"mismatches": bad, "elements": total}
    if not args.no_bench:
        bench(cases, failures, args, results)
    (root / "gpu_check.json").write_text(json.dumps(results, indent=1))
    print("ALL BIT-EXACT" if ok else "FAILURES ABOVE")
    return 0 if ok else 1


def bench(cases, failures, args, results) -> None:
    rows = {}
    for case in cases:
        meta = json.loads((case / "case.json").read_text())
        if meta.get("kind") != "model" or any(case == c for c, _ in failures):
            continue
        _, _, ms, _ = run_case(case, args.emulated, args.repeat)
        rows.setdefault((meta["model"], meta["batch"]), {})[meta["gemm"]] = ms
        results[case.name]["median_ms"] = ms
    print(f"\n{'model':12s} {'batch':>5s} {'dp4a ms':>9s} {'mma ms':>9s} {'fp32 ms':>9s} {'fp16 ms':>9s} "
          f"{'fp32/best':>9s} {'fp16/best':>9s}")
    for (model, batch), ms in rows.items():
        peers = {} if args.emulated else torch_peers(model, batch, args.repeat)
        best = min(v for v in ms.values() if v)
        fp32, fp16 = peers.get("torch_fp32_ms"), peers.get("torch_fp16_ms")
        f = lambda v: f"{v:9.3f}" if v else f"{'-':>9s}"  # noqa: E731
        r = lambda v: f"{v / best:8.2f}x" if v else f"{'-':>9s}"  # noqa: E731
        print(f"{model:12s} {batch:5d} {f(ms.get('dp4a'))} {f(ms.get('mma'))} {f(fp32)} {f(fp16)} {r(fp32)} {r(fp16)}")
        results[f"{model}-b{batch}"] = {**ms, **peers}


if __name__ == "__main__":
    sys.exit(main())
