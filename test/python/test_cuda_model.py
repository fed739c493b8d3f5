"""cuda-dp4a on a whole model and its tooling: the digits ViT compiled for sm_75/80/90 by nvcc
(warning-free, PTX with dp4a, SASS with IDP.4A where cuobjdump is installed), `intvit eval`
bit-exact through the emulator, the int8 tensor-core variant's PTX/SASS (one arch), the GPU
bundle and `tools/gpu_check.py` run emulated, and the refusals of the availability checks."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from intvit.lowering.cuda import build as tools
from intvit.lowering.target import TargetError
from intvit.tools.intvit_main import main as intvit_main

ROOT = Path(__file__).resolve().parents[2]
INPUTS = ROOT / "test" / "Inputs"
needs_gxx = pytest.mark.skipif(tools.find_gxx() is None, reason="no g++ for the emulator")
needs_nvcc = pytest.mark.skipif(tools.find_nvcc() is None, reason="nvcc not installed: compile checks skipped")


def cuobjdump() -> str | None:
    try:
        import nvidia.cu13  # noqa: F401  (the PyPI wheels nvidia-cuda-cuobjdump / -nvdisasm)
        base = Path(sys.modules["nvidia.cu13"].__path__[0]) / "bin"
    except ImportError:
        return shutil.which("cuobjdump")
    return str(base / "cuobjdump") if (base / "cuobjdump").is_file() and (base / "nvdisasm").is_file() else None


def sass(binary: Path) -> str:
    exe = cuobjdump()
    env = {"PATH": f"{Path(exe).parent}:/usr/bin:/bin"}
    return subprocess.run([exe, "-sass", str(binary)], capture_output=True, text=True, check=True, env=env).stdout


@pytest.fixture(scope="module")
def digits(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("digits") / "digits.mlir"
    assert intvit_main(["import", "--model", "digits-vit", "--calib", "4", "-o", str(out)]) == 0
    return out


@needs_gxx
@needs_nvcc
def test_digits_builds_for_three_archs_and_runs_exactly(digits, tmp_path, capsys):
    out = tmp_path / "digits_cuda"
    assert intvit_main(["compile", str(digits), "--target", "cuda-dp4a", "-o", str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    checks = report["nvcc_checks"]
    assert checks["checked"] and checks["archs"] == ["sm_75", "sm_80", "sm_90"]
    assert checks["ptx_dp4a"] > 0 and report["gemm"] == "dp4a"
    assert report["kernels"]["gemm_dp4a+epilogue"] >= 12 and report["kernels"]["row"] >= 9
    side = json.loads((out / "intvit.json").read_text())
    assert side["target"] == "cuda-dp4a" and side["archs"] == ["sm_75", "sm_80", "sm_90"]
    assert side["inputs"] == [{"shape": [1, 1, 8, 8], "dtype": "float32"}]
    for name in ("model.cu", "harness.cu", "Makefile", "weights.bin", "weights.json", "intvit_cuda.h",
                 "intvit_cuda_emu.h", "harness"):
        assert (out / name).is_file(), name
    if cuobjdump():
        text = sass(out / "harness")
        assert "IDP.4A.S8.S8" in text and "IDP.4A.U8.S8" in text
    assert intvit_main(["run", str(out), "--random", "7", "--check"]) == 0
    assert "bit-exact: 0 of 10 elements differ" in capsys.readouterr().out


@needs_gxx
def test_digits_eval_is_bit_exact_emulated(capsys):
    assert intvit_main(["eval", "--target", "cuda-dp4a", "--limit", "3", "--calib", "4", "--json"]) == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert report["device"] == "emulated" and report["mismatches"] == 0 and report["bit_exact"]


@needs_gxx
@needs_nvcc
def test_mma_variant_ptx_and_sass(tmp_path, capsys):
    out = tmp_path / "mma"
    assert intvit_main(["compile", str(INPUTS / "cuda" / "batched_gemm.mlir"), "--target", "cuda-dp4a",
                        "--gemm", "mma", "--arch", "sm_80", "-o", str(out), "--json"]) == 0
    checks = json.loads(capsys.readouterr().out)["nvcc_checks"]
    assert checks["ptx_mma"] >= 2
    ptx = (out / "model_sm_80.ptx").read_text()
    assert "mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32" in ptx
    assert "mma.sync.aligned.m16n8k32.row.col.s32.u8.s8.s32" in ptx
    if cuobjdump():
        assert "IMMA" in sass(out / "harness")


@needs_gxx
def test_bundle_and_gpu_check_script_emulated(tmp_path):
    from intvit.runtime.gpu_bundle import main as bundle_main

    bundle = tmp_path / "bundle"
    assert bundle_main([str(bundle), "--models", ""]) == 0
    names = json.loads((bundle / "bundle.json").read_text())["cases"]
    assert "op-matmul-mma" in names and "op-layernorm-dp4a" in names
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "gpu_check.py"), str(bundle), "--emulated",
                           "--no-bench", "--only", "op-matmul,op-shiftmax-dp4a", "--jobs", "2"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("bit-exact") == 3 and "ALL BIT-EXACT" in done.stdout
    # a corrupted golden vector is reported as a mismatch, with a non-zero exit
    gold = bundle / "op-matmul-dp4a" / "golden" / "out0.bin"
    data = bytearray(gold.read_bytes())
    data[0] ^= 1
    gold.write_bytes(bytes(data))
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "gpu_check.py"), str(bundle), "--emulated",
                           "--no-bench", "--only", "op-matmul-dp4a"], capture_output=True, text=True)
    assert done.returncode == 1 and "1 of" in done.stdout and "MISMATCH" in done.stdout


def test_unavailable_and_missing_nvcc(monkeypatch, tmp_path):
    from intvit.lowering.cuda.target import CudaDp4aTarget

    monkeypatch.setattr(tools, "gpu_present", lambda: False)
    monkeypatch.setattr(tools, "find_gxx", lambda: None)
    with pytest.raises(TargetError, match="no GPU .* and no g\\+\\+"):
        CudaDp4aTarget().check_available()
    monkeypatch.setattr(tools, "find_nvcc", lambda: None)
    assert tools.check_archs(tmp_path, ["sm_80"], "dp4a") == {"checked": False,
                                                               "why": "nvcc not found: compile checks skipped"}
