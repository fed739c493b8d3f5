"""build_prj.tcl run in tclsh with stand-in procedures for the Vitis HLS commands that record
each call: the recorded sequence is asserted for every flag combination, so a typo, a missing
or misordered step, or a wrong part/clock fails here (there is no Vitis on these machines)."""

from __future__ import annotations

import itertools
import shutil
import subprocess

import pytest

from intvit.lowering.hls.tcl import build_prj_tcl

pytestmark = pytest.mark.skipif(shutil.which("tclsh") is None, reason="tclsh (Debian tcl) is not installed")

STAND_IN = r"""
set ::calls {}
# the Vitis HLS commands build_prj.tcl may use; anything else is "invalid command name"
foreach cmd {open_project set_top add_files open_solution set_part create_clock csim_design csynth_design
             cosim_design export_design config_compile config_interface config_dataflow} {
    proc $cmd {args} "lappend ::calls \[list $cmd {*}\$args\]"
}
rename exit real_exit
proc exit {{code 0}} {
    foreach c $::calls { puts $c }
    puts "EXIT $code"
    real_exit 0
}
set ::argv [lindex $::argv 0]
source build_prj.tcl
"""


def run_tcl(tmp_path, args: str, load_weights: bool = False) -> list[str]:
    (tmp_path / "build_prj.tcl").write_text(build_prj_tcl("intvit_main", "xczu9eg-ffvb1156-2-e", 6.67, load_weights))
    (tmp_path / "stand_in.tcl").write_text(STAND_IN)
    proc = subprocess.run(["tclsh", "stand_in.tcl", args], cwd=tmp_path, capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    return [line for line in proc.stdout.splitlines() if not line.startswith("intvit:")], proc.stderr


SETUP = ["open_project -reset intvit_main_prj", "set_top intvit_main", "add_files firmware/intvit_main.cpp -cflags",
         "add_files -tb intvit_main_test.cpp -cflags", "add_files -tb tb_data",
         "open_solution -reset solution1 -flow_target vivado", "set_part xczu9eg-ffvb1156-2-e",
         "create_clock -period 6.67 -name default"]
STEPS = {"csim": "csim_design", "synth": "csynth_design", "cosim": "cosim_design", "export": "export_design -format ip_catalog"}


@pytest.mark.parametrize("csim,synth,cosim,export", [c for c in itertools.product([0, 1], repeat=4)
                                                    if c[1] or not (c[2] or c[3])])
def test_recorded_sequence_per_flag_combination(tmp_path, csim, synth, cosim, export):
    flags = {"csim": csim, "synth": synth, "cosim": cosim, "export": export}
    lines, _ = run_tcl(tmp_path, " ".join(f"{k}={v}" for k, v in flags.items()))
    assert lines[-1] == "EXIT 0"
    calls = lines[:-1]
    assert len(calls) == len(SETUP) + sum(flags.values())
    for call, want in zip(calls, SETUP):
        assert call.startswith(want), (call, want)
    steps = [STEPS[k] for k, v in flags.items() if v]
    assert calls[len(SETUP):] == steps


def test_defaults_are_csim_and_synth(tmp_path):
    lines, _ = run_tcl(tmp_path, "")
    assert lines[-3:] == ["csim_design", "csynth_design", "EXIT 0"]


@pytest.mark.parametrize("args,message", [("csim=2", "unknown argument 'csim=2'"), ("synt=1", "unknown argument"),
                                          ("synth=0 cosim=1", "cosim and export need synth=1"),
                                          ("synth=0 export=1", "cosim and export need synth=1")])
def test_bad_arguments_stop_before_vitis(tmp_path, args, message):
    lines, err = run_tcl(tmp_path, args)
    assert lines == ["EXIT 1"] and message in err


def test_large_models_load_weights_in_csim_only(tmp_path):
    lines, _ = run_tcl(tmp_path, "csim=1 synth=0", load_weights=True)
    add = next(line for line in lines if line.startswith("add_files firmware/"))
    assert "-DINTVIT_LOAD_WEIGHTS" in add and 'INTVIT_WEIGHTS_DIR=\\"' in add and "/firmware/weights" in add
