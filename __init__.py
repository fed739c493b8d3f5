"""intvit: integer-only Vision Transformer compiler (xDSL dialect, torch-mlir frontend, backends)."""

__version__ = "0.1.0"
