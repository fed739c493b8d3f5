"""Run the `llvm-cpu` kernel steps one at a time on an MLIR file and print the module after them.

    python -m intvit.lowering.llvm_cpu.steps --step bufferize,gemm-kernels --gemm vnni FILE.mlir

The steps are those of `pipeline.lower_to_llvm`, on upstream MLIR (the torch-mlir bindings):

| step | what | options |
|---|---|---|
| `bufferize` | the C-interface wrapper, then `pipeline.BUFFERIZE` (tensors -> memrefs) | |
| `fold-transposes` | a transposed copy read by one GEMM folds into its indexing map | |
| `gemm-kernels` | every integer GEMM -> a kernel call (`gemm_kernels.rewrite_gemms`), with the fused init and epilogue | `--gemm`, `--threads`, `--no-epilogue`, `--no-fused-init` |
| `row-kernels` | runs of row generics -> one row kernel (`row_kernels.fuse_rows`) | `--elementwise`, `--threads` |
| `elementwise-kernels` | every other generic -> a 16-lane kernel (`ewise_kernels.rewrite_elementwise`, no row fusion) | `--elementwise`, `--threads` |
| `to-llvm` | `pipeline.TO_LLVM` (with OpenMP and `x86` conversions as the pipeline adds them) | |

The kernel steps work on bufferized IR (memrefs) and refuse tensor-level linalg.  `--threads N`
(N > 1) emits the threaded kernels (`omp.parallel`); nothing runs, so no OpenMP runtime is
needed, and every GEMM variant (`amx` included) is emitted, parsed and verified on any host.
Errors: one line on stderr, exit 1 (bad input) or 2 (bad command line).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass

__all__ = ["STEPS", "StepOptions", "StepError", "run_steps", "main"]


class StepError(Exception):
    """A user error: unparsable input, a kernel step on tensors, a failing pass."""


@dataclass(frozen=True)
class StepOptions:
    gemm: str = "vnni"          # amx | vnni | portable (`auto`: what the host would get)
    threads: int = 1            # > 1: threaded kernels
    epilogue: bool = True       # fuse each GEMM's elementwise consumer
    fused_init: bool = True     # fuse the bias / zero fill of the accumulator
    elementwise: str = "vector"  # vector | scalar

    @property
    def parallel(self) -> bool:
        return self.threads > 1


def _bufferize(module, text: str, opts: StepOptions) -> None:
    from torch_mlir import passmanager

    from intvit.lowering.llvm_cpu.pipeline import BUFFERIZE, add_wrapper, entry_signature

    name, inputs, outputs = entry_signature(module, None)
    add_wrapper(module, name, inputs, outputs)
    passmanager.PassManager.parse(f"builtin.module({BUFFERIZE})").run(module.operation)


def _fold_transposes(module, text: str, opts: StepOptions) -> None:
    from intvit.lowering.llvm_cpu import gemm_kernels

    gemm_kernels.fold_transposes(module)


def _gemm_kernels(module, text: str, opts: StepOptions) -> None:
    from intvit.lowering.llvm_cpu import gemm_kernels
    from intvit.lowering.llvm_cpu.pipeline import resolve_gemm

    gemm_kernels.rewrite_gemms(module, resolve_gemm(opts.gemm), gemm_kernels.resource_blobs(text),
                               fuse_init=opts.fused_init, parallel=opts.parallel, fuse_epilogue=opts.epilogue)


def _row_kernels(module, text: str, opts: StepOptions) -> None:
    from intvit.lowering.llvm_cpu.openmp import add_declarations
    from intvit.lowering.llvm_cpu.row_kernels import fuse_rows

    first = list(module.body.operations)[0]
    if fuse_rows(module, opts.parallel, opts.elementwise == "vector", set(), first)["parallel"]:
        add_declarations(module)


def _elementwise_kernels(module, text: str, opts: StepOptions) -> None:
    from intvit.lowering.llvm_cpu.ewise_kernels import rewrite_elementwise

    rewrite_elementwise(module, parallel=opts.parallel, vectorize=opts.elementwise == "vector")


def _to_llvm(module, text: str, opts: StepOptions) -> None:
    from torch_mlir import passmanager

    from intvit.lowering.llvm_cpu.pipeline import TO_LLVM, TO_LLVM_OMP

    pipeline = TO_LLVM_OMP if "omp.parallel" in str(module) else TO_LLVM
    pipeline = pipeline.replace("convert-vector-to-llvm", "convert-vector-to-llvm{enable-x86=1}")
    passmanager.PassManager.parse(f"builtin.module({pipeline})").run(module.operation)


# name -> (function, works on memrefs only, help)
STEPS = {
    "bufferize": (_bufferize, False, "C-interface wrapper + one-shot bufferization"),
    "fold-transposes": (_fold_transposes, True, "fold transposed copies into their GEMM"),
    "gemm-kernels": (_gemm_kernels, True, "GEMM kernels, fused init and epilogues"),
    "row-kernels": (_row_kernels, True, "fused row kernels (LayerNorm, Shiftmax, GELU chains)"),
    "elementwise-kernels": (_elementwise_kernels, True, "16-lane elementwise / reduction kernels"),
    "to-llvm": (_to_llvm, True, "the rest of the pipeline, to the LLVM dialect"),
}


def _tensor_linalg(module) -> str | None:
    """The name of a linalg op still on tensors, if any."""
    from torch_mlir import ir

    found = []

    def visit(op):
        if op.name.startswith("linalg.") and len(op.results):
            found.append(op.name)
            return ir.WalkResult.INTERRUPT
        return ir.WalkResult.ADVANCE

    module.operation.walk(visit)
    return found[0] if found else None


def run_steps(text: str, steps: list[str], opts: StepOptions = StepOptions()) -> str:
    """Parse `text` (upstream MLIR), run `steps` in order, return the module's text."""
    from torch_mlir import ir

    unknown = [s for s in steps if s not in STEPS]
    if unknown:
        raise StepError(f"unknown step {unknown[0]!r} (one of {', '.join(STEPS)})")
    ctx = ir.Context()
    try:
        module = ir.Module.parse(text, ctx)
    except Exception as err:
        raise StepError(f"upstream MLIR rejected the module: {str(err).strip()}") from None
    with ctx:
        for step in steps:
            fn, memrefs_only, _ = STEPS[step]
            tensor_op = _tensor_linalg(module) if memrefs_only else None
            if tensor_op is not None:
                raise StepError(f"step {step} works on bufferized IR, but {tensor_op} is on tensors "
                                f"(run the bufferize step first)")
            try:
                fn(module, text, opts)
            except StepError:
                raise
            except Exception as err:
                raise StepError(f"step {step} failed: {str(err).strip()[:2000]}") from None
        return str(module)


