"""`intvit`: the model-level command.  Subcommands parse arguments and call library code.

    intvit run FILE.mlir --input x.npy [...] [-o out.npy]     execute intvit IR (golden interpreter)

Later subcommands (`import`, `compile`, `eval`, `bench`) plug into the same parser through
`SUBCOMMANDS`; every one accepts `--json` for machine-readable output with the same keys across
targets.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

from intvit.tools.diagnostics import report_failure


def _targets(compiling: bool = False) -> list[str]:
    from intvit.runtime.targets import target_names

    return target_names(compiling)


def _add_target_flags(parser: argparse.ArgumentParser, command: str) -> None:
    from intvit.lowering.target import add_target_options
    from intvit.runtime.targets import TARGETS

    add_target_options(parser, command, list(TARGETS.values()))


def _target_values(args: argparse.Namespace, command: str | None = None) -> dict:
    from intvit.runtime.targets import TARGETS

    dests = {o.dest for t in TARGETS.values() for o in t.options if command is None or command in o.commands}
    return {d: getattr(args, d) for d in dests if getattr(args, d, None) is not None}


def _rounding_modes() -> tuple[str, ...]:
    from intvit.runtime.golden import ROUNDING_MODES

    return ROUNDING_MODES


def _load_inputs(paths: list[str]) -> list[np.ndarray]:
    arrays = []
    for path in paths:
        try:
            arrays.append(np.load(path, allow_pickle=False))
        except FileNotFoundError:
            raise
        except Exception as err:  # numpy raises several types for a bad file
            raise ValueError(f"cannot read input {path}: {err}") from None
    return arrays


def _save_outputs(outputs: list[np.ndarray], path: str) -> list[str]:
    if len(outputs) == 1:
        np.save(path, outputs[0])
        return [path]
    stem = Path(path)
    written = []
    for i, out in enumerate(outputs):
        target = stem.with_name(f"{stem.stem}.{i}{stem.suffix or '.npy'}")
        np.save(target, out)
        written.append(str(target))
    return written


def _summary(outputs: list[np.ndarray]) -> list[dict]:
    return [
        {"index": i, "shape": list(o.shape), "dtype": str(o.dtype),
         "min": o.min().item() if o.size else None, "max": o.max().item() if o.size else None}
        for i, o in enumerate(outputs)
    ]


def cmd_run(args: argparse.Namespace) -> int:
    from intvit.runtime.runner import run_file

    if args.random is not None and args.input:
        raise ValueError("--random and --input are exclusive")
    inputs = None if args.random is not None else _load_inputs(args.input)
    result = run_file(args.file, inputs, args.random, target=args.target, entry=args.entry, check=args.check,
                      options=_target_values(args))
    outputs = result["outputs"]
    written = _save_outputs(outputs, args.output) if args.output else []
    report = {"file": args.file, "target": result["target"], "device": result["device"], "outputs": _summary(outputs), "written": written}
    if args.check:
        report["check"] = result["check"]
    if args.json:
        print(json.dumps(report))
    else:
        for item in report["outputs"]:
            print(f"output {item['index']}: {item['dtype']}{item['shape']} range [{item['min']}, {item['max']}]")
        for path in written:
            print(f"wrote {path}")
        if args.check:
            print(result["check"]["message"])
    return 0 if not args.check or result["check"]["bit_exact"] else 2


def add_run(sub) -> None:
    p = sub.add_parser("run", help="execute intvit IR or a compiled .so on .npy inputs")
    p.add_argument("file", help="an .mlir file (intvit or lowered IR), or a .so from `intvit compile`")
    p.add_argument("--target", default="interpreter", choices=_targets(),
                   help="where to run an .mlir file (a compiled artifact runs on the target its sidecar names)")
    _add_target_flags(p, "run")
    p.add_argument("--check", action="store_true",
                   help="also run the golden model and report the first mismatch (exit 2 if any)")
    p.add_argument("--input", "-i", action="append", default=[], metavar="X.npy",
                   help="one per function argument, in order")
    p.add_argument("-o", "--output", metavar="OUT.npy", help="write the result (OUT.<i>.npy when several)")
    p.add_argument("--random", type=int, metavar="SEED",
                   help="run on seeded random inputs of the entry's argument types instead of --input")
    p.add_argument("--entry", help="function to run (default: the only public one, or @main/@forward)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=cmd_run)


def _add_shape_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--batch", type=int, metavar="N",
                   help="export and compile at batch N (default: the leading size of --input-shape, else 1); "
                        "wins over the leading size of --input-shape; calibration stays per image, so each "
                        "image's output equals batch 1's bit for bit")
    p.add_argument("--input-shape", metavar="N,C,H,W",
                   help="the input shape, batch first (e.g. 1,3,224,224), for a FILE.py:Class model without "
                        "`example_input_shape`")


def _shape_values(args: argparse.Namespace) -> dict:
    """The cheap checks of --batch/--input-shape (before any work)."""
    from intvit.runtime.model_io import check_batch, parse_input_shape

    check_batch(args.batch)
    shape = parse_input_shape(args.input_shape) if args.input_shape is not None else None
    return {"input_shape": shape, "batch": args.batch}


def _size_budget(text: str) -> str:
    if text[:1] in ("w", "W") and text[1:] in ("4", "6", "8") or text.isdigit() and int(text) > 0:
        return text
    raise argparse.ArgumentTypeError(f"expected BYTES (> 0) or w4|w6|w8 (the size of the all-N-bit model), got '{text}'")


def _fps_budget(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"expected frames per second (> 0), got '{text}'")
    return value


def _add_precision_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--calibration", choices=["minmax", "percentile", "ptq4vit"], default="minmax",
                   help="ptq4vit: Hessian-guided steps and twin codes for post-Shiftmax/ShiftGELU values")
    p.add_argument("--weight-bits", type=int, choices=[4, 6, 8], default=8, help="weights per output channel")
    p.add_argument("--act-bits", type=int, choices=[4, 6, 8], default=8, help="GEMM-input activations")
    p.add_argument("--size-budget", type=_size_budget, metavar="BYTES|wN",
                   help="mixed precision by search (needs --calibration ptq4vit): per-layer weight widths "
                        "within BYTES, or within the size of the all-N-bit model (w6)")
    p.add_argument("--fps-budget", type=_fps_budget, metavar="FPS",
                   help="mixed precision by search (needs --calibration ptq4vit) within the cycles per frame "
                        "that FPS allows on the FPGA accelerator model of `intvit estimate` (its defaults; "
                        "with --target hls-cpp, its --part and --clock-ns)")
    p.add_argument("--granularity", choices=["layer", "row"], default=None,
                   help="what the search chooses: a width (4/6/8) per layer (default with --size-budget), or "
                        "Quasar-ViT 4/8-bit rows per output channel (default with --fps-budget; packed, the same "
                        "rows on every target)")


def _check_precision_flags(args: argparse.Namespace) -> None:
    budget = "--size-budget" if args.size_budget else "--fps-budget" if args.fps_budget else None
    if args.size_budget and args.fps_budget:
        raise ValueError("--size-budget and --fps-budget are two budgets for one search: give one")
    if budget and args.calibration != "ptq4vit":
        raise ValueError(f"{budget} searches on PTQ4ViT's per-layer sensitivities: add --calibration ptq4vit")
    if args.granularity and not budget:
        raise ValueError(f"--granularity {args.granularity} says what the search chooses: add --size-budget or --fps-budget")


def _precision_search(args: argparse.Namespace):
    """The search the precision flags ask for, or None."""
    from intvit.runtime.frontend import PrecisionSearch

    if not (args.size_budget or args.fps_budget):
        return None
    clock_ns = getattr(args, "clock_ns", None)
    return PrecisionSearch(size_budget=args.size_budget, fps_budget=args.fps_budget,
                           granularity=args.granularity or ("row" if args.fps_budget else "layer"),
                           part=getattr(args, "part", None), freq_mhz=1000.0 / clock_ns if clock_ns else None)


def cmd_import(args: argparse.Namespace) -> int:
    from intvit.runtime.model_io import check_model_arguments, check_writable, import_named_model, write_module

    shapes = _shape_values(args)
    _check_precision_flags(args)
    check_model_arguments(args.model, args.weights, args.calib)
    check_writable(args.output)
    result, info = import_named_model(
        args.model, weights=args.weights, calib=args.calib, seed=args.seed, method=args.calibration,
        percentile=args.percentile, rounding=args.rounding, emit=args.emit, progress=not args.json,
        compat=args.compat, weight_bits=args.weight_bits, act_bits=args.act_bits, search=_precision_search(args),
        **shapes,
    )
    write_module(result.module, args.output)
    report = {"model": args.model, "emit": args.emit, "output": args.output, **info, **result.timings}
    if args.json:
        print(json.dumps(report))
    else:
        print(f"wrote {args.output} ({args.emit} IR of {args.model}; "
              + ", ".join(f"{k} {v:.2f}" for k, v in result.timings.items()) + ")")
        if info.get("granularity"):
            from intvit.runtime.precision_report import format_widths

            fps = f", FPGA estimate {info['fps_estimate']:.1f} FPS" if info.get("fps_estimate") else ""
            print(f"precision {format_widths(info['precision'])}, weights {info['weight_bytes']} bytes{fps}")
    return 0


def add_import(sub) -> None:
    p = sub.add_parser("import", help="torch model -> intvit IR (export, calibrate, quantize)")
    p.add_argument("--model", default="digits-vit",
                   help="digits-vit (embedded, trained), deit-tiny|deit-small|deit-base, or FILE.py:ClassName")
    p.add_argument("--weights", help="a local checkpoint (.pt/.pth state_dict, timm layout)")
    p.add_argument("--calib", default="32", metavar="N|DIR",
                   help="N calibration images (digits train split, or seeded random images for other models) "
                        "or a folder of .npy images")
    _add_precision_flags(p)
    p.add_argument("--percentile", type=float, default=99.99)
    p.add_argument("--rounding", default="half_even",
                   choices=_rounding_modes())
    p.add_argument("--emit", choices=["intvit", "torch"], default="intvit",
                   help="torch: stop after the torch-dialect import")
    p.add_argument("--seed", type=int, default=0, help="seed for random weights/images")
    _add_shape_flags(p)
    _add_compat_flag(p)
    p.add_argument("-o", "--output", required=True, metavar="MODEL.mlir")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_import)


def _add_compat_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--compat", choices=["none", "ivit"], default="none",
                   help="ivit: match I-ViT's code bit for bit (its isqrt in I-LayerNorm and ShiftGELU's "
                        "float32 1.702); default: intvit's own (exact isqrt, 1.702 in double)")


def cmd_compile(args: argparse.Namespace) -> int:
    from intvit.runtime.runner import compile_file

    info = compile_file(args.file, args.target, args.output, batch=args.batch, **_target_values(args))
    if args.json:
        print(json.dumps(info))
    else:
        print(f"wrote {info['output']} (target {info['target']}, entry {info['entry']}, "
              f"compile {info['compile_s']:.2f} s)")
    return 0


def add_compile(sub) -> None:
    p = sub.add_parser("compile", help="compile intvit (or lowered linalg) IR for a target")
    p.add_argument("file", help="an .mlir file")
    p.add_argument("--target", default="llvm-cpu", choices=_targets(compiling=True))
    p.add_argument("-o", "--output", required=True, metavar="MODEL.so|DIR",
                   help="the artifact: a file (llvm-cpu: .so + .so.json) or a folder, as the target writes")
    _add_target_flags(p, "compile")
    p.add_argument("--batch", type=int, metavar="N",
                   help="check that the IR was imported at batch N (shapes are fixed by `intvit import --batch N`; "
                        "a different batch is refused, not re-batched)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_compile)


def _floats(text: str) -> tuple[float, ...]:
    try:
        return tuple(float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers, got '{text}'") from None


def _preprocess_overrides(args: argparse.Namespace) -> dict:
    given = {k: getattr(args, k) for k in ("crop_pct", "mean", "std") if getattr(args, k) is not None}
    if given and args.data is None and args.calib.isdigit():
        raise ValueError("--crop-pct/--mean/--std apply to image folders: give --data DIR or --calib DIR")
    return given


def cmd_eval(args: argparse.Namespace) -> int:
    preprocess = _preprocess_overrides(args)
    from intvit.runtime.evaluate import evaluate, format_report

    _check_precision_flags(args)

    report = evaluate(args.model, args.target, args.limit, args.calib, args.seed, args.weights,
                      progress=not args.json and sys.stderr.isatty(), rounding=args.rounding,
                      options=_target_values(args), compat=args.compat, **_shape_values(args),
                      data_dir=args.data, preprocess=preprocess, report_dir=args.report,
                      weight_bits=args.weight_bits, act_bits=args.act_bits, calibration=args.calibration,
                      search=_precision_search(args))
    print(json.dumps(report) if args.json else format_report(report))
    return 0 if report["bit_exact"] else 2


def add_eval(sub) -> None:
    p = sub.add_parser("eval", help="a model end to end on a target: accuracy and bit-exactness")
    p.add_argument("--model", default="digits-vit",
                   help="digits-vit (default), deit-tiny|deit-small|deit-base, or FILE.py:ClassName")
    p.add_argument("--target", default="llvm-cpu", choices=_targets())
    _add_target_flags(p, "eval")
    p.add_argument("--limit", type=int, metavar="N",
                   help="evaluate the first N test images (--data: round robin over the classes)")
    p.add_argument("--calib", default="64", metavar="N|DIR",
                   help="calibration images: a count (default 64), a folder of .npy images, or an image folder")
    p.add_argument("--weights", help="a local checkpoint for the model")
    p.add_argument("--rounding", default="half_even",
                   choices=_rounding_modes())
    _add_precision_flags(p)
    p.add_argument("--seed", type=int, default=0)
    _add_shape_flags(p)
    _add_compat_flag(p)
    p.add_argument("--data", metavar="DIR",
                   help="evaluate an image folder (DIR/<class>/<image>.jpg|png, classes = sorted subfolder names, "
                        "as torchvision's ImageFolder) instead of the built-in test data")
    p.add_argument("--crop-pct", type=float, metavar="F",
                   help="image folders: resize the shorter side to int(size / F), centre crop (DeiT 0.875)")
    p.add_argument("--mean", type=_floats, metavar="M[,M,M]", help="image folders: per-channel mean (ImageNet's for DeiT)")
    p.add_argument("--std", type=_floats, metavar="S[,S,S]", help="image folders: per-channel std (ImageNet's for DeiT)")
    p.add_argument("--report", metavar="DIR",
                   help="write a per-layer error report (report.md/.html/.json, SQNR bars, histograms) into DIR")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=cmd_eval)


def cmd_bench(args: argparse.Namespace) -> int:
    from intvit.runtime.bench import benchmark, format_bench

    shapes = _shape_values(args)
    report = benchmark(args.model, args.target, shapes["batch"], args.threads, args.calib, args.seed, args.repeat,
                       gemm_kernels=not args.no_gemm_kernels, input_shape=shapes["input_shape"],
                       **_target_values(args, "bench"))
    print(json.dumps(report) if args.json else format_bench(report))
    return 0 if report["bit_exact"] else 2


def add_bench(sub) -> None:
    p = sub.add_parser("bench", help="speed of the compiled model against PyTorch, ONNX Runtime and the int8 peaks")
    p.add_argument("--model", default="deit-tiny", help="deit-tiny (default), another zoo name, or FILE.py:ClassName")
    p.add_argument("--target", default="llvm-cpu", choices=_targets(compiling=True))
    _add_shape_flags(p)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--calib", default="8", metavar="N|DIR")
    p.add_argument("--repeat", type=int, default=20)
    p.add_argument("--seed", type=int, default=0)
    _add_target_flags(p, "bench")
    p.add_argument("--no-gemm-kernels", action="store_true",
                   help="skip timing each GEMM of the model alone (gemm_kernel_ms, gemm_peak_fraction)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_bench)


def cmd_estimate(args: argparse.Namespace) -> int:
    from intvit.dialects.context import load_module
    from intvit.runtime.targets import TARGETS

    hls = TARGETS["hls-cpp"]
    tiling = {k: getattr(args, k) for k in hls.tiling_defaults()}
    report = hls.estimate(load_module(args.file), args.part, args.freq_mhz, args.dsp_util, args.lut_util, **tiling)
    print(json.dumps(report) if args.json else hls.format_estimate(report))
    return 0


def add_estimate(sub) -> None:
    from intvit.runtime.targets import TARGETS

    hls = TARGETS["hls-cpp"]
    p = sub.add_parser("estimate", help="FPGA resources and latency of a model (Quasar-ViT's model, eqs. 4-16)")
    p.add_argument("file", help="an intvit .mlir file")
    p.add_argument("--part", default=hls.default_part)
    defaults = hls.estimate_defaults()
    p.add_argument("--freq-mhz", type=float, default=defaults["freq_mhz"])
    p.add_argument("--dsp-util", type=float, default=defaults["dsp_util"])
    p.add_argument("--lut-util", type=float, default=defaults["lut_util"])
    for name, default in hls.tiling_defaults().items():
        p.add_argument(f"--{name.replace('_', '-')}", dest=name, type=int, default=default)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_estimate)


SUBCOMMANDS: list[Callable] = [add_run, add_import, add_compile, add_eval, add_bench, add_estimate]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="intvit", description="Integer-only ViT compiler: run, import, compile, eval, bench.")
    sub = parser.add_subparsers(dest="command", required=True)
    for add in SUBCOMMANDS:
        add(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        print("intvit: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # noqa: BLE001 - the CLI boundary turns every failure into a diagnostic
        return report_failure(err, f"intvit {args.command}")


if __name__ == "__main__":
    sys.exit(main())
