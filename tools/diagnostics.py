"""Turn any failure at a CLI boundary into one readable diagnostic and a non-zero exit code."""

from __future__ import annotations

import os
import re
import sys

from xdsl.utils.exceptions import DiagnosticException, ParseError


def _located(message: str) -> bool:
    """ "file:line:col:" (or a Python source's "file.py:line:") already names the place."""
    return message.split(" ", 1)[0].count(":") >= 3 or re.match(r"\S+\.py:\d+: ", message) is not None


def report_failure(err: BaseException, tool: str) -> int:
    """Print `err` as a diagnostic (no traceback unless INTVIT_TRACEBACK=1); return the exit code."""
    if os.environ.get("INTVIT_TRACEBACK"):
        import traceback

        traceback.print_exception(err)
    if isinstance(err, ParseError):
        # xDSL prints "file:line:col\n<source line>\n^^^\nmsg"; lead with the MLIR-style header.
        where, _, context = str(err).partition("\n")
        context = context.rstrip("\n")
        if context.endswith(err.msg):
            context = context[: -len(err.msg)].rstrip("\n")
        message = f"{where}: error: {err.msg}\n{context}"
    elif isinstance(err, DiagnosticException):
        # xDSL appends the whole module as notes; the first argument is the located message.
        message = str(err.args[0]) if err.args else type(err).__name__
        if "error:" not in message:
            message = f"error: {message}"
    elif isinstance(err, (FileNotFoundError, IsADirectoryError, PermissionError)):
        message = f"error: {err.strerror}: {err.filename}"
    elif isinstance(err, KeyboardInterrupt):
        message = "interrupted"
    elif _located(str(err)):  # a target's own located diagnostic
        message = str(err)
    else:
        message = f"error: {err}" if str(err) else f"error: {type(err).__name__}"
    print(message if _located(message) else f"{tool}: {message}", file=sys.stderr)
    return 1
