"""`intvit estimate`: cases worked by hand from the model in lowering/hls/estimate.py (its
docstring has the equations; COSTS: packing 3 = 3 multipliers and 22 LUTs per DSP, packing 4 =
4 and 40, a LUT multiplier 28 LUTs)."""

from __future__ import annotations

import json

import pytest

from intvit.dialects.context import make_context, parse_module
from intvit.lowering.hls.estimate import Tiling, choose_resources, estimate
from intvit.lowering.target import TargetError
from intvit.tools.intvit_main import main as intvit_main

MODEL = """
func.func @f(%x: tensor<1x17x8xi8>, %b: tensor<2x17x8xi8>, %c: tensor<2x8x17xi8>) -> (tensor<1x17x4xi32>, tensor<2x17x17xi32>) {
  %w = arith.constant dense<1> : tensor<4x8xi8>
  %y = intvit.matmul %x, %w transpose_rhs packing #intvit.packing<row_bits = [4, 8, 4, 4], split8 = true, factor = 3> : tensor<1x17x8xi8>, tensor<4x8xi8> -> tensor<1x17x4xi32>
  %z = intvit.matmul %b, %c : tensor<2x17x8xi8>, tensor<2x8x17xi8> -> tensor<2x17x17xi32>
  func.return %y, %z : tensor<1x17x4xi32>, tensor<2x17x17xi32>
}
"""


def test_zcu102_at_the_papers_utilization_packs_four_situation_one():
    # D = floor(2520 * 0.69) = floor(1738.8) = 1738 DSPs, L = floor(274080 * 0.66) = floor(180892.8) = 180892 LUTs
    # packing 3: 1738 * 22 = 38236 <= 180892 (situation 1): N_dsp = 3 * 1738 = 5214,
    #            N_lut = (180892 - 38236) // 28 = 142656 // 28 = 5094 -> N_tot 10308
    # packing 4: 1738 * 40 = 69520: N_dsp = 4 * 1738 = 6952, N_lut = 111372 // 28 = 3977 -> N_tot 10929
    # LUTs only: 180892 // 28 = 6460
    best, options = choose_resources(1738, 180892)
    assert [(o.packing, o.situation, o.n_dsp, o.n_lut, o.n_tot) for o in options] == [
        ("packing3", 1, 5214, 5094, 10308), ("packing4", 1, 6952, 3977, 10929), ("lut", 3, 0, 6460, 6460)]
    assert (best.packing, best.situation, best.n_tot) == ("packing4", 1, 10929)


def test_lut_bound_part_packs_three_situation_two():
    # xczu3eg: D = floor(360 * 0.69) = 248, L = floor(70560 * 0.02) = floor(1411.2) = 1411
    # packing 3: 248 * 22 = 5456 > 1411 (situation 2): 1411 // 22 = 64 DSPs -> N_dsp 192, N_lut (1411 - 1408) // 28 = 0
    # packing 4: 1411 // 40 = 35 DSPs -> N_dsp 140, N_lut (1411 - 1400) // 28 = 0
    # LUTs only: 1411 // 28 = 50
    best, options = choose_resources(248, 1411)
    assert [(o.n_dsp, o.n_lut) for o in options] == [(192, 0), (140, 0), (0, 50)]
    assert (best.packing, best.situation, best.n_tot) == ("packing3", 2, 192)


def test_no_dsp_budget_is_pure_luts_situation_three():
    best, _ = choose_resources(0, 2800)  # 2800 // 28 = 100 LUT multipliers, no DSP
    assert (best.packing, best.situation, best.n_dsp, best.n_lut) == ("lut", 3, 0, 100)


def test_latency_per_gemm_by_hand():
    report = estimate(parse_module(MODEL, make_context()), "xczu9eg-ffvb1156-2-e", 150.0, 0.69, 0.66, Tiling())
    # N_tot 10929 (above); a tile can use min(10929, T_n T_m PF = 16 * 64 * 8 = 8192) = 8192 multipliers
    # GEMM 0: m 17, n 4, f 8, heads 1, w8_fraction 1/4 (row_bits [4, 8, 4, 4])
    #   L_in = ceil(16 * 8 * 6 / 128) = ceil(6.0) = 6;  L_wgt = ceil(64 * 8 * 4 / 128) = 16
    #   L_out = ceil(16 * 64 * 8 / 128) = 64;  L_cmpt = ceil(16 * 64 * 8 * 1.25 / 8192) = ceil(1.25) = 2
    #   tiles = ceil(17 / 16) * ceil(4 / 64) = 2 * 1 = 2;  L_tot = 2 * max(6, 16, 2) + 64 = 96
    # GEMM 1 (attention-like, batched): heads 2, m 17, n 17, f 8, w8_fraction 1
    #   L_cmpt = ceil(16 * 64 * 8 * 2 / 8192) = 2; per head 2 * 16 + 64 = 96; L_tot = 2 * 96 = 192
    # cycles = 96 + 192 = 288; FPS = 150e6 / 288 = 520833.33
    first, second = report["layers"]
    assert {k: first[k] for k in ("m", "n", "f", "heads", "w8_fraction", "l_in", "l_wgt", "l_out", "l_cmpt", "l_tot")} \
        == dict(m=17, n=4, f=8, heads=1, w8_fraction=0.25, l_in=6, l_wgt=16, l_out=64, l_cmpt=2, l_tot=96)
    assert (second["heads"], second["l_cmpt"], second["l_tot"]) == (2, 2, 192)
    assert report["cycles"] == 288
    assert report["fps"] == pytest.approx(150e6 / 288)


