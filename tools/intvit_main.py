"""`intvit`: the model-level command.  Subcommands parse arguments and call library code.

    intvit run FILE.mlir --input x.npy [...] [-o out.npy]     execute intvit IR (golden interpreter)

Later subcommands (`import`, `compile`, `eval`, `bench`) plug into the same parser through
`SUBCOMMANDS`; every one accepts `--json` for machine-readable output with the same keys across
targets.
"""

from __future__ import annotations

import argparse
import json
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


def _target_values(args: argparse.Namespace) -> dict:
    from intvit.runtime.targets import TARGETS

    dests = {o.dest for t in TARGETS.values() for o in t.options}
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


def _size_budget(text: str) -> str:
    if text[:1] in ("w", "W") and text[1:] in ("4", "6", "8") or text.isdigit() and int(text) > 0:
        return text
    raise argparse.ArgumentTypeError(f"expected BYTES (> 0) or w4|w6|w8 (the size of the all-N-bit model), got '{text}'")


def _add_precision_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--calibration", choices=["minmax", "percentile", "ptq4vit"], default="minmax",
                   help="ptq4vit: Hessian-guided steps and twin codes for post-Shiftmax/ShiftGELU values")
    p.add_argument("--weight-bits", type=int, choices=[4, 6, 8], default=8, help="weights per output channel")
    p.add_argument("--act-bits", type=int, choices=[4, 6, 8], default=8, help="GEMM-input activations")
    p.add_argument("--size-budget", type=_size_budget, metavar="BYTES|wN",
                   help="mixed precision by search (needs --calibration ptq4vit): per-layer weight widths "
                        "within BYTES, or within the size of the all-N-bit model (w6)")


def _check_precision_flags(args: argparse.Namespace) -> None:
    if args.size_budget and args.calibration != "ptq4vit":
        raise ValueError("--size-budget searches on PTQ4ViT's per-layer sensitivities: add --calibration ptq4vit")


def cmd_import(args: argparse.Namespace) -> int:
    from intvit.runtime.model_io import import_named_model, write_module

    _check_precision_flags(args)

    result, info = import_named_model(
        args.model, weights=args.weights, calib=args.calib, seed=args.seed, method=args.calibration,
        percentile=args.percentile, rounding=args.rounding, emit=args.emit, progress=not args.json,
        weight_bits=args.weight_bits, act_bits=args.act_bits, size_budget=args.size_budget,
    )
    write_module(result.module, args.output)
    report = {"model": args.model, "emit": args.emit, "output": args.output, **info, **result.timings}
    if args.json:
        print(json.dumps(report))
    else:
        print(f"wrote {args.output} ({args.emit} IR of {args.model}; "
              + ", ".join(f"{k} {v:.2f}" for k, v in result.timings.items()) + ")")
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
    p.add_argument("-o", "--output", required=True, metavar="MODEL.mlir")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_import)


def cmd_compile(args: argparse.Namespace) -> int:
    from intvit.runtime.runner import compile_file

    info = compile_file(args.file, args.target, args.output, **_target_values(args))
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
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_compile)


def cmd_eval(args: argparse.Namespace) -> int:
    from intvit.runtime.evaluate import evaluate, format_report

    _check_precision_flags(args)

    report = evaluate(args.model, args.target, args.limit, args.calib, args.seed, args.weights,
                      progress=not args.json and sys.stderr.isatty(), rounding=args.rounding,
                      options=_target_values(args), weight_bits=args.weight_bits, act_bits=args.act_bits,
                      calibration=args.calibration, size_budget=args.size_budget)
    print(json.dumps(report) if args.json else format_report(report))
    return 0 if report["bit_exact"] else 2


def add_eval(sub) -> None:
    p = sub.add_parser("eval", help="a model end to end on a target: accuracy and bit-exactness")
    p.add_argument("--model", default="digits-vit", help="digits-vit (default), deit-tiny|deit-small|deit-base")
    p.add_argument("--target", default="llvm-cpu", choices=_targets())
    _add_target_flags(p, "eval")
    p.add_argument("--limit", type=int, metavar="N", help="evaluate the first N test images")
    p.add_argument("--calib", default="64", metavar="N|DIR", help="calibration images (default 64)")
    p.add_argument("--weights", help="a local checkpoint for the model")
    p.add_argument("--rounding", default="half_even",
                   choices=_rounding_modes())
    _add_precision_flags(p)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=cmd_eval)


def cmd_bench(args: argparse.Namespace) -> int:
    from intvit.runtime.bench import benchmark, format_bench

    report = benchmark(args.model, args.target, args.batch, args.threads, args.calib, args.seed, args.repeat,
                       gemm_kernels=not args.no_gemm_kernels, gemm=args.gemm or "auto")
    print(json.dumps(report) if args.json else format_bench(report))
    return 0 if report["bit_exact"] else 2


def add_bench(sub) -> None:
    p = sub.add_parser("bench", help="speed of the compiled model against PyTorch, ONNX Runtime and the int8 peaks")
    p.add_argument("--model", default="deit-tiny")
    p.add_argument("--target", default="llvm-cpu", choices=_targets(compiling=True))
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--calib", default="8", metavar="N|DIR")
    p.add_argument("--repeat", type=int, default=20)
    p.add_argument("--seed", type=int, default=0)
    _add_target_flags(p, "bench")
    p.add_argument("--no-gemm-kernels", action="store_true",
                   help="skip timing each GEMM of the model alone (gemm_kernel_ms, gemm_peak_fraction)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_bench)


SUBCOMMANDS: list[Callable] = [add_run, add_import, add_compile, add_eval, add_bench]


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
