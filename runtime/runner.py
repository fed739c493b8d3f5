"""Library side of `intvit run` and `intvit compile`: files in, arrays or artifacts out."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp

from intvit.runtime.interpreter import InterpreterError, find_entry, random_arrays, random_inputs, run_module
from intvit.runtime.targets import TargetError, compile_for


def has_intvit_ops(module: ModuleOp) -> bool:
    return any(op.dialect_name() == "intvit" for op in module.walk())


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
             entry: str | None = None, check: bool = False) -> dict:
    if path.endswith(".so"):
        return _run_shared_library(path, inputs, seed, check)
    from intvit.dialects.context import load_module

    module = load_module(path)
    fn = find_entry(module, entry)
    if inputs is None:
        inputs = random_inputs(fn, seed or 0)
    intvit_level = has_intvit_ops(module)
    if target == "interpreter":
        if not intvit_level:
            raise InterpreterError("the interpreter runs intvit IR; for lowered linalg IR use --target llvm-cpu")
        outputs = run_module(module, inputs, entry)
    else:
        outputs = compile_for(target, module)(*inputs)
    result = {"target": target, "outputs": outputs}
    if check:
        if not intvit_level:
            raise TargetError("--check needs the intvit IR (the golden model runs intvit ops)")
        result["check"] = compare(outputs, run_module(module, inputs, entry), module, entry)
    return result


def _run_shared_library(path: str, inputs, seed, check: bool) -> dict:
    import json

    from intvit.lowering.aot import load_so

    model = load_so(path)
    if inputs is None:
        inputs = random_arrays(model.inputs, seed or 0)
    outputs = model(*inputs)
    result = {"target": "llvm-cpu", "outputs": outputs}
    if check:
        source = json.loads(Path(path + ".json").read_text()).get("source")
        if not source or not Path(source).is_file():
            raise TargetError(f"--check needs the intvit IR {path} was compiled from (sidecar 'source' missing)")
        from intvit.dialects.context import load_module

        module = load_module(source)
        result["check"] = compare(outputs, run_module(module, inputs), module, None)
    return result


def compile_file(path: str, target: str, output: str, **options) -> dict:
    """`options` go to the target (llvm-cpu: `gemm`, `elementwise`, `threads`, `line_info`)."""
    from intvit.dialects.context import load_module

    if target != "llvm-cpu":
        compile_for(target, ModuleOp([]))  # raises the target's "not available" diagnostic
    module = load_module(path)
    from intvit.lowering.aot import write_shared_library
    from intvit.lowering.llvm_cpu_target import compile_intvit

    compiled, seconds = compile_intvit(module, **options)
    so = write_shared_library(compiled, output, source=str(Path(path).resolve()) if has_intvit_ops(module) else None)
    return {"file": path, "target": target, "output": str(so), "entry": f"intvit_{compiled.name}",
            "compile_s": seconds, "inputs": [s.to_json() for s in compiled.inputs],
            "outputs": [s.to_json() for s in compiled.outputs], "gemm": compiled.gemm,
            "gemm_kernels": len(compiled.gemms), "elementwise": compiled.elementwise,
            "threads": "openmp" if compiled.libomp else 1, "timings": compiled.timings}
