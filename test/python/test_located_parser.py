"""Source locations cost linear time: each op's `file:line:col` comes from one table of line
starts (bisect), not from counting newlines from the file start per op (quadratic: a 2 MB file
took 22 s, 50 MB did not finish)."""

from __future__ import annotations

from xdsl.dialects.builtin import FileLineColLoc

from intvit.dialects.context import make_context
from intvit.dialects.located_parser import parse_located

OP = ("  %v{i} = intvit.add {prev}, %a lhs_multiplier 1073741824 lhs_shift 30 rhs_multiplier 1073741824 "
      "rhs_shift 31 bits 8 : tensor<4xi8>, tensor<4xi8> -> tensor<4xi8>")


class ScanCountingText(str):
    """A source string that records how many characters `count`/`rfind`/`find` scan."""

    scanned = 0

    def _scan(self, start, end):
        start = 0 if start is None else start
        end = len(self) if end is None else end
        ScanCountingText.scanned += max(0, end - start)

    def count(self, sub, start=None, end=None):
        self._scan(start, end)
        return str.count(self, sub, start, end)

    def rfind(self, sub, start=None, end=None):
        self._scan(start, end)
        return str.rfind(self, sub, start, end)

    def find(self, sub, start=None, end=None):
        self._scan(start, end)
        return str.find(self, sub, start, end)


def program(n: int) -> str:
    lines = ["func.func @f(%a: tensor<4xi8>) -> tensor<4xi8> {"]
    prev = "%a"
    for i in range(n):
        lines.append(OP.format(i=i, prev=prev))
        prev = f"%v{i}"
    lines.append(f"  func.return {prev} : tensor<4xi8>\n}}\n")
    return "\n".join(lines)


def test_locations_are_exact_and_found_in_linear_time():
    text = ScanCountingText(program(400))
    ScanCountingText.scanned = 0
    module = parse_located(make_context(), text, "big.mlir")
    adds = [op for op in module.walk() if op.name == "intvit.add"]
    assert len(adds) == 400
    for i, op in enumerate(adds):
        assert isinstance(op.location, FileLineColLoc)
        assert (op.location.line.data, op.location.column.data) == (i + 2, 3)
    # locating every op scans the text a bounded number of times, not once per op
    assert ScanCountingText.scanned <= 4 * len(text), ScanCountingText.scanned
