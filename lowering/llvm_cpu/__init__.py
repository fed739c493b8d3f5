"""The `llvm-cpu` target: upstream MLIR -> LLVM -> `.so` with a C ABI (see `target.py`)."""
