"""FPGA parts the `hls-cpp` target and `intvit estimate` know: DSP slices and LUTs.

Counts from the AMD/Xilinx product tables (UltraScale+ MPSoC DS891, UltraScale+ DS890,
7-series DS190); the ZCU102's xczu9eg is Quasar-ViT's board.  Every UltraScale(+) part has
DSP48E2 slices (27 x 18 multiplier, 48-bit P), which the packing schemes assume; 7-series has
DSP48E1 (25 x 18), so packing factors above 1 are refused there.
"""

from __future__ import annotations

from dataclasses import dataclass

from intvit.lowering.target import TargetError


@dataclass(frozen=True)
class Part:
    name: str
    board: str
    dsp: int
    lut: int
    dsp_kind: str  # DSP48E2 or DSP48E1
    max_mhz: float  # a generous fabric ceiling for --clock-ns range checks


PARTS = {p.name: p for p in (
    Part("xczu9eg-ffvb1156-2-e", "ZCU102", 2520, 274080, "DSP48E2", 775.0),
    Part("xczu7ev-ffvc1156-2-e", "ZCU104", 1728, 230400, "DSP48E2", 775.0),
    Part("xczu3eg-sbva484-1-e", "Ultra96-V2", 360, 70560, "DSP48E2", 667.0),
    Part("xcu250-figd2104-2l-e", "Alveo U250", 12288, 1728000, "DSP48E2", 775.0),
    Part("xcvu9p-flga2104-2l-e", "VCU118", 6840, 1182240, "DSP48E2", 775.0),
    Part("xc7z020clg400-1", "PYNQ-Z1/Zybo Z7-20", 220, 53200, "DSP48E1", 464.0),
)}
DEFAULT_PART = "xczu9eg-ffvb1156-2-e"


def get_part(name: str) -> Part:
    if name not in PARTS:
        raise TargetError(f"unknown part '{name}' (known: {', '.join(PARTS)})")
    return PARTS[name]
