"""Issue 14: bit widths 4/6/8, PTQ4ViT (twin codes, Hessian-guided search), mixed precision by search.

The tiny calibrated ViT of test/Inputs (1 block, dim 8) keeps each compile and search short; the
digits-model accuracy table is `python -m intvit.tools.accuracy_table` (a command, not a test).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from xdsl.dialects import func

from intvit.dialects.context import load_module, make_context
from intvit.passes.assign_precision import AssignPrecisionPass
from intvit.passes.quantize.precision_search import Candidate, SearchError, solve, solve_rows, uniform_bytes
from intvit.passes.quantize.ptq4vit import SearchConfig, search_function, twin
from intvit.passes.quantize_to_intvit import QuantizeToIntvitPass
from intvit.runtime import golden
from intvit.runtime.interpreter import run_module
from intvit.runtime.targets import compile_for

TINY = Path(__file__).resolve().parents[1] / "Inputs" / "tiny_vit_calibrated.mlir"
RNG = np.random.default_rng(14)
SAMPLES = [(RNG.standard_normal((1, 1, 4, 4)).astype(np.float32),) for _ in range(3)]


def calibrated():
    return load_module(str(TINY))


def the_function(module):
    return next(op for op in module.ops if isinstance(op, func.FuncOp))


@pytest.fixture(scope="module")
def ptq4vit_module():
    """The tiny ViT with PTQ4ViT's search at W4A6 (twin codes allowed: k - 1 + T <= 7)."""
    module = calibrated()
    search_function(the_function(module), SAMPLES, SearchConfig(4, 6, candidates=12, rounds=1))
    return module


def quantize(module, weight_bits: int, act_bits: int):
    QuantizeToIntvitPass(weight_bits=weight_bits, act_bits=act_bits).apply(make_context(), module)
    module.verify()
    return module


def int_ranges(module) -> dict[str, tuple[int, int]]:
    """min/max over the GEMM weights (by width) of a quantized module."""
    from intvit.dialects import intvit as iv
    from intvit.runtime.interpreter import constant_array

    seen: dict[str, tuple[int, int]] = {}
    for op in module.walk():
        if isinstance(op, iv.MatmulOp) and op.rhs.owner.name == "arith.constant":
            w = np.asarray(constant_array(op.rhs.owner.value, op.rhs.type, None))
            bits = str(op.attributes["intvit.weight_bits"].value.data)
            lo, hi = seen.get(bits, (0, 0))
            seen[bits] = (min(lo, int(w.min())), max(hi, int(w.max())))
    return seen


@pytest.mark.parametrize("weight_bits,act_bits", [(4, 6), (6, 4)])
def test_widths_bit_exact_on_llvm_cpu(weight_bits, act_bits):
    module = quantize(calibrated(), weight_bits, act_bits)
    lo, hi = int_ranges(module)[str(weight_bits)]
    assert -(1 << (weight_bits - 1)) <= lo and hi <= (1 << (weight_bits - 1)) - 1 and hi - lo > (1 << (weight_bits - 1))
    exe = compile_for("llvm-cpu", module)
    for (x,) in SAMPLES:
        np.testing.assert_array_equal(exe(x)[0], run_module(module, [x])[0])


def force_twins(module) -> None:
    """Twin codes on both consumers (whatever the search chose on this random tiny model)."""
    from xdsl.dialects.builtin import DenseArrayBase, f64, i64

    from intvit.passes.quantize.ptq4vit import source_kind

    for op in the_function(module).body.blocks.first.ops:
        kinds = [source_kind(v) for v in op.operands[:1]] if "intvit.ptq4vit_act" in op.attributes else []
        if kinds == ["softmax"]:
            steps, ratios = [1 / 32 / 4, 0.0], [2, 0]
        elif kinds == ["gelu"]:
            top = float(op.operands[0].owner.attributes["intvit.absmax"].get_values()[0])
            steps, ratios = [top / 32 / 4, 0.0, 0.0], [2, 0, 0]
        else:
            continue
        steps += [0.0] * (len(op.operands) - len(steps))
        ratios += [0] * (len(op.operands) - len(ratios))
        op.attributes["intvit.ptq4vit_act"] = DenseArrayBase.from_list(f64, steps)
        op.attributes["intvit.ptq4vit_twin"] = DenseArrayBase.from_list(i64, ratios)


def test_ptq4vit_twin_and_searched_scales_bit_exact(ptq4vit_module):
    searched = ptq4vit_module.clone()
    force_twins(searched)
    module = quantize(searched, 4, 6)
    text = str(module)
    assert text.count(" bits 6 twin 2 ") == 2, text  # post-Shiftmax (ui8 in) and post-ShiftGELU (i16 in)
    exe = compile_for("llvm-cpu", module)
    for (x,) in SAMPLES:
        np.testing.assert_array_equal(exe(x)[0], run_module(module, [x])[0])


