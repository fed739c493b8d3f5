"""`intvit bench`: the compiled model against its peers, measured in one run, same weights.

Peers (target-independent): PyTorch FP32 eager, PyTorch int8 dynamic quantization of the Linear
layers, ONNX Runtime FP32 and int8 dynamic (when `onnxruntime` is installed: `pip install -e
.[bench]`).  The compile runs in a child process through the target registry
(`Target.compile` with `Target.bench_options`), which writes the artifact and computes the
golden model's output for the benchmark input, so its wall time and peak RSS are the compile's
alone; the parent loads the artifact (`Target.load`), checks it bit for bit, and times it (into
preallocated outputs where the target writes into them).  What only the target can measure
(llvm-cpu: the peaks of its int8 units and each of the model's GEMMs timed alone) comes from
`Target.bench_extras`; the GEMM kernels' share of peak comes from those, not from the whole
model's time (which `model_gops` reports).
"""

from __future__ import annotations

import json
import multiprocessing as mp
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from intvit.lowering.target import median_seconds
from intvit.runtime.targets import get_target


def _time(fn, warmup: int = 3, repeat: int = 20) -> float:
    """Median milliseconds."""
    return median_seconds(fn, repeat, warmup) * 1000


def _compile_child(model_name: str, calib: str, seed: int, target: str, artifact: str, x: np.ndarray,
                   options: dict, out: mp.Queue, input_shape: tuple[int, ...] | None = None) -> None:
    try:
        from intvit.runtime.interpreter import run_module
        from intvit.runtime.model_io import import_named_model

        result, _ = import_named_model(model_name, calib=calib, seed=seed, input_shape=input_shape,
                                       batch=x.shape[0])
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t0 = time.perf_counter()
        report = get_target(target).compile(result.module, Path(artifact), **options)
        wall = time.perf_counter() - t0
        info = {"compile_s": report["compile_s"], "aot_link_s": wall - report["compile_s"],
                "compile_peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "import_peak_rss_mb": rss_before / 1024, "import": result.timings,
                "elementwise": report.get("elementwise")}
        info["golden"] = run_module(result.module, [x])
        out.put(info)
    except Exception as err:  # reported by the parent
        out.put({"error": f"{type(err).__name__}: {err}"})


def gemm_macs(model: torch.nn.Module, shape) -> int:
    """Multiply-accumulates of every Linear/Conv/matmul, counted with forward hooks + attention."""
    macs = 0

    def hook(mod, inp, outp):
        nonlocal macs
        if isinstance(mod, torch.nn.Linear):
            macs += inp[0].numel() // inp[0].shape[-1] * mod.in_features * mod.out_features
        elif isinstance(mod, torch.nn.Conv2d):
            macs += outp.numel() * mod.in_channels * mod.kernel_size[0] * mod.kernel_size[1]
    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (torch.nn.Linear, torch.nn.Conv2d))]
    with torch.no_grad():
        model(torch.zeros(shape))
    for h in handles:
        h.remove()
    for m in model.modules():  # q @ k^T and attn @ v
        if hasattr(m, "num_heads") and hasattr(m, "qkv"):
            tokens = getattr(model, "patch_embed").num_patches + 1
            dim = m.qkv.in_features
            macs += 2 * tokens * tokens * dim * shape[0]
    return macs


def _onnx_peers(model, x: np.ndarray, threads: int) -> dict:
    try:
        import onnxruntime as ort
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError:
        return {"ort_fp32_ms": None, "ort_int8_ms": None, "ort_note": "onnxruntime not installed (pip install -e .[bench])"}
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "m.onnx"
        int8 = Path(tmp) / "m.int8.onnx"
        torch.onnx.export(model, torch.from_numpy(x), str(fp32), input_names=["x"], opset_version=17, dynamo=False)
        quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8)
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        res = {}
        for key, path in (("ort_fp32_ms", fp32), ("ort_int8_ms", int8)):
            sess = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
            res[key] = _time(lambda: sess.run(None, {"x": x}))
    return res


