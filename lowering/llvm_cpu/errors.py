"""The `llvm-cpu` target's two user errors, below every module of the target that raises them."""


class CompileError(RuntimeError):
    """The module cannot be compiled (unsupported entry, refused variant, upstream MLIR error)."""


class ExecutorError(RuntimeError):
    """Wrong inputs for a compiled model, or a missing/corrupt artifact."""