def test_ptq4vit_is_deterministic(ptq4vit_module):
    again = calibrated()
    search_function(the_function(again), SAMPLES, SearchConfig(4, 6, candidates=12, rounds=1))
    def searched(module):
        return [{k: str(v) for k, v in op.attributes.items()} for op in the_function(module).body.blocks.first.ops
                if "intvit.ptq4vit_act" in op.attributes]

    assert searched(again) == searched(ptq4vit_module)
    gemms = [op for op in the_function(again).body.blocks.first.ops if "intvit.ptq4vit_act" in op.attributes]
    assert len(gemms) == 8 and all("intvit.sensitivity" in op.attributes for op in gemms if op.name != "torch.aten.matmul")


@pytest.mark.parametrize("bits,twin_ratio,unsigned", [(6, 2, True), (4, 4, True), (6, 2, False), (4, 3, False)])
def test_twin_decode_ranges(bits, twin_ratio, unsigned):
    """The decoded code lies on the fine grid below 2^(k-1) fine steps and on the coarse grid
    (multiples of 2^T) above; equals the float twin quantizer; fits int8."""
    x = np.arange(0, 1 << 15) if unsigned else np.arange(-(1 << 14), 1 << 14)
    m, e = 1 << 30, 30 + 5  # fine step = 32 input units
    out = golden.twin_requant(x, m, e, bits, twin_ratio, "half_even", unsigned)
    limit = (1 << (bits - 1)) - 1
    assert out.min() >= -limit and out.max() <= limit << twin_ratio <= 127
    fine = out[np.abs(out) <= limit] if unsigned else out[x < 0]
    coarse = out[out > limit] if unsigned else out[x >= 0]
    assert np.all(coarse % (1 << twin_ratio) == 0) and np.all(np.abs(fine) <= limit)
    kind = "softmax" if unsigned else "gelu"
    import torch

    ref = twin(torch.tensor(x / 32.0, dtype=torch.float64), 1.0, twin_ratio, bits, kind).numpy()
    ties = (x % 16 == 0)  # round-half cases: torch.round and half_even agree, but keep them out of doubt
    np.testing.assert_array_equal(out[~ties], ref[~ties].astype(np.int64))


def test_search_respects_budget_and_is_optimal():
    rng = np.random.default_rng(3)
    layers = [Candidate(None, f"l{i}", int(rng.integers(4, 40)), int(rng.integers(4, 40)), bool(i % 2),
                        {4: float(d4), 6: float(d4 / 5), 8: float(d4 / 40)})
              for i, d4 in enumerate(rng.uniform(0.1, 10, 6))]
    for target in (4, 6, 8):
        budget = sum(lay.bytes(target) for lay in layers)
        chosen, size, dist = solve(layers, budget)
        assert size <= budget and size == sum(lay.bytes(chosen[i]) for i, lay in enumerate(layers))
        best = min(sum(lay.distance[b] for lay, b in zip(layers, combo))
                   for combo in itertools.product((4, 6, 8), repeat=len(layers))
                   if sum(lay.bytes(b) for lay, b in zip(layers, combo)) <= budget)
        assert dist == pytest.approx(best)
    with pytest.raises(SearchError, match="below the all-4-bit model"):
        solve(layers, sum(lay.bytes(4) for lay in layers) - 1)


def test_assign_precision_search_on_ir(ptq4vit_module):
    module = ptq4vit_module.clone()
    budget = uniform_bytes(module, 6)
    AssignPrecisionPass(policy="search", size_budget=budget).apply(make_context(), module)
    widths = [op.attributes["intvit.weight_bits"].value.data for op in module.walk()
              if "intvit.weight_bits" in op.attributes]
    assert len(widths) == 6 and set(widths) <= {4, 6, 8}
    from intvit.passes.quantize.precision_search import candidates

    assert sum(c.bytes(c.op.attributes["intvit.weight_bits"].value.data) for c in candidates(module)) <= budget


