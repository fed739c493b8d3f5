"""`Emitter`: the small builder every generated `llvm-cpu` kernel is written with.

Kernels are MLIR text in upstream dialects (`scf`, `vector`, `memref`, `arith`, `x86`), parsed
once by the upstream parser (which verifies them) and moved into the module.  The emitter hands
out fresh SSA names, keeps the indentation of nested regions, and hoists every constant (index
or integer, scalar or splat vector) to the top of the function, once per value.

Text rather than typed op builders: a kernel is a few hundred ops parsed in one go, and the
printed text is what the lit tests of `test/targets/llvm-cpu/` read.  The names and the order in
which they are handed out are part of the output, so a change here changes every kernel's text.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

__all__ = ["Emitter", "strided_memref"]


def strided_memref(shape, strides, elem: str) -> str:
    """`memref<AxBxi8, strided<[s0, s1], offset: ?>>`: a kernel parameter takes any view."""
    dims = "x".join(str(d) for d in shape)
    return f"memref<{dims}x{elem}, strided<[{', '.join(map(str, strides))}], offset: ?>>"


class Emitter:
    """Lines of one function body: SSA names, nested regions and hoisted constants."""

    def __init__(self):
        self.lines: list[str] = []
        self.n = 0
        self.consts: dict[tuple, str] = {}
        self.indent = 1

    def fresh(self, hint: str = "v") -> str:
        self.n += 1
        return f"%{hint}_{self.n}"

    def emit(self, line: str) -> None:
        self.lines.append("  " * self.indent + line)

    def op(self, text: str, hint: str = "v") -> str:
        """`%hint_N = text`; returns the new name."""
        name = self.fresh(hint)
        self.emit(f"{name} = {text}")
        return name

    def idx(self, value: int) -> str:
        key = ("index", value)
        if key not in self.consts:
            self.consts[key] = f"%c{value}".replace("-", "m")
        return self.consts[key]

    def const(self, value, typ: str) -> str:
        """A constant of `typ` (a scalar type, or a vector type for a splat)."""
        key = (typ, value)
        if key not in self.consts:
            safe = re.sub(r"[^A-Za-z0-9]", "_", f"k_{typ}_{value}")
            self.consts[key] = f"%{safe}"
        return self.consts[key]

    def const_lines(self) -> list[str]:
        out = []
        for (typ, value), name in self.consts.items():
            if typ == "index":
                out.append(f"  {name} = arith.constant {value} : index")
            elif typ.startswith("vector"):
                out.append(f"  {name} = arith.constant dense<{value}> : {typ}")
            else:
                out.append(f"  {name} = arith.constant {value} : {typ}")
        return out

    def add(self, base: str, offset: int) -> str:
        """`base + offset` on indices (no op for 0)."""
        return base if offset == 0 else self.op(f"arith.addi {base}, {self.idx(offset)} : index", "i")

    def mul(self, base: str, factor: int) -> str:
        """`base * factor` on indices (no op for 1)."""
        return base if factor == 1 else self.op(f"arith.muli {base}, {self.idx(factor)} : index", "i")

    def bound(self, value) -> str:
        """An index operand: an SSA name as it is, an int as a hoisted constant."""
        return value if isinstance(value, str) else self.idx(value)

    @contextmanager
    def nested(self):
        """The lines emitted inside are one region deeper."""
        self.indent += 1
        yield
        self.indent -= 1

    @contextmanager
    def for_loop(self, upper, hint: str = "i", lower=0):
        """`scf.for %hint_N = lower to upper step 1 { ... }`; yields the induction variable."""
        iv = self.fresh(hint)
        self.emit(f"scf.for {iv} = {self.bound(lower)} to {self.bound(upper)} step {self.idx(1)} {{")
        with self.nested():
            yield iv
        self.emit("}")

    def if_else(self, cond: str, then, otherwise) -> None:
        """`scf.if cond { then() } else { otherwise() }` (no results)."""
        self.emit(f"scf.if {cond} {{")
        with self.nested():
            then()
        self.emit("} else {")
        with self.nested():
            otherwise()
        self.emit("}")

    def function(self, head: str, preamble: list[str] = ()) -> list[str]:
        """The whole function: `head {`, the constants, `preamble`, the body, `}`."""
        return [head, *self.const_lines(), *preamble, *self.lines, "}"]