def _compile_and_time(model_name, calib, seed, target, x, options, repeat,
                      input_shape=None) -> tuple[dict, object, float, bool]:
    """Compile in a child, load here, check against the golden model, time: (compile info,
    executable, median ms, bit-exact).  The artifact lives in a temporary folder the executable keeps."""
    t = get_target(target)
    tmp = tempfile.TemporaryDirectory(prefix=f"intvit-bench-{t.name}-")
    artifact = str(Path(tmp.name) / f"model{t.suffix}")
    queue: mp.Queue = mp.get_context("spawn").Queue()
    child = mp.get_context("spawn").Process(target=_compile_child,
                                            args=(model_name, calib, seed, target, artifact, x, options, queue,
                                                  input_shape))
    child.start()
    compile_info = queue.get()
    child.join()
    if "error" in compile_info:
        raise RuntimeError(f"compile failed: {compile_info['error']}")
    executable = t.load(Path(artifact))
    executable.keep = tmp
    outs = executable.output_buffers()
    got = executable(x, out=outs)
    bit_exact = len(got) == len(compile_info["golden"]) and all(
        np.array_equal(o, g) for o, g in zip(got, compile_info["golden"]))
    intvit_ms = _time(lambda: executable(x, out=outs), repeat=repeat)
    return compile_info, executable, intvit_ms, bit_exact


def benchmark(model_name: str = "deit-tiny", target: str = "llvm-cpu", batch: int = 1, threads: int = 2,
              calib: str = "8", seed: int = 0, repeat: int = 20, gemm_kernels: bool = True,
              input_shape: tuple[int, ...] | None = None, **options) -> dict:
    """`options`: the target's own compile flags (llvm-cpu: `gemm`, `elementwise`), validated by it.
    Every time is for one call on a batch of `batch` images (`intvit_ms_per_image` divides);
    `batch` None takes the leading size of `input_shape`, else 1."""
    from intvit.runtime.model_io import build_named_model, check_model_arguments

    t = get_target(target)  # an unknown or unavailable target fails here, before any work
    options = {**t.bench_options(threads), **t.select_options(options)}
    check_model_arguments(model_name, None, calib, batch)
    torch.set_num_threads(threads)
    model, shape = build_named_model(model_name, None, seed, input_shape, batch)
    x = np.random.default_rng(seed + 7).standard_normal(shape).astype(np.float32)
    compile_info, executable, intvit_ms, bit_exact = _compile_and_time(model_name, calib, seed, target, x,
                                                                       options, repeat, input_shape)
    xt = torch.from_numpy(x)
    with torch.no_grad():
        fp32_ms = _time(lambda: model(xt), repeat=repeat)
        qmodel = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
        int8_ms = _time(lambda: qmodel(xt), repeat=repeat)
    peers = _onnx_peers(model, x, threads)
    extras = t.bench_extras(executable, threads, gemm_kernels)
    macs = gemm_macs(model, shape)
    achieved = 2 * macs / (intvit_ms / 1000) / 1e9
    unit_peak = extras.get("unit_peak_gops")
    kernel_ms = extras.get("gemm_kernel_ms")
    kernel_gops = 2 * extras["gemm_kernel_macs"] / (kernel_ms / 1000) / 1e9 if kernel_ms else None
    report = {
        "model": model_name, "target": target, "batch": int(shape[0]), "threads": threads,
        "intvit_ms": intvit_ms, "intvit_ms_per_image": intvit_ms / shape[0], "torch_fp32_ms": fp32_ms, "torch_int8_ms": int8_ms,
        "ort_fp32_ms": peers.get("ort_fp32_ms"), "ort_int8_ms": peers.get("ort_int8_ms"),
        "speedup_vs_fp32": fp32_ms / intvit_ms, "speedup_vs_int8": int8_ms / intvit_ms,
        "speedup_vs_ort_int8": (peers["ort_int8_ms"] / intvit_ms) if peers.get("ort_int8_ms") else None,
        "bit_exact": bit_exact, "gemm_unit": extras.get("gemm_unit"),
        "gemm_gmacs": macs / 1e9, "peak_gops": extras.get("peak_gops"), "amx_peak_gops": extras.get("amx_peak_gops"),
        "model_gops": achieved, "gemm_kernel_ms": kernel_ms, "gemm_kernel_gops": kernel_gops,
        "gemm_peak_fraction": (kernel_gops / unit_peak) if kernel_gops and unit_peak else None,
        "gemm_floor_ms": (2 * macs / (unit_peak * 1e9) * 1000) if unit_peak else None,
        "gemm_shapes": extras.get("gemm_shapes"),
        "elementwise": compile_info["elementwise"],
        "compile_s": compile_info["compile_s"], "compile_peak_rss_mb": compile_info["compile_peak_rss_mb"],
        "import_peak_rss_mb": compile_info["import_peak_rss_mb"], "aot_link_s": compile_info["aot_link_s"],
        "import_s": sum(compile_info["import"].values()), "calibration_images": int(calib) if calib.isdigit() else None,
    }
    if "ort_note" in peers:
        report["note"] = peers["ort_note"]
    return report