def _step_list(value: str) -> list[str]:
    steps = [s.strip() for s in value.split(",") if s.strip()]
    bad = [s for s in steps if s not in STEPS]
    if bad or not steps:
        raise argparse.ArgumentTypeError(f"unknown step {bad[0] if bad else value!r} (one of {', '.join(STEPS)})")
    return steps


def _threads(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"threads must be an integer >= 1, got {value!r}")
    return n


def parser() -> argparse.ArgumentParser:
    from intvit.lowering.llvm_cpu.pipeline import ELEMENTWISE_VARIANTS, GEMM_VARIANTS

    p = argparse.ArgumentParser(prog="python -m intvit.lowering.llvm_cpu.steps",
                                description="Run llvm-cpu kernel steps on an upstream MLIR file and print the result.",
                                epilog="steps: " + "; ".join(f"{k}: {v[2]}" for k, v in STEPS.items()))
    p.add_argument("input", help="upstream MLIR file ('-': stdin)")
    p.add_argument("--step", type=_step_list, action="append", required=True, metavar="STEP[,STEP...]",
                   help="steps to run, in order (repeatable)")
    p.add_argument("--gemm", choices=[v for v in GEMM_VARIANTS if v != "loops"], default="vnni",
                   help="GEMM kernel variant (default vnni; auto: the host's)")
    p.add_argument("--threads", type=_threads, default=1, help="N > 1: threaded kernels (default 1)")
    p.add_argument("--no-epilogue", action="store_true", help="do not fuse GEMM consumers")
    p.add_argument("--no-fused-init", action="store_true", help="do not fuse the accumulator's fill")
    p.add_argument("--elementwise", choices=[v for v in ELEMENTWISE_VARIANTS if v != "loops"], default="vector")
    p.add_argument("-o", "--output", default="-", help="output file ('-': stdout)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    opts = StepOptions(args.gemm, args.threads, not args.no_epilogue, not args.no_fused_init, args.elementwise)
    try:
        text = sys.stdin.read() if args.input == "-" else open(args.input).read()
    except OSError as err:
        print(f"error: cannot read {args.input}: {err.strerror}", file=sys.stderr)
        return 1
    try:
        out = run_steps(text, [s for group in args.step for s in group], opts)
    except StepError as err:
        print(f"{args.input}: error: {err}", file=sys.stderr)
        return 1
    if args.output == "-":
        sys.stdout.write(out)
    else:
        with open(args.output, "w") as f:
            f.write(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
