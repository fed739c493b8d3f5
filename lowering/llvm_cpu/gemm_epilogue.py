"""Fused GEMM epilogues for the `llvm-cpu` target: the elementwise op that consumes a GEMM's
int32 accumulator (the requant after every Dense layer and after `Q K^T`) runs on the
accumulator registers inside the GEMM kernel instead of a round trip of the int32 tensor through
memory and a second kernel.  Which consumer qualifies is `analysis.epilogue.match_epilogue`;
here its body is translated by `ewise_kernels.BodyTranslator`, the same op-for-op translation as
the standalone kernels, so the integers are the same.
"""

from __future__ import annotations

from intvit.lowering.analysis.epilogue import match_epilogue
from intvit.lowering.analysis.linalg import Access
from intvit.lowering.llvm_cpu.ewise_kernels import BodyTranslator

__all__ = ["Epilogue", "find_epilogue"]


class Epilogue:
    """The consumer of one GEMM, as emitted into that GEMM's kernel."""

    def __init__(self, op, c_index: int, accesses: list[Access]):
        self.op, self.c_index, self.accesses = op, c_index, accesses
        self.block = op.regions[0].blocks[0]
        self.tr: BodyTranslator | None = None
        self.column: dict = {}

    @property
    def operands(self) -> list:
        """G's operands except C (the kernel's epilogue parameters), then captured values."""
        own = [v for i, v in enumerate(self.op.operands) if i != self.c_index]
        return own + (self.tr.call_args if self.tr else [])

    def params(self) -> list[str]:
        own = [f"%e{i}: {a.type}" for i, a in enumerate(self.accesses) if i != self.c_index]
        return own + [f"{n}: {t}" for n, t in self.tr.params]

    def bind(self, e) -> None:
        self.tr = BodyTranslator(self.block, e, vector=True, prefix="%ec")

    def _index(self, acc: Access, bidx: list[str], m: str, n: str | None) -> str:
        nb = len(bidx)
        return ", ".join(bidx[d] if d < nb else (m if d == nb else n) for d in acc.dims)

    def columns(self, bidx: list[str], cols: list[str], masks: list) -> None:
        """Per-tile loads of the per-column operands (multiplier and shift tables)."""
        args = list(self.block.arguments)
        self.column = {}
        for i, acc in enumerate(self.accesses[:-1]):
            if i != self.c_index and acc.kind == "vector" and len(acc.dims) == 1:
                elem = str(args[i].type)
                self.column[i] = [self.tr.load(f"%e{i}", acc.type, n, elem, mask) for n, mask in zip(cols, masks)]

    def store(self, value: str, bidx: list[str], m: str, j: int, n: str, mask: str | None) -> None:
        tr, args = self.tr, list(self.block.arguments)
        env = {args[self.c_index]: value}
        for i, acc in enumerate(self.accesses[:-1]):
            a = args[i]
            if i == self.c_index:
                continue
            if acc.kind == "scalar":
                env[a] = tr.splat(f"%e{i}", acc.type)
            elif acc.kind == "row":
                env[a] = tr.load_row(f"%e{i}", acc.type, self._index(acc, bidx, m, None), str(a.type))
            elif i in self.column:
                env[a] = self.column[i][j]
            else:
                env[a] = tr.load(f"%e{i}", acc.type, self._index(acc, bidx, m, n), str(a.type), mask)
        tr.body(env, mask)
        out = self.accesses[-1]
        k = len(self.accesses) - 1
        tr.store(tr.yielded(env), f"%e{k}", out.type, self._index(out, bidx, m, n), str(args[-1].type), mask)


def find_epilogue(gemm_op, c_value, init_op) -> Epilogue | None:
    """The fusable consumer of the GEMM's C (`analysis.epilogue`), ready to emit; or None."""
    found = match_epilogue(gemm_op, c_value, init_op)
    return None if found is None else Epilogue(found.op, found.c_index, found.accesses)
