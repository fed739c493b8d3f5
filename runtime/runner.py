"""Library side of `intvit run` and `intvit compile`: files in, arrays or artifacts out."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp

from intvit.runtime.interpreter import find_entry, random_arrays, random_inputs, run_module
from intvit.runtime.lowered_interpreter import run_lowered_module
from intvit.lowering.lower import has_intvit_ops
from intvit.lowering.target import read_sidecar_json, sidecar_path
from intvit.runtime.targets import TargetError, get_target, load_artifact


def compare(outputs: list[np.ndarray], golden: list[np.ndarray], module: ModuleOp, entry: str | None) -> dict:
    """Bit-exact comparison; the first mismatch names the output, the index and the producing op."""
    fn = find_entry(module, entry)
    ret = fn.body.blocks.first.last_op
    total = 0
    first = None
    for i, (got, want) in enumerate(zip(outputs, golden)):
        diff = np.argwhere(got != want)
        total += len(diff)
        if first is None and len(diff):
            index = tuple(int(v) for v in diff[0])
            producer = ret.operands[i].owner if isinstance(ret, func.ReturnOp) else None
            where = ""
            if producer is not None and hasattr(producer, "name"):
                loc = getattr(producer, "location", None)
                where = f" produced by '{producer.name}'" + (
                    f" at {loc.filename.data}:{loc.line.data}:{loc.column.data}" if hasattr(loc, "line") else "")
            first = {"output": i, "index": list(index), "got": got[index].item(), "expected": want[index].item(),
                     "message": f"first mismatch: output {i} at {list(index)}{where}: "
                                f"got {got[index].item()}, golden {want[index].item()}"}
    message = "bit-exact: 0 of {} elements differ from the golden model".format(sum(o.size for o in outputs))
    if first is not None:
        message = f"{total} elements differ from the golden model; {first['message']}"
    return {"bit_exact": total == 0, "mismatches": total, "first": first, "message": message}


def run_file(path: str, inputs: list[np.ndarray] | None, seed: int | None, target: str = "interpreter",
             entry: str | None = None, check: bool = False, options: dict | None = None) -> dict:
    """Run an .mlir file on `target`, or a compiled artifact (a file or folder with a sidecar)
    on the target its sidecar names."""
    if not path.endswith(".mlir") and (is_artifact(path) or not Path(path).exists()):
        return _run_artifact(path, inputs, seed, check)
    from intvit.dialects.context import load_module

    t = get_target(target)
    options = t.select_options(options or {})
    module = load_module(path)
    fn = find_entry(module, entry)
    if inputs is None:
        inputs = random_inputs(fn, seed or 0)
    intvit_level = has_intvit_ops(module)
    if target == "interpreter":
        # Lowered IR runs on the linalg/arith interpreter: a check of the lowering without LLVM.
        outputs = run_module(module, inputs, entry) if intvit_level else run_lowered_module(module, inputs, entry)
        device = "cpu"
    else:
        executable = t.build(module, **options)
        outputs = executable(*inputs)
        device = executable.device
    result = {"target": target, "device": device, "outputs": outputs}
    if check:
        if not intvit_level:
            raise TargetError("--check needs the intvit IR (the golden model runs intvit ops)")
        result["check"] = compare(outputs, run_module(module, inputs, entry), module, entry)
    return result


def is_artifact(path: str) -> bool:
    p = Path(path)
    return p.exists() and sidecar_path(p).is_file()


def _run_artifact(path: str, inputs, seed, check: bool) -> dict:
    executable = load_artifact(path)
    if inputs is None:
        inputs = random_arrays(executable.inputs, seed or 0)
    outputs = executable(*inputs)
    result = {"target": executable.target, "device": executable.device, "outputs": outputs}
    if check:
        source = read_sidecar_json(path).get("source")
        if not source or not Path(source).is_file():
            raise TargetError(f"--check needs the intvit IR {path} was compiled from (sidecar 'source' missing)")
        from intvit.dialects.context import load_module

        module = load_module(source)
        result["check"] = compare(outputs, run_module(module, inputs), module, None)
    return result


def compile_file(path: str, target: str, output: str, batch: int | None = None, **options) -> dict:
    """Compile an .mlir file for `target` into `output`; `options` are the target's CLI values
    (validated by the target).  The output path and the target's tools are checked first.
    `batch`, when given, must be the batch the IR was imported at: shapes are fixed by
    `intvit import --batch N`, and compiling does not re-batch."""
    from intvit.dialects.context import load_module

    t = get_target(target)
    options = t.select_options(options)
    out = t.check_output(output)
    if batch is not None and batch < 1:
        raise TargetError(f"--batch {batch}: must be at least 1")
    module = load_module(path)
    if batch is not None:
        check_batch_of(module, batch, path)
    source = str(Path(path).resolve()) if has_intvit_ops(module) else None
    report = t.compile(module, out, source=source, **options)
    return {"file": path, **report}


def check_batch_of(module: ModuleOp, batch: int, path: str) -> None:
    """Refuse `--batch N` for IR whose entry takes another leading size."""
    fn = find_entry(module, None)
    args = fn.function_type.inputs.data
    leading = {a.get_shape()[0] for a in args if hasattr(a, "get_shape") and a.get_shape()}
    if leading != {batch}:
        got = ", ".join(str(a) for a in args)
        raise TargetError(f"{path} was imported for input {got}, not batch {batch}: the batch is fixed at "
                          f"import, re-import with `intvit import --batch {batch} ...` (compile does not re-batch)")
