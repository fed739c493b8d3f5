"""`intvit-opt`: xdsl-opt with the intvit dialects and passes, located diagnostics, clean exits.

It accepts every xdsl-opt flag (`-p 'a,b{opt=v}'`, `--split-input-file`, `--verify-diagnostics`,
`--allow-unregistered-dialect`, `-o`, ...).  What it adds: every parsed op carries a
`file:line:col` location so verifier messages point into the source, and any failure (parse
error, verifier error, failed pass, unknown pass) ends with one diagnostic on stderr and exit 1,
never a Python traceback.
"""

from __future__ import annotations

import argparse
import re
import sys

from xdsl.xdsl_opt_main import xDSLOptMain

from intvit.tools.diagnostics import report_failure
from intvit.dialects.located_parser import parse_located
from intvit.dialects.located_verify import verify_located


class IntvitOptMain(xDSLOptMain):
    def register_all_dialects(self):
        super().register_all_dialects()
        # Weights are builtin `dense_resource` blobs: the printer needs builtin loaded to emit
        # them, and an implicit top-level module never loads it.
        self.ctx.load_registered_dialect("builtin")

    def register_all_frontends(self):
        super().register_all_frontends()

        def parse_mlir(io):
            module = parse_located(self.ctx, io.read(), self.get_input_name(), self._chunk_offset)
            if not self.args.disable_verify:
                verify_located(module)  # xdsl-opt verifies too, but some of its messages name no place
            return module

        self.available_frontends["mlir"] = parse_mlir

    def parse_chunk(self, chunk, file_extension, offset=0):
        self._chunk_offset = offset
        return super().parse_chunk(chunk, file_extension, offset)

    def setup_pipeline(self):
        # MLIR spells pass options with dashes (`ratio-4bit=0.5`), xDSL option fields use
        # underscores: accept both.
        self.args.passes = re.sub(r"([{\s])([A-Za-z][\w-]*)=", lambda m: m.group(1) + m.group(2).replace("-", "_") + "=",
                                  self.args.passes)
        super().setup_pipeline()

    def register_all_arguments(self, arg_parser: argparse.ArgumentParser):
        super().register_all_arguments(arg_parser)
        from intvit.tools.pass_registry import PASSES

        arg_parser.epilog = "intvit passes:\n" + "\n".join(
            f"  {name:28s} {PASSES[name]().__doc__.strip().splitlines()[0]}" for name in sorted(PASSES)
        ) + "\n"
        arg_parser.formatter_class = argparse.RawDescriptionHelpFormatter


def main(argv: list[str] | None = None) -> int:
    if argv is not None:
        sys.argv = [sys.argv[0], *argv]
    try:
        tool = IntvitOptMain()
        tool._chunk_offset = 0
        tool.run()
    except SystemExit as exit_:
        return int(exit_.code or 0)
    except Exception as err:  # noqa: BLE001 - the CLI boundary turns every failure into a diagnostic
        return report_failure(err, "intvit-opt")
    return 0


if __name__ == "__main__":
    sys.exit(main())
