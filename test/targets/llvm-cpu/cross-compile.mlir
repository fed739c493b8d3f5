// `intvit compile --gemm amx|vnni` builds on any host (cross-compiling for the deployment
// machine; the vnni library is tested in test_llvm_cpu.py); the sidecar lists the CPU features the library checks before it runs.
// RUN: %steps --step bufferize,gemm-kernels,to-llvm --gemm amx %S/Inputs/dense.mlir | filecheck %s --check-prefix=LLVM
// RUN: intvit compile %S/Inputs/dense.mlir -o %t.amx.so --gemm amx --threads 1 --json | filecheck %s --check-prefix=AMX
// RUN: filecheck %s --check-prefix=SIDECAR < %t.amx.so.json

// LLVM: llvm.func @__intvit_gemm_amx_
// LLVM: llvm.call_intrinsic "llvm.x86.tdpbssd.internal"
// AMX: "gemm": "amx", "gemm_kernels": 1
// SIDECAR: "cpu_features": [
// SIDECAR-DAG: "avx512_vnni"
// SIDECAR-DAG: "amx_int8"
// SIDECAR-DAG: "amx_tile"
// SIDECAR: "gemm": "amx"
