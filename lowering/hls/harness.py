"""The C++ around the firmware: the testbench (`<top>_test.cpp`, golden vectors from `tb_data/`)
and the C-ABI bridge that C simulation loads through ctypes (`<top>_bridge.cpp`).

Vectors are text, one sample per line (hls4ml's `tb_data` habit); floats are written with 9
significant digits, which round-trips float32 exactly, so the testbench compares with `==`.
"""

from __future__ import annotations

import numpy as np

from intvit.lowering.hls.emission import Buffer

C_TYPES = {"int8": "int8_t", "uint8": "uint8_t", "int16": "int16_t", "uint16": "uint16_t", "int32": "int32_t",
           "uint32": "uint32_t", "int64": "int64_t", "uint64": "uint64_t", "float32": "float"}


def numpy_dtype(ctype: str) -> np.dtype:
    if ctype == "float":
        return np.dtype(np.float32)
    unsigned = ctype.startswith("ap_uint")
    width = int(ctype[ctype.index("<") + 1:-1])
    size = next(s for s in (8, 16, 32, 64) if width <= s)
    return np.dtype(f"{'u' if unsigned else ''}int{size}")


def format_sample(values: np.ndarray) -> str:
    flat = np.asarray(values).reshape(-1)
    if flat.dtype.kind == "f":
        return " ".join(f"{float(v):.9g}" for v in flat.astype(np.float32))
    return " ".join(str(int(v)) for v in flat)


def _value(buf: Buffer, expr: str) -> str:
    return expr if buf.ctype == "float" else f"(long long)({expr}).to_int64()"


def _scalar(buf: Buffer) -> str:
    return "float" if buf.ctype == "float" else "long long"


def testbench(top: str, inputs: list[Buffer], outputs: list[Buffer]) -> str:
    lines = [f"// Testbench of {top}: runs every sample of tb_data/, compares with the golden outputs",
             "// (exact equality), writes the results to tb_data/csim_results.log.  Exit 1 on a mismatch.",
             "#include <cstdio>", "#include <fstream>", "#include <sstream>", "#include <string>", "",
             f'#include "firmware/{top}.h"', "",
             "template <class T>",
             "static bool read_line(std::ifstream &in, T *dst, int n) {",
             "    std::string line;",
             "    if (!std::getline(in, line)) return false;",
             "    std::istringstream ss(line);",
             "    for (int i = 0; i < n; i++) {",
             "        double v = 0;",
             "        if (!(ss >> v)) return false;",
             "        dst[i] = v;",
             "    }",
             "    return true;",
             "}", "",
             "int main(int argc, char **argv) {",
             '    const std::string dir = argc > 1 ? argv[1] : "tb_data";']
    for b in inputs:
        lines.append(f'    std::ifstream f_{b.name}((dir + "/tb_input_{b.name[2:]}.dat").c_str());')
        lines.append(f"    static {b.ctype} {b.name}[{b.size}];")
    for b in outputs:
        lines.append(f'    std::ifstream g_{b.name}((dir + "/tb_output_{b.name[3:]}.dat").c_str());')
        lines.append(f"    static {b.ctype} {b.name}[{b.size}];")
        lines.append(f"    static {_scalar(b)} gold_{b.name}[{b.size}];")
    lines += ['    std::ofstream log((dir + "/csim_results.log").c_str());',
              "    int samples = 0, mismatches = 0;",
              "    while (true) {"]
    reads = [f"read_line(f_{b.name}, {b.name}, {b.size})" for b in inputs]
    reads += [f"read_line(g_{b.name}, gold_{b.name}, {b.size})" for b in outputs]
    lines += [f"        if (!({' && '.join(reads)})) break;",
              f"        {top}({', '.join(b.name for b in [*inputs, *outputs])});"]
    for b in outputs:
        fmt = "%.9g" if b.ctype == "float" else "%lld"
        lines += [f"        for (int i = 0; i < {b.size}; i++) {{",
                  f"            const {_scalar(b)} got = {_value(b, f'{b.name}[i]')};",
                  f"            if (got != gold_{b.name}[i]) {{",
                  "                if (mismatches < 10)",
                  f'                    std::printf("sample %d {b.name}[%d]: got {fmt}, golden {fmt}\\n", samples, i, got, '
                  f"gold_{b.name}[i]);",
                  "                mismatches++;",
                  "            }",
                  "            char text[64];",
                  f'            std::snprintf(text, sizeof text, "{fmt}%s", {"(double)" if b.ctype == "float" else ""}got, i + 1 < {b.size} ? " " : "\\n");',
                  "            log << text;",
                  "        }"]
    lines += ["        samples++;", "    }",
              '    std::printf("%d samples, %d mismatches\\n", samples, mismatches);',
              "    if (samples == 0) return 2;",
              "    return mismatches == 0 ? 0 : 1;", "}"]
    return "\n".join(lines) + "\n"


def bridge_symbol(top: str) -> str:
    return f"intvit_{top}_run"


def bridge(top: str, inputs: list[Buffer], outputs: list[Buffer]) -> str:
    """extern "C" int intvit_<top>_run(const T *in0, ..., R *out0, ...): plain C types for ctypes."""
    params = [f"const {C_TYPES[numpy_dtype(b.ctype).name]} *p_{b.name}" for b in inputs]
    params += [f"{C_TYPES[numpy_dtype(b.ctype).name]} *p_{b.name}" for b in outputs]
    lines = [f"// C ABI for C simulation of {top} (loaded by intvit through ctypes).",
             f'#include "firmware/{top}.h"', "",
             f'extern "C" int {bridge_symbol(top)}({", ".join(params)}) {{']
    for b in [*inputs, *outputs]:
        lines.append(f"    static {b.ctype} {b.name}[{b.size}];")
    for b in inputs:
        lines.append(f"    for (int i = 0; i < {b.size}; i++) {b.name}[i] = p_{b.name}[i];")
    lines.append(f"    {top}({', '.join(b.name for b in [*inputs, *outputs])});")
    for b in outputs:
        lines.append(f"    for (int i = 0; i < {b.size}; i++) p_{b.name}[i] = {_value(b, f'{b.name}[i]')};")
    lines += ["    return 0;", "}"]
    return "\n".join(lines) + "\n"