def format_bench(r: dict) -> str:
    def ms(v):
        return "n/a" if v is None else f"{v:8.2f} ms"

    def ratio(v):
        return "n/a" if v is None else f"{v:.2f}x"

    lines = [f"{r['model']} batch {r['batch']}, {r['threads']} threads, target {r['target']} (times per batch)",
             f"  intvit (compiled)      {ms(r['intvit_ms'])}"
             + (f"   {r['intvit_ms_per_image']:.3f} ms/image" if r['batch'] > 1 else ""),
             f"  PyTorch FP32 eager     {ms(r['torch_fp32_ms'])}   intvit speedup {ratio(r['speedup_vs_fp32'])}",
             f"  PyTorch int8 dynamic   {ms(r['torch_int8_ms'])}   intvit speedup {ratio(r['speedup_vs_int8'])}",
             f"  ONNX Runtime FP32      {ms(r['ort_fp32_ms'])}",
             f"  ONNX Runtime int8      {ms(r['ort_int8_ms'])}   intvit speedup {ratio(r['speedup_vs_ort_int8'])}"]
    lines.append(f"  output vs golden model {'bit-exact' if r['bit_exact'] else 'MISMATCH'}")
    if r.get("peak_gops"):
        lines.append(f"  VNNI peak (measured)   {r['peak_gops']:8.0f} GOPS")
    if r.get("amx_peak_gops"):
        lines.append(f"  AMX peak (measured)    {r['amx_peak_gops']:8.0f} GOPS")
    if r.get("gemm_kernel_ms") is not None:
        frac = f", {100 * r['gemm_peak_fraction']:.0f}% of the {str(r['gemm_unit']).upper()} peak" \
            if r.get("gemm_peak_fraction") else ""
        floor = f"; floor {r['gemm_floor_ms']:.2f} ms" if r.get("gemm_floor_ms") else ""
        lines.append(f"  GEMM kernels ({r['gemm_unit']})   {r['gemm_kernel_ms']:8.2f} ms for {r['gemm_gmacs']:.2f} GMAC "
                     f"= {r['gemm_kernel_gops']:.0f} GOPS{frac}{floor}")
    lines.append(f"  whole model            {r['model_gops']:8.0f} GOPS (GEMM work / model latency)")
    lines.append(f"  import + calibrate + quantize {r['import_s']:.1f} s (peak RSS {r['import_peak_rss_mb']:.0f} MB); "
                 f"compile {r['compile_s']:.1f} s (peak RSS {r['compile_peak_rss_mb']:.0f} MB)")
    if r.get("note"):
        lines.append(f"  note: {r['note']}")
    return "\n".join(lines)


def to_json(r: dict) -> str:
    return json.dumps(r)
