"""The target registry behind `intvit run/compile/eval/bench --target NAME`.

Each target is a `intvit.lowering.target.Target` subclass in its own subpackage of
`intvit.lowering`; listing it in `TARGETS` is the one edit that makes every subcommand, flag and
`--json` key of the CLI available for it.  `interpreter` runs the golden model op by op (no
artifact).  Drivers call `get_target`, `compile_for` and `load_artifact`, never a target's
modules directly.
"""

from __future__ import annotations

from pathlib import Path

from xdsl.dialects.builtin import ModuleOp

from intvit.lowering.cuda.target import CudaDp4aTarget
from intvit.lowering.hls.target import HlsCppTarget
from intvit.lowering.llvm_cpu.target import LlvmCpuTarget
from intvit.lowering.target import Executable, Target, TargetError, read_sidecar_json

__all__ = ["TARGETS", "PLANNED", "Executable", "Target", "TargetError", "compile_for", "get_target",
           "load_artifact", "target_names"]


class InterpreterTarget(Target):
    name = "interpreter"
    help = "the golden model, op by op over numpy (intvit IR; no artifact)"

    def compile(self, module, output, source=None, **options):
        raise TargetError("the interpreter writes no artifact: choose a compiling target (e.g. --target llvm-cpu)")

    def build(self, module: ModuleOp, workdir: Path | None = None, **options) -> Executable:
        from intvit.runtime.interpreter import run_module

        return Executable(self.name, lambda inputs: run_module(module, list(inputs)), device="cpu")


TARGETS: dict[str, Target] = {t.name: t for t in (InterpreterTarget(), LlvmCpuTarget(), CudaDp4aTarget(),
                                                   HlsCppTarget())}
# Names the CLI accepts that answer "not available" until their backend exists (none today).
PLANNED: dict[str, str] = {}


def target_names(compiling: bool = False) -> list[str]:
    names = [n for n in TARGETS if not (compiling and n == "interpreter")]
    return names + list(PLANNED)


def get_target(name: str) -> Target:
    if name in PLANNED:
        raise TargetError(f"target '{name}' is not available: {PLANNED[name]}")
    if name not in TARGETS:
        raise TargetError(f"unknown target '{name}' (choose from {', '.join(target_names())})")
    target = TARGETS[name]
    target.check_available()
    return target


def compile_for(target: str, module: ModuleOp, workdir: str | Path | None = None, **options) -> Executable:
    """Build `module` for `target` and load it (a temporary artifact unless `workdir`)."""
    t = get_target(target)
    return t.build(module, Path(workdir) if workdir else None, **options)


def load_artifact(path: str | Path) -> Executable:
    """Load any compiled artifact by the target its sidecar names."""
    meta = read_sidecar_json(path)
    name = meta.get("target", "llvm-cpu")  # sidecars before the registry were llvm-cpu's
    return get_target(name).load(Path(path))
