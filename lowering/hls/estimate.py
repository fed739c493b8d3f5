"""Resource and latency model of a Quasar-ViT-style FPGA GEMM accelerator (`intvit estimate`).

The paper's text (eqs. 4-16, Table 4) was not retrievable here; the model below is derived from
the issue's description of those equations and says exactly what it assumes.

Resources (eqs. 4-6).  The accelerator has `N_tot = N_dsp + N_lut` 4-bit multipliers (a 4-bit
weight nibble x a <= 6-bit activation): `N_dsp` inside DSP48E2s packed `p` per DSP (packing 3 or
4, `dsp_packing.py`), `N_lut` built from LUTs.  With `D = floor(S_dsp * DSPs)` and
`L = floor(S_lut * LUTs)` the budgets:
    (5)  N_dsp <= p * D                (each DSP gives p multipliers)
    (6)  c_p * N_dsp / p + c_lut * N_lut <= L
where `c_p` is the LUT cost of one packed DSP (lane extraction, borrow correction, accumulators)
and `c_lut` that of one LUT multiplier (COSTS; ASSUMED values, Table 4 not available).
N_tot is linear in (N_dsp, N_lut), so its maximum is at a vertex: a packed DSP is worth using
iff `c_p < p * c_lut` (its LUTs would buy fewer than p LUT multipliers), and then
    N_dsp = p * min(D, floor(L / c_p)),  N_lut = floor((L - c_p * N_dsp / p) / c_lut).
Situations (reported): 1 = DSP-bound (every budgeted DSP packed, LUTs left for LUT multipliers:
`D * c_p <= L`); 2 = LUT-bound (`D * c_p > L`: LUTs run out first, N_lut = 0); 3 = pure LUTs
beat both packings.  The packing is the one with the largest N_tot.

Latency (eqs. 13-15), per GEMM `[m, f] x [f, n]` tiled `T_n x T_m` (T_n rows of the activation,
T_m output channels), `d_*` the bits per cycle of the activation and weight ports, `a_*` bits
per element:
    L_in  = ceil(T_n * f * a_in / d_act)      L_wgt = ceil(T_m * f * a_wgt / d_wgt)
    L_out = ceil(T_n * T_m * a_out / d_act)
    L_cmpt = ceil(T_n * T_m * f * (1 + w8_fraction) / min(N_tot, T_n * T_m * pf))
(an 8-bit weight row costs two 4-bit multiplications; `pf` multipliers per PE along f)
    L_tot = ceil(m / T_n) * ceil(n / T_m) * max(L_in, L_wgt, L_cmpt) + L_out
(double-buffered loads overlap compute; the last tile's store is exposed), times `heads` for a
batched attention GEMM (`heads` independent GEMMs).  FPS (eq. 16) = f_clk / sum of L_tot.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from xdsl.dialects.builtin import ModuleOp

from intvit.lowering.hls.parts import get_part
from intvit.lowering.target import TargetError

# LUTs per packed DSP (c_p) and per LUT multiplier (c_lut): ASSUMED (see the module docstring)
COSTS = {"packing3": (3, 22), "packing4": (4, 40)}
LUT_MULT_COST = 28


@dataclass
class Resources:
    packing: str
    situation: int
    n_dsp: int
    n_lut: int

    @property
    def n_tot(self) -> int:
        return self.n_dsp + self.n_lut


def packing_option(name: str, dsp_budget: int, lut_budget: int) -> Resources:
    p, c_p = COSTS[name]
    if c_p >= p * LUT_MULT_COST:
        return Resources(name, 3, 0, lut_budget // LUT_MULT_COST)
    dsps = min(dsp_budget, lut_budget // c_p)
    situation = 1 if dsp_budget * c_p <= lut_budget else 2
    return Resources(name, situation, p * dsps, (lut_budget - c_p * dsps) // LUT_MULT_COST)


def choose_resources(dsp_budget: int, lut_budget: int) -> tuple[Resources, list[Resources]]:
    options = [packing_option(n, dsp_budget, lut_budget) for n in COSTS]
    options.append(Resources("lut", 3, 0, lut_budget // LUT_MULT_COST))
    best = max(options, key=lambda r: r.n_tot)  # ties: the first (packing 3, fewest LUTs per DSP)
    if best.n_dsp == 0:  # no DSP in the budget: the design is LUT multipliers only
        best = options[-1]
    return best, options


@dataclass
class Gemm:
    name: str
    m: int
    n: int
    f: int
    heads: int
    w8_fraction: float


def model_gemms(module: ModuleOp) -> list[Gemm]:
    from intvit.dialects import intvit as iv

    gemms = []
    for i, op in enumerate(o for o in module.walk() if isinstance(o, iv.MatmulOp)):
        ls, rs = op.lhs.type.get_shape(), op.rhs.type.get_shape()  # type: ignore[union-attr]
        trans = bool(op.prop("transpose_rhs"))
        n = rs[-2] if trans else rs[-1]
        if len(rs) > 2:
            heads, m = math.prod(ls[:-2]), ls[-2]
        else:
            heads, m = 1, math.prod(ls[:-1])
        bits = op.attributes.get("intvit.weight_bits")
        w8 = 0.0 if bits is not None and bits.value.data == 4 else 1.0  # 6 bits: two nibbles, as 8
        if op.packing is not None:
            bits = list(op.packing.row_bits.get_values())
            w8 = sum(1 for b in bits if b == 8) / len(bits)
        gemms.append(Gemm(f"matmul{i}", int(m), int(n), int(ls[-1]), int(heads), w8))
    if not gemms:
        raise TargetError("estimate: the model has no intvit.matmul (estimate intvit IR)")
    return gemms


@dataclass(frozen=True)
class Tiling:
    tn: int = 16
    tm: int = 64
    pf: int = 8
    d_act: int = 128
    d_wgt: int = 128
    a_in: int = 6
    a_wgt: int = 4
    a_out: int = 8

    def check(self) -> None:
        for key, value in asdict(self).items():
            if not isinstance(value, int) or value < 1:
                raise TargetError(f"estimate: --{key.replace('_', '-')} must be a positive integer, got {value}")
        if not 2 <= self.a_in <= 8:
            raise TargetError(f"estimate: --a-in {self.a_in}: the packed path takes 2..8-bit activations")
        if self.a_wgt not in (4, 8):
            raise TargetError(f"estimate: --a-wgt {self.a_wgt}: weights are 4 or 8 bits")
        if not 4 <= self.a_out <= 32:
            raise TargetError(f"estimate: --a-out {self.a_out} must be in [4, 32]")


def layer_latency(g: Gemm, t: Tiling, n_tot: int) -> dict:
    l_in = math.ceil(t.tn * g.f * t.a_in / t.d_act)
    l_wgt = math.ceil(t.tm * g.f * t.a_wgt / t.d_wgt)
    l_out = math.ceil(t.tn * t.tm * t.a_out / t.d_act)
    mults = min(n_tot, t.tn * t.tm * t.pf)
    l_cmpt = math.ceil(round(t.tn * t.tm * g.f * (1 + g.w8_fraction), 9) / mults)
    tiles = math.ceil(g.m / t.tn) * math.ceil(g.n / t.tm)
    per_head = tiles * max(l_in, l_wgt, l_cmpt) + l_out
    return {**asdict(g), "l_in": l_in, "l_wgt": l_wgt, "l_out": l_out, "l_cmpt": l_cmpt,
            "l_tot": per_head * g.heads}


DEFAULTS = {"freq_mhz": 150.0, "dsp_util": 0.69, "lut_util": 0.66}  # Quasar-ViT's ZCU102 setting


def accelerator(part: str, freq_mhz: float, dsp_util: float, lut_util: float, tiling: Tiling) -> Resources:
    """The multipliers the budget buys on `part` (after checking every parameter)."""
    spec = get_part(part)
    if not 0 < freq_mhz <= spec.max_mhz:
        raise TargetError(f"estimate: --freq-mhz {freq_mhz} is out of range for {part} (0, {spec.max_mhz:.0f}]")
    for flag, value in (("--dsp-util", dsp_util), ("--lut-util", lut_util)):
        if not 0 < value <= 1:
            raise TargetError(f"estimate: {flag} {value} must be in (0, 1]")
    tiling.check()
    if spec.dsp_kind != "DSP48E2":
        raise TargetError(f"estimate: {part} has {spec.dsp_kind}; the packing model needs DSP48E2 (27 x 18)")
    return choose_resources(math.floor(spec.dsp * dsp_util), math.floor(spec.lut * lut_util))[0]


def cycle_model(part: str, freq_mhz: float, dsp_util: float, lut_util: float, tiling: Tiling):
    """`(m, n, f, heads, w8_fraction) -> cycles` of one GEMM on this accelerator (what
    `assign-precision`'s search under an FPS budget prices its options with)."""
    n_tot = accelerator(part, freq_mhz, dsp_util, lut_util, tiling).n_tot

    def cycles(m: int, n: int, f: int, heads: int, w8_fraction: float) -> int:
        return layer_latency(Gemm("", m, n, f, heads, w8_fraction), tiling, n_tot)["l_tot"]

    return cycles


def estimate(module: ModuleOp, part: str, freq_mhz: float, dsp_util: float, lut_util: float,
             tiling: Tiling) -> dict:
    best = accelerator(part, freq_mhz, dsp_util, lut_util, tiling)
    layers = [layer_latency(g, tiling, best.n_tot) for g in model_gemms(module)]
    cycles = sum(layer["l_tot"] for layer in layers)
    return {"part": part, "freq_mhz": freq_mhz, "s_dsp": dsp_util, "s_lut": lut_util,
            "situation": best.situation, "packing": best.packing, "n_dsp": best.n_dsp, "n_lut": best.n_lut,
            "n_tot": best.n_tot, **asdict(tiling), "cycles": cycles, "fps": freq_mhz * 1e6 / cycles,
            "layers": layers}


def format_estimate(r: dict) -> str:
    lines = [f"{r['part']} at {r['freq_mhz']} MHz (S_dsp {r['s_dsp']}, S_lut {r['s_lut']}): {r['packing']}, "
             f"situation {r['situation']}, N_dsp {r['n_dsp']} + N_lut {r['n_lut']} = N_tot {r['n_tot']}",
             f"tiling T_n {r['tn']} T_m {r['tm']} PF {r['pf']}, ports {r['d_act']}/{r['d_wgt']} bits, "
             f"bits in/wgt/out {r['a_in']}/{r['a_wgt']}/{r['a_out']}",
             f"{'layer':<10} {'m':>5} {'n':>5} {'f':>5} {'heads':>5} {'w8':>5} {'L_in':>6} {'L_wgt':>6} "
             f"{'L_out':>6} {'L_cmpt':>6} {'L_tot':>10}"]
    for layer in r["layers"]:
        lines.append(f"{layer['name']:<10} {layer['m']:>5} {layer['n']:>5} {layer['f']:>5} {layer['heads']:>5} "
                     f"{layer['w8_fraction']:>5.2f} {layer['l_in']:>6} {layer['l_wgt']:>6} {layer['l_out']:>6} "
                     f"{layer['l_cmpt']:>6} {layer['l_tot']:>10}")
    lines.append(f"total {r['cycles']} cycles -> {r['fps']:.1f} FPS")
    return "\n".join(lines)
