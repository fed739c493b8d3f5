"""The xDSL context every intvit tool parses with (upstream dialects plus intvit and torch), and the
printer that writes a module back with its weight blobs."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

from xdsl.context import Context
from xdsl.dialects import get_all_dialects
from xdsl.dialects.builtin import Builtin, ModuleOp
from xdsl.printer import Printer


def _intvit_dialect():
    from intvit.dialects.intvit import Intvit

    return Intvit


def _helper_dialect():
    from intvit.dialects.intvit_helper import IntvitHelper

    return IntvitHelper


def _torch_dialect():
    from intvit.dialects.torch import Torch

    return Torch


# Loaded lazily: parsing a lowered module never builds the torch op set.
INTVIT_DIALECTS = {"intvit": _intvit_dialect, "torch": _torch_dialect, "intvit_helper": _helper_dialect}


def make_context(allow_unregistered: bool = False) -> Context:
    ctx = Context(allow_unregistered=allow_unregistered)
    for name, factory in get_all_dialects().items():
        ctx.register_dialect(name, factory)
    for name, factory in INTVIT_DIALECTS.items():
        if name not in ctx.registered_dialect_names:
            ctx.register_dialect(name, factory)
    return ctx


def parse_module(text: str | bytes, name: str = "<string>", ctx: Context | None = None) -> ModuleOp:
    """Parse and verify; every op carries its file:line:col for diagnostics."""
    from intvit.dialects.located_parser import parse_located
    from intvit.dialects.located_verify import verify_located

    module = parse_located(ctx or make_context(), text, name)
    verify_located(module)
    return module


def module_text(module: ModuleOp) -> str:
    """The module with its `{-# dialect_resources #-}` section (the weight blobs)."""
    out = StringIO()
    printer = Printer(stream=out)
    printer.print_op(module)
    printer.print_metadata([Builtin])
    out.write("\n")
    return out.getvalue()


def load_module(path: str | Path, ctx: Context | None = None) -> ModuleOp:
    path = Path(path)
    return parse_module(path.read_bytes(), str(path), ctx)  # bytes: a non-UTF-8 byte gets a location
