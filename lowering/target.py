"""The seam every backend plugs into: a `Target`, the `Executable` it loads, and artifact sidecars.

A target is a sibling subpackage of `intvit.lowering` (`llvm_cpu/`, `cuda/`, `hls/`) that
subclasses `Target` and is listed once in `intvit.runtime.targets.TARGETS`.  Every driver
(`intvit run/compile/eval/bench`, loading an artifact by its sidecar) goes through this class, so
a new target is one new folder and one registry line: the CLI flags come from `Target.options`,
the `--json` keys from the drivers.

Artifacts: a target writes either one file (`model.so`, sidecar `model.so.json`) or one folder
(`prj/`, sidecar `prj/intvit.json`).  Every sidecar names its `target`, so `intvit run ARTIFACT`
finds the target that loads it.

This module sits below the targets and above the lowering core: it imports nothing of a target.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import numpy as np
from xdsl.dialects.builtin import ModuleOp

SIDECAR_IN_FOLDER = "intvit.json"


class TargetError(RuntimeError):
    """A target cannot take this module, option or artifact (a user error: no traceback)."""


# (shape, numpy dtype) of one entry argument or result
Signature = tuple[tuple[int, ...], np.dtype]


@dataclass
class Executable:
    """A compiled model: call it with the entry's inputs, get its outputs.

    `device`: where the generated code runs (`cpu`, a GPU's name, `emulated`, `csim`);
    `inputs`/`outputs`: signatures, so drivers can preallocate outputs (`out=`) for timing."""

    target: str
    run: Callable[..., list[np.ndarray]]
    compile_s: float = 0.0
    artifact: str | None = None
    inputs: list[Signature] = field(default_factory=list)
    outputs: list[Signature] = field(default_factory=list)
    device: str = "cpu"
    takes_out: bool = False   # whether `run` writes into preallocated outputs
    library: object = None    # the loaded artifact, where there is one
    keep: object = None       # what must live as long as the artifact (its temporary folder)
    info: dict = field(default_factory=dict)

    def __call__(self, *inputs: np.ndarray, out: list[np.ndarray] | None = None) -> list[np.ndarray]:
        if out is None or not self.takes_out:
            return self.run(inputs)
        return self.run(inputs, out=out)

    def output_buffers(self) -> list[np.ndarray] | None:
        """Preallocated outputs for back-to-back timing, where the target writes into them."""
        if not self.takes_out or not self.outputs:
            return None
        return [np.empty(shape, dtype) for shape, dtype in self.outputs]


@dataclass(frozen=True)
class TargetOption:
    """One CLI flag a target adds.  Targets that share a flag (`--gemm`) share its spelling; each
    target validates its own choices, so `--gemm mma` on `llvm-cpu` is a clear error."""

    flag: str
    choices: tuple[str, ...] | None = None
    type: type = str
    help: str = ""
    commands: tuple[str, ...] = ("compile", "run", "eval", "bench")
    metavar: str | None = None

    @property
    def dest(self) -> str:
        return self.flag.lstrip("-").replace("-", "_")


class Target:
    """Base class of every backend.  Subclasses set `name`, `help`, `artifact` and `options`
    and implement `compile` and `load`; the rest has working defaults."""

    name: ClassVar[str] = ""
    help: ClassVar[str] = ""
    artifact: ClassVar[str] = "file"          # "file" (sidecar beside it) or "folder"
    suffix: ClassVar[str] = ""                # default artifact suffix (`.so`), "" for folders
    options: ClassVar[tuple[TargetOption, ...]] = ()

    # -- availability and options ------------------------------------------------------------
    def check_available(self) -> None:
        """Raise TargetError when this machine cannot build or run the target (a compiler
        missing, say).  Cheap: drivers call it before the expensive import and lowering."""

    def select_options(self, values: dict) -> dict:
        """The options this target takes from parsed CLI values (None = not given), validated."""
        chosen = {}
        for opt in self.options:
            value = values.get(opt.dest)
            if value is None:
                continue
            if opt.choices is not None and value not in opt.choices:
                raise TargetError(f"target '{self.name}' does not take {opt.flag} {value} "
                                  f"(choose from {', '.join(opt.choices)})")
            chosen[opt.dest] = value
        return chosen

    def check_output(self, output: str | Path) -> Path:
        """Fail at once on an output path the compile could not write (before any work)."""
        path = Path(output)
        parent = path.parent if self.artifact == "file" else path.parent
        if path.exists() and self.artifact == "file" and path.is_dir():
            raise TargetError(f"output {path} is a folder; '{self.name}' writes one file")
        if path.exists() and self.artifact == "folder" and not path.is_dir():
            raise TargetError(f"output {path} is a file; '{self.name}' writes a folder")
        probe = parent if parent != Path("") else Path(".")
        if not probe.is_dir():
            raise TargetError(f"cannot write {path}: folder {probe} does not exist")
        import os

        if not os.access(probe, os.W_OK):
            raise TargetError(f"cannot write {path}: folder {probe} is not writable")
        return path

    # -- the work -------------------------------------------------------------------------------
    def compile(self, module: ModuleOp, output: Path, source: str | None = None, **options) -> dict:
        """Write the artifact for `module` (intvit or lowered IR) at `output`, with its sidecar.
        Returns the JSON report of `intvit compile` (keys: `target`, `output`, `compile_s`,
        `inputs`, `outputs`, plus the target's own)."""
        raise NotImplementedError

    def load(self, artifact: Path) -> Executable:
        """Load an artifact this target wrote (its sidecar already names this target)."""
        raise NotImplementedError

    def build(self, module: ModuleOp, workdir: Path | None = None, **options) -> Executable:
        """Compile into `workdir` (else a temporary folder the Executable keeps) and load."""
        keep = None
        if workdir is None:
            keep = tempfile.TemporaryDirectory(prefix=f"intvit-{self.name}-")
            workdir = Path(keep.name)
        output = Path(workdir) / f"model{self.suffix}"
        report = self.compile(module, output, **options)
        executable = self.load(output)
        executable.compile_s = report.get("compile_s", executable.compile_s)
        executable.keep = keep
        executable.info = report
        return executable

    # -- bench hooks (optional) -----------------------------------------------------------------
    # `intvit bench` compiles with `compile(module, artifact, **bench_options(threads))` in a child
    # process, loads the artifact here, checks it against the golden model and times it beside the
    # target-independent peers (PyTorch, ONNX Runtime); then it asks `bench_extras` for what only
    # the target can measure.  Targets without these hooks are benchmarked all the same; their
    # extra keys are null.
    def bench_options(self, threads: int) -> dict:
        """The compile options `intvit bench --threads N` stands for on this target."""
        return {}

    def bench_extras(self, executable: Executable, threads: int, gemm_kernels: bool = True) -> dict:
        """Measurements only the target can take, as `intvit bench --json` keys:

        * `gemm_unit`: the int8 unit the model's GEMMs run on (llvm-cpu: `amx`, `vnni`, `portable`);
        * `unit_peak_gops`: that unit's measured peak, the ceiling of `gemm_peak_fraction` and
          `gemm_floor_ms` (None when the unit has no peak kernel); peaks of the target's other
          units under their own keys (llvm-cpu: `peak_gops` for VNNI, `amx_peak_gops`);
        * with `gemm_kernels`: `gemm_kernel_ms` and `gemm_kernel_macs` (every GEMM of the model
          timed alone, summed over its occurrences) and `gemm_shapes` (one record per shape).

        {} by default."""
        return {}


def median_seconds(fn, repeat: int, warmup: int = 3) -> float:
    """Median wall time of `fn()` over `repeat` calls after `warmup` calls: how every bench times."""
    import time

    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return float(np.median(samples))


def sidecar_path(artifact: str | Path) -> Path:
    artifact = Path(artifact)
    if artifact.is_dir():
        return artifact / SIDECAR_IN_FOLDER
    return Path(str(artifact) + ".json")


def write_sidecar(artifact: str | Path, target: str, meta: dict) -> Path:
    path = sidecar_path(artifact)
    path.write_text(json.dumps({"target": target, **meta}, indent=1))
    return path


def read_sidecar_json(artifact: str | Path) -> dict:
    """The sidecar of an artifact as a dict, or TargetError naming what is wrong."""
    artifact = Path(artifact)
    if not artifact.exists():
        raise TargetError(f"no compiled model at {artifact}")
    path = sidecar_path(artifact)
    if not path.is_file():
        raise TargetError(f"{artifact} has no sidecar {path.name} (compile it with `intvit compile`)")
    try:
        meta = json.loads(path.read_text())
    except ValueError as err:
        raise TargetError(f"corrupt sidecar {path}: {err}") from None
    if not isinstance(meta, dict):
        raise TargetError(f"corrupt sidecar {path}: not a JSON object")
    return meta


def signatures_to_json(sigs: Sequence[Signature]) -> list[dict]:
    return [{"shape": list(shape), "dtype": str(np.dtype(dtype))} for shape, dtype in sigs]


def signatures_from_json(items, what: str = "signature") -> list[Signature]:
    try:
        return [(tuple(int(d) for d in s["shape"]), np.dtype(s["dtype"])) for s in items]
    except (KeyError, TypeError, ValueError) as err:
        raise TargetError(f"corrupt {what} in sidecar: {err}") from None


def add_target_options(parser: argparse.ArgumentParser, command: str, targets: Sequence[Target]) -> None:
    """Add every target's flags for `command` once; shared flags list the union of choices and
    say which target takes which."""
    merged: dict[str, list[tuple[Target, TargetOption]]] = {}
    for target in targets:
        for opt in target.options:
            if command in opt.commands:
                merged.setdefault(opt.flag, []).append((target, opt))
    for flag, pairs in merged.items():
        first = pairs[0][1]
        choices = None
        if all(o.choices is not None for _, o in pairs):
            choices = list(dict.fromkeys(c for _, o in pairs for c in o.choices))
        help_text = "; ".join(f"{t.name}: {o.help}" for t, o in pairs)
        parser.add_argument(flag, dest=first.dest, type=first.type, choices=choices, default=None,
                            metavar=first.metavar, help=help_text)