def test_row_search_respects_budget_and_is_optimal():
    rng = np.random.default_rng(5)
    layers = [Candidate(None, f"l{i}", rows, int(rng.integers(2, 12)) * 2, bool(i % 2), {})
              for i, rows in enumerate((3, 4, 2))]
    dist = [{4: rng.uniform(0.5, 5, lay.rows), 8: rng.uniform(0, 0.5, lay.rows)} for lay in layers]
    rows = [(li, r) for li, lay in enumerate(layers) for r in range(lay.rows)]
    base = sum(lay.rows * lay.cols // 2 + (4 * lay.rows if lay.bias else 0) for lay in layers)
    for extra in (0, 7, 20, 1000):
        bits, size, total = solve_rows(layers, dist, base + extra)
        assert size <= base + extra
        best = min(sum(dist[li][b][r] for (li, r), b in zip(rows, combo))
                   for combo in itertools.product((4, 8), repeat=len(rows))
                   if sum(layers[li].cols // 2 for (li, _), b in zip(rows, combo) if b == 8) <= extra)
        assert total == pytest.approx(best)
        assert total == pytest.approx(sum(np.where(b == 8, d[8], d[4]).sum() for b, d in zip(bits, dist)))
    with pytest.raises(SearchError, match="below the all-4-bit model"):
        solve_rows(layers, dist, base - 1)


def test_row_search_on_tiny_vit_bit_exact_on_cpu_and_hls(ptq4vit_module, tmp_path):
    module = ptq4vit_module.clone()
    AssignPrecisionPass(policy="search", budget_bits=6, granularity="row").apply(make_context(), module)
    from intvit.passes.quantize.precision_search import candidates, module_weight_bytes

    chosen = [list(c.op.attributes["intvit.row_bits"].get_values()) for c in candidates(module)]
    budget = uniform_bytes(module, 6)
    module = quantize(module, 8, 6)
    packed = [op for op in module.walk() if getattr(op, "packing", None) is not None]
    assert [list(op.packing.row_bits.get_values()) for op in packed] == chosen
    assert {4, 8} <= {b for rows in chosen for b in rows}  # a real mix on this model
    assert module_weight_bytes(module) <= budget
    from intvit.runtime.interpreter import constant_array

    for op in packed:  # every 4-bit row holds int4 values
        w = np.asarray(constant_array(op.rhs.owner.value, op.rhs.type, None))
        four = np.asarray(list(op.packing.row_bits.get_values())) == 4
        assert not four.any() or (w[four].min() >= -8 and w[four].max() <= 7)
    (tmp_path / "hls").mkdir()
    cpu, hls = compile_for("llvm-cpu", module), compile_for("hls-cpp", module, tmp_path / "hls")
    for (x,) in SAMPLES:
        golden = run_module(module, [x])[0]
        np.testing.assert_array_equal(cpu(x)[0], golden)
        np.testing.assert_array_equal(hls(x)[0], golden)


def test_fps_search_meets_the_cycle_budget_of_the_hls_estimate(ptq4vit_module):
    """The search prices options with the hls-cpp target's latency model; `intvit estimate` of the
    quantized module agrees with the search's total, within the budget, on a compute-bound
    accelerator (few multipliers) where 4-bit rows are faster."""
    from intvit.passes.quantize.precision_search import activation_gemms, assign_for_cycles, candidates
    from intvit.runtime.targets import TARGETS

    hls = TARGETS["hls-cpp"]
    accel = dict(part="xczu3eg-sbva484-1-e", freq_mhz=100.0, dsp_util=0.01, lut_util=0.01)
    model = hls.cycle_model(**accel)

    fixed = sum(model(*g, 1.0) for g in activation_gemms(ptq4vit_module))
    fastest, slowest = (fixed + sum(model(c.m, c.rows, c.cols, 1, w8) for c in candidates(ptq4vit_module))
                        for w8 in (0.0, 1.0))
    assert fastest < slowest
    with pytest.raises(SearchError, match=f"the fastest assignment \\(all 4-bit\\) takes {fastest}"):
        assign_for_cycles(ptq4vit_module.clone(), fastest - 1, model)
    budget = (fastest + slowest) // 2
    module = ptq4vit_module.clone()
    report, total = assign_for_cycles(module, budget, model)
    assert total <= budget and sum(r["cycles"] for r in report) <= total
    module = quantize(module, 8, 6)
    estimate = hls.estimate(module, accel["part"], accel["freq_mhz"], accel["dsp_util"], accel["lut_util"],
                            **hls.tiling_defaults())
    assert estimate["cycles"] == total
    rows = [r for r in report if r["rows_4bit"] and r["rows_8bit"]]
    assert rows, report  # the budget forces a mix somewhere



def test_accuracy_table_markdown_and_sign_test():
    from intvit.tools.accuracy_table import MIXED, ROWS, markdown, sign_test

    assert sign_test(0, 0) == 1.0 and sign_test(0, 2) == 0.5 and sign_test(10, 0) == pytest.approx(2 / 1024)
    assert sign_test(3, 7) == sign_test(7, 3)
    labels = np.array([1, 1, 1, 1])
    rows = []
    for wb, ab in ROWS:
        for method, correct in (("minmax", [1, 1, 0, 0]), ("percentile", [1, 0, 0, 0]), ("ptq4vit", [1, 1, 1, 0])):
            rows.append({"weights": wb, "acts": ab, "calibration": method, "fp32_top1": 75.0, "images": 4,
                         "split": "test", "int_top1": float(np.mean(np.array(correct) == labels) * 100),
                         "top1_agreement": 100.0, "cosine": 0.99, "bit_exact": True, "correct": correct,
                         "weight_bytes": 10, "precision": [6]})
    rows += [{**rows[0], "weights": name, "calibration": "ptq4vit", "precision": [{"rows_4bit": 1, "rows_8bit": 3}]}
             for name in MIXED]
    text = markdown(rows)
    assert "| W6A6 | 50.00% | 25.00% | 75.00% | all |" in text
    assert "| W6A6 | 1 | 0 | 1.00 |" in text  # ptq4vit alone right on one image, minmax alone on none
    assert "3/4 rows 8-bit" in text and "FP32: 75.00% on 4 test images" in text


@pytest.mark.parametrize("target", ["llvm-cpu", "cuda-dp4a", "hls-cpp"])
def test_shared_sources_at_their_own_steps_bit_exact_on_every_target(target, tmp_path):
    """Two operands of one source at different searched steps (the lit test's first function):
    one int16 requant at the source, moved as int16, then one requant per operand; every target
    runs it bit for bit (cuda-dp4a emulated where there is no GPU)."""
    from intvit.dialects.context import parse_module
    from intvit.lowering.target import TargetError
    from intvit.runtime.targets import get_target

    try:
        get_target(target).check_available()
    except TargetError as err:
        pytest.skip(str(err))
    lit = Path(__file__).resolve().parents[1] / "passes" / "quantize-to-intvit-shared-source.mlir"
    text = lit.read_text().split("// -----")[0].replace("@shared$different_steps", "@shared")  # a C entry name
    module = parse_module(text, make_context())
    module = quantize(module, 8, 6)
    assert "bits 16 : tensor<2x4xi32> -> tensor<2x4xi16>" in str(module)  # the int16 source
    (tmp_path / target).mkdir()
    exe = compile_for(target, module, tmp_path / target)
    for x in np.random.default_rng(2).uniform(-2, 2, (8, 2, 4)).astype(np.float32):
        np.testing.assert_array_equal(exe(x)[0], run_module(module, [x])[0])


def test_search_rounds_costs_when_the_exact_problem_is_too_large(monkeypatch):
    """Past MAX_WORK the byte costs are rounded up: still within budget, never better than the
    exact optimum (which would mean a cost was rounded down)."""
    import intvit.passes.quantize.precision_search as ps

    rng = np.random.default_rng(4)
    layers = [Candidate(None, f"l{i}", int(rng.integers(3, 9)), int(rng.integers(3, 30)) * 2 + 1, True, {})
              for i in range(3)]
    dist = [{4: rng.uniform(0.5, 5, lay.rows), 8: rng.uniform(0, 0.5, lay.rows)} for lay in layers]
    base = sum(lay.rows * ps.row_bytes(lay.cols, 4) + 4 * lay.rows for lay in layers)
    budget = base + 40
    exact = solve_rows(layers, dist, budget)
    monkeypatch.setattr(ps, "MAX_WORK", 1)
    monkeypatch.setattr(ps, "RESOLUTION", 7)
    bits, size, total = solve_rows(layers, dist, budget)
    assert size <= budget and total >= exact[2] - 1e-12


def test_import_reports_the_row_search(tmp_path, capsys):
    """`intvit import` with a search writes the packed rows and reports what it chose."""
    import json

    from intvit.tools.intvit_main import main as intvit_main

    out = tmp_path / "rows.mlir"
    assert intvit_main(["import", "--calib", "4", "--calibration", "ptq4vit", "--weight-bits", "6", "--act-bits",
                        "6", "--size-budget", "w6", "--granularity", "row", "-o", str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert report["granularity"] == "row" and report["size_budget"] == "w6" and report["fps_budget"] is None
    assert len(report["precision"]) == 14 and all(set(w) == {"rows_4bit", "rows_8bit"} for w in report["precision"])
    assert report["weight_bytes"] <= 80072  # the all-6-bit size of the digits ViT
    assert out.read_text().count("packing #intvit.packing<row_bits") == 14


def test_import_under_an_fps_budget(tmp_path, capsys):
    """`--fps-budget` end to end: the default accelerator's estimate of the written module meets
    the budget, and a budget faster than the all-4-bit model is refused with the cycles it needs."""
    import json

    from intvit.tools.intvit_main import main as intvit_main

    flags = ["import", "--calib", "4", "--calibration", "ptq4vit", "--act-bits", "6", "-o", str(tmp_path / "m.mlir")]
    assert intvit_main([*flags, "--fps-budget", "14000", "--json"]) == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert report["granularity"] == "row" and report["fps_budget"] == 14000 and report["fps_estimate"] >= 14000
    assert intvit_main([*flags, "--fps-budget", "18000"]) == 1
    assert "the fastest assignment (all 4-bit) takes" in capsys.readouterr().err