def test_compute_bound_tile_by_hand():
    # T_n 64, T_m 64, PF 16: 64 * 64 * 16 = 65536 > N_tot, so 10929 multipliers; GEMM 0:
    #   L_cmpt = ceil(64 * 64 * 8 * 1.25 / 10929) = ceil(40960 / 10929) = ceil(3.748) = 4
    #   L_in = ceil(64 * 8 * 6 / 128) = 24, L_wgt = 16, L_out = ceil(64 * 64 * 8 / 128) = 256
    #   tiles = 1 * 1; L_tot = 24 + 256 = 280
    report = estimate(parse_module(MODEL, make_context()), "xczu9eg-ffvb1156-2-e", 150.0, 0.69, 0.66,
                      Tiling(tn=64, tm=64, pf=16))
    layer = report["layers"][0]
    assert (layer["l_in"], layer["l_cmpt"], layer["l_out"], layer["l_tot"]) == (24, 4, 256, 280)


@pytest.mark.parametrize("bits,w8", [(4, 0.0), (6, 1.0), (8, 1.0)])
def test_layer_width_sets_the_nibble_count(bits, w8):
    """A 4-bit layer (no packing: `intvit.weight_bits = 4`) is one nibble per weight; 6 and 8
    bits are two (the 4-bit multipliers see a 6-bit weight as two nibbles)."""
    text = MODEL.replace("packing #intvit.packing<row_bits = [4, 8, 4, 4], split8 = true, factor = 3>",
                         f"{{intvit.weight_bits = {bits} : i64}}")
    report = estimate(parse_module(text, make_context()), "xczu9eg-ffvb1156-2-e", 150.0, 0.69, 0.66, Tiling())
    assert report["layers"][0]["w8_fraction"] == w8


def test_cli_json_keys_and_table(tmp_path, capsys):
    path = tmp_path / "m.mlir"
    path.write_text(MODEL)
    assert intvit_main(["estimate", str(path), "--part", "xczu9eg-ffvb1156-2-e", "--freq-mhz", "150", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert list(report) == ["part", "freq_mhz", "s_dsp", "s_lut", "situation", "packing", "n_dsp", "n_lut", "n_tot",
                            "tn", "tm", "pf", "d_act", "d_wgt", "a_in", "a_wgt", "a_out", "cycles", "fps", "layers"]
    assert list(report["layers"][0]) == ["name", "m", "n", "f", "heads", "w8_fraction", "l_in", "l_wgt", "l_out",
                                         "l_cmpt", "l_tot"]
    assert intvit_main(["estimate", str(path)]) == 0
    table = capsys.readouterr().out
    assert "packing4, situation 1" in table and "total 288 cycles" in table


@pytest.mark.parametrize("flags,message", [
    (["--part", "xc0"], "unknown part 'xc0'"),
    (["--freq-mhz", "0"], "--freq-mhz 0.0 is out of range"),
    (["--dsp-util", "1.5"], "--dsp-util 1.5 must be in (0, 1]"),
    (["--a-wgt", "5"], "--a-wgt 5: weights are 4 or 8 bits"),
    (["--tn", "0"], "--tn must be a positive integer"),
    (["--part", "xc7z020clg400-1"], "needs DSP48E2"),
])
def test_cli_refusals(tmp_path, capsys, flags, message):
    path = tmp_path / "m.mlir"
    path.write_text(MODEL)
    assert intvit_main(["estimate", str(path), *flags]) != 0
    assert message in capsys.readouterr().err


def test_unknown_part_is_a_target_error():
    with pytest.raises(TargetError):
        estimate(parse_module(MODEL, make_context()), "nope", 150.0, 0.69, 0.66, Tiling())
